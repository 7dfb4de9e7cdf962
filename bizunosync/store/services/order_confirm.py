"""`order/confirm`: ship confirmations become customer notes and status "shipped" (PROTOCOL §2.6)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from bizunosync.sync.connections import BizunoConnection
from bizunosync.wire.messages import INFO_TITLE, MessageBlock
from bizunosync.wire.order_confirm import Confirmation

from .. import mail
from ..models import Order, OrderNote


# The plugin's words (lib/api_order.php, $locale['confirm_success'] and shipConfirm()).
MSG_NOTHING_SENT = "No orders were sent to confirm!"
MSG_CONFIRMED = "Order status update complete, the following %s order(s) were updated: %s"


@dataclass
class ConfirmResult:
    messages: MessageBlock
    updated: list[str] = field(default_factory=list)
    touched: list[str] = field(default_factory=list)
    # No ``head`` at all: shipConfirm() returns msgAdd()'s null, and the plugin answers Fail.
    nothing_sent: bool = False


def order_number(ref: str, prefix: str) -> str | None:
    """The store's order number for Bizuno's reference, or None when it is not ours."""
    if not prefix:
        return ref
    if not ref.startswith(prefix):
        return None
    return ref[len(prefix):] or None


def apply(confirmations: list[Confirmation]) -> ConfirmResult:
    messages = MessageBlock()
    if not confirmations:
        messages.info(MSG_NOTHING_SENT, INFO_TITLE)
        return ConfirmResult(messages, nothing_sent=True)
    # The prefix orders were exported with: one setting for both directions.
    prefix = BizunoConnection.load().order_prefix or ""
    by_number = {}
    for c in confirmations:
        number = order_number(c.ref, prefix)
        if number is not None:
            by_number[number] = c
    updated, touched = [], []
    with transaction.atomic():
        orders = Order.objects.select_for_update().filter(number__in=list(by_number)).exclude(status=Order.Status.SHIPPED)
        for order in orders:
            confirmation = by_number[order.number]
            OrderNote.objects.create(order=order, text=f"{confirmation.head}\n{confirmation.body}", customer_visible=True)
            mail.order_shipped(order, f"{confirmation.head}\n{confirmation.body}")
            order.status = Order.Status.SHIPPED
            order.save(update_fields=["status"])
            updated.append(confirmation.ref)
            touched.append(f"store.order:{order.pk}")
    order_of = {c.ref: i for i, c in enumerate(confirmations)}
    updated.sort(key=order_of.get)  # as Bizuno listed them
    # sprintf with " (A, B)" after "updated: ": two spaces before the list, as the plugin
    # writes it, and nothing (a trailing space) when no order was updated.
    listed = f" ({', '.join(updated)})" if updated else ""
    messages.success(MSG_CONFIRMED % (len(updated), listed))
    return ConfirmResult(messages, updated, touched)
