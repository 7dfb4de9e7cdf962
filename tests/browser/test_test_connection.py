"""Test connection in Chromium, against this project's own peers on the live server (real HTTP).

Staff open Connections → Bizuno connection, press Test connection and read
that it works; enter a wrong token, save, test again and read which check
failed and what to do. Then the same for the store connection's login.
"""

from __future__ import annotations

import pytest

from bizunosync.books.models import SalesOrder
from bizunosync.store.models import Product
from bizunosync.sync.models import SyncJob
from tests.e2e.conftest import catalog, wired  # noqa: F401
from tests.support.browser import admin_login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}


def press_test(page):
    page.click("#test-connection button")
    page.wait_for_selector("#connection-headline")


def shots(page, name):
    page.set_viewport_size(LAPTOP)
    screenshot(page, name)
    page.set_viewport_size(PHONE)
    screenshot(page, f"{name}-phone")
    page.set_viewport_size(LAPTOP)


def test_a_good_and_a_bad_token_and_login_read_as_what_worked(
    wired, catalog, live_server, page, admin_user_with_password  # noqa: F811
):
    base = live_server.url
    admin_login(page, base, "boss", "boss-password")
    prices_before = dict(Product.objects.values_list("sku", "price"))

    # Connections → Bizuno connection → Test connection: every check passes.
    page.click("#content-main a:text-is('Connections')")
    page.click("#content-main a:text-is('Bizuno connection')")
    assert "Connections" in page.locator(".breadcrumbs").inner_text()
    press_test(page)
    assert page.locator("#connection-headline").inner_text().startswith(
        "Works. Connected: Bizuno accepted the API token")
    rows = page.locator("#connection-checks tbody tr")
    assert rows.count() == 5
    assert page.locator("#connection-checks tr.check-failed").count() == 0
    assert "the credentials travel unencrypted" in page.locator("#connection-checks").inner_text()  # http:// here
    shots(page, "test-connection-bizuno-works")

    # A wrong token, saved, then tested: the token is what failed, with what to do.
    page.click("a:text-is('Back to the Bizuno connection')")
    page.fill("#id_new_secret", "not-the-portal-token")
    page.click("input[name=_save]")
    page.wait_for_selector("#test-connection button")
    press_test(page)
    headline = page.locator("#connection-headline").inner_text()
    assert headline == "Does not work. Reached Bizuno, which refused the API token."
    failed = page.locator("#connection-checks tr.check-failed").inner_text()
    assert failed.startswith("API token accepted") and "Invalid API token." in failed
    assert "Enter the API token again" in page.locator("#connection-advice").inner_text()
    assert "not-the-portal-token" not in page.content()
    shots(page, "test-connection-bizuno-bad-token")

    # The store connection (books side): the login works...
    page.goto(f"{base}/admin/connections/")
    page.click("#content-main a:text-is('Store connections')")
    page.click("#result_list tbody a >> nth=0")
    press_test(page)
    assert page.locator("#connection-headline").inner_text().startswith(
        "Works. Connected: the store accepted the WordPress login")
    assert "proxy-safe mode is not needed here" in page.locator("#connection-advice").inner_text()
    shots(page, "test-connection-store-works")

    # ...and a wrong password is a refused login.
    page.click("a:text-matches('Back to the store “')")
    page.fill("#id_new_secret", "wrong-password")
    page.click("input[name=_continue]")
    page.wait_for_selector("#test-connection button")
    press_test(page)
    assert page.locator("#connection-headline").inner_text() == (
        "Does not work. Reached the store, which refused the WordPress login (HTTP 401).")
    assert "Invalid credentials." in page.locator("#connection-answer").inner_text()
    shots(page, "test-connection-store-bad-password")

    # Four tests, and nothing was written on either side.
    assert not SyncJob.objects.exists() and not SalesOrder.objects.exists()
    assert dict(Product.objects.values_list("sku", "price")) == prices_before
