"""The shopper's mails go out through Django's mail setup: what the shop page promises is sent."""

from decimal import Decimal

import pytest
from django.core import mail

from bizunosync.store.models import Order
from bizunosync.store.services import order_confirm
from bizunosync.wire.order_confirm import Confirmation
from tests.support.faultserver import FaultServer, dead_url, json_reply

from .conftest import RATES, add, checkout

pytestmark = pytest.mark.django_db


def test_placing_an_order_mails_the_shopper_what_the_thank_you_page_promises(client, connect, mug,
                                                                              django_capture_on_commit_callbacks):
    with FaultServer(json_reply(RATES)) as bizuno:
        connect(bizuno.url + "/bizuno")
        add(client, mug, "2")
        checkout(client)
        with django_capture_on_commit_callbacks(execute=True):
            placed = checkout(client, action="place", shipping_method="fedex:2DA", payment_method="demo_card")

    order = Order.objects.get()
    thanks = client.get(placed["Location"]).content.decode()
    assert f"We've sent a confirmation to <strong>{order.billing_email}</strong>" in thanks
    [sent] = mail.outbox
    assert sent.to == [order.billing_email] and sent.subject == f"Order {order.number} received"
    assert "2 × Stoneware Mug  $24.00" in sent.body and "via FedEx 2Day" in sent.body
    assert "will email you again when your parcel is on its way" in sent.body


def test_an_order_on_the_fallback_rate_is_told_its_shipping_cost_follows_by_mail(client, connect, mug,
                                                                                  django_capture_on_commit_callbacks):
    connect(dead_url(), rates_fallback="flat", rates_fallback_amount=Decimal("5.00"))
    add(client, mug, "1")
    with django_capture_on_commit_callbacks(execute=True):
        checkout(client, action="place", shipping_method="bizunosync:fallback", payment_method="demo_card")

    [sent] = mail.outbox
    assert "Shipping: to be confirmed" in sent.body and "email you the shipping cost before we ship" in sent.body


def test_bizunos_ship_confirmation_mails_the_shopper_the_tracking_note(connect, django_capture_on_commit_callbacks):
    connect("https://books.example.com/bizuno/")
    order = Order.objects.create(number="1001", status="processing", billing_email="ann@example.com",
                                 billing_first_name="Ann")

    with django_capture_on_commit_callbacks(execute=True):
        order_confirm.apply([Confirmation("WC1001", "Shipped via FedEx Ground", "Tracking: 7946 1234 5678")])

    [sent] = mail.outbox
    assert (sent.to, sent.subject) == (["ann@example.com"], "Order 1001 is on its way")
    assert "Shipped via FedEx Ground\nTracking: 7946 1234 5678" in sent.body


def test_a_mail_server_that_is_down_never_undoes_the_order(client, connect, mug, settings,
                                                          django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", int(dead_url().rsplit(":", 1)[1]), 1
    connect(dead_url(), rates_fallback="flat", rates_fallback_amount=Decimal("5.00"))
    add(client, mug, "1")
    with django_capture_on_commit_callbacks(execute=True):
        placed = checkout(client, action="place", shipping_method="bizunosync:fallback", payment_method="demo_card")

    assert placed.status_code == 302 and Order.objects.count() == 1
