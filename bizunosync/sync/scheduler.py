"""Periodic work, run by ``manage.py sync_scheduler`` (no crontab needed).

Each tick (every SYNC_SCHEDULER_INTERVAL seconds, default 30):

* stalled jobs are recovered (``sync.recovery``): Quick Refresh and Product
  Upload resume, anything else goes to review, and the task backend's row
  for the dead run is closed;
* queued jobs whose task the backend no longer has (Redis flushed or down
  when the job was queued, a task row deleted) are queued again;
* due retries are handed to the task backend. Backends that can defer (the
  database backend, RQ with its scheduler) run them on time by themselves;
  the scheduler only steps in when such a task was lost (above). Backends
  that cannot defer get them at once. Running a job twice is harmless: ``run_job`` claims it once.

Slower periodic jobs sit in ``PERIODIC`` as ``(name, every, "dotted.path")``:
each runs at most once per ``every`` across all scheduler processes (a lease
in the shared cache), and a missing function is skipped, so the list may name
work that lands later. Add yours there.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from . import recovery
from .models import SyncJob

logger = logging.getLogger("bizunosync.sync.scheduler")

DUE_GRACE = timedelta(seconds=60)
PERIODIC: list[tuple[str, timedelta, str]] = [
    # (name, how often, function taking no arguments)
    ("sync-log pruning", timedelta(days=1), "bizunosync.sync.prune.prune_sync_log"),
    # Cheap when nothing is new; the digest itself waits its own interval (AlertSettings.digest_minutes).
    ("alert emails", timedelta(minutes=1), "bizunosync.sync.alerts.send_alerts"),
    ("alert records pruning", timedelta(days=1), "bizunosync.sync.alerts.prune_alert_records"),
    ("rate quote pruning", timedelta(days=1), "bizunosync.store.rates.quote_log.prune_rate_quotes"),
]


def tick(now=None) -> dict:
    """One round of periodic work; returns what it did, for the command's log line."""
    now = now or timezone.now()
    recovered = recovery.recover_stalled_jobs(now=now)
    rq_closed = recovery.close_abandoned_rq_jobs()
    lost = requeue_lost_jobs(now=now)
    due = enqueue_due_jobs(now=now)
    ran = [name for name, every, path in PERIODIC if _run_periodic(name, every, path)]
    return {"recovered": recovered, "rq_closed": rq_closed, "lost": lost, "due": due, "periodic": ran}


LOST_CHECK_LIMIT = 200


def requeue_lost_jobs(*, now=None) -> list[int]:
    """Queued jobs (not waiting for a later retry) whose backend task is gone or already finished."""
    from django_tasks.base import TaskResultStatus
    from django_tasks.exceptions import TaskResultDoesNotExist

    from .jobs import _enqueue

    backend = recovery._backend()
    if not backend.supports_get_result:
        return []
    now = now or timezone.now()
    settled = now - DUE_GRACE
    waiting = (SyncJob.objects.filter(status=SyncJob.Status.QUEUED, created__lt=settled)
               .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=settled))
               .order_by("created").values_list("pk", "task_result_id")[:LOST_CHECK_LIMIT])
    lost = []
    for pk, task_id in waiting:
        if task_id:
            try:
                status = backend.get_result(task_id).status
            except (TaskResultDoesNotExist, ValueError):
                status = None
            if status in (TaskResultStatus.READY, TaskResultStatus.RUNNING):
                continue
        if cache.add(f"sync:lost:{pk}:{task_id}", 1, timeout=3600):
            _enqueue(pk)
            lost.append(pk)
    return lost


def enqueue_due_jobs(*, now=None) -> list[int]:
    """Queued jobs whose retry is due (or overdue, for backends that defer) go to the task backend."""
    from .jobs import _enqueue

    backend = recovery._backend()
    if backend.supports_defer and backend.supports_get_result:
        return []  # the backend runs them on time; requeue_lost_jobs covers a lost one
    now = now or timezone.now()
    grace = DUE_GRACE if backend.supports_defer else timedelta(0)
    due = (SyncJob.objects.filter(status=SyncJob.Status.QUEUED, next_attempt_at__lte=now - grace)
           .order_by("next_attempt_at").values_list("pk", "next_attempt_at"))
    sent = []
    for pk, at in due:
        # Once per due time, whichever scheduler gets there first.
        if cache.add(f"sync:due:{pk}:{at.timestamp()}", 1, timeout=3600):
            _enqueue(pk)
            sent.append(pk)
    return sent


def _run_periodic(name: str, every: timedelta, path: str) -> bool:
    try:
        fn = import_string(path)
    except ImportError:
        return False
    if not cache.add("sync:periodic:" + name.replace(" ", "-"), 1, timeout=int(every.total_seconds())):
        return False
    try:
        fn()
    except Exception:  # one failing chore must not stop the others or the loop
        logger.exception("periodic %s failed", name)
    return True
