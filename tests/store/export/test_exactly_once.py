"""Exactly once, automatically, when the books side can tell.

A real loopback chain: the store exports to a fault-injecting server, which
passes the order on to our books side (the live server), so the order is
really booked, and then misbehaves: stalls past the read timeout, answers
500, answers a proxy's 502, or drops the connection. The fault server passes
later requests through untouched.

* Both switches on (the books side refuses a duplicate PO, the store knows
  it): the export retries by itself with the usual backoff, the resend is
  answered with the first booking's ID, the order ends exported with it, the
  books hold one sales document for the PO, and nobody had to act.
* Store switch off: needs review, as before, one document.
* Store switch on against a books side that books twice (as a real Bizuno
  does): the retry books it again — why the store switch is off by default.
"""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from bizunosync.books.models import PortalSettings, SalesOrder
from bizunosync.store.export.service import Outcome, export_order
from bizunosync.store.models import Order
from bizunosync.sync.connections import BizunoConnection
from bizunosync.sync.jobs import run_due_jobs
from bizunosync.sync.models import SyncJob
from tests.e2e.conftest import _wire, store_order  # noqa: F401
from tests.support.faultserver import FaultServer, _send, hang_up

pytestmark = pytest.mark.django_db(transaction=True)

READ_TIMEOUT = 0.5


def _book(handler):
    """Pass the request on to the books side; its answer as (status, body bytes)."""
    upstream = handler.server.owner.upstream
    record = handler.server.owner.requests[-1]
    headers = {k: v for k, v in record.headers.items() if k in ("content-type", "x-bizuno-token", "user-agent")}
    answer = requests.post(upstream + record.raw_path, data=record.body, headers=headers, timeout=10)
    return answer.status_code, answer.content


def passed_on(handler):
    status, body = _book(handler)
    _send(handler, status, body)


def booked_then_stalled(handler):
    _book(handler)
    handler.server.release.wait(READ_TIMEOUT * 6)


def booked_then_500(handler):
    _book(handler)
    _send(handler, 500, b"<html><body><h1>Internal Server Error</h1></body></html>", "text/html")


def booked_then_502(handler):
    _book(handler)
    _send(handler, 502, b"<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>", "text/html")


def booked_then_dropped(handler):
    _book(handler)
    hang_up()(handler)


FAULTS = {
    "read timeout": (booked_then_stalled, "read_timeout"),
    "HTTP 500": (booked_then_500, "http_status"),
    "HTTP 502": (booked_then_502, "http_status"),
    "dropped connection": (booked_then_dropped, None),
}


@pytest.fixture
def chain(live_server, django_user_model, alice):
    """Store → fault server → our books side on the live server; returns a function that sets the switches."""
    _wire(live_server.url, django_user_model)

    def configure(server, *, store_switch: bool, books_switch: bool):
        server.upstream = live_server.url
        portal = PortalSettings.load()
        portal.refuse_duplicate_po = books_switch
        portal.save()
        conn = BizunoConnection.load()
        conn.url = f"{server.url}/bizuno/"
        conn.read_timeout = READ_TIMEOUT
        conn.refuses_duplicates = store_switch
        conn.save()

    return configure


def run_retries_later():
    """What the scheduler does: run the retries that are due (an hour on, past every backoff)."""
    return run_due_jobs(now=dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1))


def outcome(store_order, fault, store_switch, books_switch, chain):
    behaviour, _ = FAULTS[fault]
    with FaultServer(behaviour, passed_on) as server:
        chain(server, store_switch=store_switch, books_switch=books_switch)
        first = export_order(store_order)
        first_booking = SalesOrder.objects.filter(po_reference="WC1001").order_by("pk").values_list("pk", flat=True).first()
        ran = run_retries_later()
        sent = len(server.requests)
    job = SyncJob.objects.get(pk=first.job.pk)
    order = Order.objects.get(pk=store_order.pk)
    documents = SalesOrder.objects.filter(po_reference="WC1001").count()
    print(f"\n[{fault}; store switch {'on' if store_switch else 'off'}, books switch {'on' if books_switch else 'off'}] "
          f"first attempt: {first.outcome} ({first.failure_class}); retries run by the scheduler: {len(ran)}; "
          f"requests sent: {sent}; final: job {job.status}, order exported={order.exported} "
          f"bizuno_id={order.bizuno_id or '-'} (first booking #{first_booking}); "
          f"sales documents for WC1001: {documents}; staff actions: {len(job.history)}")
    return first, job, order, first_booking, documents, sent


@pytest.mark.parametrize("fault", list(FAULTS))
def test_with_both_switches_on_an_ambiguous_failure_ends_exported_with_the_first_booking_and_one_document(
    store_order, chain, fault  # noqa: F811
):
    first, job, order, first_booking, documents, sent = outcome(store_order, fault, True, True, chain)

    assert first.outcome == Outcome.RETRYING  # not review: a resend cannot book twice
    assert "refuses duplicate POs" in first.summary
    assert (job.status, order.exported, order.bizuno_id) == (SyncJob.Status.SUCCEEDED, True, str(first_booking))
    assert documents == 1
    assert sent == 2 and job.attempts.count() == 2
    assert job.history == []  # nobody retried it by hand
    assert job.summary == (f"Order 1001 was already in Bizuno as ID {first_booking} (PO WC1001); marked exported, "
                           "not booked again.")


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("books_switch", [True, False], ids=["books on", "books off"])
def test_with_the_store_switch_off_an_ambiguous_failure_goes_to_review_as_before(
    store_order, chain, fault, books_switch  # noqa: F811
):
    first, job, order, first_booking, documents, sent = outcome(store_order, fault, False, books_switch, chain)

    assert first.outcome == Outcome.NEEDS_REVIEW
    assert first.summary.startswith("Bizuno may have booked PO WC1001; check before re-exporting")
    assert (job.status, order.exported) == (SyncJob.Status.NEEDS_REVIEW, False)
    assert (documents, sent) == (1, 1)


@pytest.mark.parametrize("fault", ["read timeout", "HTTP 500"])
def test_the_store_switch_on_against_a_books_side_that_books_twice_books_twice(store_order, chain, fault):  # noqa: F811
    first, job, order, first_booking, documents, sent = outcome(store_order, fault, True, False, chain)

    assert first.outcome == Outcome.RETRYING
    assert order.exported and order.bizuno_id != str(first_booking)
    assert documents == 2  # what a real Bizuno would do: the reason the switch is off by default


def test_a_books_side_answer_without_a_fault_is_exported_once_with_the_switches_on(store_order, chain):  # noqa: F811
    with FaultServer(passed_on) as server:
        chain(server, store_switch=True, books_switch=True)
        result = export_order(store_order)
    assert result.outcome == Outcome.EXPORTED
    assert SalesOrder.objects.filter(po_reference="WC1001").count() == 1
    assert result.summary.startswith("Order 1001 booked in Bizuno as ID")


def test_the_retries_give_up_into_review_when_every_resend_fails(store_order, chain, settings):  # noqa: F811
    settings.SYNC_RETRY_BACKOFF = [30]
    with FaultServer(booked_then_500) as server:
        chain(server, store_switch=True, books_switch=True)
        first = export_order(store_order)
        run_retries_later()
    job = SyncJob.objects.get(pk=first.job.pk)
    assert job.status == SyncJob.Status.NEEDS_REVIEW
    assert "gave up after 1 automatic retries" in job.summary
    assert SalesOrder.objects.filter(po_reference="WC1001").count() == 1
