"""`product/refresh` (Quick Refresh): price, stock and tiers for a batch of SKUs.

PROTOCOL §2.4. Bizuno PUTs ``data[i][...]`` 100 items at a time. Our reading
is stricter than the plugin's (phreesoft/bizuno-api lib/product.php,
``productRefresh``): an absent field means "unchanged" rather than "blank",
and an item with an unreadable value is skipped and named while the rest of
the batch applies. The one absent field that is *not* "unchanged" is
``PriceTiers``: PHP cannot send an empty array, so absence is how Bizuno says
"no tiers" and the plugin clears them (its ``else { // No tiers sent → clear them }``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field as dc_field
from decimal import Decimal
from typing import NamedTuple

from . import fields, phpform
from .fields import FieldError

MAX_BATCH = 1000
MAX_TIERS = 100
WEIGHT_UNITS = ("lb", "kg", "oz", "g")


class _Clear:
    """Sentinel: the peer sent an empty sale price, meaning "remove it"."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self):
        return "CLEAR"

    def __bool__(self):
        return False


CLEAR = _Clear()


class Tier(NamedTuple):
    """A quantity break; a tuple, so a batch's 2,000 of them cost what tuples cost."""

    qty: int
    price: Decimal


@dataclass(slots=True)  # a batch makes 1,000: slots make them cheaper to build and to read
class RefreshItem:
    sku: str
    qty_stock: int | None = None
    weight: Decimal | None = None
    price: Decimal | None = None
    sale_price: Decimal | None | _Clear = None
    tiers: list[Tier] = dc_field(default_factory=list)
    type: str | None = None
    full_price: Decimal | None = None
    # Not in Bizuno's own refresh (setPriceLevels sends the weight without its unit): our books
    # side adds it so the store can convert; without it the store uses the unit of the last upload.
    weight_uom: str | None = None


@dataclass(frozen=True)
class ItemError:
    sku: str  # "" when the SKU itself was unreadable
    field: str
    problem: str

    def __str__(self):
        who = self.sku or "(no SKU)"
        return f"{who}: {self.field} {self.problem}"


def read_tiers(value, field: str) -> list[Tier]:
    """``[{qty, price}, …]`` sorted by qty; absent is the empty list."""
    try:
        return _tiers(value)
    except FieldError as exc:
        raise exc.within(field) from None


def _tiers(value) -> list[Tier]:
    rows = fields.listing(value, "", max_items=MAX_TIERS)
    tiers = []
    seen = set()
    for i, row in enumerate(rows):
        try:
            row = fields.mapping(row, "", required=True)
            qty = fields.integer(row.get("qty"), "qty", minimum=1, required=True)
            price = fields.decimal(row.get("price"), "price", required=True)
            if qty in seen:
                raise FieldError("qty", f"repeats quantity {qty}")
        except FieldError as exc:
            raise exc.within(f"[{i}]") from None
        seen.add(qty)
        tiers.append(Tier(qty, price))
    return sorted(tiers)  # by qty: quantities are unique


def read_item(raw, index: int) -> RefreshItem | None:
    """One item, or None for a blank SKU (skipped, as the plugin does)."""
    try:
        return _item(raw)
    except FieldError as exc:
        raise exc.within(f"data[{index}]") from None


def _item(raw) -> RefreshItem | None:
    """Fields named relative to the item (``SKU``, ``PriceTiers[0].qty``); read_item prefixes them."""
    raw = fields.mapping(raw, "", required=True)
    sku = fields.sku(raw.get("SKU"), "SKU", required=False)
    if sku is None:
        return None
    # Available quantity may be negative (oversold); the store clamps it to 0.
    qty = fields.integer(raw.get("QtyStock"), "QtyStock", minimum=-fields.MAX_QTY)
    weight = fields.decimal(raw.get("Weight"), "Weight")
    # The plugin reads RegularPrice; PROTOCOL also lists Price. RegularPrice wins.
    if raw.get("RegularPrice") not in (None, "") and str(raw.get("RegularPrice")).strip():
        price = fields.decimal(raw.get("RegularPrice"), "RegularPrice")
    else:
        price = fields.decimal(raw.get("Price"), "Price")
    sale_raw = raw.get("SalePrice")
    if sale_raw is None:
        sale = None
    elif isinstance(sale_raw, str) and sale_raw.strip() == "":
        sale = CLEAR
    else:
        sale = fields.decimal(sale_raw, "SalePrice")
    tiers = read_tiers(raw.get("PriceTiers"), "PriceTiers")
    kind = fields.text(raw.get("Type"), "Type", max_length=8)
    full = fields.decimal(raw.get("FullPrice"), "FullPrice")
    uom = read_unit(raw.get("WeightUOM"), "WeightUOM", WEIGHT_UNITS)
    return RefreshItem(sku, qty, weight, price, sale, tiers, kind, full, uom)


