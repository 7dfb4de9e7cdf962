"""Staff in Chromium: an export that cannot reach Bizuno shows as Retrying; once fixed, Retry now books it.

One live server plays both sides (``seed_demo --site-url``). The Bizuno
connection is pointed at a port nobody listens on, so the export never leaves
this machine and waits for its automatic retry; pointed back, *Retry now*
sends it at once and Bizuno (this server's books side) books it.
"""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from bizunosync.books.models import SalesOrder
from bizunosync.store.models import Order
from bizunosync.sync.connections import BizunoConnection
from bizunosync.sync.models import SyncJob
from tests.support.browser import SCREENSHOTS, admin_login, screenshot
from tests.support.faultserver import dead_url

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def point_bizuno_at(url: str) -> None:
    connection = BizunoConnection.load()
    connection.url = url
    connection.save()


def test_a_failing_export_shows_as_retrying_and_retry_now_books_it_once_fixed(
    live_server, page, admin_user_with_password, settings
):
    settings.SYNC_RETRY_BACKOFF = (30, 120, 600)
    call_command("seed_demo", "--site-url", live_server.url, stdout=open("/dev/null", "w"))
    books_url = BizunoConnection.load().url
    point_bizuno_at(dead_url() + "/bizuno/")
    admin_login(page, live_server.url, "boss", "boss-password")

    page.goto(f"{live_server.url}/admin/store/order/")
    row = page.locator("#result_list tbody tr").filter(has=page.locator("th a", has_text=re.compile(r"^1003$")))
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", "export_to_bizuno")
    page.click("button[name=index]")
    page.wait_for_load_state()
    warning = page.locator(".messagelist .warning").first.inner_text()
    assert "nothing was sent; retrying automatically" in warning and "retry 1 of 3" in warning
    job = SyncJob.objects.get(target="PO WC1003")

    # The sync log: amber Retrying with its countdown, counted under Needs attention.
    page.goto(f"{live_server.url}/admin/")
    assert "1 retrying" in page.locator("#sync-attention").inner_text()
    screenshot(page, "index-sync-health-1280")
    page.set_viewport_size(PHONE)
    screenshot(page, "index-sync-health-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#sync-attention a", has_text="1 retrying").click()
    page.wait_for_load_state()
    status = page.locator("#result_list tbody tr td.field-coloured_status").first.inner_text()
    assert re.search(r"Retrying\s+next try in \d+ s, retry 1 of 3", status), status
    screenshot(page, "sync-log-retrying-1280")

    page.locator("#result_list tbody tr a", has_text="PO WC1003").click()
    page.wait_for_load_state()
    assert page.locator("#retry-now").is_visible() and page.locator("#cancel-job").is_visible()
    screenshot(page, "sync-job-retrying-retry-now-1280")
    page.set_viewport_size(PHONE)
    screenshot(page, "sync-job-retrying-retry-now-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Fixed: Retry now sends it at once, a new logged attempt, and Bizuno books it.
    point_bizuno_at(books_url)
    page.click("#retry-now")
    page.wait_for_load_state()
    success = page.locator(".messagelist .success").first.inner_text()
    order = Order.objects.get(number="1003")
    assert f"Retried Order export (orderAdd) PO WC1003: Succeeded. Order 1003 booked in Bizuno as ID {order.bizuno_id}" in success
    assert SalesOrder.objects.filter(po_reference="WC1003").count() == 1
    job.refresh_from_db()
    assert (job.status, job.attempt_count) == (SyncJob.Status.SUCCEEDED, 2)
    assert page.locator("#sync-attempts, .inline-group").first.inner_text().count("Number:") == 2
    assert page.locator("#retry-now").count() == 0
    screenshot(page, "sync-job-retried-now-booked-1280")

    # The request as Bizuno's PHP read it: nested fields, the token redacted.
    body = page.locator(".field-body").last
    assert "General\n  PurchaseOrderID: WC1003" in body.inner_text()
    body.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    body.screenshot(path=str(SCREENSHOTS / "sync-attempt-decoded-body-1280.png"))
    page.set_viewport_size(PHONE)
    page.locator(".field-body").last.screenshot(path=str(SCREENSHOTS / "sync-attempt-decoded-body-390.png"))
