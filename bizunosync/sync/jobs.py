"""Outbound jobs: create, submit, claim, run, record every attempt, retry safely.

A runner is a plain function registered for a job kind::

    @runner(SyncJob.Kind.ORDER_EXPORT)
    def export_order(job):
        job.review_hint = f"Bizuno may have booked PO {po}; check before re-exporting"
        reply = call(job, bizuno_transport(), "POST", portal_path("orderAdd"), form=...)
        job.summary = f"Booked as Bizuno ID {reply.data['ID']}"

``run_job`` claims the job with a conditional update (two workers never run
the same job), calls the runner, and turns a ``SyncError`` into a decision:

* nothing reached the peer (``reached_peer is False``, not permanent) → queued
  again with backoff, up to ``SYNC_RETRY_BACKOFF`` (seconds; default 30, 120,
  600), each retry a new logged attempt; then FAILED (safe to retry by hand);
* permanent (401, ``result: Fail``, refused locally) → FAILED;
* anything else (read timeout, 500, garbled answer) → NEEDS_REVIEW, with the
  runner's ``job.review_hint`` (or a default) as the plain-language summary.

Deferred retries use the task backend's ``run_after`` when it supports it
(django-tasks-db does). Backends that cannot defer (ImmediateBackend in the
tests) leave the job QUEUED with ``next_attempt_at``; ``run_due_jobs(now=…)``
(and ``manage.py sync_run_due``) runs those that are due.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from . import errors, touched as touched_records
from .calls import call  # noqa: F401  (runners import it from here)
from .heartbeat import Beat
from .models import SyncJob

logger = logging.getLogger("bizunosync.sync.jobs")

DEFAULT_BACKOFF = (30, 120, 600)
_RUNNERS: dict[str, callable] = {}
# Fields a running job writes; cancel_requested is left alone (staff set it concurrently).
_RUN_FIELDS = [
    "status", "failure_class", "summary", "result", "total", "processed", "succeeded_count",
    "failed_count", "endpoint", "started", "finished", "next_attempt_at", "auto_retries", "history",
]


class NotRetryable(ValueError):
    """retry_job on a job that is not failed or waiting for review."""


def runner(kind: str):
    """Register ``fn(job)`` as the runner for a job kind."""

    def register(fn):
        _RUNNERS[str(kind)] = fn
        return fn

    return register


def backoff_schedule() -> tuple[int, ...]:
    return tuple(getattr(settings, "SYNC_RETRY_BACKOFF", DEFAULT_BACKOFF))


def create_job(kind, *, target, params=None, trigger, user=None, total=0, touched=(), store=None) -> SyncJob:
    """A queued job; ``touched``: refs of records it is about from the start (the order it exports)."""
    job = SyncJob.objects.create(
        store=store,
        kind=kind,
        target=str(target)[:255],
        params=params or {},
        trigger=trigger,
        triggered_by=user if getattr(user, "is_authenticated", False) else None,
        total=total,
    )
    touched_records.link(job, touched)
    return job


def submit(job: SyncJob, *, run_after=None) -> None:
    """Queue the job once the current transaction commits (immediately outside one)."""
    job_id = job.pk
    transaction.on_commit(lambda: _enqueue(job_id, run_after))


def _enqueue(job_id: int, run_after=None) -> None:
    task_ = run_job_task
    if run_after is not None and run_after > timezone.now():
        if not task_.get_backend().supports_defer:
            # Left QUEUED with next_attempt_at: run_due_jobs() picks it up.
            return
        task_ = task_.using(run_after=run_after)
    result = task_.enqueue(job_id)
    # Remembered so the scheduler can tell a task the backend lost (Redis flushed) from one waiting its turn.
    SyncJob.objects.filter(pk=job_id, status=SyncJob.Status.QUEUED).update(task_result_id=str(result.id)[:64])


# How early a deferred task may start before its job's booked retry time (clocks, rounding).
EARLY_TOLERANCE = timedelta(seconds=2)


@task(takes_context=True)
def run_job_task(context, job_id: int) -> str | None:
    if SyncJob.objects.filter(pk=job_id, next_attempt_at__gt=timezone.now() + EARLY_TOLERANCE).exists():
        # A task deferred for an older schedule: staff ran the job early (Retry now), it failed
        # again and booked a later retry, which has its own task. Jumping it would shorten the backoff.
        return None
    job = run_job(job_id, task_result_id=str(context.task_result.id))
    return job.status if job else None


def run_job(job_id: int, *, now=None, task_result_id: str = "") -> SyncJob | None:
    """Claim and run a queued job; None when another worker has it (or it is not queued).

    While it runs, the job heartbeats (``sync.heartbeat``): a worker that dies
    mid-job is noticed by ``sync.recovery`` within SYNC_HEARTBEAT_TIMEOUT.
    """
    now = now or timezone.now()
    claimed = SyncJob.objects.filter(pk=job_id, status=SyncJob.Status.QUEUED).update(
        status=SyncJob.Status.RUNNING, started=now, finished=None, next_attempt_at=None,
        heartbeat_at=timezone.now(), task_result_id=task_result_id[:64],
    )
    if claimed != 1:
        return None
    with Beat(job_id):
        return _run_claimed(job_id, now)


def _run_claimed(job_id: int, now) -> SyncJob:
    job = SyncJob.objects.get(pk=job_id)
    job.summary = ""
    job.failure_class = ""
    job.review_hint = ""
    job.resend_safe = ""  # a runner sets why a resend cannot act twice (the peer refuses duplicates)
    job.peer_name = "the peer"
    job.reached_in_run = False
    fn = _RUNNERS.get(job.kind)
    if fn is None:
        return _finish(job, SyncJob.Status.FAILED, f"No runner is registered for {job.get_kind_display()}.")
    try:
        fn(job)
    except errors.SyncError as exc:
        return _after_error(job, exc, now)
    except Exception as exc:  # a bug in a runner: record it, never leave the job RUNNING
        logger.exception("sync job %s (%s) crashed", job.pk, job.kind)
        text = f"Internal error: {type(exc).__name__}: {exc}"[:500]
        if job.reached_in_run:
            return _finish(job, SyncJob.Status.NEEDS_REVIEW, f"{_review_text(job)}. {text}")
        return _finish(job, SyncJob.Status.FAILED, text)
    if job.status == SyncJob.Status.RUNNING:
        job.refresh_from_db(fields=["cancel_requested"])
        cancelled = job.cancel_requested and job.total and job.processed < job.total
        job.status = SyncJob.Status.CANCELLED if cancelled else SyncJob.Status.SUCCEEDED
    return _finish(job, job.status, job.summary)


def _review_text(job) -> str:
    return job.review_hint or f"{job.peer_name[:1].upper()}{job.peer_name[1:]} may have received this request; check before retrying"


def _after_error(job: SyncJob, exc: errors.SyncError, now) -> SyncJob:
    job.failure_class = exc.failure_class
    explanation = exc.explanation.rstrip(".")
    if exc.retryable:
        schedule = backoff_schedule()
        if _schedule_retry(job, f"{_nothing_reached(explanation, job)}; retrying automatically.", now):
            return job
        tried = f"gave up after {len(schedule)} automatic retries" if schedule else "automatic retries are off"
        return _finish(
            job,
            SyncJob.Status.FAILED,
            f"{_nothing_reached(explanation, job)}; {tried}. It is safe to retry.",
            now=now,
        )
    if exc.permanent:
        return _finish(job, SyncJob.Status.FAILED, f"{explanation}.")
    if exc.ambiguous and getattr(job, "resend_safe", ""):
        resent = _resend(job, exc, explanation, now)
        if resent is not None:
            return resent
    return _finish(job, SyncJob.Status.NEEDS_REVIEW, f"{_review_text(job).rstrip('.')}. {explanation}.")


def _resend(job: SyncJob, exc: errors.SyncError, explanation: str, now) -> SyncJob | None:
    """An ambiguous failure the peer cannot act on twice: retried with the same backoff; None when out of tries."""
    peer = f"{job.peer_name[:1].upper()}{job.peer_name[1:]}"
    summary = f"{explanation}. {peer} may have received it, but {job.resend_safe}; retrying automatically."
    if _schedule_retry(job, summary, now):
        return job
    job.review_hint = f"{_review_text(job).rstrip('.')}; gave up after {len(backoff_schedule())} automatic retries"
    return None


def _schedule_retry(job: SyncJob, summary: str, now) -> bool:
    """Queue the job's next automatic try after the backoff; False when its tries are used up."""
    schedule = backoff_schedule()
    if job.auto_retries >= len(schedule):
        return False
    job.next_attempt_at = now + timedelta(seconds=schedule[job.auto_retries])
    job.auto_retries += 1
    job.status = SyncJob.Status.QUEUED
    job.finished = None
    # The countdown and "retry 1 of 3" are shown live beside the status (sync.state):
    # a summary saying "in 30 s" would be wrong a minute later.
    job.summary = summary
    job.save(update_fields=_RUN_FIELDS)
    submit(job, run_after=job.next_attempt_at)
    return True