# The shape Bizuno sends every item in, each value checked by one regex: within these, the general
# readers (fields.decimal, fields.integer) accept the text as it is and return Decimal(text) or
# int(text). ≤ 8 integer digits and ≤ 4 places is within MAX_MONEY and needs no rounding.
_MONEY = re.compile(r"[0-9]{1,8}(?:\.[0-9]{0,4})?\Z")
_STOCK = re.compile(r"-?[0-9]{1,9}\Z")  # |n| < MAX_QTY
_BREAK = re.compile(r"[0-9]{1,9}\Z")
_ITEM_KEYS = frozenset({"SKU", "QtyStock", "Weight", "Price", "RegularPrice", "SalePrice", "PriceTiers", "Type",
                        "FullPrice", "WeightUOM"})


class _Unusual(Exception):
    """A value outside the usual shape: read_item reads the item (and names what is wrong)."""


# Texts already read in the usual shape, and what they read as (Decimal and Tier are immutable, so
# one object serves every item): a catalog's prices and quantity breaks repeat from item to item
# and batch to batch, and the regex and the conversion were most of reading an item. Bounded: a
# full cache starts again.
_KEPT = 4096
_MONEYS: dict[str, Decimal] = {}
_TIERS: dict[tuple[str, str], Tier] = {}


def _remember(cache: dict, key, value):
    if len(cache) >= _KEPT:
        cache.clear()
    cache[key] = value
    return value


def _money_or_none(value) -> Decimal | None:
    if value is None:
        return None
    if type(value) is str:
        known = _MONEYS.get(value)
        if known is not None:
            return known
        if _MONEY.match(value):
            return _remember(_MONEYS, value, Decimal(value))
    raise _Unusual


def usual_item(raw) -> RefreshItem | None:
    """The item, when every value is in the usual shape; else None, and read_item must read it.

    What it returns is what read_item returns for the same item, to the digit (tests/wire
    checks it on generated items): read_item costs a dozen general reads an item, and a
    1,000-item batch spent more time there than in its database work.
    """
    if type(raw) is not dict or not raw.keys() <= _ITEM_KEYS:
        return None
    sku = raw.get("SKU")
    if (type(sku) is not str or not sku or len(sku) > fields.MAX_SKU or not sku.isprintable()
            or sku.strip(fields.PHP_TRIM) != sku):
        return None
    try:
        qty = raw.get("QtyStock")
        if qty is not None:
            if type(qty) is not str or not _STOCK.match(qty):
                return None
            qty = int(qty)
        regular = raw.get("RegularPrice")
        price = _money_or_none(raw.get("Price") if regular is None or regular == "" else regular)
        sale = raw.get("SalePrice")
        if type(sale) is str and not sale.strip():
            sale = CLEAR
        else:
            sale = _money_or_none(sale)
        tiers = _usual_tiers(raw.get("PriceTiers"))
        kind = raw.get("Type")
        if kind == "":
            kind = None
        elif kind is not None and (type(kind) is not str or len(kind) > 8):
            return None
        uom = raw.get("WeightUOM")
        if uom == "":
            uom = None
        elif uom is not None and uom not in WEIGHT_UNITS:
            return None
        return RefreshItem(sku, qty, _money_or_none(raw.get("Weight")), price, sale, tiers, kind,
                           _money_or_none(raw.get("FullPrice")), uom)
    except _Unusual:
        return None


def _usual_tiers(value) -> list[Tier]:
    if value is None or value == "":
        return []
    rows = list(value.values()) if type(value) is dict else value
    if type(rows) is not list or len(rows) > MAX_TIERS:
        raise _Unusual
    tiers = []
    last = 0  # Bizuno sends the breaks rising: then they are distinct, above 0 and in order already
    rising = True
    for row in rows:
        if type(row) is not dict:
            raise _Unusual
        key = qty, price = row.get("qty"), row.get("price")
        if type(qty) is not str or type(price) is not str:
            raise _Unusual
        tier = _TIERS.get(key)
        if tier is None:
            if not _BREAK.match(qty) or not _MONEY.match(price):
                raise _Unusual
            tier = _remember(_TIERS, key, _tier((int(qty), Decimal(price))))
        tiers.append(tier)
        if tier[0] <= last:
            rising = False
        last = tier[0]
    if rising:
        return tiers
    breaks = {tier[0] for tier in tiers}
    if len(breaks) != len(tiers) or 0 in breaks:  # _BREAK reads no sign: 0 is the one break below 1
        raise _Unusual
    return sorted(tiers)


_tier = Tier._make  # tuple.__new__ at C speed; Tier(qty, price) runs a Python __new__ (2,000 a batch)


