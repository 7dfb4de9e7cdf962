"""Several stores in Chromium: the console's store list and choice, a Quick Refresh to all with one down.

Screenshots at 1280 px and 390 px: store-console-stores*, store-console-all-one-down*,
store-connections, books-sales-orders-by-store, ship-confirm-stores.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from django.urls import reverse
from django.utils import timezone

from bizunosync.books.models import Item, Package, SalesOrder, Shipment
from bizunosync.store.models import Product
from bizunosync.sync.connections import StoreConnection
from bizunosync.sync.models import SyncJob
from tests.support.browser import admin_login, screenshot
from tests.support.store_site import free_port

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def stores(live_server, alice, settings):
    settings.SYNC_RETRY_BACKOFF = ()
    made = []
    for name, url, prefix in (("EU shop", live_server.url, "EU"), ("UK shop", live_server.url + "/", "UK"),
                              ("US shop (down)", f"http://127.0.0.1:{free_port()}", "US")):
        conn = StoreConnection(name=name, url=url, email="alice@example.com", order_prefix=prefix,
                               connect_timeout=1)
        conn.set_password("alice-password")
        conn.save()
        made.append(conn)
    for sku in ("MUG", "TEA"):
        Item.objects.create(sku=sku, description_short=sku.title(), full_price=Decimal("9.50"), qty_on_hand=5,
                            sync_to_store=True)
        Product.objects.create(sku=sku, name=sku.title(), regular_price=Decimal("1"), price=Decimal("1"))
    today = timezone.localdate()
    for po, name, store, tracking in (("EU1001", "Maria Keller", made[0], "1Z-EU-1"),
                                      ("UK2001", "Tom Hale", made[1], "1Z-UK-1")):
        order = SalesOrder.objects.create(po_reference=po, billing_name=name, store=store)
        shipment = Shipment.objects.create(sales_order=order, ship_date=today, carrier="UPS", service="Ground")
        Package.objects.create(shipment=shipment, tracking_number=tracking)
    return made


def test_staff_run_a_quick_refresh_to_all_stores_and_see_one_job_per_store(
    stores, live_server, page, admin_user_with_password
):
    admin_login(page, live_server.url, "boss", "boss-password")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/admin/books/item/console/")
    assert page.locator("#stores").inner_text().count("shop") >= 3
    screenshot(page, "store-console-stores")
    page.set_viewport_size(PHONE)
    screenshot(page, "store-console-stores-phone")

    page.set_viewport_size(DESKTOP)
    page.select_option("#quick-refresh select[name=store]", "all")
    page.click("#quick-refresh input[type=submit]")
    page.wait_for_load_state()

    assert "Started 3 Quick Refresh jobs, one per store: EU shop, UK shop, US shop (down)." in page.content()
    # One card per store, each with its own bar; the failed one offers its page to retry from.
    cards = page.locator(".store-job").all_inner_texts()
    assert len(cards) == 3 and sum("Succeeded" in c for c in cards) == 2
    assert page.locator(".store-job", has_text="US shop (down)").locator("input[value='Retry US shop (down)']").count() == 1
    assert dict(SyncJob.objects.values_list("store__name", "status")) == {
        "EU shop": "succeeded", "UK shop": "succeeded", "US shop (down)": "failed"}
    screenshot(page, "store-console-all-one-down")
    page.set_viewport_size(PHONE)
    screenshot(page, "store-console-all-one-down-phone")

    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/admin/sync/storeconnection/")
    assert "US shop (down)" in page.content()
    screenshot(page, "store-connections")
    page.goto(f"{live_server.url}/admin/books/salesorder/")
    assert "EU shop" in page.content() and "UK shop" in page.content()
    screenshot(page, "books-sales-orders-by-store")


def test_a_days_ship_confirmation_previews_each_orders_store_and_starts_one_job_per_store(
    stores, live_server, page, admin_user_with_password
):
    admin_login(page, live_server.url, "boss", "boss-password")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}{reverse('admin:books_console_ship_confirm')}?date={timezone.localdate():%Y-%m-%d}")
    rows = page.locator("#ship-preview tbody tr").all_inner_texts()
    assert any("EU shop" in r and "EU1001" in r for r in rows) and any("UK shop" in r and "UK2001" in r for r in rows)
    screenshot(page, "ship-confirm-stores")

    page.click("input[value^='Confirm 2 orders']")
    page.wait_for_load_state()

    assert "Started 2 Ship Confirmation jobs, one per store: EU shop, UK shop." in page.content()
    assert sorted(SyncJob.objects.filter(kind="ship_confirm").values_list("store__name", "status")) == [
        ("EU shop", "succeeded"), ("UK shop", "succeeded")]
    page.set_viewport_size(PHONE)
    screenshot(page, "ship-confirm-stores-done-phone")
