"""Jobs: log first, claim once, retry only what provably never reached the peer."""

import json
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from bizunosync.sync import jobs
from bizunosync.sync.models import FailureClass, SyncAttempt, SyncJob
from bizunosync.sync.transport import Transport, portal_path
from tests.support import faultserver as fs

TOKEN = "tok-SECRET-4711"
KIND = "test_export"


@pytest.fixture
def target(monkeypatch):
    """Where the test runner sends its order: set .url before running."""
    box = {"url": None, "read_timeout": 1, "headers": {"X-Bizuno-Token": TOKEN}, "after": None}

    def export(job):
        job.review_hint = f"Bizuno may have booked {job.target}; check before re-exporting"
        transport = Transport(box["url"] + "/bizuno/", box["headers"], 1, box["read_timeout"], peer="Bizuno")
        reply = jobs.call(job, transport, "POST", portal_path("orderAdd"), form={"General": {"PurchaseOrderID": "WC1001"}})
        job.summary = f"Booked as Bizuno ID {reply.data.get('ID')}"
        if box["after"]:
            box["after"](job)

    monkeypatch.setitem(jobs._RUNNERS, KIND, export)
    return box


@pytest.fixture
def job(make_job):
    return make_job(kind=KIND, target="PO WC1001")


def run(job):
    return jobs.run_job(job.pk) or SyncJob.objects.get(pk=job.pk)


def test_a_successful_call_is_logged_as_one_attempt(server, target, job):
    target["url"] = server.url
    server.then(fs.success(ID=5123))
    job = run(job)
    assert job.status == SyncJob.Status.SUCCEEDED
    assert job.summary == "Booked as Bizuno ID 5123"
    [attempt] = job.attempts.all()
    assert attempt.http_status == 200 and attempt.ok and attempt.reached_peer is True
    assert attempt.method == "POST" and attempt.url.endswith("/bizuno/?bizRt=portal/api/orderAdd")
    assert '"ID": 5123' in attempt.response_excerpt
    assert job.attempt_count == 1 and job.finished and job.endpoint == server.url + "/bizuno/"


@pytest.mark.django_db(transaction=True)
def test_the_attempt_row_is_saved_before_the_request_is_sent(server, target, make_job):
    job = make_job(kind=KIND)
    seen = []

    def look(handler):
        from django.db import connection

        # The server thread has its own connection: it sees only committed rows.
        seen.extend(SyncAttempt.objects.filter(job=job).values_list("number", "finished"))
        connection.close()
        fs.success(ID=1)(handler)

    target["url"] = server.url
    server.then(look)
    run(job)
    assert seen == [(1, None)]
    assert SyncAttempt.objects.get(job=job).finished is not None


AMBIGUOUS = [
    (fs.stall(3), FailureClass.READ_TIMEOUT, None, "did not answer within 0.3 s"),
    (fs.status(500, "<b>Fatal error</b>: Uncaught Error"), FailureClass.HTTP_STATUS, 500, "Received HTTP 500"),
    (fs.empty(), FailureClass.EMPTY_BODY, 200, "likely a TLS or connection issue"),
    (fs.hang_up(), FailureClass.EMPTY_BODY, None, "closed the connection without answering"),
    (fs.text_reply("Warning: mysqli::query(): gone away"), FailureClass.NOT_JSON, 200, "not JSON"),
    (fs.huge(), FailureClass.TOO_LARGE, 200, "larger than 10 MB"),
]


@pytest.mark.parametrize("behaviour, failure, status, explanation", AMBIGUOUS)
def test_an_ambiguous_answer_goes_to_review_with_a_plain_summary(server, target, job, behaviour, failure, status,
                                                                 explanation):
    target["url"] = server.url
    target["read_timeout"] = 0.3 if failure == FailureClass.READ_TIMEOUT else 5
    if failure == FailureClass.READ_TIMEOUT:
        explanation = "did not answer within 0.3 s"
    server.then(behaviour)
    job = run(job)
    assert job.status == SyncJob.Status.NEEDS_REVIEW
    assert job.failure_class == failure
    assert job.summary.startswith("Bizuno may have booked PO WC1001; check before re-exporting. ")
    assert explanation in job.summary
    assert job.next_attempt_at is None and len(server.requests) == 1
    [attempt] = job.attempts.all()
    assert attempt.failure_class == failure and attempt.http_status == status
    assert attempt.reached_peer is not False and explanation in attempt.error


