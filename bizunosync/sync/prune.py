"""Sync-log retention: old succeeded jobs and inbound calls go, unresolved problems stay.

Run by the scheduler (``sync.scheduler.PERIODIC``, daily) and by
``manage.py sync_prune``. After SYNC_LOG_RETENTION_DAYS (default 90):

* succeeded and cancelled jobs are deleted with their attempts and their touched-record links;
* inbound calls are deleted with their links, whatever their result (the records they changed keep their own state);
* a failed or needs-review job is deleted only once resolved: a later job of
  the same kind for the same target succeeded (the order was exported, that
  day's shipments confirmed), or for catalogue-wide work (Quick Refresh,
  Cart Sync) a later run of the same kind succeeded. A failed rate quote is
  resolved at once: it served one checkout, which used the fallback, and
  cannot be retried. Until then it stays, however old, because it is the
  evidence staff need to act on.

Queued and running jobs are never touched. Deletes go in batches of
BATCH rows so a first prune of a large log does not hold one huge transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .models import InboundCall, SyncAttempt, SyncJob

BATCH = 2000
Status, Kind = SyncJob.Status, SyncJob.Kind
# Work whose target names one thing (a PO, a day, a SKU prefix): a later success for that target resolves it.
TARGETED = [Kind.ORDER_EXPORT, Kind.SHIP_CONFIRM, Kind.PRODUCT_UPLOAD]
# Work over the whole catalogue: any later success of the kind resolves it.
CATALOGUE = [Kind.QUICK_REFRESH, Kind.CART_SYNC]


@dataclass
class Pruned:
    jobs: int = 0
    attempts: int = 0
    calls: int = 0
    kept_unresolved: int = 0  # failed / needs-review jobs past the cutoff, kept until resolved
    days: int = 0

    def __str__(self):
        return (f"Pruned {self.jobs} sync job(s) with {self.attempts} attempt(s) and {self.calls} inbound call(s) "
                f"older than {self.days} days; kept {self.kept_unresolved} unresolved failed or needs-review job(s).")


def retention_days() -> int:
    return int(getattr(settings, "SYNC_LOG_RETENTION_DAYS", 90))


def prunable_jobs(cutoff):
    """Jobs past the cutoff that may go (see the module docstring)."""
    later_success = SyncJob.objects.filter(kind=OuterRef("kind"), status=Status.SUCCEEDED, created__gt=OuterRef("created"))
    resolved = (
        Q(kind__in=TARGETED) & Exists(later_success.filter(target=OuterRef("target")))
        | Q(kind__in=CATALOGUE) & Exists(later_success)
        | Q(kind=Kind.SHIP_RATES)
    )
    old = SyncJob.objects.filter(created__lt=cutoff).filter(Q(finished__isnull=True) | Q(finished__lt=cutoff))
    return old.filter(Q(status__in=[Status.SUCCEEDED, Status.CANCELLED])
                      | Q(status__in=[Status.FAILED, Status.NEEDS_REVIEW]) & resolved)


def prune_sync_log(days: int | None = None, *, now=None, dry_run: bool = False) -> Pruned:
    days = retention_days() if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    out = Pruned(days=days)
    jobs = prunable_jobs(cutoff)
    out.kept_unresolved = (SyncJob.objects.filter(created__lt=cutoff, status__in=[Status.FAILED, Status.NEEDS_REVIEW])
                           .exclude(pk__in=jobs.values("pk")).count())
    calls = InboundCall.objects.filter(received__lt=cutoff)
    if dry_run:
        out.jobs = jobs.count()
        out.attempts = SyncAttempt.objects.filter(job__in=jobs.values("pk")).count()
        out.calls = calls.count()
        return out
    while ids := list(jobs.order_by("pk").values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            out.attempts += SyncAttempt.objects.filter(job__in=ids).delete()[0]
            SyncJob.objects.filter(retry_of__in=ids).update(retry_of=None)
            # Their touched-record links go with them (CASCADE): counted apart from the jobs.
            out.jobs += SyncJob.objects.filter(pk__in=ids).delete()[1].get(SyncJob._meta.label, 0)
    while ids := list(calls.order_by("pk").values_list("pk", flat=True)[:BATCH]):
        out.calls += InboundCall.objects.filter(pk__in=ids).delete()[1].get(InboundCall._meta.label, 0)
    return out
