"""The console with a Quick Refresh already there: it says what that one is doing, and takes over a dead one."""

from datetime import timedelta

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from bizunosync.sync import jobs
from bizunosync.sync.models import SyncJob

from tests.support import faultserver as fs

from .test_quick_refresh import refreshed


def existing_refresh(*, status=SyncJob.Status.RUNNING, silent_for=timedelta(seconds=3), **fields):
    job = jobs.create_job(SyncJob.Kind.QUICK_REFRESH, target="150 items", trigger=SyncJob.Trigger.STAFF, total=150)
    beat = timezone.now() - silent_for
    SyncJob.objects.filter(pk=job.pk).update(**{"status": status, "started": beat, "heartbeat_at": beat, **fields})
    job.refresh_from_db()
    return job


def click_quick_refresh(client):
    response = client.post(reverse("admin:books_console_quick_refresh"))
    return response, [str(m) for m in get_messages(response.wsgi_request)]


def test_a_second_click_while_one_runs_says_how_far_it_is_and_when_its_worker_last_beat(staff_client, make_item):
    running = existing_refresh(processed=100, silent_for=timedelta(seconds=3))

    response, said = click_quick_refresh(staff_client)

    assert response["Location"] == reverse("admin:books_console_job", args=[running.pk])
    assert said == [f"No new Quick Refresh was started. Quick Refresh (sync job #{running.pk}) is running, 100 of "
                    "150 items sent; its worker was last heard from 3 s ago. Here it is."]
    assert SyncJob.objects.count() == 1


def test_a_click_while_a_dead_workers_refresh_waits_resumes_it_after_the_last_confirmed_batch(
        staff_client, make_item, fault_store, settings, django_capture_on_commit_callbacks):
    settings.SYNC_HEARTBEAT_TIMEOUT = 120
    for n in range(150):
        make_item(f"SKU-{n:03d}")
    stuck = existing_refresh(silent_for=timedelta(minutes=5), processed=100,
                             result={"last_sku": "SKU-099", "processed": 100, "updated": 100, "batches_done": 1})
    fault_store.then(refreshed(50))

    with django_capture_on_commit_callbacks(execute=True):
        response, said = click_quick_refresh(staff_client)

    assert response["Location"] == reverse("admin:books_console_job", args=[stuck.pk])
    [message] = said
    assert message.startswith(f"The Quick Refresh already started (sync job #{stuck.pk}) had stopped: its worker "
                              "was last heard from at ")
    assert message.endswith("It is queued again and resumes after SKU-099, the last SKU the store confirmed, "
                            "instead of starting over. Here it is.")
    assert [r.form["data"]["0"]["SKU"] for r in fault_store.requests] == ["SKU-100"]
    stuck.refresh_from_db()
    assert stuck.status == SyncJob.Status.SUCCEEDED
    assert stuck.summary == "Processed 150 items, updated 150. (Resumed after SKU-099.)"
    assert SyncJob.objects.count() == 1


def test_a_click_while_one_waits_for_a_worker_says_to_check_the_worker(staff_client, make_item):
    waiting = existing_refresh(status=SyncJob.Status.QUEUED, started=None)
    SyncJob.objects.filter(pk=waiting.pk).update(created=timezone.now() - timedelta(minutes=7))

    _, said = click_quick_refresh(staff_client)

    assert said == [f"No new Quick Refresh was started. Quick Refresh (sync job #{waiting.pk}) has been waiting "
                    "7 min for a task worker to pick it up: check that a worker is running (manage.py db_worker, "
                    "or rqworker with TASKS_BACKEND=rq). Here it is."]


def test_the_job_page_says_when_the_worker_went_quiet(staff_client, settings):
    settings.SYNC_HEARTBEAT_TIMEOUT = 120
    stuck = existing_refresh(silent_for=timedelta(minutes=4), result={"last_sku": "SKU-099"})

    page = staff_client.get(reverse("admin:books_console_job", args=[stuck.pk])).content.decode()

    assert 'id="job-pulse"' in page
    assert "(4 min ago, 0 of 150 items sent): its worker probably stopped; it resumes by itself after SKU-099" in page


def test_a_product_upload_whose_worker_died_resumes_with_the_item_after_the_last_one_sent(
        make_item, fault_store, django_capture_on_commit_callbacks):
    from bizunosync.sync.recovery import recover_stalled_jobs

    for sku in ("A-1", "A-2", "A-3", "A-4"):
        make_item(sku)
    job = jobs.create_job(SyncJob.Kind.PRODUCT_UPLOAD, target="4 items", params={"mode": 3},
                          trigger=SyncJob.Trigger.STAFF, total=4)
    beat = timezone.now() - timedelta(minutes=5)
    SyncJob.objects.filter(pk=job.pk).update(status=SyncJob.Status.RUNNING, started=beat, heartbeat_at=beat,
                                             processed=2, succeeded_count=2,
                                             result={"next": 2, "last_sku": "A-2", "total": 4, "uploaded": 2,
                                                     "refused": []})
    fault_store.then(fs.success(ID=3), fs.success(ID=4))

    with django_capture_on_commit_callbacks(execute=True):
        assert recover_stalled_jobs() == [(job.pk, "resumed")]

    job.refresh_from_db()
    assert [r.form["data"]["SKU"] for r in fault_store.requests] == ["A-3", "A-4"]
    assert job.status == SyncJob.Status.SUCCEEDED and job.summary == "Uploaded 4 of 4 items."
