"""Book a store order as Bizuno does (PROTOCOL §3.2).

* The customer is found by billing email (any case) or created; a customer
  the store created takes the order's contact data (the store owns it).
* The journal (Portal settings → *Download as*, Bizuno's "Auto Detect
  Sale/SO"): on *Auto*, stock short on any line, or a SKU the books do not
  know (real Bizuno reads no stock for it: short), → a **sales order** (`so`),
  whose quantities go to "on sales orders"; everything available → an
  **invoice** (`inv`), which takes the quantities off "on hand". Real Bizuno
  lets the *last* line decide (getStockLevels overwrites the journal per
  line); any short line deciding is safer: an invoice never promises stock
  that is not there. *Always a sales order* / *Always an invoice* force it.
* Payment is *authorized* for the statuses Bizuno treats so, else *captured*;
  each answer carries Bizuno's caution about completing the payment.
* An unknown SKU is booked as a line without an item, with a warning.
* The same PO twice: with *Refuse a duplicate PO* on (Portal settings, the
  default), the second books nothing and answers with the first booking's ID
  and a warning, so a store may resend after an ambiguous failure. Off, it is
  booked twice, as Bizuno does (it has no idempotency key), and both orders
  are flagged as possible duplicates for the bookkeeper.
* The shipping and payment methods are looked up in the Shipping and Payment
  method maps; an unmapped one is booked as sent, with a warning naming it.

All of it in one transaction, with a fixed number of queries whatever the
number of lines (the lines are bulk-inserted; items are read and written in
bulk). Takes the wire's OrderAdd, returns plain data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction

from bizunosync.wire.fields import MAX_QTY, FieldError
from bizunosync.wire.messages import MessageBlock
from bizunosync.wire.order_add import OrderAdd, OrderAddInvalid, is_authorized

from ..models import Customer, Item, PaymentMethodMap, PortalSettings, SalesOrder, SalesOrderLine, ShippingMethodMap
from ..ownership import keep_booked

MAX_NAMED_SKUS = 20  # past this, unknown SKUs are counted, not each named
LINE_BATCH = 500


@dataclass
class Booking:
    order_id: int
    journal: str
    customer_id: int
    customer_created: bool
    line_count: int
    messages: MessageBlock = field(default_factory=MessageBlock)
    duplicate: bool = False  # already booked: nothing was written


    @property
    def touched(self) -> list[str]:
        return [f"books.salesorder:{self.order_id}"]


def _stock_quantity(line, index: int, item: Item) -> int:
    """Stock moves in whole units: a fractional quantity of a stock item is refused."""
    quantity = line.quantity
    if quantity != quantity.to_integral_value():
        raise FieldError(f"Item[{index}].Quantity", f"must be a whole number for stock item {item.sku}, got {quantity}")
    return int(quantity)


def _customer(order: OrderAdd, store=None) -> tuple[Customer, bool, bool]:
    """The customer, matched by billing email or created: (customer, created, mirrors the store).

    The store owns the customers it sends: a customer it created before takes
    this order's contact data (the owner's last write wins, as in Bizuno). A
    customer the bookkeeper entered here is matched but left as entered.
    """
    billing = order.billing
    ref = order.customer_id if order.customer_id not in ("", "0") else ""
    contact = {
        "name": billing.primary_name or billing.contact or billing.email,
        "contact": billing.contact,
        "phone": billing.telephone,
        "address1": billing.address1,
        "address2": billing.address2,
        "city": billing.city,
        "state": billing.state,
        "postal_code": billing.postal_code,
        "country": billing.country,
    }
    found = Customer.objects.filter(email__iexact=billing.email.strip()).order_by("pk").first()
    if found is None:
        customer = Customer.objects.create(
            customer_ref=ref, email=billing.email.strip(), source=Customer.Source.STORE, store=store, **contact
        )
        return customer, True, True
    if found.source != Customer.Source.STORE:
        return found, False, False
    for name, value in contact.items():
        setattr(found, name, value)
    found.customer_ref = ref or found.customer_ref
    # The store whose order created the customer stays its store; one created before stores were known takes this one.
    found.store_id = found.store_id or getattr(store, "pk", None)
    found.save(update_fields=[*contact, "customer_ref", "store"])
    return found, False, True


def _address(prefix: str, address) -> dict:
    return {
        f"{prefix}_name": address.primary_name,
        f"{prefix}_contact": address.contact,
        f"{prefix}_address1": address.address1,
        f"{prefix}_address2": address.address2,
        f"{prefix}_city": address.city,
        f"{prefix}_state": address.state,
        f"{prefix}_postal_code": address.postal_code,
        f"{prefix}_country": address.country,
        f"{prefix}_telephone": address.telephone,
        f"{prefix}_email": address.email,
    }


def choose_journal(setting: str, short: list[str], unknown: list[str]) -> str:
    """The journal for an order: forced by the setting, else by stock (an unknown SKU counts as short)."""
    if setting == PortalSettings.DownloadAs.SALES_ORDER:
        return SalesOrder.Journal.SALES_ORDER
    if setting == PortalSettings.DownloadAs.INVOICE:
        return SalesOrder.Journal.INVOICE
    return SalesOrder.Journal.SALES_ORDER if short or unknown else SalesOrder.Journal.INVOICE


def _portal_settings() -> tuple[str, bool]:
    """(Download as, Refuse a duplicate PO) in one query; the defaults when the row does not exist yet."""
    row = PortalSettings.objects.filter(pk=1).values_list("download_as", "refuse_duplicate_po").first()
    if row is None:
        return PortalSettings.DownloadAs.AUTO, True
    return row[0] or PortalSettings.DownloadAs.AUTO, row[1]


def _lock_po(po: str) -> None:
    """Serialise bookings of one PO, so a resend racing the first booking waits and then sees it.

    PostgreSQL: a transaction-scoped advisory lock keyed by the PO. SQLite
    already lets one writer in at a time.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"books.orderAdd:{po}"])


