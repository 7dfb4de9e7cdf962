"""order_placed: a checkout never waits for Bizuno, and a rolled-back checkout sends nothing."""

import pytest
from django.db import transaction

from bizunosync.store.export.triggers import order_placed
from bizunosync.sync.models import SyncJob
from tests.support.faultserver import FaultServer, json_reply

pytestmark = pytest.mark.django_db


def test_with_autodownload_off_nothing_is_queued(connect, make_order):
    connect("http://127.0.0.1:9/bizuno", autodownload=False)

    assert order_placed(make_order()) is None
    assert not SyncJob.objects.exists()


def test_the_job_is_sent_only_after_the_checkout_commits(connect, make_order, django_capture_on_commit_callbacks):
    with FaultServer(json_reply({"result": "Success", "ID": 42})) as server:
        connect(server.url, autodownload=True)
        order = make_order()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            job = order_placed(order)
        assert (job.status, server.requests) == (SyncJob.Status.QUEUED, [])  # the checkout returns here

        for callback in callbacks:  # the commit
            callback()

    job.refresh_from_db()
    order.refresh_from_db()
    assert (job.status, job.trigger, order.bizuno_id, len(server.requests)) == (
        SyncJob.Status.SUCCEEDED, SyncJob.Trigger.CHECKOUT, "42", 1)


def test_a_rolled_back_checkout_sends_nothing(connect, make_order, django_capture_on_commit_callbacks):
    with FaultServer() as server:
        connect(server.url, autodownload=True)
        order = make_order()
        with django_capture_on_commit_callbacks(execute=True):
            try:
                with transaction.atomic():
                    order_placed(order)
                    raise RuntimeError("payment declined")
            except RuntimeError:
                pass

    assert (SyncJob.objects.count(), server.requests) == (0, [])


def test_an_order_already_exported_is_not_queued_again(connect, make_order):
    connect("http://127.0.0.1:9/bizuno", autodownload=True)

    assert order_placed(make_order(exported=True, bizuno_id="7")) is None
