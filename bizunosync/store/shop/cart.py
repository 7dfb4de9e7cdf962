"""The shopper's cart, kept in the session as {product id: quantity}.

Only ids and quantities live in the session; names, prices and stock are read
fresh from the database each time, so a Quick Refresh from Bizuno shows up in
an open cart at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from bizunosync.store.models import Product

from . import pricing

SESSION_KEY = "cart"


@dataclass
class Line:
    product: Product
    quantity: int
    unit_price: Decimal
    total: Decimal
    tax: Decimal
    pack: int
    problem: str | None = None

    @property
    def regular_total(self) -> Decimal:
        return ((self.product.price or Decimal(0)) * self.quantity).quantize(pricing.CENT)

    @property
    def saving(self) -> Decimal:
        return self.regular_total - self.total


@dataclass
class Cart:
    lines: list[Line] = field(default_factory=list)

    @property
    def subtotal(self) -> Decimal:
        return sum((line.total for line in self.lines), Decimal(0))

    @property
    def tax(self) -> Decimal:
        return sum((line.tax for line in self.lines), Decimal(0))

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def weight(self) -> Decimal:
        return sum(((line.product.weight or Decimal(0)) * line.quantity for line in self.lines), Decimal(0))

    @property
    def problems(self) -> list[str]:
        return [line.problem for line in self.lines if line.problem]

    def __bool__(self) -> bool:
        return bool(self.lines)


def raw(session) -> dict[int, int]:
    """The stored {product id: qty}, ignoring anything a tampered session may hold."""
    stored = session.get(SESSION_KEY) or {}
    out = {}
    if isinstance(stored, dict):
        for key, qty in stored.items():
            if str(key).isdigit() and isinstance(qty, int) and qty > 0:
                out[int(key)] = qty
    return out


def save(session, items: dict[int, int]) -> None:
    session[SESSION_KEY] = {str(pk): qty for pk, qty in items.items() if qty > 0}


def count(session) -> int:
    return sum(raw(session).values())


def set_quantity(session, product: Product, qty: int) -> None:
    items = raw(session)
    if qty > 0:
        items[product.pk] = qty
    else:
        items.pop(product.pk, None)
    save(session, items)


def quantity_of(session, product: Product) -> int:
    return raw(session).get(product.pk, 0)


def remove(session, product_id: int) -> None:
    items = raw(session)
    items.pop(product_id, None)
    save(session, items)


def clear(session) -> None:
    session.pop(SESSION_KEY, None)


def load(session, store) -> Cart:
    """The cart with current prices; lines whose product vanished are dropped."""
    items = raw(session)
    if not items:
        return Cart()
    products = Product.objects.filter(pk__in=items, published=True).prefetch_related("tiers").order_by("name")
    cart = Cart()
    for product in products:
        qty = items[product.pk]
        amounts = pricing.line_amounts(product, qty)
        cart.lines.append(Line(
            product=product, quantity=qty, unit_price=amounts["unit_price"], total=amounts["total"],
            tax=amounts["tax"], pack=pricing.pack_size(product),
            problem=pricing.quantity_problem(product, qty, store),
        ))
    if len(cart.lines) != len(items):
        save(session, {line.product.pk: line.quantity for line in cart.lines})
    return cart
