"""`product/refresh` (Quick Refresh): prices, stock and tiers for a batch of SKUs.

A batch costs the same number of queries whatever its size: products read in
one query, their tiers in one, changed products written in one UPDATE, tiers
whose price changed repriced in one UPDATE, and only the products whose tier
quantities changed get theirs replaced (one DELETE, one INSERT) — in one
transaction. Only what actually changes is written; sending the same batch
twice writes nothing the second time.
"""

from __future__ import annotations

import itertools
import operator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from bizunosync.sync import rows
from bizunosync.wire import product_refresh as wire
from bizunosync.wire.messages import MessageBlock

from ..models import PriceTier, Product, StoreSettings
from . import held_stock, snapshot, units

# What Quick Refresh may change on a product, read and written as plain values (no model instances:
# at 1,000 items building and diffing instances was most of a batch's time), by their place in OWNED.
OWNED = ("regular_price", "sale_price", "price", "stock_quantity", "stock_status", "manage_stock",
         "backorders", "weight")
REGULAR_PRICE, SALE_PRICE, PRICE, STOCK_QUANTITY, STOCK_STATUS, MANAGE_STOCK, BACKORDERS, WEIGHT = range(len(OWNED))
_snapshot_values = operator.itemgetter(REGULAR_PRICE, SALE_PRICE, PRICE, STOCK_QUANTITY, STOCK_STATUS, WEIGHT)
WRITTEN = [*OWNED, "bizuno_snapshot", "modified"]
IN_STOCK, OUT_OF_STOCK = Product.StockStatus.IN_STOCK.value, Product.StockStatus.OUT_OF_STOCK.value


@dataclass
class RefreshResult:
    ok: bool
    note: str
    messages: MessageBlock
    item_count: int = 0
    changed: int = 0
    touched: list[str] = field(default_factory=list)


@dataclass
class Plan:
    """What a batch will write: rows for rows.update (pk, *WRITTEN without modified) and tier changes."""

    rows: list[tuple] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)  # pks whose owned values or tiers change
    tiers: dict[int, list[tuple]] = field(default_factory=dict)  # pk → [(qty, price), …] replacing its tiers
    # (tier id, new price) where a product keeps its quantity breaks and only prices move: Bizuno's usual change.
    prices: list[tuple] = field(default_factory=list)


def apply(items: list[wire.RefreshItem], errors: list[wire.ItemError], sent: int | None = None) -> RefreshResult:
    """``sent`` is how many rows the batch had, blank SKUs included: the plugin counts them in its note."""
    messages = MessageBlock()
    total = sent if sent is not None else len(items) + len(errors)
    if total == 0:
        return RefreshResult(False, "No items provided", messages)
    if not items and not errors:  # rows, but every SKU blank: the plugin's own answer
        return RefreshResult(True, "No valid SKUs found", messages, item_count=total)
    for error in errors:
        messages.error(f"Skipped {error.sku or '(no SKU)'}: {error.field} {error.problem}")

    latest = {item.sku: item for item in items}  # a SKU sent twice: the last one wins, as in PHP
    settings = StoreSettings.load()
    # No savepoint of its own: within a caller's transaction (the endpoint's, which writes the
    # call's log in the same commit) a failure here rolls the whole of it back.
    with transaction.atomic(savepoint=False):
        current = read_products(latest.keys())
        tiers = read_tiers({row.pk for row in current.values()})
        held = held_stock.held_for({sku: row.pk for sku, row in current.items() if latest[sku].qty_stock is not None})
        plan = plan_batch(latest, current, tiers, settings, held)
        write(plan)

    missing = [sku for sku in latest if sku not in current]
    if missing:
        messages.error(f"Missing in WooCommerce: {', '.join(missing)}")
    note = f"Updated {len(plan.changed)} of {total} products."
    return RefreshResult(
        True, note, messages, item_count=total, changed=len(plan.changed),
        touched=[f"store.product:{pk}" for pk in plan.changed],
    )


class Current(NamedTuple):
    """A product as the batch found it: its key, the owned values in OWNED order, its snapshot."""

    pk: int
    owned: tuple
    snapshot: dict


_PRODUCTS = rows.Compiled(lambda skus: Product.objects.select_for_update().filter(sku__one_of=skus).order_by(),
                          ["pk", "sku", *OWNED, "bizuno_snapshot"])
_TIERS = rows.Compiled(lambda pks: PriceTier.objects.filter(product_id__one_of=pks).order_by("product_id", "qty"),
                       ["product_id", "pk", "qty", "price"])


def read_products(skus) -> dict[str, Current]:
    """sku → Current, locked for the batch (one query)."""
    return {row[1]: Current(row[0], row[2:-1], row[-1]) for row in _PRODUCTS.read(skus=skus)}


def read_tiers(pks) -> dict[int, list[tuple]]:
    """pk → [(pk, tier id, qty, price), …] by qty (one query, none when there are no products).

    The rows as read, grouped (they come ordered by product): no tuple made again per tier.
    """
    if not pks:
        return {}
    return {pk: list(group) for pk, group in itertools.groupby(_TIERS.read(pks=pks), _first)}


_first = operator.itemgetter(0)


