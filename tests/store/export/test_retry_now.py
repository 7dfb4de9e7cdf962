"""Retry now: a retrying or failed export runs at once as a new attempt, and never books an order twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from bizunosync.store.export.service import Outcome, export_order
from bizunosync.sync import jobs, state
from bizunosync.sync.models import SyncJob
from tests.support.faultserver import FaultServer, dead_url, json_reply, stall

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def retrying_export(connect, make_order):
    """Order 1001's export after Bizuno refused the connection: waiting for retry 1 of 3."""
    connect(dead_url())
    result = export_order(make_order())
    assert result.outcome == Outcome.RETRYING
    return result.job


def test_a_failing_export_shows_as_retrying_with_the_next_try_and_the_retry_number(connect, make_order):
    job = retrying_export(connect, make_order)

    shown = state.shown(job, now=job.next_attempt_at - timedelta(seconds=25))

    assert (shown.label, shown.detail) == ("Retrying", "next try in 25 s, retry 1 of 3")
    assert shown.colour == state.COLOURS[state.RETRYING]
    assert state.shown(job, now=job.next_attempt_at + timedelta(seconds=1)).detail == "next try due now, retry 1 of 3"


def test_retry_now_sends_a_retrying_export_at_once_as_a_new_logged_attempt(connect, make_order, admin_user):
    job = retrying_export(connect, make_order)
    with FaultServer(json_reply({"result": "Success", "ID": 2})) as server:
        connect(server.url)
        job = jobs.retry_job(job, admin_user, at_once=True)

    assert job.status == SyncJob.Status.SUCCEEDED and job.next_attempt_at is None
    assert [a.reached_peer for a in job.attempts.all()] == [False, True]
    assert len(server.requests) == 1
    assert job.history[-1]["event"] == "retry now" and job.history[-1]["by"] == "admin"
    assert job.history[-1]["note"] == "was retrying"


def test_a_deferred_task_for_the_old_schedule_does_not_jump_the_new_one(connect, make_order, admin_user):
    job = retrying_export(connect, make_order)
    job = jobs.retry_job(job, admin_user, at_once=True)  # still dead: booked a new retry
    assert state.is_retrying(job) and job.next_attempt_at > timezone.now() + timedelta(seconds=20)

    stale = jobs.run_job_task.enqueue(job.pk)  # the tests run tasks at once (RQ pass: a worker, after the enqueue)
    if stale.task.get_backend().supports_get_result:
        stale.refresh()
    assert stale.return_value is None

    assert job.attempts.count() == 2  # the stale task sent nothing


def test_retry_now_refuses_a_running_job(make_order, connect, admin_user):
    job = retrying_export(connect, make_order)
    SyncJob.objects.filter(pk=job.pk).update(status=SyncJob.Status.RUNNING, next_attempt_at=None)

    with pytest.raises(jobs.NotRetryable, match="is running"):
        jobs.retry_job(job, admin_user, at_once=True)


def test_retry_now_of_an_old_failed_export_refuses_when_a_later_one_may_have_booked_the_order(
    connect, make_order, admin_user, settings
):
    settings.SYNC_RETRY_BACKOFF = ()
    connect(dead_url())
    order = make_order()
    first = export_order(order).job
    assert first.status == SyncJob.Status.FAILED
    with FaultServer(stall(2)) as server:
        connect(server.url, read_timeout=0.3)
        later = export_order(order).job
    assert later.status == SyncJob.Status.NEEDS_REVIEW

    with FaultServer(json_reply({"result": "Success", "ID": 9})) as server:
        connect(server.url)
        with pytest.raises(jobs.NotRetryable, match=rf"sync job #{later.pk}\) may have booked it"):
            jobs.retry_job(first, admin_user, at_once=True)
        assert server.requests == []


