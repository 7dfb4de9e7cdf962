"""Console fixtures: a books catalog, and the store side (this project's own) as the real peer."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bizunosync.books.models import Item, PriceLevel, PriceSheet
from bizunosync.sync.connections import StoreConnection
from tests.support.faultserver import FaultServer


@pytest.fixture
def default_sheet(db):
    return PriceSheet.objects.create(name="Retail", is_default=True)


@pytest.fixture
def make_item(default_sheet):
    def make(sku, price="10.00", on_hand=10, on_so=0, allocated=0, tiers=(), sale=None, **extra):
        extra.setdefault("sync_to_store", True)
        item = Item.objects.create(
            sku=sku, description_short=f"Item {sku}", full_price=Decimal(price), qty_on_hand=on_hand,
            qty_on_sales_orders=on_so, qty_allocated=allocated,
            sale_price=Decimal(sale) if sale is not None else None, **extra,
        )
        PriceLevel.objects.bulk_create(
            PriceLevel(sheet=default_sheet, item=item, qty=q, price=Decimal(p)) for q, p in tiers
        )
        return item

    return make


def connect(url, email="alice@example.com", password="alice-password", **extra) -> StoreConnection:
    conn = StoreConnection.load()
    conn.url = url
    conn.email = email
    conn.set_password(password)
    conn.connect_timeout = 2
    conn.read_timeout = 10
    for key, value in extra.items():
        setattr(conn, key, value)
    conn.save()
    return conn


@pytest.fixture
def store_side(live_server, alice):
    """This project's store endpoints over real HTTP, Bizuno logging in as alice."""
    connect(live_server.url)
    return live_server


@pytest.fixture
def fault_store(db):
    """A fault-injecting store: answers what the test queues, records what was sent."""
    with FaultServer() as server:
        connect(server.url)
        yield server


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def shipped_order(db):
    """Store order WC1001, booked in the books, shipped 2026-11-27 in two packages."""
    import datetime as dt

    from bizunosync.books.models import Package, SalesOrder, Shipment

    order = SalesOrder.objects.create(po_reference="WC1001", billing_name="Maria Keller")
    shipment = Shipment.objects.create(sales_order=order, ship_date=dt.date(2026, 11, 27), carrier="FedEx",
                                       service="Ground")
    Package.objects.create(shipment=shipment, tracking_number="7946 1234")
    Package.objects.create(shipment=shipment, tracking_number="7946 5678")
    return order
