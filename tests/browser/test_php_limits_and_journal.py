"""In Chromium: the settings issue 9 adds (Download as, PHP max_input_vars) and the preview they shape.

Screenshots at 1280 px and 390 px go to screenshots/ (SAVE_SCREENSHOTS=1).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from bizunosync.books.models import Item, PortalSettings, PriceLevel, PriceSheet
from bizunosync.sync.connections import StoreConnection
from tests.support.browser import admin_login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def both_widths(page, url, name):
    page.set_viewport_size(DESKTOP)
    page.goto(url)
    screenshot(page, name)
    page.set_viewport_size(PHONE)
    page.goto(url)
    screenshot(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def test_staff_set_download_as_and_the_stores_php_limit_and_the_preview_batches_by_it(
        live_server, page, admin_user_with_password):
    PortalSettings.load()
    store = StoreConnection.load()
    store.url, store.email = "https://shop.example.com", "bizuno"
    store.set_password("pw")
    store.save()
    sheet = PriceSheet.objects.create(name="Retail", is_default=True)
    for n in range(70):
        item = Item.objects.create(sku=f"MUG-{n:02d}", description_short=f"Mug {n}", full_price=Decimal("12"),
                                   qty_on_hand=10, weight=Decimal("1.5"), sync_to_store=True)
        PriceLevel.objects.bulk_create(PriceLevel(sheet=sheet, item=item, qty=q, price=Decimal(p))
                                       for q, p in ((1, "12"), (6, "11"), (12, "10")))
    huge = Item.objects.create(sku="PALLET", description_short="Pallet", full_price=Decimal("900"), qty_on_hand=2,
                               sync_to_store=True)
    PriceLevel.objects.bulk_create(PriceLevel(sheet=sheet, item=huge, qty=q, price=Decimal("800"))
                                   for q in range(1, 501))
    base = live_server.url
    admin_login(page, base, "boss", "boss-password")

    portal = base + reverse("admin:books_portalsettings_change", args=[1])
    page.goto(portal)
    page.select_option("#id_download_as", "so")
    page.click("input[name=_save]")
    assert PortalSettings.load().download_as == "so"
    both_widths(page, portal, "portal-settings-download-as")
    assert "Always a sales order" in page.locator("#id_download_as").inner_text()

    connection = base + reverse("admin:sync_storeconnection_change", args=[store.pk])
    both_widths(page, connection, "store-connection-max-input-vars")
    assert page.locator("#id_max_input_vars").input_value() == "1000"

    preview = base + reverse("admin:books_console_quick_refresh_preview")
    both_widths(page, preview, "quick-refresh-preview-max-input-vars")
    text = " ".join(page.locator("#content").text_content().split())  # captions are upper-cased by CSS
    assert "Batch 1 of 2 (66 items)" in text and "Batch 2 of 2 (4 items)" in text
    assert "Not sent: 1 item has more form fields than the store's PHP keeps (1000): PALLET (1009 fields)" in text
