"""End-to-end fixtures: both sides of this project wired together, over HTTP on one live server or in-process."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from bizunosync.books.models import Item, PortalSettings, PriceLevel, PriceSheet
from bizunosync.store.models import Customer, Order, OrderLine, PriceTier, Product
from bizunosync.sync.connections import BizunoConnection, StoreConnection

PORTAL_TOKEN = "e2e-portal-token-9Xk2"
STORE_LOGIN = ("alice@example.com", "alice-password")


# Nothing listens here: a call that went out over a socket would be refused.
NO_SERVER = "http://127.0.0.1:9"


def _wire(site_url, django_user_model):
    to_store = StoreConnection.load()
    to_store.url = site_url
    to_store.email, password = STORE_LOGIN
    to_store.set_password(password)
    to_store.connect_timeout, to_store.read_timeout = 2, 20
    to_store.save()

    portal = PortalSettings.load()
    portal.set_token(PORTAL_TOKEN)
    portal.api_user = django_user_model.objects.create_user("bizuno-api")
    portal.save()

    to_books = BizunoConnection.load()
    to_books.url = f"{site_url}/bizuno/"
    to_books.set_token(PORTAL_TOKEN)
    to_books.order_prefix, to_books.customer_prefix = "WC", "C"
    to_books.connect_timeout, to_books.read_timeout = 2, 20
    to_books.save()


@pytest.fixture
def wired(live_server, alice, django_user_model):
    """books → store as alice (store.manage_store_sync); store → books with the portal token."""
    _wire(live_server.url, django_user_model)
    return live_server


@pytest.fixture
def wired_in_process(settings, alice, django_user_model):
    """The same wiring, both sides being this site (same-site topology): no server runs at the URL."""
    settings.SITE_URLS = [NO_SERVER]
    _wire(NO_SERVER, django_user_model)
    return NO_SERVER


@pytest.fixture
def catalog(db):
    """Books: a mug with dozen-pack tiers and a tea on sale. Store: the same SKUs with stale values."""
    sheet = PriceSheet.objects.create(name="Retail", is_default=True)
    mug = Item.objects.create(sku="MUG", description_short="Stoneware mug", full_price=Decimal("12.00"),
                              qty_on_hand=40, qty_on_sales_orders=5, qty_allocated=3, sync_to_store=True)
    PriceLevel.objects.bulk_create([PriceLevel(sheet=sheet, item=mug, qty=1, price=Decimal("12.00")),
                                    PriceLevel(sheet=sheet, item=mug, qty=12, price=Decimal("10.50"))])
    Item.objects.create(sku="TEA", description_short="Earl Grey tea", full_price=Decimal("6.90"),
                        sale_price=Decimal("5.90"), qty_on_hand=100, sync_to_store=True)
    for sku in ("MUG", "TEA"):
        product = Product.objects.create(sku=sku, name=sku.title(), regular_price=Decimal("1"), price=Decimal("1"),
                                         stock_quantity=0, stock_status="outofstock", manage_stock=True)
        PriceTier.objects.create(product=product, qty=100, price=Decimal("0.5"))


@pytest.fixture
def store_order(db):
    """Store order 1001: Maria buys 3 mugs and 2 teas."""
    maria = Customer.objects.create(email="maria.keller@example.com", first_name="Maria", last_name="Keller")
    order = Order.objects.create(
        number="1001", customer=maria, status="processing",
        created=timezone.make_aware(dt.datetime(2026, 11, 27, 10, 30)),
        billing_first_name="Maria", billing_last_name="Keller", billing_address_1="Torstraße 12",
        billing_city="Berlin", billing_postcode="10119", billing_country="DE",
        billing_email="maria.keller@example.com", shipping_method="Flat rate", shipping_total=Decimal("4.90"),
        payment_method="stripe", payment_title="Credit card", payment_status="completed", transaction_id="ch_1",
    )
    for sku, name, qty, subtotal, tax in (("MUG", "Stoneware mug", 3, "36.00", "6.84"),
                                          ("TEA", "Earl Grey tea", 2, "11.80", "2.24")):
        OrderLine.objects.create(order=order, sku=sku, name=name, quantity=qty, subtotal=Decimal(subtotal),
                                 subtotal_tax=Decimal(tax), total=Decimal(subtotal), total_tax=Decimal(tax))
    order.subtotal, order.tax_total = Decimal("47.80"), Decimal("9.08")
    order.total = Decimal("61.78")
    order.save()
    return order
