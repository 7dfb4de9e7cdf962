"""Console bad input: a dead store, an HTML answer, a wrong password, a store that answers Fail.

Each goes through the admin as staff would run it: never a 500, the job page
and the sync log entry readable, the failure classified in plain words.
"""

import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from bizunosync.sync.models import FailureClass, SyncJob
from tests.support import faultserver as fs

from .conftest import connect


@pytest.fixture
def run_from_console(staff_client, django_capture_on_commit_callbacks):
    """Click "Run Quick Refresh"; the job runs when the request commits (ImmediateBackend)."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            response = staff_client.post(reverse("admin:books_console_quick_refresh"))
        assert response.status_code == 302
        job = SyncJob.objects.get()
        page = staff_client.get(response["Location"])
        log = staff_client.get(reverse("admin:sync_syncjob_change", args=[job.pk]))
        assert page.status_code == 200 and log.status_code == 200
        return job, page.content.decode()

    return run


def test_a_dead_store_is_reported_and_retried_automatically(db, make_item, run_from_console):
    make_item("MUG")
    connect(fs.dead_url())

    job, page = run_from_console()

    assert job.failure_class == FailureClass.CONNECTION
    assert job.status == SyncJob.Status.QUEUED and job.next_attempt_at is not None
    assert "Could not connect to the store (connection refused); nothing was sent" in page
    assert re.search(r"Retrying \(next try in (29|30) s, retry 1 of 3\)", page)  # a busy machine may take a second


def test_a_store_answering_html_needs_review(fault_store, make_item, run_from_console):
    make_item("MUG")
    fault_store.then(fs.text_reply("<html><body><h1>Maintenance</h1>Back soon</body></html>"))

    job, page = run_from_console()

    assert job.failure_class == FailureClass.NOT_JSON
    assert job.status == SyncJob.Status.NEEDS_REVIEW
    assert "something that is not JSON: Maintenance Back soon" in page
    assert "Retry" in page


@pytest.mark.django_db(transaction=True)
def test_a_wrong_store_password_fails_with_a_plain_message(store_side, make_item, staff_client):
    make_item("MUG")
    connect(store_side.url, password="not-alice's-password")

    response = staff_client.post(reverse("admin:books_console_quick_refresh"), follow=True)

    job = SyncJob.objects.get()
    assert response.status_code == 200
    assert job.status == SyncJob.Status.FAILED and job.failure_class == FailureClass.HTTP_STATUS
    assert job.summary.startswith("The store refused the credentials (HTTP 401): Invalid credentials. Check")
    assert job.summary.endswith("Check the connection settings.")
    assert job.attempts.get().http_status == 401
    assert "not-alice" not in str(job.attempts.get().request_summary)


def test_a_store_answering_fail_fails_the_job_and_shows_its_errors(fault_store, make_item, run_from_console):
    make_item("MUG")
    fault_store.then(fs.fail("WooCommerce is not active", key="message"))

    job, page = run_from_console()

    assert job.status == SyncJob.Status.FAILED and job.failure_class == FailureClass.APPLICATION
    assert "The store refused the request: WooCommerce is not active." in page


def test_an_unset_store_connection_fails_without_sending(db, make_item, run_from_console):
    make_item("MUG")

    job, page = run_from_console()

    assert job.status == SyncJob.Status.FAILED and job.failure_class == FailureClass.REFUSED_LOCALLY
    assert "The store connection is not set up" in page


@pytest.mark.parametrize("command", [["quick_refresh"], ["cart_sync"], ["upload_products"]])
def test_the_commands_exit_non_zero_when_the_store_is_down(db, make_item, command):
    make_item("MUG")
    connect(fs.dead_url())

    with pytest.raises(CommandError, match=r"\[Connection refused or DNS\]: Could not connect to the store"):
        call_command(*command)


def test_ship_confirm_exits_non_zero_when_the_store_fails(fault_store, shipped_order):
    fault_store.then(fs.fail("Order module disabled", key="message"))

    with pytest.raises(CommandError, match="The store refused the request: Order module disabled"):
        call_command("ship_confirm", "--date", "2026-11-27")


def test_ship_confirm_rejects_a_malformed_date(db):
    with pytest.raises(CommandError, match="--date must be YYYY-MM-DD, got '27/11/2026'"):
        call_command("ship_confirm", "--date", "27/11/2026")
