"""The sync log in a real browser: the failed job, its attempts, and the live progress bar."""

import pytest

from bizunosync.sync.models import FailureClass, SyncAttempt, SyncJob
from tests.support.browser import admin_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def boss(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.com", "boss-password")


def test_staff_see_a_failed_export_and_every_attempt(page, live_server, boss):  # noqa: F811
    job = SyncJob.objects.create(
        kind=SyncJob.Kind.ORDER_EXPORT, target="PO WC1001", status=SyncJob.Status.NEEDS_REVIEW,
        failure_class=FailureClass.READ_TIMEOUT, attempt_count=2, endpoint="https://books.example.com/bizuno/",
        summary="Bizuno may have booked PO WC1001; check before re-exporting. Bizuno did not answer within 30 s "
        "after the request was sent.",
    )
    SyncAttempt.objects.create(
        job=job, number=1, method="POST", url="https://books.example.com/bizuno/?bizRt=portal/api/orderAdd",
        failure_class=FailureClass.CONNECTION, reached_peer=False, duration_ms=3,
        error="Could not connect to Bizuno (connection refused); nothing was sent",
        request_summary={"headers": {"X-Bizuno-Token": "[redacted]"}, "form_fields": 38},
    )
    SyncAttempt.objects.create(
        job=job, number=2, method="POST", url="https://books.example.com/bizuno/?bizRt=portal/api/orderAdd",
        failure_class=FailureClass.READ_TIMEOUT, reached_peer=None, duration_ms=30004,
        error="Bizuno did not answer within 30 s after the request was sent",
        request_summary={"headers": {"X-Bizuno-Token": "[redacted]"}, "form_fields": 38},
    )
    admin_login(page, live_server.url, "boss", "boss-password")
    page.goto(live_server.url + "/admin/sync/syncjob/?attention=1")
    assert page.get_by_text("Needs review").first.is_visible()
    screenshot(page, "sync-log-needs-review")
    page.get_by_role("link", name="PO WC1001").click()
    screenshot(page, "sync-job-detail")
    text = page.locator("#content").inner_text()
    assert "Could not connect to Bizuno (connection refused); nothing was sent" in text
    assert "may have booked PO WC1001" in text and "[redacted]" in text


def test_the_progress_bar_follows_a_running_job(page, live_server, boss):  # noqa: F811
    job = SyncJob.objects.create(kind=SyncJob.Kind.QUICK_REFRESH, target="300 items", status=SyncJob.Status.RUNNING,
                                 total=300)
    admin_login(page, live_server.url, "boss", "boss-password")
    page.goto(f"{live_server.url}/admin/sync/syncjob/{job.pk}/change/")
    box = page.locator(f"#sync-progress-{job.pk}")
    assert box.locator(".count").inner_text() == "0 of 300"
    SyncJob.objects.filter(pk=job.pk).update(processed=100, summary="Batch 1 of 3 sent")
    page.wait_for_function(f"document.querySelector('#sync-progress-{job.pk} .count').textContent === '100 of 300'")
    assert box.locator(".summary").inner_text() == "Batch 1 of 3 sent"
    # The job's own counts below the bar follow it too, not the page-load figures.
    page.wait_for_function("document.querySelector('.fieldBox.field-processed .readonly').textContent.trim() === '100'")
    assert page.locator(".fieldBox.field-failed_count .readonly").inner_text().strip() == "0"
    screenshot(page, "sync-progress-running")
    SyncJob.objects.filter(pk=job.pk).update(processed=300, succeeded_count=300, status=SyncJob.Status.SUCCEEDED,
                                             summary="Processed 300 items, updated 12.")
    # Done: the page shows the final record (its status too, not the "Running" it loaded with).
    page.wait_for_function("(document.querySelector('.field-status_badge .readonly') || {}).textContent"
                           " && document.querySelector('.field-status_badge .readonly').textContent.includes('Succeeded')")
    page.wait_for_load_state()
    assert box.locator(".status").inner_text() == "Succeeded"
    assert box.locator(".pct").inner_text() == "100"
    assert page.locator(".fieldBox.field-succeeded_count .readonly").inner_text().strip() == "300"
    screenshot(page, "sync-progress-finished")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "sync-progress-finished-phone")