def test_the_retry_now_button_runs_the_job_and_says_what_happened(staff_client, connect, make_order):
    job = retrying_export(connect, make_order)
    page = staff_client.get(reverse("admin:sync_syncjob_change", args=[job.pk])).content.decode()
    assert 'id="retry-now"' in page and 'id="cancel-job"' in page
    assert "Retrying" in page and "retry 1 of 3" in page

    with FaultServer(json_reply({"result": "Success", "ID": 2})) as server:
        connect(server.url)
        page = staff_client.post(reverse("admin:sync_syncjob_retry_now", args=[job.pk]), follow=True)

    html = page.content.decode()
    assert "Retried Order export (orderAdd) PO WC1001: Succeeded. Order 1001 booked in Bizuno as ID 2" in html
    assert len(server.requests) == 1


def test_retry_now_sends_nothing_on_a_get(staff_client, connect, make_order):
    job = retrying_export(connect, make_order)
    with FaultServer(json_reply({"result": "Success", "ID": 2})) as server:
        connect(server.url)
        page = staff_client.get(reverse("admin:sync_syncjob_retry_now", args=[job.pk]))
        assert page.status_code == 302 and server.requests == []


def test_retry_now_needs_the_permission_to_send_to_bizuno(client, django_user_model, connect, make_order):
    job = retrying_export(connect, make_order)
    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(*Permission.objects.filter(codename__in=["view_syncjob", "change_syncjob"]))
    client.force_login(viewer)

    page = client.post(reverse("admin:sync_syncjob_retry_now", args=[job.pk]))

    assert page.status_code == 403
    assert SyncJob.objects.get(pk=job.pk).attempt_count == 1
    assert 'id="retry-now"' not in client.get(reverse("admin:sync_syncjob_change", args=[job.pk])).content.decode()


def test_a_job_needing_review_offers_a_red_resend_that_warns_it_may_book_twice(staff_client, connect, make_order):
    with FaultServer(stall(2)) as server:
        connect(server.url, read_timeout=0.3)
        job = export_order(make_order()).job

    page = staff_client.get(reverse("admin:sync_syncjob_change", args=[job.pk])).content.decode()

    assert 'id="retry-now"' not in page
    assert "Re-send (may book twice)…" in page and "background:#ba2121" in page


def test_cancel_stops_a_retrying_job_before_its_next_try(staff_client, connect, make_order):
    job = retrying_export(connect, make_order)

    page = staff_client.post(reverse("admin:sync_syncjob_cancel", args=[job.pk]), follow=True)

    job.refresh_from_db()
    assert job.status == SyncJob.Status.CANCELLED
    assert "Cancelled Order export (orderAdd) PO WC1001; it will not be sent." in page.content.decode()


def test_retry_all_failed_lists_what_will_be_sent_then_queues_it(staff_client, connect, make_order, settings,
                                                                 django_capture_on_commit_callbacks):
    settings.SYNC_RETRY_BACKOFF = ()
    connect(dead_url())
    failed = [export_order(make_order(number=n)).job for n in ("1001", "1002")]
    assert {j.status for j in failed} == {SyncJob.Status.FAILED}
    changelist = staff_client.get(reverse("admin:sync_syncjob_changelist")).content.decode()
    assert "Retry all failed: Order export (orderAdd)…" in changelist

    url = reverse("admin:sync_syncjob_retry_failed") + "?kind=order_export"
    page = staff_client.get(url).content.decode()
    assert "These 2 failed jobs will be sent again" in page
    assert "PO WC1001" in page and "PO WC1002" in page and "delete-confirmation" not in page

    with FaultServer(json_reply({"result": "Success", "ID": 5}), json_reply({"result": "Success", "ID": 6})) as server:
        connect(server.url)
        with django_capture_on_commit_callbacks(execute=True):
            done = staff_client.post(url, {"kind": "order_export", "confirm": "yes",
                                           "job": [str(j.pk) for j in failed]}, follow=True)

    assert "Queued 2 failed jobs again" in done.content.decode()
    assert len(server.requests) == 2
    assert set(SyncJob.objects.values_list("status", flat=True)) == {SyncJob.Status.SUCCEEDED}
