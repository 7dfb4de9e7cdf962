"""Placing an order: one transaction that locks, checks, decrements and writes.

Concurrency: the cart's products are locked with SELECT … FOR UPDATE in SKU
order (every checkout takes its locks in the same order, so two checkouts
never deadlock), then each stock decrement is a conditional F() update that
refuses to go below zero unless backorders are allowed. The condition is the
real guard; the lock makes the check and the message consistent with it.

Order numbers are sequential (Order.next_number()); two checkouts that pick
the same number collide on the unique index and the loser retries inside a
savepoint with the next one.

Payment: only the demo card exists. It "captures" at once, so the order is
``processing`` (paid, to be shipped) and its payment status ``completed``,
which Bizuno books as captured (wire.order_add.is_authorized → False).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import F

from bizunosync.store import mail
from bizunosync.store.export.triggers import order_placed
from bizunosync.store.models import Customer, Order, OrderLine, OrderNote, Product, StoreSettings
from bizunosync.store.rates.service import FALLBACK_ID

from . import pricing

log = logging.getLogger(__name__)

ADDRESS_FIELDS = ("first_name", "last_name", "company", "address_1", "address_2", "city", "state", "postcode", "country")
NUMBER_ATTEMPTS = 5


@dataclass(frozen=True)
class Payment:
    method: str
    title: str
    status: str
    transaction_id: str


@dataclass(frozen=True)
class ShippingChoice:
    id: str
    title: str
    cost: Decimal


DEMO_CARD = ("demo_card", "Demo card (test mode)")


def demo_card_payment() -> Payment:
    """The test-mode card: always succeeds and records a transaction id."""
    return Payment(DEMO_CARD[0], DEMO_CARD[1], "completed", f"demo_{secrets.token_hex(8)}")


class CheckoutRefused(Exception):
    """The order cannot be placed as it stands; ``problems`` says why, for the shopper."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def place_order(
    items: dict[int, int],
    *,
    billing: dict,
    shipping: dict | None,
    shipping_choice: ShippingChoice | None,
    payment: Payment,
    note: str = "",
) -> Order:
    """Create the order from {product id: qty}; raises CheckoutRefused, writing nothing.

    ``billing`` has ADDRESS_FIELDS plus email and phone; ``shipping`` has
    ADDRESS_FIELDS, or is None to ship to the billing address.
    """
    if not items:
        raise CheckoutRefused(["Your cart is empty."])
    store = StoreSettings.load()
    shipping = shipping or {k: billing.get(k, "") for k in ADDRESS_FIELDS}
    with transaction.atomic():
        # Locked in SKU order; tiers come from a second query after the lock.
        products = list(
            Product.objects.select_for_update().filter(pk__in=list(items)).order_by("sku").prefetch_related("tiers")
        )
        problems = []
        if len(products) != len(items):
            problems.append("An item in your cart is no longer available; please review your cart.")
        for product in products:
            problem = pricing.quantity_problem(product, items[product.pk], store)
            if problem:
                problems.append(problem)
        if problems:
            raise CheckoutRefused(problems)

        for product in products:
            _take_stock(product, items[product.pk], store)

        customer = _customer(billing)
        order = _create_order(customer, billing, shipping, shipping_choice, payment, note)
        subtotal = tax = Decimal(0)
        lines = []
        for product in sorted(products, key=lambda p: p.name):
            qty = items[product.pk]
            amounts = pricing.line_amounts(product, qty)
            lines.append(OrderLine(
                order=order, product=product, sku=product.sku, name=product.name, quantity=qty,
                subtotal=amounts["total"], subtotal_tax=amounts["tax"], total=amounts["total"], total_tax=amounts["tax"],
            ))
            subtotal += amounts["total"]
            tax += amounts["tax"]
        OrderLine.objects.bulk_create(lines)
        order.subtotal, order.tax_total = subtotal, tax
        order.total = subtotal + tax + order.shipping_total
        order.save(update_fields=["subtotal", "tax_total", "total"])
        if shipping_choice is None:
            OrderNote.objects.create(
                order=order, customer_visible=False,
                text="Placed without a shipping rate (Bizuno gave none and no fallback is set): "
                "confirm the shipping cost with the customer.",
            )
        _export_after_commit(order)
        mail.order_received(order)
    log.info("order %s placed: %d lines, total %s", order.number, len(lines), order.total)
    return order


def _take_stock(product: Product, qty: int, store: StoreSettings) -> None:
    if not product.manage_stock or product.stock_quantity is None:
        return
    allowed = pricing.backorders_allowed(product, store)
    rows = Product.objects.filter(pk=product.pk)
    if not allowed:
        rows = rows.filter(stock_quantity__gte=qty)
    if not rows.update(stock_quantity=F("stock_quantity") - qty):
        raise CheckoutRefused([f"Sorry, “{product.name}” sold out while you were checking out."])
    emptied = Product.StockStatus.ON_BACKORDER if allowed else Product.StockStatus.OUT_OF_STOCK
    Product.objects.filter(pk=product.pk, stock_quantity__lte=0).update(stock_status=emptied)


def _customer(billing: dict) -> Customer:
    email = billing["email"].strip()
    defaults = {
        "email": email,
        "first_name": billing.get("first_name", ""),
        "last_name": billing.get("last_name", ""),
        "company": billing.get("company", ""),
        "phone": billing.get("phone", ""),
    }
    customer, created = Customer.objects.get_or_create(email__iexact=email, defaults=defaults)
    if not created:
        # Fill what we did not know; never overwrite what the customer told us before.
        changed = [k for k in ("first_name", "last_name", "company", "phone") if not getattr(customer, k) and defaults[k]]
        for k in changed:
            setattr(customer, k, defaults[k])
        if changed:
            customer.save(update_fields=changed)
    return customer


def _create_order(customer, billing, shipping, choice, payment, note) -> Order:
    values = {
        "status": Order.Status.PROCESSING,
        "customer": customer,
        **{f"billing_{k}": billing.get(k, "") for k in ADDRESS_FIELDS},
        "billing_email": billing["email"].strip(),
        "billing_phone": billing.get("phone", ""),
        **{f"shipping_{k}": shipping.get(k, "") for k in ADDRESS_FIELDS},
        "shipping_method_id": choice.id if choice else "",
        "shipping_method": choice.title if choice else "",
        "shipping_total": choice.cost.quantize(pricing.CENT, ROUND_HALF_UP) if choice else Decimal(0),
        # Bizuno gave no live rate (the flat fallback, or none): staff agree the cost with the customer.
        "shipping_to_confirm": choice is None or choice.id == FALLBACK_ID,
        "payment_method": payment.method,
        "payment_title": payment.title,
        "payment_status": payment.status,
        "transaction_id": payment.transaction_id,
        "customer_note": note,
    }
    for attempt in range(NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
                return Order.objects.create(number=Order.next_number(), **values)
        except IntegrityError:
            if attempt == NUMBER_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _export_after_commit(order: Order) -> None:
    """Autodownload: the exporter queues a job (only when Autodownload is on) that runs after commit."""
    order_placed(order)
