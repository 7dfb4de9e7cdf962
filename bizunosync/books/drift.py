"""Drift: booked store orders and customers whose values here differ from what the store sent.

Those are the store orders whose re-export would change the booked order:
the store's values win again on the next export.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Customer, SalesOrder, SalesOrderLine
from .ownership import customer_values, order_values


@dataclass
class Drift:
    key: str
    label: str
    owner: object
    local: object

    @staticmethod
    def _show(value) -> str:
        return "—" if value in (None, "", []) else str(value)

    @property
    def owner_text(self) -> str:
        return self._show(self.owner)

    @property
    def local_text(self) -> str:
        return self._show(self.local)


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name).capitalize()


def _line_text(row) -> str:
    position, sku, description, quantity, unit_price, sales_tax, total = row
    return f"#{position} {sku or description}: {quantity} × {unit_price} = {total} (tax {sales_tax})"


def of_order(order: SalesOrder) -> list[Drift]:
    sent = order.store_snapshot or {}
    if not sent:
        return []
    here = order_values(order, order.lines.all())
    rows = [
        Drift(key, _label(SalesOrder, key), sent[key], here.get(key))
        for key in sent
        if key != "lines" and sent[key] != here.get(key)
    ]
    if "lines" in sent:
        before = {row[0]: row for row in sent["lines"]}
        after = {row[0]: row for row in here["lines"]}
        for position in sorted(set(before) | set(after), key=lambda p: int(p or 0)):
            if before.get(position) != after.get(position):
                rows.append(Drift(
                    "lines", f"Line {position}",
                    _line_text(before[position]) if position in before else "(not in the store's order)",
                    _line_text(after[position]) if position in after else "(deleted here)",
                ))
    return rows


def of_customer(customer: Customer) -> list[Drift]:
    sent = customer.store_snapshot or {}
    if not sent:
        return []
    here = customer_values(customer)
    return [Drift(k, _label(Customer, k), sent[k], here.get(k)) for k in sent if sent[k] != here.get(k)]


def orders(store=None) -> list[tuple[SalesOrder, list[Drift]]]:
    """Booked store orders whose re-export would change them, newest first (``store``: that store's only).

    A re-export books the order again (Bizuno has no idempotency key; both are
    flagged as possible duplicates): only the latest booking of a PO is the
    store's current order, so an earlier one is not listed.
    """
    from django.db.models import Exists, OuterRef, Prefetch

    rebooked = SalesOrder.objects.filter(
        source=SalesOrder.Source.PORTAL, po_reference=OuterRef("po_reference"), pk__gt=OuterRef("pk")
    ).exclude(po_reference="")
    found = []
    queryset = (
        SalesOrder.objects.filter(source=SalesOrder.Source.PORTAL)
        .exclude(Exists(rebooked))
        .filter(**({"store": store} if store is not None else {}))
        .select_related("customer")
        .prefetch_related(Prefetch("lines", queryset=SalesOrderLine.objects.order_by("position", "id")))
        .order_by("-created", "-id")
    )
    for order in queryset.iterator(chunk_size=200):
        rows = of_order(order)
        if rows:
            found.append((order, rows))
    return found


def customers(store=None) -> list[tuple[Customer, list[Drift]]]:
    found = []
    queryset = Customer.objects.filter(source=Customer.Source.STORE)
    if store is not None:
        queryset = queryset.filter(store=store)
    for customer in queryset.order_by("name", "id").iterator(chunk_size=500):
        rows = of_customer(customer)
        if rows:
            found.append((customer, rows))
    return found
