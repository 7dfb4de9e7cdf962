"""Jobs whose worker died: taken over once their heartbeat has been silent too long.

What happens to a stalled job depends on whether sending again can hurt:

* Quick Refresh and Product Upload carry absolute values (stock, prices, a
  whole product), and record after every batch the last SKU the store
  confirmed. Resending the batch that was in flight is harmless, so they are
  queued again and resume after that SKU, by themselves. A job that stalls
  again and again (it kills its worker) goes to review after
  ``MAX_RECOVERIES``.
* Everything else (an order export above all: Bizuno books a PO twice if it
  is posted twice) goes to *needs review*, as the request may have reached
  the peer.

In both cases the task backend's own record of the dead run is closed too
(``close_task_result``), so it does not stay *running* forever.
"""

from __future__ import annotations

import logging

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from .heartbeat import window
from .models import SyncAttempt, SyncJob

logger = logging.getLogger("bizunosync.sync.recovery")

RESUMABLE = {SyncJob.Kind.QUICK_REFRESH, SyncJob.Kind.PRODUCT_UPLOAD}
MAX_RECOVERIES = 3
LOST = "bizunosync.sync.recovery.WorkerLost"


class WorkerLost(Exception):
    """The worker running this task stopped heartbeating (killed, out of memory, machine lost)."""


def stalled(now=None):
    """Running jobs nobody has vouched for within the heartbeat window."""
    now = now or timezone.now()
    cutoff = now - window()
    recent_attempt = SyncAttempt.objects.filter(job=OuterRef("pk"), started__gte=cutoff)
    return (
        SyncJob.objects.filter(status=SyncJob.Status.RUNNING)
        .annotate(pulse=Coalesce("heartbeat_at", "started", "created"))
        .filter(pulse__lt=cutoff)
        # A job written before heartbeats existed vouches for itself by its attempts.
        .exclude(Q(heartbeat_at__isnull=True) & Exists(recent_attempt))
    )


def is_stalled(job: SyncJob, now=None) -> bool:
    return stalled(now).filter(pk=job.pk).exists()


def recover_stalled_jobs(*, now=None) -> list[tuple[int, str]]:
    """Take over every stalled job: [(job id, "resumed" | "review")]."""
    now = now or timezone.now()
    done = []
    for job in stalled(now):
        outcome = recover(job, now=now)
        if outcome:
            done.append((job.pk, outcome))
    return done


def recover(job: SyncJob, *, now=None) -> str | None:
    """Resume or review one stalled job; None when someone else got to it first."""
    from .jobs import submit

    now = now or timezone.now()
    last_seen = job.heartbeat_at or job.started or job.created
    seen = timezone.localtime(last_seen).strftime("%Y-%m-%d %H:%M:%S")
    recoveries = sum(1 for event in job.history or [] if event.get("event") == "recovered")
    resume = job.kind in RESUMABLE and recoveries < MAX_RECOVERIES
    after = (job.result or {}).get("last_sku", "")
    if resume:
        where = f"after {after}, the last SKU the store confirmed" if after else "from the first item"
        note = f"worker went quiet at {seen}; resumed {where}"
        summary = f"The worker stopped (last heard from at {seen}); resuming {where}."
        fields = {"status": SyncJob.Status.QUEUED, "next_attempt_at": None}
    else:
        note = f"worker went quiet at {seen}; sent to review"
        if job.kind in RESUMABLE:
            summary = (f"The worker stopped {recoveries + 1} times while running this job (last heard from at "
                       f"{seen}); it was not resumed again. Check the worker's logs, then retry.")
        else:
            summary = (f"The worker stopped while this job was running (last heard from at {seen}); "
                       "the last request may have reached the peer. Check before retrying.")
        fields = {"status": SyncJob.Status.NEEDS_REVIEW, "finished": now}
    event = {"at": now.isoformat(), "event": "recovered", "by": "", "note": note}
    # Conditional on the pulse we judged stale: a beat or another recoverer in between wins.
    taken = SyncJob.objects.filter(pk=job.pk, status=SyncJob.Status.RUNNING, heartbeat_at=job.heartbeat_at).update(
        summary=summary, history=[*(job.history or []), event], task_result_id="", **fields
    )
    if not taken:
        return None
    close_task_result(job.task_result_id, note)
    logger.warning("sync job %s (%s): %s", job.pk, job.kind, note)
    if resume:
        job.status = SyncJob.Status.QUEUED
        submit(job)
        return "resumed"
    return "review"


def close_task_result(task_result_id: str, note: str = "") -> None:
    """Mark the backend's row for a dead run as failed (database backend), if it still says running."""
    if not task_result_id:
        return
    from django_tasks_db.backend import DatabaseBackend

    if not isinstance(_backend(), DatabaseBackend):
        return  # RQ closes its own: see close_abandoned_rq_jobs
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk=task_result_id, status="RUNNING").update(
        status="FAILED", finished_at=timezone.now(), exception_class_path=LOST,
        traceback=f"WorkerLost: {note or 'the worker stopped heartbeating'}",
    )


def close_abandoned_rq_jobs() -> int:
    """On RQ: move jobs whose worker died from the started registry to failed (RQ's own cleanup).

    RQ workers do this every ten minutes; the scheduler does it each tick so
    the queue's view matches the sync log's. Returns how many were moved.
    """
    backend = _backend()
    if type(backend).__name__ != "RQBackend":
        return 0
    import django_rq
    from rq.registry import FailedJobRegistry, StartedJobRegistry

    moved = 0
    for name in backend.queues:
        queue = django_rq.get_queue(name)
        failed = FailedJobRegistry(queue=queue)
        before = failed.count
        StartedJobRegistry(queue=queue).cleanup()
        moved += max(0, failed.count - before)
    return moved


def _backend():
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

    return task_backends[DEFAULT_TASK_BACKEND_ALIAS]