def _already_booked(order: OrderAdd, earlier: list[tuple[int, str, int]]) -> Booking:
    pk, journal, customer_id = earlier[0]
    messages = MessageBlock()
    others = f" (also as {', '.join(f'#{e[0]}' for e in earlier[1:MAX_NAMED_SKUS])})" if len(earlier) > 1 else ""
    messages.warning(f"PO {order.po} was already booked as #{pk}{others}; not booked again.")
    return Booking(pk, journal, customer_id or 0, False, len(order.lines), messages, duplicate=True)


def _a(label: str) -> str:
    return ("an " if label[:1] in "aeiou" else "a ") + label


def _mapped(order: OrderAdd) -> tuple[str, str, list[str]]:
    """(Bizuno carrier, Bizuno payment method, a warning for each unmapped method) from the maps."""
    warnings = []
    carrier = ShippingMethodMap.lookup(order.shipping_carrier)
    if order.shipping_carrier.strip() and not carrier:
        warnings.append(
            f"Shipping method “{order.shipping_carrier}” is not in the Shipping method map; "
            "booked as sent, with no Bizuno carrier."
        )
    payment = PaymentMethodMap.lookup(order.payment_method, order.payment_title)
    method, title = order.payment_method.strip(), order.payment_title.strip()
    if (method or title) and not payment:
        label = f"{title} ({method})" if method and title else title or method
        warnings.append(
            f"Payment method “{label}” is not in the Payment method map; booked as sent, with no Bizuno "
            "payment method."
        )
    return carrier, payment, warnings


