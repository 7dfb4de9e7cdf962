"""Running a console job from a management command (for cron): run now, print, exit non-zero on failure."""

from __future__ import annotations

from django.core.management.base import CommandError

from bizunosync.sync import jobs
from bizunosync.sync.models import SyncJob


OUTCOME = {
    SyncJob.Status.QUEUED: "did not finish and waits for an automatic retry",
    SyncJob.Status.FAILED: "failed",
    SyncJob.Status.NEEDS_REVIEW: "needs review",
    SyncJob.Status.CANCELLED: "was cancelled",
}


def run_now(command, kind, *, target: str, params: dict, total: int = 0) -> SyncJob:
    """Create the job (trigger "command line"), run it in this process, print its summary.

    Raises CommandError (exit status 1) unless it succeeded, so cron mails the failure.
    A failure that nothing reached the store is also queued for an automatic retry
    by the worker, as any sync job is; the summary says so.
    """
    job = jobs.create_job(kind, target=target, params=params, trigger=SyncJob.Trigger.COMMAND, total=total)
    ran = jobs.run_job(job.pk) or job
    ran.refresh_from_db()
    for row in (ran.result or {}).get("messages", []):
        command.stdout.write(f"{row['level']}: {row['text']}")
    if ran.status != SyncJob.Status.SUCCEEDED:
        label = ran.get_failure_class_display() if ran.failure_class else ran.get_status_display()
        state = OUTCOME.get(ran.status, ran.get_status_display().lower())
        raise CommandError(f"{ran.get_kind_display()} (sync job {ran.pk}) {state} [{label}]: {ran.summary}")
    command.stdout.write(command.style.SUCCESS(ran.summary))
    return ran
