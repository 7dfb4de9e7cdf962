"""Staff in Chromium filter the order list by where each order stands with Bizuno."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bizunosync.store.models import Order
from bizunosync.sync.connections import BizunoConnection
from bizunosync.sync.jobs import create_job
from bizunosync.sync.models import SyncJob
from tests.support.browser import admin_login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def order(number, name, **fields):
    return Order.objects.create(number=number, status="processing", billing_first_name=name,
                                billing_email=f"{name.lower()}@example.com", total=Decimal("39.41"), **fields)


def export_job(number, status, **fields):
    job = create_job(SyncJob.Kind.ORDER_EXPORT, target=f"PO {BizunoConnection.load().order_prefix}{number}",
                     trigger=SyncJob.Trigger.STAFF)
    SyncJob.objects.filter(pk=job.pk).update(status=status, **fields)


@pytest.fixture
def one_of_each(db):
    order("1001", "Ann", exported=True, bizuno_id="2")
    order("1002", "Ben")
    export_job("1002", SyncJob.Status.QUEUED, next_attempt_at=timezone.now() + timedelta(minutes=5), auto_retries=1)
    order("1003", "Cem")
    export_job("1003", SyncJob.Status.NEEDS_REVIEW)
    order("1004", "Dana")
    export_job("1004", SyncJob.Status.FAILED)
    order("1005", "Eve", shipping_to_confirm=True)


def numbers(page) -> list[str]:
    return page.locator("#result_list tbody th.field-number a").all_inner_texts()


def test_staff_filter_the_order_list_by_sync_state(live_server, page, admin_user_with_password, one_of_each):
    admin_login(page, live_server.url, "boss", "boss-password")
    page.goto(f"{live_server.url}/admin/store/order/")
    cells = dict(zip(numbers(page), page.locator("#result_list tbody td.field-sync_state").all_inner_texts()))
    assert cells["1001"] == "Booked (ID 2)"
    assert cells["1002"].startswith("Retrying") and "retry 1 of 3" in cells["1002"]
    assert (cells["1003"], cells["1004"], cells["1005"]) == ("Needs review", "Failed", "Not yet exported")
    assert "Shipping to confirm" in page.locator("#result_list tbody tr", has_text="Eve").inner_text()
    screenshot(page, "order-list-sync-states-1280")
    page.set_viewport_size(PHONE)
    screenshot(page, "order-list-sync-states-390")
    # The table scrolls inside its box on a phone: the Bizuno column is a swipe away.
    page.locator("td.field-sync_state").first.scroll_into_view_if_needed()
    screenshot(page, "order-list-sync-states-390-scrolled")
    page.set_viewport_size({"width": 1280, "height": 900})

    for label, shown in [("Retrying", ["1002"]), ("Needs review", ["1003"]), ("Failed", ["1004"]),
                         ("Not yet exported", ["1005"]), ("Booked", ["1001"])]:
        page.locator("#changelist-filter details[data-filter-title='Bizuno'] a", has_text=label).first.click()
        page.wait_for_load_state()
        assert numbers(page) == shown, label
    screenshot(page, "order-list-filter-booked-1280")

    # From a failing order straight to its job.
    page.goto(f"{live_server.url}/admin/store/order/?bizuno=failed")
    page.locator("td.field-sync_state a").click()
    page.wait_for_load_state()
    assert "/admin/sync/syncjob/" in page.url and "PO " in page.locator("#content h2").first.inner_text()


def test_on_a_phone_the_filters_start_folded_but_the_one_in_use_and_any_staff_open(
        live_server, page, admin_user_with_password, one_of_each):
    admin_login(page, live_server.url, "boss", "boss-password")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/admin/store/order/?bizuno=failed")
    sections = page.locator("#changelist-filter details[data-filter-title]")
    open_titles = lambda: [s.get_attribute("data-filter-title") for s in sections.all() if s.evaluate("d => d.open")]  # noqa: E731
    assert sections.count() >= 4 and open_titles() == ["Bizuno"]  # the filter in use, nothing else
    screenshot(page, "order-list-filters-folded-390")

    page.locator("#changelist-filter summary", has_text="status").click()
    page.goto(f"{live_server.url}/admin/store/order/")  # a section staff opened stays open
    assert "status" in open_titles() and "Bizuno" not in open_titles()

    wide = page.context.new_page()  # a laptop's tab: every section open, as Django shows them
    wide.set_viewport_size({"width": 1280, "height": 900})
    wide.goto(f"{live_server.url}/admin/store/order/")
    assert all(s.evaluate("d => d.open") for s in wide.locator("#changelist-filter details[data-filter-title]").all())