def test_php_notices_before_the_json_do_not_stop_the_export(server, target, job):
    target["url"] = server.url
    server.then(fs.php_notice_then_json({"result": "Success", "ID": 9}))
    job = run(job)
    assert job.status == SyncJob.Status.SUCCEEDED
    [attempt] = job.attempts.all()
    assert attempt.messages == [
        {"level": "warning", "text": "bizunosync: ignored 116 characters printed before the JSON: "
                                     "Notice : Undefined index: Telephone in /var/www/bizuno/portal/api.php "
                                     "on line 212"}
    ]


def test_result_fail_fails_the_job_at_once_with_bizunos_words(server, target, job):
    target["url"] = server.url
    server.then(fs.fail("The SKU ZZ-9 is not in the database"))
    job = run(job)
    assert job.status == SyncJob.Status.FAILED
    assert job.failure_class == FailureClass.APPLICATION
    assert job.summary == "Bizuno refused the request: The SKU ZZ-9 is not in the database."
    [attempt] = job.attempts.all()
    assert attempt.messages == [{"level": "error", "text": "The SKU ZZ-9 is not in the database"}]


def test_a_wrong_token_fails_the_job_without_retrying(server, target, job):
    target["url"] = server.url
    server.then(fs.json_reply({"result": "Fail", "message": "Bad token"}, status=403))
    job = run(job)
    assert job.status == SyncJob.Status.FAILED
    assert "refused the credentials (HTTP 403)" in job.summary
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    "behaviour, failure",
    [(fs.html_page(403), FailureClass.WAF_BLOCK), (fs.status(502), FailureClass.HTTP_STATUS),
     (fs.status(503), FailureClass.HTTP_STATUS)],
)
def test_a_request_that_never_reached_php_is_queued_again_with_backoff(server, target, job, behaviour, failure):
    target["url"] = server.url
    server.then(behaviour)
    before = timezone.now()
    job = run(job)
    assert job.status == SyncJob.Status.QUEUED
    assert job.failure_class == failure
    assert before + timedelta(seconds=29) < job.next_attempt_at < timezone.now() + timedelta(seconds=31)
    assert "Nothing reached Bizuno; retrying automatically." in job.summary


def test_connection_refused_is_retried_as_a_new_attempt_and_succeeds_when_bizuno_is_back(target, job):
    port = fs.dead_port()
    target["url"] = f"http://127.0.0.1:{port}"
    job = run(job)
    assert job.status == SyncJob.Status.QUEUED
    # Said once: the transport's "nothing was sent" is not followed by "Nothing reached Bizuno".
    assert job.summary == "Could not connect to Bizuno (connection refused); nothing was sent; retrying automatically."
    assert jobs.run_due_jobs(now=job.next_attempt_at - timedelta(seconds=1)) == []  # not due yet

    with fs.serve_on(port, fs.success(ID=42)) as server:
        assert jobs.run_due_jobs(now=job.next_attempt_at) == [job.pk]
    job.refresh_from_db()
    assert job.status == SyncJob.Status.SUCCEEDED
    assert job.summary == "Booked as Bizuno ID 42"
    first, second = job.attempts.all()
    assert (first.number, first.failure_class, first.reached_peer, first.http_status) == (
        1, FailureClass.CONNECTION, False, None)
    assert (second.number, second.failure_class, second.http_status) == (2, "", 200)
    assert len(server.requests) == 1


def test_it_gives_up_after_three_automatic_retries_and_says_it_is_safe_to_retry(target, job):
    target["url"] = fs.dead_url()
    job = run(job)
    for _ in range(3):
        assert job.status == SyncJob.Status.QUEUED
        jobs.run_due_jobs(now=job.next_attempt_at)
        job.refresh_from_db()
    assert job.status == SyncJob.Status.FAILED
    assert job.attempts.count() == 4 and job.attempt_count == 4
    assert job.summary.endswith("nothing was sent; gave up after 3 automatic retries. It is safe to retry.")
    assert "Nothing reached" not in job.summary


