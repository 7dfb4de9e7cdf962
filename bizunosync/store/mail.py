"""The shopper's mails: order received, and parcel on its way (Bizuno's ship confirmation).

Sent through Django's mail framework (EMAIL_URL), after the order's
transaction commits; a mail server that is down is logged and never undoes
an order or a ship confirmation.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

log = logging.getLogger("bizunosync.store.mail")


def _money(value) -> str:
    return f"{getattr(settings, 'SHOP_CURRENCY_SYMBOL', '$')}{value:.2f}"


def _send(order, subject: str, body: str) -> None:
    if not order.billing_email:
        return
    try:
        send_mail(subject, body, None, [order.billing_email])
    except Exception:  # the order stands; staff see the log line
        log.exception("could not mail %s about order %s", order.billing_email, order.number)


def order_received_text(order) -> tuple[str, str]:
    lines = [f"{line.quantity} × {line.name}  {_money(line.total)}" for line in order.lines.all()]
    if order.shipping_to_confirm:
        shipping = ("Shipping: to be confirmed. Live shipping rates were unavailable when you ordered; we will "
                    "email you the shipping cost before we ship.")
    else:
        shipping = f"Shipping: {_money(order.shipping_total)} via {order.shipping_method}"
    body = "\n".join([
        f"Hello {order.billing_first_name or order.billing_email},",
        "",
        f"thank you for your order {order.number}. We have received it and will email you again when your "
        "parcel is on its way.",
        "",
        *lines,
        shipping,
        f"Total: {_money(order.total)}",
        f"Payment: {order.payment_title}",
    ])
    return f"Order {order.number} received", body


def order_received(order) -> None:
    """Queue the 'order received' mail for when the checkout's transaction commits."""
    transaction.on_commit(lambda: _send(order, *order_received_text(order)))


def order_shipped(order, note: str) -> None:
    """Queue the 'on its way' mail with Bizuno's ship note (carrier, tracking)."""
    body = f"Hello {order.billing_first_name or order.billing_email},\n\nyour order {order.number} is on its way.\n\n{note}"
    transaction.on_commit(lambda: _send(order, f"Order {order.number} is on its way", body))
