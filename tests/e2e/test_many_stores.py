"""Many stores on one books side, end to end: three stores really apart.

* **EU shop**: this project's store side on the live server (it shares the test database, so its products and
  orders are read with the ORM);
* **US shop**: a second bizunosync site in its own process with its own SQLite database
  (``tests/support/store_site.py``), read with sqlite3;
* **PHP shop**: a ``php -S`` stand-in answering the plugin's routes, logging every request it gets.

The books side is this process; staff act through the admin's Store console.
"""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from bizunosync.books.models import Customer, Item, Package, PortalSettings, SalesOrder, Shipment
from bizunosync.store.export.service import export_order
from bizunosync.store.models import Order, Product
from bizunosync.sync.connections import BizunoConnection, StoreConnection
from bizunosync.sync.models import SyncJob
from tests.phpcli import PHP, needs_php
from tests.support.store_site import StoreSite, free_port

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.php, needs_php]

ROUTER = __import__("pathlib").Path(__file__).resolve().parent.parent / "support" / "php" / "store.php"
PHP_LOGIN = ("php-shop@example.com", "php-shop-pass")
STALE = Decimal("1.00")

US_SETUP = """
from decimal import Decimal
from bizunosync.store.models import Order, OrderLine, Product
for sku in ("MUG", "TEA", "EUONLY"):
    Product.objects.create(sku=sku, name=sku.title(), regular_price=Decimal("1"), price=Decimal("1"), stock_quantity=0,
                           manage_stock=True)
order = Order.objects.create(number="2001", status="processing", billing_first_name="Jo", billing_last_name="Hart",
    billing_email="jo.hart@example.com", billing_city="Austin", billing_postcode="78701", billing_country="US",
    payment_method="cod", payment_title="Cash", total=Decimal("24.00"), subtotal=Decimal("24.00"))
OrderLine.objects.create(order=order, sku="MUG", name="Mug", quantity=2, subtotal=Decimal("24.00"),
                         total=Decimal("24.00"))
"""


class PhpStore:
    def __init__(self, folder):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / "php-store.jsonl"
        self.log.write_text("")
        self.proc = None

    def start(self):
        import os
        import time

        import requests

        env = {**os.environ, "STORE_LOG": str(self.log), "STORE_EMAIL": PHP_LOGIN[0], "STORE_PASS": PHP_LOGIN[1]}
        self.proc = subprocess.Popen([PHP, "-n", "-S", f"127.0.0.1:{self.port}", str(ROUTER)], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                requests.get(self.url, timeout=0.2)
                return
            except requests.ConnectionError:
                time.sleep(0.02)

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=5)

    def requests(self) -> list[dict]:
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]

    def skus_received(self) -> set[str]:
        skus = set()
        for row in self.requests():
            data = row["data"]
            if row["route"] == "product/refresh":
                # every batch ends with a blank-SKU row: not a product
                skus |= {entry["SKU"] for entry in (data.values() if isinstance(data, dict) else data)} - {""}
            elif row["route"] == "product/update":
                skus.add(data.get("SKU", ""))
            elif row["route"] == "product/sync":
                skus |= set(json.loads(data.get("syncSkus", "[]")))
        return skus


@pytest.fixture(scope="module")
def us_site():
    site = StoreSite().start()
    site.shell(US_SETUP)
    yield site
    site.stop()


@pytest.fixture
def php_store(tmp_path):
    store = PhpStore(tmp_path)  # not started: each test decides whether it is up
    yield store
    store.stop()


