"""Self-healing: a job whose worker went quiet is resumed (catalog pushes) or sent to review (the rest)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from bizunosync.sync import heartbeat, jobs, recovery, scheduler
from bizunosync.sync.models import SyncAttempt, SyncJob

Kind = SyncJob.Kind


def running(make_job, kind, *, silent_for, result=None, **kw):
    job = make_job(kind=kind, **kw)
    beat = timezone.now() - silent_for
    SyncJob.objects.filter(pk=job.pk).update(status=SyncJob.Status.RUNNING, started=beat - timedelta(minutes=5),
                                             heartbeat_at=beat, result=result or {})
    job.refresh_from_db()
    return job


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Call fn and run what it queued after commit (the ImmediateBackend then runs resumed jobs at once)."""

    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call


@pytest.fixture
def resumed_runs(monkeypatch):
    """Stand-in runner for Quick Refresh: records the resume point each run started from."""
    seen = []

    def refresh(job):
        seen.append((job.result or {}).get("last_sku"))
        job.summary = "done"

    monkeypatch.setitem(jobs._RUNNERS, Kind.QUICK_REFRESH, refresh)
    monkeypatch.setitem(jobs._RUNNERS, Kind.PRODUCT_UPLOAD, refresh)
    return seen


def test_a_quick_refresh_silent_past_the_window_resumes_after_the_last_confirmed_sku(make_job, resumed_runs, committed,
                                                                                     settings):
    settings.SYNC_HEARTBEAT_TIMEOUT = 120
    job = running(make_job, Kind.QUICK_REFRESH, target="300 items", silent_for=timedelta(minutes=3),
                  result={"last_sku": "SKU-199", "processed": 200})

    assert committed(recovery.recover_stalled_jobs) == [(job.pk, "resumed")]

    job.refresh_from_db()
    assert resumed_runs == ["SKU-199"]  # the ImmediateBackend ran the resumed job at once
    assert job.status == SyncJob.Status.SUCCEEDED
    [event] = job.history
    assert event["event"] == "recovered" and "resumed after SKU-199" in event["note"]


def test_a_product_upload_resumes_too(make_job, resumed_runs, committed):
    job = running(make_job, Kind.PRODUCT_UPLOAD, target="40 items", silent_for=timedelta(minutes=3),
                  result={"last_sku": "B-7", "next": 8})

    assert committed(recovery.recover_stalled_jobs) == [(job.pk, "resumed")]
    assert resumed_runs == ["B-7"]


def test_a_job_heard_from_within_the_window_is_left_running(make_job, resumed_runs, committed, settings):
    settings.SYNC_HEARTBEAT_TIMEOUT = 120
    job = running(make_job, Kind.QUICK_REFRESH, target="300 items", silent_for=timedelta(seconds=90))

    assert committed(recovery.recover_stalled_jobs) == []
    assert SyncJob.objects.get(pk=job.pk).status == SyncJob.Status.RUNNING


def test_the_window_is_a_setting(make_job, resumed_runs, committed, settings):
    settings.SYNC_HEARTBEAT_TIMEOUT = 5
    job = running(make_job, Kind.QUICK_REFRESH, target="300 items", silent_for=timedelta(seconds=6))

    assert committed(recovery.recover_stalled_jobs) == [(job.pk, "resumed")]


def test_a_stalled_export_goes_to_review_and_is_never_sent_again(make_job, committed):
    job = running(make_job, Kind.ORDER_EXPORT, target="PO WC1001", silent_for=timedelta(minutes=3))

    assert committed(recovery.recover_stalled_jobs) == [(job.pk, "review")]

    job.refresh_from_db()
    assert job.status == SyncJob.Status.NEEDS_REVIEW
    assert "worker stopped" in job.summary and "may have reached the peer. Check before retrying." in job.summary
    assert job.attempt_count == 0


def test_a_refresh_that_keeps_killing_its_worker_goes_to_review_after_three_recoveries(make_job, resumed_runs, committed):
    job = running(make_job, Kind.QUICK_REFRESH, target="300 items", silent_for=timedelta(minutes=3))
    history = [{"at": "2026-12-03T07:00:00+00:00", "event": "recovered", "by": "", "note": "…"}] * 3
    SyncJob.objects.filter(pk=job.pk).update(history=history)
    job.refresh_from_db()

    assert committed(recovery.recover_stalled_jobs) == [(job.pk, "review")]

    job.refresh_from_db()
    assert job.status == SyncJob.Status.NEEDS_REVIEW and resumed_runs == []
    assert "The worker stopped 4 times" in job.summary


