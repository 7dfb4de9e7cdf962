"""A running job's pulse: proof its worker is alive, written while the job runs.

The job's own writes (claim, each attempt, each batch's progress) carry the
time in ``SyncJob.heartbeat_at``. One request may legitimately take longer
than the window (read timeouts go up to 600 s), so a small thread beats in
between as well, every quarter window. The thread dies with the process:
after ``kill -9``, an OOM kill or a lost machine the beats stop, and
``sync.recovery`` takes the job over once the window has passed.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import connections
from django.utils import timezone

logger = logging.getLogger("bizunosync.sync.heartbeat")

DEFAULT_TIMEOUT = 120


def window() -> timedelta:
    """How long a running job may stay silent before it counts as stalled (SYNC_HEARTBEAT_TIMEOUT)."""
    return timedelta(seconds=float(getattr(settings, "SYNC_HEARTBEAT_TIMEOUT", DEFAULT_TIMEOUT)))


class Beat:
    """``with Beat(job_id):`` keeps ``heartbeat_at`` fresh while the block runs."""

    def __init__(self, job_id: int, interval: float | None = None):
        self.job_id = job_id
        self.interval = interval if interval is not None else max(window().total_seconds() / 4, 0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"sync-heartbeat-{job_id}", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=self.interval + 5)
        return False

    def _run(self):
        from .models import SyncJob

        try:
            while not self._stop.wait(self.interval):
                try:
                    alive = SyncJob.objects.filter(pk=self.job_id, status=SyncJob.Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception:  # a database hiccup: the next beat tries again
                    logger.warning("heartbeat of sync job %s could not be written", self.job_id, exc_info=True)
                    continue
                if not alive:
                    return  # finished, cancelled or taken over: nothing left to vouch for
        finally:
            # This thread's own connection, opened by the first beat.
            connections.close_all()


def _ago(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


def _queued_since(job):
    """When the job last went into the queue: created, or its latest retry or take-over."""
    from datetime import datetime

    since = job.created
    for event in job.history or []:
        try:
            at = datetime.fromisoformat(event.get("at", ""))
        except (TypeError, ValueError):
            continue
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
        since = max(since, at)
    return since


def describe(job, now=None) -> str:
    """Where a queued or running job stands, in staff words (the console says it instead of just redirecting)."""
    from .models import SyncJob

    now = now or timezone.now()
    label = f"{job.get_kind_display()} (sync job #{job.pk})"
    if job.status == SyncJob.Status.QUEUED:
        if job.next_attempt_at:
            return f"{label} is waiting for its automatic retry at {timezone.localtime(job.next_attempt_at):%H:%M:%S}."
        waiting = now - _queued_since(job)
        if waiting > window():
            return (f"{label} has been waiting {_ago(waiting)} for a task worker to pick it up: check that a worker "
                    "is running (manage.py db_worker, or rqworker with TASKS_BACKEND=rq).")
        return f"{label} is queued; a worker picks it up in a moment."
    if job.status != SyncJob.Status.RUNNING:
        return f"{label} is {job.get_status_display().lower()}."
    done = f", {job.processed} of {job.total} items sent" if job.total else ""
    seen = job.heartbeat_at or job.started or job.created
    silent = now - seen
    if silent > window():
        after = (job.result or {}).get("last_sku")
        from .recovery import RESUMABLE

        then = (f"it resumes by itself after {after}, the last SKU the store confirmed" if after else
                "it resumes by itself from the first item") if job.kind in RESUMABLE else "it goes to review"
        return (f"{label} has not been heard from since {timezone.localtime(seen):%H:%M:%S} ({_ago(silent)} ago"
                f"{done}): its worker probably stopped; {then}.")
    return f"{label} is running{done}; its worker was last heard from {_ago(silent)} ago."