def test_a_backend_that_can_defer_gets_the_retry_with_run_after(target, job, settings,
                                                               django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    target["url"] = fs.dead_url()
    with django_capture_on_commit_callbacks(execute=True):
        job = run(job)
    [queued] = DBTaskResult.objects.all()
    assert queued.run_after == job.next_attempt_at
    assert queued.args_kwargs["args"] == [job.pk]


def test_a_header_with_non_printable_bytes_is_refused_and_logged_without_sending(server, target, job):
    target["url"] = server.url
    target["headers"] = {"X-Bizuno-Token": "bin\x01\xfftoken"}
    job = run(job)
    assert job.status == SyncJob.Status.FAILED
    assert job.failure_class == FailureClass.REFUSED_LOCALLY
    assert "'X-Bizuno-Token' header contains a character that is not printable ASCII" in job.summary
    assert server.requests == []
    [attempt] = job.attempts.all()
    assert attempt.failure_class == FailureClass.REFUSED_LOCALLY and attempt.reached_peer is False


def test_secrets_never_reach_the_attempt_rows(server, target, job):
    target["url"] = server.url
    # A debug page that echoes the request headers back.
    server.then(fs.status(500, f"<pre>HTTP_X_BIZUNO_TOKEN={TOKEN}</pre>"))
    run(job)
    assert server.last.headers["x-bizuno-token"] == TOKEN
    rows = json.dumps(list(SyncAttempt.objects.values()), default=str)
    assert TOKEN not in rows
    assert "[redacted]" in rows
    assert TOKEN not in json.dumps(list(SyncJob.objects.values()), default=str)


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_one_job_send_it_once(target, make_job):
    job = make_job(kind=KIND)
    with fs.FaultServer(fs.stall(0.3, then=fs.success(ID=1))) as server:
        target["url"] = server.url
        barrier = threading.Barrier(2)
        results = []

        def worker():
            barrier.wait()
            results.append(jobs.run_job(job.pk))
            from django.db import connection

            connection.close()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
    assert sorted(r is None for r in results) == [False, True]
    assert len(server.requests) == 1
    assert SyncAttempt.objects.filter(job=job).count() == 1
    assert SyncJob.objects.get(pk=job.pk).status == SyncJob.Status.SUCCEEDED


def test_a_job_that_is_not_queued_is_not_run_again(server, target, job):
    target["url"] = server.url
    run(job)
    assert jobs.run_job(job.pk) is None
    assert len(server.requests) == 1


def test_submit_waits_for_the_commit(server, target, job, django_capture_on_commit_callbacks):
    target["url"] = server.url
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        jobs.submit(job)
        assert server.requests == []
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == SyncJob.Status.SUCCEEDED and len(server.requests) == 1


def test_retry_job_queues_a_failed_job_again_and_records_who(server, target, job, admin_user,
                                                            django_capture_on_commit_callbacks):
    target["url"] = server.url
    server.then(fs.fail("Bad date"), fs.success(ID=8))
    job = run(job)
    assert job.status == SyncJob.Status.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.retry_job(job, admin_user)
        assert job.status == SyncJob.Status.QUEUED
    job.refresh_from_db()
    assert job.status == SyncJob.Status.SUCCEEDED
    assert [a.http_status for a in job.attempts.all()] == [200, 200]
    assert job.history[0]["by"] == "admin" and job.history[0]["event"] == "retry"


def test_retry_job_refuses_a_job_that_succeeded(server, target, job, admin_user):
    target["url"] = server.url
    job = run(job)
    assert job.status == SyncJob.Status.SUCCEEDED
    with pytest.raises(jobs.NotRetryable, match="only failed jobs or jobs needing review"):
        jobs.retry_job(job, admin_user)


def test_a_runner_that_crashes_after_bizuno_answered_needs_review(server, target, job):
    target["url"] = server.url
    target["after"] = lambda job: 1 / 0
    job = run(job)
    assert job.status == SyncJob.Status.NEEDS_REVIEW
    assert "Bizuno may have booked PO WC1001" in job.summary and "ZeroDivisionError" in job.summary


def test_a_job_without_a_runner_fails_with_a_reason(make_job):
    job = make_job(kind="nobody_runs_this")
    job = run(job)
    assert job.status == SyncJob.Status.FAILED
    assert job.summary.startswith("No runner is registered")


def test_a_runner_stops_between_items_when_staff_cancel(monkeypatch, make_job):
    def batches(job):
        jobs.progress(job, 0, total=3)
        for done in range(1, 4):
            if done == 2:
                jobs.request_cancel(SyncJob.objects.get(pk=job.pk))
            if not jobs.progress(job, done):
                return

    monkeypatch.setitem(jobs._RUNNERS, "test_batches", batches)
    job = run(make_job(kind="test_batches", target="3 items"))
    assert job.status == SyncJob.Status.CANCELLED
    assert (job.processed, job.total) == (2, 3)


def test_cancelling_a_queued_job_means_it_never_runs(make_job, server, target):
    target["url"] = server.url
    job = make_job(kind=KIND)
    assert jobs.request_cancel(job)
    assert jobs.run_job(job.pk) is None
    assert job.status == SyncJob.Status.CANCELLED and server.requests == []


def test_sync_run_due_runs_the_retries_that_are_due(target, job):
    from io import StringIO

    from django.core.management import call_command

    target["url"] = fs.dead_url()
    job = run(job)
    SyncJob.objects.filter(pk=job.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    out = StringIO()
    call_command("sync_run_due", stdout=out)
    assert out.getvalue() == f"Ran 1 due job(s): {job.pk}.\n"
    job.refresh_from_db()
    assert job.attempt_count == 2 and job.auto_retries == 2


def test_a_job_whose_worker_died_goes_to_review_instead_of_staying_running(target, job):
    started = timezone.now() - timedelta(hours=1)
    SyncJob.objects.filter(pk=job.pk).update(status=SyncJob.Status.RUNNING, started=started)
    SyncAttempt.objects.create(job=job, number=1, started=started, method="POST")

    assert jobs.release_stalled_jobs() == [job.pk]

    job.refresh_from_db()
    assert job.status == SyncJob.Status.NEEDS_REVIEW
    assert "worker stopped" in job.summary and "Check before retrying" in job.summary


def test_a_long_job_still_sending_requests_is_left_running(target, make_job):
    busy = make_job(kind=KIND, target="250 items")
    SyncJob.objects.filter(pk=busy.pk).update(status=SyncJob.Status.RUNNING, started=timezone.now() - timedelta(hours=2))
    SyncAttempt.objects.create(job=busy, number=40, started=timezone.now() - timedelta(seconds=5), method="PUT")

    assert jobs.release_stalled_jobs() == []
    assert SyncJob.objects.get(pk=busy.pk).status == SyncJob.Status.RUNNING


def test_with_automatic_retries_off_it_fails_at_once_and_says_so(target, job, settings):
    settings.SYNC_RETRY_BACKOFF = ()
    target["url"] = fs.dead_url()

    job = run(job)

    assert job.status == SyncJob.Status.FAILED
    assert job.summary.endswith("nothing was sent; automatic retries are off. It is safe to retry.")


def test_retry_job_refuses_while_another_job_for_the_same_target_is_queued(server, target, job, make_job, admin_user):
    target["url"] = server.url
    server.then(fs.status(500, "<b>Fatal error</b>"))
    job = run(job)
    assert job.status == SyncJob.Status.NEEDS_REVIEW
    waiting = make_job(kind=job.kind, target=job.target)  # e.g. a forced re-export waiting for its retry

    with pytest.raises(jobs.NotRetryable, match=f"#{waiting.pk}|{waiting}"):
        jobs.retry_job(job, admin_user)
    job.refresh_from_db()
    assert job.status == SyncJob.Status.NEEDS_REVIEW and len(server.requests) == 1


def test_a_failed_rate_quote_is_not_retried_its_checkout_has_moved_on(make_job):
    quote = make_job(kind=SyncJob.Kind.SHIP_RATES, target="US 94105, 1 kg")
    SyncJob.objects.filter(pk=quote.pk).update(status=SyncJob.Status.FAILED)

    with pytest.raises(jobs.NotRetryable, match="checkout"):
        jobs.retry_job(SyncJob.objects.get(pk=quote.pk))
    assert SyncJob.objects.get(pk=quote.pk).status == SyncJob.Status.FAILED
