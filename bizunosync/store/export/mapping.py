"""A store Order as the bizuno-api plugin's ``mapOrder`` sends it (PROTOCOL §3.2).

Checked against phreesoft/bizuno-api lib/order.php (7.x, mapOrder/mapProducts):

* ``PurchaseOrderID`` = order prefix + order id; ``CustomerID`` = customer
  prefix + customer id, and WooCommerce's customer id is 0 for a guest, so a
  guest goes out as e.g. ``WC0``.
* ``OrderDate`` = the first 10 characters of the creation date, in the shop's
  time zone (``substr($order->get_date_created(), 0, 10)``).
* ``Payment[Status]`` = ``$order->get_status()``: the *order* status
  (processing, on-hold, completed…), not a gateway's payment status. Bizuno
  treats auth/authorize/on-hold/processing as "authorized, capture later".
  So we send ``Order.status``; ``Order.payment_status`` is not on the wire.
* ``PrimaryName`` = company, else the full name; ``Contact`` = the full name
  only when a company is given. Shipping uses its own company/name; each
  empty shipping field falls back to billing (``order_add.build`` applies
  that), Email is always billing's.
* ``UnitPrice`` = line subtotal / quantity (before discounts), the line's
  ``SalesTaxAmount`` = its subtotal tax, ``TotalPrice`` = its total (after
  discounts). ``Description`` = the product name.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from bizunosync.wire import order_add

# PHP prints subtotal/qty as a float; six places keep every cent for any
# quantity a shop sells (and are what the books side accepts).
UNIT_PLACES = Decimal("0.000001")


class OrderNotSendable(ValueError):
    """The order cannot be booked by Bizuno as it stands; nothing was sent."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def purchase_order_id(order, order_prefix: str) -> str:
    return f"{order_prefix or ''}{order.number}"


def customer_id(order, customer_prefix: str) -> str:
    return f"{customer_prefix or ''}{order.customer_id or 0}"


def unit_price(subtotal: Decimal, quantity: int) -> Decimal:
    exact = Decimal(subtotal) / Decimal(quantity)
    rounded = exact.quantize(UNIT_PLACES)
    return exact if rounded == exact else rounded


def _full_name(first: str, last: str) -> str:
    return f"{(first or '').strip()} {(last or '').strip()}".strip()


def _address(order, side: str, **extra) -> order_add.Address:
    def get(name):
        return getattr(order, f"{side}_{name}")

    name, contact = order_add.name_and_contact(get("company"), _full_name(get("first_name"), get("last_name")))
    return order_add.Address(
        primary_name=name,
        contact=contact,
        address1=get("address_1"),
        address2=get("address_2"),
        city=get("city"),
        state=get("state"),
        postal_code=get("postcode"),
        country=get("country"),
        **extra,
    )


def billing_address(order) -> order_add.Address:
    return _address(order, "billing", telephone=order.billing_phone, email=order.billing_email)


def shipping_address(order) -> order_add.Address:
    """The ship-to as entered; empty fields are filled from billing when built."""
    # The store keeps no shipping phone or email: both come from billing.
    return _address(order, "shipping")


def lines(order) -> list[order_add.Line]:
    """The order's lines; OrderNotSendable names every line Bizuno could not book."""
    out, problems = [], []
    for position, line in enumerate(order.lines.all(), start=1):
        label = f"line {position} ({line.sku or line.name or 'no SKU'})"
        if not line.quantity or line.quantity <= 0:
            problems.append(f"{label} has quantity {line.quantity}; Bizuno needs at least 1")
            continue
        out.append(
            order_add.Line(
                sku=line.sku or "",
                description=line.name or "",
                quantity=Decimal(line.quantity),
                unit_price=unit_price(line.subtotal, line.quantity),
                sales_tax=line.subtotal_tax,
                total=line.total,
            )
        )
    if not out and not problems:
        problems.append("it has no lines")
    if problems:
        raise OrderNotSendable(problems)
    return out


def order_add_for(order, *, order_prefix: str, customer_prefix: str) -> order_add.OrderAdd:
    """The OrderAdd for a store order (lines prefetched or not); raises OrderNotSendable."""
    problems = []
    if not (order.billing_email or "").strip():
        # Bizuno finds the customer by billing email and refuses an order without one.
        problems.append("it has no billing email (Bizuno matches the customer by it)")
    try:
        items = lines(order)
    except OrderNotSendable as exc:
        problems.extend(exc.problems)
        items = []
    if problems:
        raise OrderNotSendable(problems)
    return order_add.OrderAdd(
        po=purchase_order_id(order, order_prefix),
        order_date=timezone.localtime(order.created).date() if timezone.is_aware(order.created) else order.created.date(),
        total=order.total,
        sales_tax=order.tax_total,
        shipping_total=order.shipping_total,
        shipping_carrier=order.shipping_method or "",
        notes=order.customer_note or "",
        payment_method=order.payment_method or "",
        payment_title=order.payment_title or "",
        payment_status=order.status or "",
        transaction_id=order.transaction_id or "",
        customer_id=customer_id(order, customer_prefix),
        billing=billing_address(order),
        shipping=shipping_address(order),
        lines=items,
    )


def form_for(order, *, order_prefix: str, customer_prefix: str) -> dict:
    """The orderAdd form (the dict phpform.encode turns into the plugin's body)."""
    return order_add.build(order_add_for(order, order_prefix=order_prefix, customer_prefix=customer_prefix))