@pytest.fixture
def three_stores(live_server, alice, django_user_model, us_site, php_store, settings):
    settings.SYNC_RETRY_BACKOFF = ()  # a store that is down fails its job at once (no automatic retry to wait for)
    portal = PortalSettings.load()
    portal.api_user = django_user_model.objects.create_user("bizuno-api")
    portal.set_token("shared-portal-token")
    portal.save()

    def store(name, url, login, prefix):
        conn = StoreConnection(name=name, url=url, email=login[0], order_prefix=prefix, connect_timeout=2,
                               read_timeout=20)
        conn.set_password(login[1])
        conn.set_portal_token(f"{prefix.lower()}-portal-token")
        conn.full_clean()
        conn.save()
        return conn

    eu = store("EU shop", live_server.url, ("alice@example.com", "alice-password"), "EU")
    us = store("US shop", us_site.url, (us_site.email, us_site.password), "US")
    php = store("PHP shop", php_store.url, PHP_LOGIN, "PH")

    for sku, price in (("MUG", "12.00"), ("TEA", "6.90"), ("EUONLY", "30.00")):
        Item.objects.create(sku=sku, description_short=sku.title(), full_price=Decimal(price), qty_on_hand=10,
                            sync_to_store=True)
    Item.objects.get(sku="EUONLY").stores.set([eu])
    for sku in ("MUG", "TEA", "EUONLY"):
        Product.objects.create(sku=sku, name=sku.title(), regular_price=STALE, price=STALE, stock_quantity=0,
                               manage_stock=True)
    return {"eu": eu, "us": us, "php": php}


def _us_price(site, sku):
    rows = site.rows("SELECT regular_price FROM store_product WHERE sku = ?", (sku,))
    return Decimal(str(rows[0][0])) if rows else None


def _jobs(kind):
    return {job.store.name: job for job in SyncJob.objects.filter(kind=kind).select_related("store")}


def test_a_quick_refresh_to_all_stores_with_one_down_completes_the_others_and_the_failed_one_is_retried_alone(
    three_stores, us_site, php_store, admin_client
):
    started = admin_client.post(reverse("admin:books_console_quick_refresh"), {"store": "all"}, follow=True)

    assert "Started 3 Quick Refresh jobs, one per store: EU shop, US shop, PHP shop." in started.content.decode()
    jobs = _jobs(SyncJob.Kind.QUICK_REFRESH)
    assert {name: (job.status, job.summary) for name, job in jobs.items() if name != "PHP shop"} == {
        "EU shop": (SyncJob.Status.SUCCEEDED, "Processed 3 items, updated 3."),
        "US shop": (SyncJob.Status.SUCCEEDED, "Processed 2 items, updated 2."),
    }
    down = jobs["PHP shop"]
    assert (down.status, down.failure_class) == (SyncJob.Status.FAILED, "connection")
    assert Product.objects.get(sku="MUG").regular_price == Decimal("12")
    assert _us_price(us_site, "MUG") == Decimal("12") and _us_price(us_site, "TEA") == Decimal("6.9")

    php_store.start()
    attempts_before = {name: job.attempt_count for name, job in jobs.items()}
    admin_client.post(reverse("admin:books_console_job_retry", args=[down.pk]))

    jobs = _jobs(SyncJob.Kind.QUICK_REFRESH)
    assert jobs["PHP shop"].status == SyncJob.Status.SUCCEEDED
    assert {name: job.attempt_count for name, job in jobs.items()} == {
        **attempts_before, "PHP shop": attempts_before["PHP shop"] + 1}
    assert php_store.skus_received() == {"MUG", "TEA"}


def test_an_item_published_to_one_store_only_never_reaches_the_others(three_stores, us_site, php_store,
                                                                       admin_client):
    php_store.start()
    admin_client.post(reverse("admin:books_console_quick_refresh"), {"store": "all"})
    selected = list(Item.objects.order_by("sku").values_list("pk", flat=True))
    admin_client.post(reverse("admin:books_item_changelist"), {
        "action": "upload_to_store", "_selected_action": selected, "confirm": "yes", "mode": "3", "store": "all"})
    # Cart Sync with delete: each store deletes what is not published to it.
    admin_client.post(reverse("admin:books_console_cart_sync_delete"), {"confirm": "yes", "store": "all"})

    assert all(job.status == SyncJob.Status.SUCCEEDED for job in SyncJob.objects.all()), [
        (j.kind, j.store.name, j.summary) for j in SyncJob.objects.all()]
    assert SyncJob.objects.count() == 9  # three kinds × three stores
    # EU: refreshed, and kept by its Cart Sync.
    assert Product.objects.get(sku="EUONLY").regular_price == Decimal("30")
    # US: the stale copy was never refreshed, and its Cart Sync deleted it (not published there).
    assert us_site.rows("SELECT sku FROM store_product WHERE sku = 'EUONLY'") == []
    assert _us_price(us_site, "MUG") == Decimal("12")
    # PHP: not in a single request.
    assert "EUONLY" not in php_store.skus_received() and {"MUG", "TEA"} <= php_store.skus_received()


