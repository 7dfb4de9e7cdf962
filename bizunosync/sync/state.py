"""What a job's state means to staff: Retrying is a queued job with its next try booked.

The stored status stays the one the worker claims on (``queued``); a queued
job with ``next_attempt_at`` set is waiting for an automatic retry after a
call that never reached the peer. Staff see that as *Retrying* (amber, "next
try in 25 s, retry 1 of 3"), counted under *Needs attention*, never as a grey
"Queued" that hides a peer that is down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import SyncJob

RETRYING = "retrying"
RETRYING_LABEL = "Retrying"
DEFAULT_BACKOFF = (30, 120, 600)

COLOURS = {
    SyncJob.Status.QUEUED: "#6c757d",
    SyncJob.Status.RUNNING: "#0d6efd",
    SyncJob.Status.SUCCEEDED: "#198754",
    SyncJob.Status.FAILED: "#dc3545",
    SyncJob.Status.NEEDS_REVIEW: "#b35c00",
    SyncJob.Status.CANCELLED: "#6c757d",
    RETRYING: "#8a6100",  # amber, dark enough to read on white
}

# The states staff filter by, in the order they read them.
CHOICES = [
    (SyncJob.Status.QUEUED.value, "Queued"),
    (RETRYING, RETRYING_LABEL),
    (SyncJob.Status.RUNNING.value, "Running"),
    (SyncJob.Status.SUCCEEDED.value, "Succeeded"),
    (SyncJob.Status.FAILED.value, "Failed"),
    (SyncJob.Status.NEEDS_REVIEW.value, "Needs review"),
    (SyncJob.Status.CANCELLED.value, "Cancelled"),
]


def retrying_q() -> Q:
    return Q(status=SyncJob.Status.QUEUED, next_attempt_at__isnull=False)


def attention_q() -> Q:
    """Failed, needs review, or waiting for an automatic retry: what staff should look at."""
    return Q(status__in=[SyncJob.Status.FAILED, SyncJob.Status.NEEDS_REVIEW]) | retrying_q()


def filter_state(queryset, state: str):
    """Jobs in one of CHOICES' states (Queued excludes the retrying ones)."""
    if state == RETRYING:
        return queryset.filter(retrying_q())
    if state == SyncJob.Status.QUEUED:
        return queryset.filter(status=SyncJob.Status.QUEUED, next_attempt_at__isnull=True)
    return queryset.filter(status=state)


def is_retrying(job) -> bool:
    return job.status == SyncJob.Status.QUEUED and job.next_attempt_at is not None


def state_of(job) -> str:
    return RETRYING if is_retrying(job) else job.status


def _schedule_length() -> int:
    return len(tuple(getattr(settings, "SYNC_RETRY_BACKOFF", DEFAULT_BACKOFF)))


def _wait(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{math.ceil(seconds / 60)} min"
    return f"{math.ceil(seconds / 3600)} h"


@dataclass(frozen=True)
class Shown:
    state: str
    label: str
    colour: str
    detail: str = ""  # "next try in 25 s, retry 1 of 3"

    @property
    def text(self) -> str:
        return f"{self.label} ({self.detail})" if self.detail else self.label


def shown(job, now=None) -> Shown:
    """The label, colour and detail staff see for a job."""
    state = state_of(job)
    if state != RETRYING:
        return Shown(state, job.get_status_display(), COLOURS.get(state, "inherit"))
    now = now or timezone.now()
    left = math.ceil((job.next_attempt_at - now).total_seconds())
    when = f"next try in {_wait(left)}" if left > 0 else "next try due now"
    of = _schedule_length()
    number = f", retry {job.auto_retries} of {of}" if job.auto_retries and of else ""
    return Shown(state, RETRYING_LABEL, COLOURS[RETRYING], f"{when}{number}")
