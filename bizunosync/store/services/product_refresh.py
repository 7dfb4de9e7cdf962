"""`product/refresh` (Quick Refresh): prices, stock and tiers for a batch of SKUs.

A batch costs the same number of queries whatever its size: products read in
one query, their tiers in one, changed products written in one UPDATE,
changed tiers replaced with one DELETE and one INSERT — in one transaction.
Only products whose values actually change are written; sending the same
batch twice writes nothing the second time.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from bizunosync.wire import product_refresh as wire
from bizunosync.wire.messages import MessageBlock

from ..models import PriceTier, Product, StoreSettings
from . import snapshot

WRITABLE = ["regular_price", "sale_price", "price", "stock_quantity", "stock_status", "manage_stock",
            "backorders", "weight", "bizuno_snapshot"]


@dataclass
class RefreshResult:
    ok: bool
    note: str
    messages: MessageBlock
    item_count: int = 0
    changed: int = 0
    touched: list[str] = field(default_factory=list)


def _same(a: Decimal | None, b: Decimal | None) -> bool:
    """Numbers compare as numbers: "10" equals "10.00"."""
    if a is None or b is None:
        return a is None and b is None
    return Decimal(a) == Decimal(b)


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
    with transaction.atomic():
        products = {p.sku: p for p in Product.objects.select_for_update().filter(sku__in=list(latest))}
        tiers = defaultdict(list)
        if products:
            for tier in PriceTier.objects.filter(product__in=[p.pk for p in products.values()]).order_by("qty"):
                tiers[tier.product_id].append((tier.qty, tier.price))

        changed, snapshot_only, new_tiers = [], [], {}
        for sku, item in latest.items():
            product = products.get(sku)
            if product is None:
                continue
            wanted = [(t.qty, t.price) for t in item.tiers]
            tiers_differ = not _same_tiers(tiers[product.pk], wanted)
            fields_differ = _apply_item(product, item, settings)
            if tiers_differ:
                new_tiers[product.pk] = wanted
            new_snapshot = {**product.bizuno_snapshot, **_sent(product, item, wanted)}
            snapshot_differs = new_snapshot != product.bizuno_snapshot
            product.bizuno_snapshot = new_snapshot
            if fields_differ or tiers_differ:
                changed.append(product)
            elif snapshot_differs:
                snapshot_only.append(product)

        to_write = changed + snapshot_only
        if to_write:
            now = timezone.now()
            for product in to_write:
                product.modified = now
            Product.objects.bulk_update(to_write, WRITABLE + ["modified"])
        if new_tiers:
            PriceTier.objects.filter(product__in=list(new_tiers)).delete()
            PriceTier.objects.bulk_create(
                PriceTier(product_id=pk, qty=q, price=p) for pk, rows in new_tiers.items() for q, p in rows
            )

    missing = [sku for sku in latest if sku not in products]
    if missing:
        messages.error(f"Missing in WooCommerce: {', '.join(missing)}")
    note = f"Updated {len(changed)} of {total} products."
    return RefreshResult(
        True, note, messages, item_count=total, changed=len(changed),
        touched=[f"store.product:{p.pk}" for p in changed],
    )


def _same_tiers(current, wanted) -> bool:
    return len(current) == len(wanted) and all(q1 == q2 and _same(p1, p2) for (q1, p1), (q2, p2) in zip(current, wanted))


def _apply_item(product: Product, item: wire.RefreshItem, settings: StoreSettings) -> bool:
    """Set the item's values on the product; True if any of them changed."""
    before = {name: getattr(product, name) for name in WRITABLE[:-1]}
    if settings.manage_stock:
        product.manage_stock = True
        product.backorders = settings.backorders
    if item.price is not None:
        product.regular_price = item.price
    if item.sale_price is wire.CLEAR:
        product.sale_price = None
    elif item.sale_price is not None:
        product.sale_price = item.sale_price
    product.price = Product.active_price(product.regular_price, product.sale_price)
    if item.qty_stock is not None:
        product.stock_quantity = max(item.qty_stock, 0)
        product.stock_status = Product.StockStatus.IN_STOCK if item.qty_stock > 0 else Product.StockStatus.OUT_OF_STOCK
        product.manage_stock = True
    if item.weight is not None:
        product.weight = item.weight
    changed = False
    for name, old in before.items():
        new = getattr(product, name)
        if isinstance(old, Decimal) or isinstance(new, Decimal):
            if not _same(old, new):
                changed = True
            else:
                setattr(product, name, old)  # keep the stored scale: "10" must not rewrite "10.0000"
        elif old != new:
            changed = True
    return changed


def _sent(product, item, wanted_tiers) -> dict:
    """The snapshot entries for what this item carried."""
    out = {"tiers": snapshot.tiers(wanted_tiers)}
    if item.price is not None or item.sale_price is not None:
        out["regular_price"] = snapshot.money(product.regular_price)
        out["sale_price"] = snapshot.money(product.sale_price)
        out["price"] = snapshot.money(product.price)
    if item.qty_stock is not None:
        out["stock_quantity"] = product.stock_quantity
        out["stock_status"] = product.stock_status
    if item.weight is not None:
        out["weight"] = snapshot.money(product.weight)
    return out