def read_unit(value, field: str, allowed) -> str | None:
    """A unit code, lower-cased; blank is None; anything else names the field."""
    value = fields.text(value, field, max_length=8)
    if value is None:
        return None
    value = value.strip().lower()
    if value and value not in allowed:
        raise FieldError(field, f"must be one of {', '.join(allowed)}, got {value[:8]!r}")
    return value or None


def read_batch(data) -> tuple[list[RefreshItem], list[ItemError]]:
    """Every readable item, and one ItemError per unreadable one.

    Raises FieldError only when ``data`` itself is not a list of items.
    """
    rows = fields.listing(data, "data", max_items=MAX_BATCH)
    usual = [usual_item(raw) for raw in rows]
    # A usual item is three levels deep at most (item, PriceTiers, tier): only the others can be
    # too deep, and walking 10,000 containers of a usual batch cost a fifth of reading it.
    fields.shallow([raw for raw, item in zip(rows, usual) if item is None], "data", limit=6)
    items: list[RefreshItem] = []
    errors: list[ItemError] = []
    for index, (raw, item) in enumerate(zip(rows, usual)):
        if item is not None:
            items.append(item)
            continue
        try:
            item = read_item(raw, index)
        except FieldError as exc:
            sku = raw.get("SKU") if isinstance(raw, dict) else None
            sku = str(sku).strip()[: fields.MAX_SKU] if isinstance(sku, (str, int)) else ""
            errors.append(ItemError(sku, exc.field, exc.problem))
            continue
        if item is not None:
            items.append(item)
    return items, errors


def _money(value: Decimal) -> str:
    return format(value, "f")


def build_item(item: RefreshItem) -> dict:
    """One item in Bizuno's own key order (its ``setPriceLevels``, WooCommerce interface).

    Bizuno sends the price twice (``Price`` and ``RegularPrice``) and
    ``PriceTiers`` only when there are tiers; an absent value here is left
    out rather than blanked, which our reader takes as "unchanged".
    """
    out: dict = {"SKU": item.sku}
    if item.qty_stock is not None:
        out["QtyStock"] = str(item.qty_stock)
    if item.weight is not None:
        out["Weight"] = _money(item.weight)
        if item.weight_uom:
            out["WeightUOM"] = item.weight_uom
    if item.type is not None:
        out["Type"] = item.type
    if item.full_price is not None:
        out["FullPrice"] = _money(item.full_price)
    if item.price is not None:
        out["Price"] = _money(item.price)
        out["RegularPrice"] = _money(item.price)
    if item.sale_price is CLEAR:
        out["SalePrice"] = ""
    elif item.sale_price is not None:
        out["SalePrice"] = _money(item.sale_price)
    if item.tiers:  # PHP cannot send an empty array: no key means "no tiers"
        out["PriceTiers"] = [
            {"qty": str(t.qty), "price": _money(t.price)} for t in sorted(item.tiers, key=lambda t: t.qty)
        ]
    return out


def encode_item(item: RefreshItem) -> phpform.Row:
    """``phpform.encode_row("data", build_item(item))``, written straight from the item.

    Quick Refresh encodes every item it reads, 10,000 in a 10,000-item run: the dict and the
    general walk over it were the books side's largest cost per batch. A Decimal written with
    "f" is digits, "-", "." or a word (NaN, Infinity): nothing urlencode would escape.
    """
    url = phpform.urlencode
    fields = [f"%5D%5BSKU%5D={url(str(item.sku))}"]
    if item.qty_stock is not None:
        fields.append(f"%5D%5BQtyStock%5D={item.qty_stock}")
    if item.weight is not None:
        fields.append(f"%5D%5BWeight%5D={_money(item.weight)}")
        if item.weight_uom:
            fields.append(f"%5D%5BWeightUOM%5D={url(str(item.weight_uom))}")
    if item.type is not None:
        fields.append(f"%5D%5BType%5D={url(str(item.type))}")
    if item.full_price is not None:
        fields.append(f"%5D%5BFullPrice%5D={_money(item.full_price)}")
    if item.price is not None:
        price = _money(item.price)
        fields.append(f"%5D%5BPrice%5D={price}")
        fields.append(f"%5D%5BRegularPrice%5D={price}")
    if item.sale_price is CLEAR:
        fields.append("%5D%5BSalePrice%5D=")
    elif item.sale_price is not None:
        fields.append(f"%5D%5BSalePrice%5D={_money(item.sale_price)}")
    for i, tier in enumerate(sorted(item.tiers, key=lambda t: t.qty)):
        fields.append(f"%5D%5BPriceTiers%5D%5B{i}%5D%5Bqty%5D={tier.qty}")
        fields.append(f"%5D%5BPriceTiers%5D%5B{i}%5D%5Bprice%5D={_money(tier.price)}")
    return phpform.Row(("data%5B", *[field + "&data%5B" for field in fields[:-1]], fields[-1]), len(fields))


def build_batch(items: list[RefreshItem]) -> list[dict]:
    return [build_item(item) for item in items]