def plan_batch(latest: dict[str, wire.RefreshItem], current: dict[str, Current], tiers, settings: StoreSettings,
               held: dict | None = None) -> Plan:
    """Which rows and tiers change, and to what: plain data in, plain data out (no queries).

    ``held``: pk → held_stock.Held, what orders not yet in Bizuno take off Bizuno's stock figure.
    """
    held = held or {}
    plan = Plan()
    for sku, item in latest.items():
        row = current.get(sku)
        if row is None:
            continue
        pk, old, old_snap = row
        wanted = item.tiers  # Tier tuples, (qty, price), by qty, each quantity once (the wire reader's)
        tiers_differ = _plan_tiers(plan, pk, tiers.get(pk, ()), wanted)
        owned, values_differ = _keep_scale(old, new_values(row, item, settings, held.get(pk)))
        snap = {**old_snap, **_sent(owned, item, wanted)}
        if values_differ or tiers_differ:
            plan.changed.append(pk)
        if values_differ or tiers_differ or snap != old_snap:
            plan.rows.append((pk, *owned, snap))
    return plan


def new_values(row: Current, item: wire.RefreshItem, settings: StoreSettings, held=None) -> list:
    """The owned values (OWNED order) a product has after this item: where every Quick Refresh rule lives."""
    values = list(row.owned)
    if settings.manage_stock:
        values[MANAGE_STOCK] = True
        values[BACKORDERS] = settings.backorders
    if item.price is not None:
        values[REGULAR_PRICE] = item.price
    if item.sale_price is wire.CLEAR:
        values[SALE_PRICE] = None
    elif item.sale_price is not None:
        values[SALE_PRICE] = item.sale_price
    values[PRICE] = Product.active_price(values[REGULAR_PRICE], values[SALE_PRICE])
    if item.qty_stock is not None:
        stock = held_stock.net_stock(item.qty_stock, held)
        values[STOCK_QUANTITY] = stock
        values[STOCK_STATUS] = IN_STOCK if stock > 0 else OUT_OF_STOCK
        values[MANAGE_STOCK] = True
    if item.weight is not None:
        values[WEIGHT] = store_weight(item, row, settings)
    return values


def store_weight(item: wire.RefreshItem, row: Current, settings: StoreSettings) -> Decimal:
    """Bizuno's weight in the store's unit, as Product Upload converts it (1.5 lb → 0.6804 kg).

    Bizuno's own refresh sends no unit: then the unit the last product/update named for this
    product (kept in its snapshot) is the one; with neither, the number is taken as it is.
    """
    source = item.weight_uom or (row.snapshot or {}).get(snapshot.WEIGHT_UOM)
    return units.weight(item.weight, source, settings.weight_unit)


def write(plan: Plan) -> None:
    """The plan in at most four statements: products, tier prices, old tier sets out, new ones in."""
    if plan.rows:
        now = timezone.now()
        rows.update(Product, WRITTEN, [(*row, now) for row in plan.rows])
    rows.update(PriceTier, ["price"], plan.prices)
    if plan.tiers:
        PriceTier.objects.filter(product_id__one_of=plan.tiers).delete()
        rows.insert(PriceTier, ["product", "qty", "price"],
                    [(pk, q, p) for pk, pairs in plan.tiers.items() for q, p in pairs])


def _plan_tiers(plan: Plan, pk: int, current, wanted) -> bool:
    """Add one product's tier changes to the plan; True if any.

    The same quantity breaks: only the prices that moved are written, in place.
    Other breaks: the product's tiers are replaced.
    """
    if len(current) == len(wanted):
        moved = []
        for (_pk, tier_id, qty, old), (new_qty, price) in zip(current, wanted):
            if qty != new_qty:
                break
            if old != price:  # Decimal equality is numeric ("10" equals "10.00")
                moved.append((tier_id, price))
        else:
            plan.prices += moved
            return bool(moved)
    plan.tiers[pk] = wanted
    return True


def _keep_scale(old: tuple, new: list) -> tuple[tuple, bool]:
    """The owned values to write, and whether any changed; equal numbers keep the stored scale
    ("10" must not rewrite "10.0000").

    Decimal equality is numeric (Decimal("10") == Decimal("10.0000")), so one == serves every type;
    a batch whose values did not move (most of a Quick Refresh) is told by one tuple comparison.
    """
    new = tuple(new)
    if old == new:
        return old, False
    return tuple([was if was == now else now for was, now in zip(old, new)]), True


def _sent(owned: tuple, item, wanted_tiers) -> dict:
    """The snapshot entries for what this item carried (``owned``: the values in OWNED order).

    The tiers come sorted by quantity, each quantity once, as the wire reader gives them:
    snapshot.tiers without its sort.
    """
    money = snapshot.money
    out = {"tiers": [[qty, money(price)] for qty, price in wanted_tiers]}
    regular, sale, price, stock, status, weight = _snapshot_values(owned)
    if item.price is not None or item.sale_price is not None:
        out["regular_price"] = regular_text = money(regular)
        out["sale_price"] = money(sale)
        out["price"] = regular_text if price is regular else money(price)
    if item.qty_stock is not None:
        out["stock_quantity"] = stock
        out["stock_status"] = status
        out[held_stock.BIZUNO_STOCK] = item.qty_stock
    if item.weight is not None:
        out["weight"] = money(weight)
        if item.weight_uom:
            out[snapshot.WEIGHT_UOM] = item.weight_uom
    return out
