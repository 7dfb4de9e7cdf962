"""In Chromium: a Quick Refresh whose worker died, as staff see it, and what a click on Quick Refresh says."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from bizunosync.books.models import Item
from bizunosync.sync import jobs
from bizunosync.sync.models import SyncJob
from tests.books.console.conftest import connect
from tests.support.browser import admin_login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def stuck_refresh(settings, admin_user_with_password):
    # No worker in this test: the resumed job stays queued, so the page can be looked at.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.SYNC_HEARTBEAT_TIMEOUT = 120
    connect("https://shop.example.com")  # never called: no worker runs here
    Item.objects.bulk_create(Item(sku=f"SKU-{n:03d}", description_short=f"Item {n}", sync_to_store=True)
                             for n in range(150))
    job = jobs.create_job(SyncJob.Kind.QUICK_REFRESH, target="150 items", trigger=SyncJob.Trigger.STAFF, total=150)
    beat = timezone.now() - timedelta(minutes=4)
    SyncJob.objects.filter(pk=job.pk).update(
        status=SyncJob.Status.RUNNING, created=beat - timedelta(seconds=25), started=beat - timedelta(seconds=20),
        heartbeat_at=beat, processed=100,
        result={"last_sku": "SKU-099", "processed": 100, "updated": 100, "batches_done": 1},
        summary="Processed 100 items, updated 100.")
    return job


def test_staff_see_that_the_worker_stopped_and_a_click_resumes_the_refresh_instead_of_starting_over(
        page, live_server, stuck_refresh):
    admin_login(page, live_server.url, "boss", "boss-password")

    page.goto(f"{live_server.url}/admin/books/item/console/job/{stuck_refresh.pk}/")
    pulse = page.locator("#job-pulse").inner_text()
    assert "has not been heard from since" in pulse and "(4 min ago, 100 of 150 items sent)" in pulse
    assert "it resumes by itself after SKU-099" in pulse
    screenshot(page, "console-refresh-worker-stopped")

    page.goto(f"{live_server.url}/admin/books/item/console/")
    page.click("input[value='Run Quick Refresh']")
    page.wait_for_load_state()

    assert page.url.endswith(f"/console/job/{stuck_refresh.pk}/")
    message = page.locator(".messagelist li").first.inner_text()
    assert message.startswith(f"The Quick Refresh already started (sync job #{stuck_refresh.pk}) had stopped")
    assert "resumes after SKU-099, the last SKU the store confirmed, instead of starting over" in message
    assert "is queued; a worker picks it up in a moment." in page.locator("#job-pulse").inner_text()
    assert SyncJob.objects.count() == 1
    screenshot(page, "console-refresh-resumed")
    page.set_viewport_size(PHONE)
    screenshot(page, "console-refresh-resumed-phone")
