"""Each order's place in the trip to Bizuno, as the order list shows and filters it.

One look per list page: the latest export job for each order is read by
correlated subqueries on the sync log's (kind, target) — its target is
"PO <prefix><number>" — so the list needs no query per row.

States, from what staff must act on to what is fine:

* *Booked (ID 2)*: Bizuno answered with an ID (the order's exported flag);
* *Retrying*: the last export never reached Bizuno and waits for its next try;
* *Needs review*: it may have reached Bizuno without an answer;
* *Failed*: Bizuno refused it, or automatic retries gave up;
* *Sending*: queued or running now;
* *Not yet exported*: nothing sent (neutral, not a red cross: Autodownload may be off on purpose).
"""

from __future__ import annotations

from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Concat

from bizunosync.sync import state as job_state
from bizunosync.sync.connections import BizunoConnection
from bizunosync.sync.models import SyncJob

BOOKED, RETRYING, NEEDS_REVIEW, FAILED, SENDING, NOT_EXPORTED = (
    "booked", "retrying", "needs_review", "failed", "sending", "not_exported",
)
CHOICES = [
    (BOOKED, "Booked"),
    (RETRYING, "Retrying"),
    (NEEDS_REVIEW, "Needs review"),
    (FAILED, "Failed"),
    (SENDING, "Sending"),
    (NOT_EXPORTED, "Not yet exported"),
]
LABELS = dict(CHOICES)
COLOURS = {
    BOOKED: job_state.COLOURS[SyncJob.Status.SUCCEEDED],
    RETRYING: job_state.COLOURS[job_state.RETRYING],
    NEEDS_REVIEW: job_state.COLOURS[SyncJob.Status.NEEDS_REVIEW],
    FAILED: job_state.COLOURS[SyncJob.Status.FAILED],
    SENDING: job_state.COLOURS[SyncJob.Status.RUNNING],
    NOT_EXPORTED: "var(--body-quiet-color, #666)",
}


def annotate(queryset):
    """Add the latest export job's id, status, next try and retry number to each order."""
    prefix = BizunoConnection.load().order_prefix or ""
    latest = SyncJob.objects.filter(
        kind=SyncJob.Kind.ORDER_EXPORT, target=Concat(Value(f"PO {prefix}"), OuterRef("number"))
    ).order_by("-created", "-pk")
    return queryset.annotate(
        export_job_id=Subquery(latest.values("pk")[:1]),
        export_status=Subquery(latest.values("status")[:1]),
        export_next_attempt_at=Subquery(latest.values("next_attempt_at")[:1]),
        export_auto_retries=Subquery(latest.values("auto_retries")[:1]),
    )


def _not_exported(q: Q) -> Q:
    return Q(exported=False) & q


def filter_state(queryset, value: str):
    """Orders in one state; the queryset must come from ``annotate``."""
    queued = Q(export_status=SyncJob.Status.QUEUED)
    conditions = {
        BOOKED: Q(exported=True),
        RETRYING: _not_exported(queued & Q(export_next_attempt_at__isnull=False)),
        NEEDS_REVIEW: _not_exported(Q(export_status=SyncJob.Status.NEEDS_REVIEW)),
        FAILED: _not_exported(Q(export_status=SyncJob.Status.FAILED)),
        SENDING: _not_exported((queued & Q(export_next_attempt_at__isnull=True))
                               | Q(export_status=SyncJob.Status.RUNNING)),
        NOT_EXPORTED: _not_exported(Q(export_status__isnull=True)
                                    | Q(export_status__in=[SyncJob.Status.SUCCEEDED, SyncJob.Status.CANCELLED])),
    }
    return queryset.filter(conditions[value]) if value in conditions else queryset


def state_of(order) -> str:
    if order.exported:
        return BOOKED
    status = getattr(order, "export_status", None)
    if status == SyncJob.Status.QUEUED:
        return RETRYING if order.export_next_attempt_at else SENDING
    return {
        SyncJob.Status.RUNNING: SENDING,
        SyncJob.Status.NEEDS_REVIEW: NEEDS_REVIEW,
        SyncJob.Status.FAILED: FAILED,
    }.get(status, NOT_EXPORTED)


def describe(order, now=None) -> tuple[str, str, str]:
    """(state, label, detail) for one annotated order: ("booked", "Booked (ID 2)", "")."""
    current = state_of(order)
    if current == BOOKED:
        return current, f"Booked (ID {order.bizuno_id})" if order.bizuno_id else "Booked", ""
    detail = ""
    if current == RETRYING:
        job = SyncJob(status=SyncJob.Status.QUEUED, next_attempt_at=order.export_next_attempt_at,
                      auto_retries=order.export_auto_retries or 0)
        detail = job_state.shown(job, now).detail
    return current, LABELS[current], detail


