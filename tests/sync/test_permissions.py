"""Retrying a job sends it again: an order export needs "Can send orders to Bizuno", a console job
"Can run the Store console"; change rights on the sync log are not enough."""

import pytest
from django.urls import reverse

from bizunosync.sync import jobs
from bizunosync.sync.models import SyncJob
from bizunosync.sync.permissions import RUN_STORE_PUSHES, SEND_TO_BIZUNO

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:sync_syncjob_changelist")


@pytest.fixture
def failed(make_job):
    def make(kind):
        job = make_job(kind=kind, target="x")
        SyncJob.objects.filter(pk=job.pk).update(status=SyncJob.Status.FAILED)
        return job

    return make


@pytest.fixture(autouse=True)
def _no_runners(monkeypatch):
    for kind in SyncJob.Kind.values:
        monkeypatch.setitem(jobs._RUNNERS, kind, lambda job: None)


@pytest.mark.parametrize("kind, needs", [
    (SyncJob.Kind.ORDER_EXPORT, "Can send orders to Bizuno (export, retry)"),
    (SyncJob.Kind.QUICK_REFRESH, "Can run the Store console"),
    (SyncJob.Kind.CART_SYNC, "Can run the Store console"),
])
def test_a_clerk_cannot_retry_a_failed_job_and_sees_no_retry_button(client, clerk, failed, kind, needs):
    job = failed(kind)
    client.force_login(clerk)

    page = client.get(reverse("admin:sync_syncjob_change", args=[job.pk])).content.decode()
    confirm = client.get(reverse("admin:sync_syncjob_retry", args=[job.pk]))
    response = client.post(reverse("admin:sync_syncjob_retry", args=[job.pk]), {"confirm": "yes"})

    assert reverse("admin:sync_syncjob_retry", args=[job.pk]) not in page
    assert confirm.status_code == 403 and response.status_code == 403 and needs in response.content.decode()
    assert SyncJob.objects.get(pk=job.pk).status == SyncJob.Status.FAILED


def test_a_clerk_is_not_offered_retry_selected_and_cannot_post_it(client, clerk, failed):
    job = failed(SyncJob.Kind.ORDER_EXPORT)
    client.force_login(clerk)

    listing = client.get(CHANGELIST).content.decode()
    client.post(CHANGELIST, {"action": "retry_selected", "_selected_action": [job.pk], "confirm": "yes"})

    assert 'value="retry_selected"' not in listing
    assert SyncJob.objects.get(pk=job.pk).status == SyncJob.Status.FAILED


def test_the_send_permission_retries_an_export_but_not_a_console_job(client, make_staff, failed,
                                                                     django_capture_on_commit_callbacks):
    export, refresh = failed(SyncJob.Kind.ORDER_EXPORT), failed(SyncJob.Kind.QUICK_REFRESH)
    client.force_login(make_staff("sender", extra=[SEND_TO_BIZUNO]))

    page = client.get(reverse("admin:sync_syncjob_change", args=[export.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:sync_syncjob_retry", args=[export.pk]), {"confirm": "yes"})
    mixed = client.post(CHANGELIST, {"action": "retry_selected", "_selected_action": [export.pk, refresh.pk],
                                     "confirm": "yes"})

    assert reverse("admin:sync_syncjob_retry_now", args=[export.pk]) in page  # a failed export: Retry now
    assert SyncJob.objects.get(pk=export.pk).status == SyncJob.Status.SUCCEEDED
    assert mixed.status_code == 403 and SyncJob.objects.get(pk=refresh.pk).status == SyncJob.Status.FAILED


def test_the_console_permission_retries_a_console_job(client, make_staff, failed, django_capture_on_commit_callbacks):
    refresh = failed(SyncJob.Kind.QUICK_REFRESH)
    client.force_login(make_staff("operator", extra=[RUN_STORE_PUSHES]))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(CHANGELIST, {"action": "retry_selected", "_selected_action": [refresh.pk], "confirm": "yes"})

    assert SyncJob.objects.get(pk=refresh.pk).status == SyncJob.Status.SUCCEEDED