def book_order(order: OrderAdd, user=None, store=None) -> Booking:
    """Book one order; raises OrderAddInvalid (nothing written) when it cannot be booked."""
    if not order.lines:
        raise OrderAddInvalid([FieldError("Item", "the order has no lines")])
    messages = MessageBlock()
    setting, refuse = _portal_settings()

    with transaction.atomic():
        if refuse:
            _lock_po(order.po)
            earlier = list(SalesOrder.objects.filter(po_reference=order.po).order_by("pk")
                           .values_list("pk", "journal", "customer_id"))
            if earlier:
                return _already_booked(order, earlier)
        skus = {line.sku for line in order.lines if line.sku}
        # Locked in pk order so two orders for the same items queue, not deadlock.
        items = {
            item.sku: item
            for item in Item.objects.select_for_update().filter(sku__in=skus).order_by("pk")
        } if skus else {}

        needed: dict[str, int] = defaultdict(int)
        errors = []
        for index, line in enumerate(order.lines):
            item = items.get(line.sku)
            if item is not None and item.tracks_stock:
                try:
                    needed[item.sku] += _stock_quantity(line, index, item)
                except FieldError as exc:
                    errors.append(exc)
        errors += [
            FieldError("Item", f"total quantity of {sku} is too large ({qty}, at most {MAX_QTY})")
            for sku, qty in needed.items()
            if qty > MAX_QTY
        ]
        if errors:
            raise OrderAddInvalid(errors)

        available = {sku: items[sku].qty_available for sku in needed}
        short = [sku for sku, qty in needed.items() if available[sku] < qty]
        unknown = sorted({line.sku for line in order.lines if line.sku and line.sku not in items})
        journal = choose_journal(setting, short, unknown)

        carrier, payment, unmapped = _mapped(order)
        customer, created, mirrored = _customer(order, store)
        earlier = [] if refuse else list(
            SalesOrder.objects.filter(po_reference=order.po).order_by("pk").values_list("pk", flat=True)
        )

        sales_order = SalesOrder.objects.create(
            journal=journal,
            po_reference=order.po,
            order_date=order.order_date,
            customer=customer,
            **_address("billing", order.billing),
            **_address("shipping", order.shipping),
            total=order.total,
            sales_tax=order.sales_tax,
            freight=order.shipping_total,
            shipping_method=order.shipping_carrier,
            carrier_code=carrier,
            payment_method=order.payment_method,
            payment_title=order.payment_title,
            payment_code=payment,
            payment_status=(
                SalesOrder.PaymentStatus.AUTHORIZED
                if is_authorized(order.payment_status)
                else SalesOrder.PaymentStatus.CAPTURED
            ),
            transaction_id=order.transaction_id,
            notes=order.notes,
            source=SalesOrder.Source.PORTAL,
            booked_by=user if getattr(user, "pk", None) else None,
            possible_duplicate=bool(earlier),
            store=store,
        )
        SalesOrderLine.objects.bulk_create(
            (
                SalesOrderLine(
                    order=sales_order,
                    position=index + 1,
                    item=items.get(line.sku),
                    sku=line.sku,
                    description=(line.description or (items[line.sku].description_short if line.sku in items else ""))[:255],
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    sales_tax=line.sales_tax,
                    total=line.total,
                )
                for index, line in enumerate(order.lines)
            ),
            batch_size=LINE_BATCH,
        )
        keep_booked(sales_order, customer if mirrored else None)  # for the drift report

        moved = []
        for sku, qty in needed.items():
            item = items[sku]
            if journal == SalesOrder.Journal.INVOICE:
                item.qty_on_hand -= qty
            else:
                item.qty_on_sales_orders += qty
            moved.append(item)
        if moved:
            Item.objects.bulk_update(moved, ["qty_on_hand", "qty_on_sales_orders"], batch_size=LINE_BATCH)
        if earlier:
            SalesOrder.objects.filter(pk__in=earlier, possible_duplicate=False).update(possible_duplicate=True)

    label = sales_order.get_journal_display().lower()
    messages.success(f"Booked {label} #{sales_order.pk} for {order.po}.")
    # What Bizuno's setJournalPayment says: the books hold the payment status, not the receipt.
    if sales_order.payment_status == SalesOrder.PaymentStatus.AUTHORIZED:
        if not order.transaction_id:
            messages.warning(
                f"Payment for {order.po} is authorized but no authorization code was sent; complete the "
                "payment in Bizuno and at the merchant website."
            )
    else:
        messages.warning(f"{order.po} was paid at the cart; record the payment against it in Bizuno.")
    forced = "" if setting == PortalSettings.DownloadAs.AUTO else " (Download as: " + label + ")"
    for sku in short[:MAX_NAMED_SKUS]:
        messages.warning(
            f"Stock short for {sku}: {available[sku]} available, "
            f"{needed[sku]} ordered; booked as {_a(label)}{forced}."
        )
    for sku in unknown[:MAX_NAMED_SKUS]:
        messages.warning(f"SKU {sku} not found in Bizuno; booked as a non-stock line in {_a(label)}{forced}.")
    if len(unknown) > MAX_NAMED_SKUS:
        messages.warning(f"…and {len(unknown) - MAX_NAMED_SKUS} more SKUs not found in Bizuno, booked as non-stock lines.")
    for text in unmapped:
        messages.warning(text)
    if earlier:
        previous = ", ".join(f"#{pk}" for pk in earlier[:MAX_NAMED_SKUS])
        messages.warning(
            f"PO {order.po} was already booked ({previous}); booked again as #{sales_order.pk} "
            f"and flagged as a possible duplicate."
        )
    if created:
        messages.info(f"New customer {customer.name} ({customer.email}).")
    return Booking(sales_order.pk, journal, customer.pk, created, len(order.lines), messages)