def _nothing_reached(explanation: str, job) -> str:
    """The transport's explanation, adding "nothing reached the peer" only when it does not say so already."""
    said = explanation.lower()
    if "nothing was sent" in said or "nothing reached" in said or "never sent" in said or "not sent" in said:
        return explanation
    return f"{explanation}. Nothing reached {job.peer_name}"


def _finish(job: SyncJob, status, summary: str, now=None) -> SyncJob:
    job.status = status
    job.summary = summary
    job.finished = timezone.now()
    job.next_attempt_at = None
    job.save(update_fields=_RUN_FIELDS)
    return job


def release_stalled_jobs(*, now=None) -> list[int]:
    """Jobs left RUNNING by a worker that died: resumed or sent to review (``sync.recovery``)."""
    from .recovery import recover_stalled_jobs

    return [pk for pk, _ in recover_stalled_jobs(now=now)]


def run_due_jobs(*, now=None) -> list[int]:
    """Run queued jobs whose retry time has come (for backends that cannot defer, and cron)."""
    now = now or timezone.now()
    release_stalled_jobs(now=now)
    due = list(
        SyncJob.objects.filter(status=SyncJob.Status.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)
    )
    ran = []
    for job_id in due:
        if run_job(job_id, now=now) is not None:
            ran.append(job_id)
    return ran