def test_orders_from_two_stores_are_booked_and_shown_with_their_store(three_stores, us_site, live_server,
                                                                      admin_client):
    # EU: this project's store side, with the EU shop's own portal token.
    to_books = BizunoConnection.load()
    to_books.url = f"{live_server.url}/bizuno/"
    to_books.set_token("eu-portal-token")
    to_books.order_prefix, to_books.customer_prefix = "EU", "EC"
    to_books.save()
    order = Order.objects.create(number="1001", status="processing", billing_first_name="Maria",
                                 billing_last_name="Keller", billing_email="maria@example.com",
                                 billing_country="DE", billing_postcode="10119", total=Decimal("12"))
    order.lines.create(sku="MUG", name="Mug", quantity=1, subtotal=Decimal("12"), total=Decimal("12"))
    assert export_order(order).ok
    # US: the other site exports its own order, with its own token.
    us_site.manage("bizuno_connect", "--url", f"{live_server.url}/bizuno/", "--token", "us-portal-token",
                   "--order-prefix", "US", "--customer-prefix", "UC")
    exported = us_site.manage("export_orders", "2001")
    assert "2001" in exported.stdout

    booked = {so.po_reference: so.store.name for so in SalesOrder.objects.select_related("store")}
    assert booked == {"EU1001": "EU shop", "US2001": "US shop"}
    assert {c.email: c.store.name for c in Customer.objects.select_related("store")} == {
        "maria@example.com": "EU shop", "jo.hart@example.com": "US shop"}
    orders_page = admin_client.get(reverse("admin:books_salesorder_changelist")).content.decode()
    assert "EU shop" in orders_page and "US shop" in orders_page
    only_us = admin_client.get(reverse("admin:books_salesorder_changelist"),
                               {"store__id__exact": three_stores["us"].pk}).content.decode()
    assert "US2001" in only_us and "EU1001" not in only_us


def test_a_days_ship_confirmation_goes_to_each_store_its_orders_came_from(three_stores, us_site, php_store,
                                                                         admin_client):
    php_store.start()
    today = timezone.localdate()
    eu_side = BizunoConnection.load()  # the EU store side strips its own prefix to find its order
    eu_side.order_prefix = "EU"
    eu_side.save()
    eu_order = Order.objects.create(number="1001", status="processing")
    for po, store, tracking in (("EU1001", three_stores["eu"], "1Z-EU"), ("US2001", three_stores["us"], "1Z-US"),
                                ("PH3001", three_stores["php"], "1Z-PH"),
                                # booked before there were several stores: its prefix says where it goes
                                ("PH3002", None, "1Z-PH2")):
        so = SalesOrder.objects.create(po_reference=po, store=store)
        shipment = Shipment.objects.create(sales_order=so, ship_date=today, carrier="UPS", service="Ground")
        Package.objects.create(shipment=shipment, tracking_number=tracking)

    admin_client.post(reverse("admin:books_console_ship_confirm"), {"date": today.isoformat(), "confirm": "yes"})

    jobs = _jobs(SyncJob.Kind.SHIP_CONFIRM)
    assert {name: (job.status, job.result["refs"]) for name, job in jobs.items()} == {
        "EU shop": (SyncJob.Status.SUCCEEDED, ["EU1001"]),
        "US shop": (SyncJob.Status.SUCCEEDED, ["US2001"]),
        "PHP shop": (SyncJob.Status.SUCCEEDED, ["PH3001", "PH3002"]),
    }
    assert all(job.attempts.count() == 1 for job in jobs.values())
    eu_order.refresh_from_db()
    assert eu_order.status == "shipped"
    assert us_site.rows("SELECT status FROM store_order WHERE number = '2001'") == [("shipped",)]
    confirms = [r for r in php_store.requests() if r["route"] == "order/confirm"]
    assert [sorted(r["data"]["head"]) for r in confirms] == [["PH3001", "PH3002"]]
