"""What a shopper pays and may order: the plugin's tier and pack rules.

* Tier price: the price of the highest tier whose quantity the line reaches,
  used only when it is lower than the product's active price.
* Pack rule: when the lowest tier's quantity is above 1, quantities must be
  multiples of it (the plugin calls it "sold in packs of N").
* Tax: prices are shown and stored without tax; tax is a flat rate
  (``settings.SHOP_TAX_RATE``, a decimal fraction such as "0.19"; default 0)
  applied per line and rounded to cents per line, never on shipping.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings

CENT = Decimal("0.01")
MAX_LINE_QTY = 9999  # an absurd quantity is a typo, not an order


def tiers(product) -> list:
    return sorted(product.tiers.all(), key=lambda t: t.qty)


def pack_size(product) -> int:
    """The lowest tier's quantity when it is above 1, else 1."""
    sorted_tiers = tiers(product)
    return sorted_tiers[0].qty if sorted_tiers and sorted_tiers[0].qty > 1 else 1


def unit_price(product, qty: int) -> Decimal:
    """The active price, or the best tier the quantity reaches when that is cheaper."""
    base = product.price if product.price is not None else Decimal(0)
    best = None
    for tier in tiers(product):
        if qty >= tier.qty:
            best = tier.price  # sorted ascending: the last one reached wins
    return best if best is not None and best < base else base


def pack_message(pack: int) -> str:
    examples = ", ".join(str(pack * i) for i in (1, 2, 3))
    return (
        f"This product is sold in packs of {pack}. "
        f"Please order in multiples of {pack} (e.g., {examples})."
    )


def backorders_allowed(product, store) -> bool:
    return product.backorders != "no" or store.backorders != "no"


def is_purchasable(product) -> bool:
    return product.published and product.product_type != "variable" and product.price is not None


def quantity_problem(product, qty: int, store) -> str | None:
    """Why ``qty`` of ``product`` cannot be ordered, or None when it can."""
    if not is_purchasable(product):
        return "This product cannot be bought on its own."
    if qty < 1:
        return "Please enter a quantity of at least 1."
    if qty > MAX_LINE_QTY:
        return f"Please enter a quantity of at most {MAX_LINE_QTY}."
    pack = pack_size(product)
    if qty % pack:
        return pack_message(pack)
    if not backorders_allowed(product, store):
        if product.stock_status == "outofstock":
            return f"Sorry, “{product.name}” is out of stock."
        if product.manage_stock and product.stock_quantity is not None and qty > product.stock_quantity:
            return f"Sorry, only {product.stock_quantity} of “{product.name}” left in stock."
    return None


def tax_rate() -> Decimal:
    try:
        rate = Decimal(str(getattr(settings, "SHOP_TAX_RATE", "0") or "0"))
    except InvalidOperation:
        return Decimal(0)
    return rate if rate.is_finite() and rate >= 0 else Decimal(0)


def line_amounts(product, qty: int) -> dict:
    """Unit price, line total and line tax (2 places), as the order line stores them."""
    price = unit_price(product, qty)
    total = (price * qty).quantize(CENT, ROUND_HALF_UP)
    return {"unit_price": price, "total": total, "tax": (total * tax_rate()).quantize(CENT, ROUND_HALF_UP)}