def progress(job: SyncJob, processed: int | None = None, *, total=None, summary=None, result=None,
             changes=None, ask_cancel: bool = True) -> bool:
    """Save progress for the live bar; False when staff asked to cancel (stop between items).

    ``ask_cancel=False``: only save (the caller asks ``cancel_requested`` when it matters)."""
    fields = {}
    if processed is not None:
        job.processed = fields["processed"] = processed
    if total is not None:
        job.total = fields["total"] = total
    if summary is not None:
        job.summary = fields["summary"] = summary
    if result is not None:
        job.result = fields["result"] = result
    if changes is not None:
        job.changes = fields["changes"] = changes
    if fields:
        SyncJob.objects.filter(pk=job.pk).update(**fields, heartbeat_at=timezone.now())
    return not (ask_cancel and cancel_requested(job))


def cancel_requested(job: SyncJob) -> bool:
    job.cancel_requested = SyncJob.objects.filter(pk=job.pk).values_list("cancel_requested", flat=True).first() or False
    return job.cancel_requested


def request_cancel(job: SyncJob, user=None) -> bool:
    """Ask a queued or running job to stop; a queued one is cancelled at once."""
    if SyncJob.objects.filter(pk=job.pk, status=SyncJob.Status.QUEUED).update(
        status=SyncJob.Status.CANCELLED, cancel_requested=True, finished=timezone.now(),
        summary="Cancelled before it started.",
    ):
        job.refresh_from_db()
        return True
    changed = SyncJob.objects.filter(pk=job.pk, status=SyncJob.Status.RUNNING).update(cancel_requested=True)
    job.refresh_from_db()
    return bool(changed)


