"""Sync health for the admin index: jobs needing attention, the oldest unexported order."""

from django import template
from django.apps import apps
from django.core.exceptions import FieldError
from django.db import DatabaseError
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from .. import state
from ..models import SyncJob

register = template.Library()


@register.simple_tag
def sync_health():
    jobs_url = reverse("admin:sync_syncjob_changelist")
    counts = {
        row["status"]: row["n"]
        for row in SyncJob.objects.filter(state.attention_q()).values("status").annotate(n=Count("pk")).order_by()
    }
    health = {
        "failed": counts.get(SyncJob.Status.FAILED, 0),
        "needs_review": counts.get(SyncJob.Status.NEEDS_REVIEW, 0),
        # Queued within attention_q means waiting for an automatic retry: nothing reached the peer yet,
        # and it tries again by itself, but staff should see a peer that has been down for minutes.
        "retrying": counts.get(SyncJob.Status.QUEUED, 0),
        "problems_url": jobs_url + "?attention=1",
        "failed_url": jobs_url + "?status__exact=failed",
        "needs_review_url": jobs_url + "?status__exact=needs_review",
        "retrying_url": jobs_url + f"?status__exact={state.RETRYING}",
        "oldest_unexported": None,
        "unexported": None,
    }
    health["problems"] = health["failed"] + health["needs_review"] + health["retrying"]
    # sync must not import the store app: look the model up, and cope with its absence.
    try:
        Order = apps.get_model("store", "Order")
        pending = Order.objects.filter(exported=False)
        health["unexported"] = pending.count()
        oldest = pending.order_by("created").values_list("created", flat=True).first()
    except (LookupError, FieldError, DatabaseError):
        return health
    if oldest:
        health["oldest_unexported"] = oldest
        health["oldest_age"] = timezone.now() - oldest
        try:
            health["unexported_url"] = reverse("admin:store_order_changelist") + "?exported__exact=0"
        except Exception:  # the store admin may not be registered
            pass
    return health


@register.filter
def job_state(job) -> str:
    """"Retrying (next try in 25 s, retry 1 of 3)", "Failed", …: a job's state as staff read it."""
    return state.shown(job).text


@register.filter
def job_badge(job):
    """The coloured status the sync log shows, for other pages that list jobs."""
    from ..admin import status_html

    return status_html(job)
