"""No order is ever sent to Bizuno twice by itself: clicks at once, review, retries racing new exports."""

import threading

import pytest
from django.db import connection, connections
from django.core.management import call_command

from bizunosync.store.export.service import Outcome, export_order, new_job, queue_export
from bizunosync.store.models import Order
from bizunosync.sync.jobs import retry_job, run_job
from bizunosync.sync.models import SyncJob
from tests.support.faultserver import FaultServer, json_reply, stall


@pytest.mark.django_db
def test_after_a_read_timeout_a_plain_export_sends_nothing_until_the_job_is_reviewed(connect, make_order):
    with FaultServer(stall(2), json_reply({"result": "Success", "ID": 77})) as server:
        connect(server.url, read_timeout=0.3)
        order = make_order()
        first = export_order(order)
        again = export_order(order)
        queued = queue_export(order)

    assert first.outcome == Outcome.NEEDS_REVIEW
    assert (again.outcome, again.job.pk, queued) == (Outcome.NEEDS_REVIEW, first.job.pk, None)
    assert f"sync job #{first.job.pk}) needs review" in again.summary and "PO WC1001" in again.summary
    assert len(server.requests) == 1 and SyncJob.objects.count() == 1


@pytest.mark.django_db
def test_export_orders_all_unexported_skips_an_order_whose_export_needs_review(connect, make_order, capsys):
    with FaultServer(stall(2), json_reply({"result": "Success", "ID": 77})) as server:
        connect(server.url, read_timeout=0.3)
        make_order()
        with pytest.raises(Exception):
            call_command("export_orders", "--all-unexported")
        with pytest.raises(Exception):
            call_command("export_orders", "--all-unexported")  # e.g. from cron: still not sent again

    assert len(server.requests) == 1
    assert "needs review" in capsys.readouterr().out


@pytest.mark.django_db
def test_staff_resolve_a_review_by_retrying_the_job_or_forcing(connect, make_order, django_capture_on_commit_callbacks):
    with FaultServer(stall(2), json_reply({"result": "Success", "ID": 77})) as server:
        connect(server.url, read_timeout=0.3)
        order = make_order()
        first = export_order(order)
        connect(server.url, read_timeout=2)
        with django_capture_on_commit_callbacks(execute=True):
            retry_job(first.job)
        order.refresh_from_db()

    assert (order.exported, order.bizuno_id) == (True, "77")
    assert len(server.requests) == 2

    with FaultServer(stall(2), json_reply({"result": "Success", "ID": 78})) as server:
        connect(server.url, read_timeout=0.3)
        other = make_order(number="1002")
        export_order(other)
        connect(server.url, read_timeout=2)
        forced = export_order(other, force=True)

    assert (forced.outcome, forced.bizuno_id) == (Outcome.EXPORTED, "78")


@pytest.mark.django_db
def test_a_job_never_sends_while_another_export_of_the_same_order_is_running(connect, make_order):
    with FaultServer(json_reply({"result": "Success", "ID": 5})) as server:
        connect(server.url)
        order = make_order()
        running, retried = new_job(order), new_job(order)
        SyncJob.objects.filter(pk=running.pk).update(status=SyncJob.Status.RUNNING)

        job = run_job(retried.pk)

    assert job.status == SyncJob.Status.FAILED
    assert f"another export of it (sync job #{running.pk}) is running" in job.summary
    assert server.requests == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks and concurrent connections")
@pytest.mark.parametrize("second", ["click", "checkout"])
def test_two_exports_of_one_order_at_the_same_moment_book_it_once(connect, make_order, second):
    with FaultServer(stall(0.3, then=json_reply({"result": "Success", "ID": 9}))) as server:
        connect(server.url, read_timeout=3)
        order = make_order()
        barrier = threading.Barrier(2)
        outcomes = []

        def click(how):
            try:
                barrier.wait()
                if how == "checkout":
                    job = queue_export(Order.objects.get(pk=order.pk))  # ImmediateBackend: runs now
                    outcomes.append(job.status if job else "not queued")
                else:
                    outcomes.append(export_order(Order.objects.get(pk=order.pk)).outcome)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=click, args=(how,)) for how in ("click", second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)

    assert len(server.requests) == 1, outcomes
    assert Order.objects.get(pk=order.pk).bizuno_id == "9"
