"""Shop staff in Chromium: export an order from the order list, then retry a job that really failed.

One live server plays both sides (``seed_demo --site-url``): the order list's
"Export to Bizuno" action sends the order over HTTP to this server's books
portal. For the failure the Bizuno connection is pointed at a port nobody
listens on, with automatic retries turned off so the job fails at once;
once the connection is pointed back, "Retry selected jobs" books it.
"""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from bizunosync.books.models import SalesOrder
from bizunosync.store.models import Order
from bizunosync.sync.connections import BizunoConnection
from bizunosync.sync.models import SyncJob
from tests.support.browser import admin_login, screenshot
from tests.support.faultserver import dead_url

pytestmark = pytest.mark.django_db(transaction=True)


def run_action(page, row_text: str, action: str) -> None:
    """Tick the change-list row whose link reads ``row_text``, choose ``action`` and press Go."""
    row = page.locator("#result_list tbody tr").filter(has=page.locator("th a", has_text=re.compile(rf"^{re.escape(row_text)}$")))
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", action)
    page.click("button[name=index]")
    page.wait_for_load_state()


def exported_icon(page, number: str) -> str:
    """"True" when the order list's Bizuno column says Booked, else "False" (kept from the icon days)."""
    row = page.locator("#result_list tbody tr").filter(has=page.locator("th a", has_text=re.compile(rf"^{number}$")))
    return str(row.locator("td.field-sync_state").inner_text().startswith("Booked"))


def point_bizuno_at(url: str) -> None:
    connection = BizunoConnection.load()
    connection.url = url
    connection.save()


def test_staff_export_an_order_from_the_list_and_retry_a_failed_export_from_the_sync_log(
    live_server, page, admin_user_with_password, settings
):
    call_command("seed_demo", "--site-url", live_server.url, stdout=open("/dev/null", "w"))
    books_url = BizunoConnection.load().url
    admin_login(page, live_server.url, "boss", "boss-password")

    # Export from the order list.
    page.goto(f"{live_server.url}/admin/store/order/")
    assert exported_icon(page, "1002") == "False"
    run_action(page, "1002", "export_to_bizuno")
    booked = SalesOrder.objects.get(po_reference="WC1002")
    success = page.locator(".messagelist .success").first.inner_text()
    assert f"Order 1002 booked in Bizuno as ID {Order.objects.get(number='1002').bizuno_id} (PO WC1002)" in success
    assert Order.objects.get(number="1002").bizuno_id == str(booked.pk)
    assert exported_icon(page, "1002") == "True"
    screenshot(page, "staff-order-exported")

    # A real failure: nobody listens where the connection points, and no automatic retry.
    settings.SYNC_RETRY_BACKOFF = ()
    point_bizuno_at(dead_url() + "/bizuno/")
    run_action(page, "1003", "export_to_bizuno")
    assert page.locator(".messagelist .error").count() >= 1
    assert exported_icon(page, "1003") == "False"
    job = SyncJob.objects.get(target="PO WC1003")
    assert job.status == SyncJob.Status.FAILED

    # Staff open the failed job in the sync log...
    page.goto(f"{live_server.url}/admin/sync/syncjob/")
    page.locator("#result_list tbody tr").filter(has_text="WC1003").locator("th a").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/admin/sync/syncjob/{job.pk}/change/")
    assert "Failed" in page.locator("#content").inner_text()
    screenshot(page, "staff-failed-job")

    # ...point the connection back, and retry it from the list (with its confirmation page).
    point_bizuno_at(books_url)
    page.goto(f"{live_server.url}/admin/sync/syncjob/")
    row = page.locator("#result_list tbody tr").filter(has_text="WC1003")
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", "retry_selected")
    page.click("button[name=index]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Retry sync jobs?"
    assert "WC1003" in page.locator("#content").inner_text()
    screenshot(page, "staff-retry-confirm")
    page.click("input[type=submit][value='Yes, retry']")
    page.wait_for_load_state()
    assert "Queued 1 job again" in page.locator(".messagelist .success").inner_text()

    job.refresh_from_db()
    assert job.status == SyncJob.Status.SUCCEEDED
    assert SalesOrder.objects.filter(po_reference="WC1003").count() == 1
    page.goto(f"{live_server.url}/admin/store/order/")
    assert exported_icon(page, "1003") == "True"
    page.goto(f"{live_server.url}/admin/sync/syncjob/{job.pk}/change/")
    assert "Succeeded" in page.locator("#content").inner_text()
    screenshot(page, "staff-retried-job")
