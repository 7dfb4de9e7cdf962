"""Orders to export and a Bizuno connection pointed at a loopback server."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from bizunosync.store.models import Customer, Order, OrderLine
from bizunosync.sync.connections import BizunoConnection

TOKEN = "store-side-token-Zq81"


@pytest.fixture(autouse=True)
def _quick_retries(settings):
    settings.SYNC_RETRY_BACKOFF = [30, 120, 600]


@pytest.fixture
def connect(db):
    """Point the Bizuno connection at a URL, with short timeouts for loopback tests."""

    def _connect(url, token=TOKEN, read_timeout=2.0, **extra):
        conn = BizunoConnection.load()
        conn.url = url
        conn.set_token(token)
        conn.order_prefix = extra.pop("order_prefix", "WC")
        conn.customer_prefix = extra.pop("customer_prefix", "C")
        conn.connect_timeout = 1.0
        conn.read_timeout = read_timeout
        for name, value in extra.items():
            setattr(conn, name, value)
        conn.save()
        return conn

    return _connect


@pytest.fixture
def maria(db):
    return Customer.objects.create(email="maria.keller@example.com", first_name="Maria", last_name="Keller")


@pytest.fixture
def make_order(db, maria):
    """Order 1001 by default: Maria in Berlin, two lines (2 × TEA at 6.90, 3 × MUG at 12.00), no ship-to."""

    def _make(number="1001", lines=(("TEA", "Earl Grey tea", 2, "13.80", "2.62"), ("MUG", "Stoneware mug", 3, "36.00", "6.84")),
              customer=..., **fields):
        values = {
            "created": timezone.make_aware(dt.datetime(2026, 11, 27, 10, 30)),
            "status": "processing",
            "customer": maria if customer is ... else customer,
            "billing_first_name": "Maria", "billing_last_name": "Keller",
            "billing_address_1": "Torstraße 12", "billing_city": "Berlin", "billing_state": "BE",
            "billing_postcode": "10119", "billing_country": "DE", "billing_phone": "+49 30 1234567",
            "billing_email": "maria.keller@example.com",
            "shipping_method_id": "flat_rate:1", "shipping_method": "Flat rate", "shipping_total": Decimal("4.90"),
            "payment_method": "stripe", "payment_title": "Credit card (Stripe)", "payment_status": "completed",
            "transaction_id": "ch_123", "customer_note": "Leave at the back door",
        }
        values.update(fields)
        order = Order.objects.create(number=number, **values)
        subtotal = tax = Decimal(0)
        for sku, name, qty, line_subtotal, line_tax in lines:
            OrderLine.objects.create(
                order=order, sku=sku, name=name, quantity=qty, subtotal=Decimal(line_subtotal),
                subtotal_tax=Decimal(line_tax), total=Decimal(line_subtotal), total_tax=Decimal(line_tax),
            )
            subtotal += Decimal(line_subtotal)
            tax += Decimal(line_tax)
        order.subtotal, order.tax_total = subtotal, tax
        order.total = subtotal + tax + order.shipping_total
        order.save()
        return order

    return _make