def test_two_recoverers_take_a_stalled_job_over_once(make_job, resumed_runs, committed):
    job = running(make_job, Kind.QUICK_REFRESH, target="300 items", silent_for=timedelta(minutes=3))
    stale = SyncJob.objects.get(pk=job.pk)

    assert committed(recovery.recover, job) == "resumed"
    assert committed(recovery.recover, stale) is None  # judged on the same stale pulse: the first one won
    assert resumed_runs == [None]


def test_a_beat_after_the_check_keeps_the_job(make_job, resumed_runs, committed):
    job = running(make_job, Kind.QUICK_REFRESH, target="300 items", silent_for=timedelta(minutes=3))
    SyncJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())  # the worker was only slow

    assert committed(recovery.recover, job) is None
    assert SyncJob.objects.get(pk=job.pk).status == SyncJob.Status.RUNNING


def test_the_database_backends_row_for_the_dead_run_is_closed(make_job, settings, committed):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    result = jobs.run_job_task.enqueue(0)
    DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING", started_at=timezone.now())
    job = running(make_job, Kind.ORDER_EXPORT, target="PO WC1001", silent_for=timedelta(minutes=3))
    SyncJob.objects.filter(pk=job.pk).update(task_result_id=result.id)

    committed(recovery.recover_stalled_jobs)

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "FAILED" and row.exception_class_path == recovery.LOST
    assert "worker went quiet" in row.traceback


def test_a_running_job_records_its_heartbeat_and_task_id(make_job):
    seen = {}

    def look(job):
        seen.update(SyncJob.objects.filter(pk=job.pk).values("heartbeat_at", "task_result_id").get())

    job = make_job(kind="test_look")
    jobs._RUNNERS["test_look"] = look
    try:
        jobs.run_job(job.pk, task_result_id="task-123")
    finally:
        del jobs._RUNNERS["test_look"]

    assert seen["task_result_id"] == "task-123"
    assert timezone.now() - seen["heartbeat_at"] < timedelta(seconds=5)


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_beats_while_a_long_request_is_in_flight(make_job, settings):
    import time

    settings.SYNC_HEARTBEAT_TIMEOUT = 1  # a beat every 0.25 s
    beats = []

    def slow(job):
        first = SyncJob.objects.get(pk=job.pk).heartbeat_at
        time.sleep(0.8)  # one long request: the job itself writes nothing meanwhile
        beats.append((first, SyncJob.objects.get(pk=job.pk).heartbeat_at))

    job = make_job(kind="test_slow")
    jobs._RUNNERS["test_slow"] = slow
    try:
        jobs.run_job(job.pk)
    finally:
        del jobs._RUNNERS["test_slow"]

    [(first, later)] = beats
    assert later > first


def test_jobs_from_before_heartbeats_still_vouch_by_their_attempts(make_job, committed):
    old = make_job(kind=Kind.ORDER_EXPORT, target="PO WC1002")
    SyncJob.objects.filter(pk=old.pk).update(status=SyncJob.Status.RUNNING, started=timezone.now() - timedelta(hours=1))
    SyncAttempt.objects.create(job=old, number=3, started=timezone.now(), method="POST")

    assert committed(recovery.recover_stalled_jobs) == []


def test_describe_says_when_the_worker_was_last_heard_from(make_job, settings):
    settings.SYNC_HEARTBEAT_TIMEOUT = 120
    fresh = running(make_job, Kind.QUICK_REFRESH, target="300 items", silent_for=timedelta(seconds=4))
    SyncJob.objects.filter(pk=fresh.pk).update(total=300, processed=100)
    fresh.refresh_from_db()
    quiet = running(make_job, Kind.QUICK_REFRESH, target="300 items", silent_for=timedelta(minutes=5),
                    result={"last_sku": "SKU-099"})
    waiting = make_job(kind=Kind.QUICK_REFRESH, target="300 items")
    SyncJob.objects.filter(pk=waiting.pk).update(created=timezone.now() - timedelta(minutes=10))
    waiting.refresh_from_db()

    assert heartbeat.describe(fresh) == (f"Quick Refresh (sync job #{fresh.pk}) is running, 100 of 300 items sent; "
                                         "its worker was last heard from 4 s ago.")
    assert "has not been heard from since" in heartbeat.describe(quiet)
    assert "its worker probably stopped; it resumes by itself after SKU-099" in heartbeat.describe(quiet)
    assert "has been waiting 10 min for a task worker to pick it up" in heartbeat.describe(waiting)