# Kinds whose resend may book a second time (Bizuno has no duplicate check on orderAdd).
DUPLICATING_KINDS = {SyncJob.Kind.ORDER_EXPORT}


def retry_job(job: SyncJob, user=None, *, note: str = "", at_once: bool = False) -> SyncJob:
    """Queue a failed or needs-review job again (recording who); returns the job, refreshed.

    ``at_once`` (staff's *Retry now*): also takes a job waiting for an automatic
    retry, and runs it here and now instead of handing it to the worker, so
    staff see the new attempt's outcome on the next page.

    Raises NotRetryable for any other status (a running job above all), and for
    rate quotes: a quote answered one checkout, which has moved on (it used the fallback).
    """
    if job.kind == SyncJob.Kind.SHIP_RATES:
        raise NotRetryable(f"{job} was not retried: a rate quote served one checkout, which has moved on.")
    was = "retrying" if job.status == SyncJob.Status.QUEUED and job.next_attempt_at else job.get_status_display().lower()
    event = {
        "at": timezone.now().isoformat(),
        "event": "retry now" if at_once else "retry",
        "by": getattr(user, "get_username", lambda: "")() if user is not None else "",
        "note": note or f"was {was}",
    }
    retryable = Q(status__in=[SyncJob.Status.FAILED, SyncJob.Status.NEEDS_REVIEW])
    if at_once:
        retryable |= Q(status=SyncJob.Status.QUEUED, next_attempt_at__isnull=False)
    with transaction.atomic():
        locked = SyncJob.objects.select_for_update().filter(retryable, pk=job.pk).first()
        if locked is None:
            job.refresh_from_db()
            which = ("failed jobs, jobs needing review or retrying jobs" if at_once
                     else "failed jobs or jobs needing review")
            raise NotRetryable(f"{job} is {job.get_status_display().lower()}; only {which} can be retried.")
        # Another job for the same target is queued or running (a forced re-export waiting for its
        # automatic retry, a new Quick Refresh): queueing this one too would send twice.
        others = SyncJob.objects.filter(kind=locked.kind, target=locked.target).exclude(pk=locked.pk)
        other = others.filter(status__in=[SyncJob.Status.QUEUED, SyncJob.Status.RUNNING]).first()
        if other is not None:
            raise NotRetryable(f"{job} was not retried: {other} for {locked.target} is "
                               f"{other.get_status_display().lower()}; let it finish first.")
        if locked.kind in DUPLICATING_KINDS:
            # A later job for the same order booked it, or may have: resending this older one
            # would book it (again). Staff resolve the later one first.
            later = (others.filter(created__gt=locked.created, status__in=[SyncJob.Status.SUCCEEDED,
                                                                          SyncJob.Status.NEEDS_REVIEW])
                     .order_by("-created").first())
            if later is not None:
                why = "booked it" if later.status == SyncJob.Status.SUCCEEDED else "may have booked it (needs review)"
                raise NotRetryable(f"{job} was not retried: a later job for {locked.target} (sync job "
                                   f"#{later.pk}) {why}; sending this one again could book it twice.")
        locked.status = SyncJob.Status.QUEUED
        locked.auto_retries = 0
        locked.cancel_requested = False
        locked.next_attempt_at = None
        locked.finished = None
        locked.history = [*locked.history, event]
        locked.summary = f"Queued again by {event['by'] or 'the system'}."
        locked.save(update_fields=["status", "auto_retries", "cancel_requested", "next_attempt_at", "finished",
                                   "history", "summary"])
        if not at_once:
            submit(locked)
    if at_once:
        # Claimed atomically like any run: a worker holding an old deferred task for it finds it taken.
        run_job(job.pk)
    job.refresh_from_db()
    return job
