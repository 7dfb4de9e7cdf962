"""What the store owns in a booked order, and the snapshot of it kept at booking.

Orders and customers are the store's (PROTOCOL's ownership table): a sales
order booked through orderAdd, and a customer it created, show the store's
fields read-only here, because the store's next export books them again with
its own values. Shipments, tracking numbers and the books' own fields
(journal, post date, notes, the customer link) stay editable.

`keep_booked` stores the booked values at booking time (store_snapshot) so
the drift report can tell what a local edit changed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import models

from .models import Customer, SalesOrder

NOTE = "Owned by the store — the next export from the store overwrites edits here."

_ADDRESS = ("name", "contact", "address1", "address2", "city", "state", "postal_code", "country", "telephone", "email")
ORDER_FIELDS = (
    "po_reference", "order_date",
    *(f"billing_{f}" for f in _ADDRESS),
    *(f"shipping_{f}" for f in _ADDRESS),
    "total", "sales_tax", "freight", "shipping_method",
    "payment_method", "payment_title", "payment_status", "transaction_id",
)
LINE_FIELDS = ("position", "sku", "description", "quantity", "unit_price", "sales_tax", "total")
CUSTOMER_FIELDS = (
    "customer_ref", "name", "contact", "email", "phone",
    "address1", "address2", "city", "state", "postal_code", "country",
)


def from_store(obj) -> bool:
    if isinstance(obj, SalesOrder):
        return obj.source == SalesOrder.Source.PORTAL
    if isinstance(obj, Customer):
        return obj.source == Customer.Source.STORE
    return False


def _text(model, name: str, value):
    """One value as stored, in a form that compares equal across a database round trip."""
    if value is None:
        return None
    field = model._meta.get_field(name)
    if isinstance(field, models.DecimalField):
        return format(Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places)), "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def order_values(order: SalesOrder, lines) -> dict:
    from .models import SalesOrderLine

    out = {name: _text(SalesOrder, name, getattr(order, name)) for name in ORDER_FIELDS}
    out["lines"] = [
        [_text(SalesOrderLine, name, getattr(line, name)) for name in LINE_FIELDS]
        for line in sorted(lines, key=lambda ln: (ln.position, ln.pk or 0))
    ]
    return out


def customer_values(customer: Customer) -> dict:
    return {name: _text(Customer, name, getattr(customer, name)) for name in CUSTOMER_FIELDS}


def keep_booked(order: SalesOrder, store_customer: Customer | None = None) -> None:
    """At booking: remember what the store sent (2–3 queries, whatever the number of lines)."""
    order.store_snapshot = order_values(order, list(order.lines.all()))
    SalesOrder.objects.filter(pk=order.pk).update(store_snapshot=order.store_snapshot)
    if store_customer is not None:
        store_customer.store_snapshot = customer_values(store_customer)
        Customer.objects.filter(pk=store_customer.pk).update(store_snapshot=store_customer.store_snapshot)
