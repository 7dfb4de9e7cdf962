"""Sync health for the admin index: jobs needing attention, the oldest unexported order."""

from django import template
from django.apps import apps
from django.core.exceptions import FieldError
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from ..models import SyncJob

register = template.Library()


@register.simple_tag
def sync_health():
    counts = dict.fromkeys([SyncJob.Status.FAILED, SyncJob.Status.NEEDS_REVIEW], 0)
    for status in counts:
        counts[status] = SyncJob.objects.filter(status=status).count()
    health = {
        "failed": counts[SyncJob.Status.FAILED],
        "needs_review": counts[SyncJob.Status.NEEDS_REVIEW],
        "problems": sum(counts.values()),
        "problems_url": reverse("admin:sync_syncjob_changelist") + "?attention=1",
        # Nothing reached the peer yet; they try again by themselves, but staff
        # should see a peer that has been down for minutes.
        "retrying": SyncJob.objects.filter(status=SyncJob.Status.QUEUED, next_attempt_at__isnull=False).count(),
        "retrying_url": reverse("admin:sync_syncjob_changelist") + "?status__exact=queued",
        "oldest_unexported": None,
        "unexported": None,
    }
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