# ------------------------------------------------------------------ scheduler


def test_a_scheduler_round_recovers_stalled_jobs_and_runs_due_retries(make_job, resumed_runs, committed, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    stalled = running(make_job, Kind.QUICK_REFRESH, target="300 items", silent_for=timedelta(minutes=3))
    due = make_job(kind=Kind.PRODUCT_UPLOAD, target="3 items")
    SyncJob.objects.filter(pk=due.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))

    done = committed(scheduler.tick)

    assert done["recovered"] == [(stalled.pk, "resumed")] and done["due"] == [due.pk]
    assert SyncJob.objects.get(pk=due.pk).status == SyncJob.Status.SUCCEEDED


def test_with_the_database_backend_the_scheduler_requeues_only_jobs_whose_task_was_lost(make_job, settings,
                                                                                        committed):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    a_while_ago = timezone.now() - timedelta(minutes=10)
    waiting, lost, retry_later, fresh = (make_job(kind=Kind.PRODUCT_UPLOAD, target=f"{n} items") for n in range(4))
    committed(jobs.submit, waiting)  # its task row waits in the queue
    finished = jobs.run_job_task.enqueue(0)
    DBTaskResult.objects.filter(pk=finished.id).update(status="SUCCESSFUL")
    SyncJob.objects.filter(pk=lost.pk).update(task_result_id=finished.id)  # its task ran out without claiming it
    SyncJob.objects.filter(pk=retry_later.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=5))
    SyncJob.objects.exclude(pk=fresh.pk).update(created=a_while_ago)

    done = committed(scheduler.tick)

    assert done["lost"] == [lost.pk] and done["due"] == []
    assert committed(scheduler.tick)["lost"] == []  # its new task waits: left alone
    assert DBTaskResult.objects.filter(status="READY").count() == 2  # waiting's own, and lost's new one


def test_periodic_chores_run_once_per_period_and_missing_ones_are_skipped(monkeypatch, db, committed):
    calls = []
    monkeypatch.setattr(scheduler, "PERIODIC", [
        ("chore", timedelta(hours=1), "tests.sync.test_recovery.chore"),
        ("not yet written", timedelta(hours=1), "bizunosync.sync.nowhere.nothing"),
    ])
    monkeypatch.setattr("tests.sync.test_recovery.CHORE_CALLS", calls)

    assert committed(scheduler.tick)["periodic"] == ["chore"]
    assert committed(scheduler.tick)["periodic"] == []
    assert calls == [1]


CHORE_CALLS = []


def chore():
    CHORE_CALLS.append(1)


def test_the_scheduler_command_runs_one_round_with_once(make_job, resumed_runs, committed, capsys, monkeypatch):
    monkeypatch.setattr(scheduler, "PERIODIC", [])  # the daily chores would add their names to the line
    stalled = running(make_job, Kind.QUICK_REFRESH, target="300 items", silent_for=timedelta(minutes=3))

    committed(call_command, "sync_scheduler", "--once")

    assert capsys.readouterr().out.strip() == f"Recovered job {stalled.pk} (resumed)."


def test_the_scheduler_command_says_when_there_was_nothing_to_do(db, capsys, monkeypatch):
    monkeypatch.setattr(scheduler, "PERIODIC", [])
    call_command("sync_scheduler", "--once")
    assert capsys.readouterr().out.strip() == "Nothing to do."


def test_the_scheduler_refuses_a_zero_interval(db, capsys):
    with pytest.raises(SystemExit):
        call_command("sync_scheduler", "--interval", "0")
    assert "--interval must be greater than 0" in capsys.readouterr().err


def test_a_job_just_resumed_is_not_described_as_waiting_since_it_first_started(make_job, settings):
    settings.SYNC_HEARTBEAT_TIMEOUT = 120
    job = make_job(kind=Kind.QUICK_REFRESH, target="300 items")
    long_ago = timezone.now() - timedelta(minutes=30)
    SyncJob.objects.filter(pk=job.pk).update(created=long_ago, started=long_ago, history=[
        {"at": timezone.now().isoformat(), "event": "recovered", "by": "", "note": "…"}])
    job.refresh_from_db()

    assert heartbeat.describe(job) == f"Quick Refresh (sync job #{job.pk}) is queued; a worker picks it up in a moment."
