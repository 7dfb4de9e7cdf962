"""Shoppers' rate lookups: a light log of their own, and the one condition staff see.

A checkout asks Bizuno for rates at every address entry. Those calls are not
staff jobs (nothing to retry: the shopper has moved on), so they stay out of
the sync job list and its alarms. Each is one ``RateQuote`` row (where to,
how long Bizuno took, the rates or the failure class, whether the fallback was
used), pruned after ``RATE_QUOTE_RETENTION_DAYS``; when Bizuno fails them,
staff see one line: "Rates: Bizuno unreachable for 12 of the last 15 quotes
(since 14:02); checkout is using the fallback".
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from bizunosync.sync.models import FailureClass

WINDOW = 15  # quotes the condition looks back over
_NO_ANSWER = {FailureClass.CONNECTION, FailureClass.TLS, FailureClass.CONNECT_TIMEOUT, FailureClass.READ_TIMEOUT}


class RateQuote(models.Model):
    class Trigger(models.TextChoices):
        CHECKOUT = "checkout", "Checkout"
        STAFF = "staff", "Staff (Quote shipping rates)"

    created = models.DateTimeField(default=timezone.now, db_index=True)
    destination = models.CharField(max_length=255)
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.CHECKOUT)
    duration_ms = models.PositiveIntegerField("answer time (ms)", null=True, blank=True)
    http_status = models.PositiveIntegerField("HTTP status", null=True, blank=True)
    # [[id, title, quote], …] as Bizuno answered.
    rates = models.JSONField(default=list, blank=True)
    failure_class = models.CharField(max_length=32, choices=FailureClass.choices, blank=True, db_index=True)
    problem = models.CharField(max_length=500, blank=True)
    fallback_used = models.BooleanField(default=False, db_index=True)
    via = models.CharField(max_length=16, default="http", help_text="http, or in-process (this site's own books)")

    class Meta:
        app_label = "store"
        ordering = ["-created", "-pk"]
        verbose_name = "rate quote"
        indexes = [models.Index(fields=["created", "id"], name="ratequote_list_order")]

    def __str__(self):
        return f"Rates for {self.destination}"

    @property
    def rates_text(self) -> str:
        return ", ".join(f"{title} {quote}" for _id, title, quote in self.rates) or "no rates"


def condition(now=None) -> str:
    """The one line staff see while Bizuno fails checkout quotes; "" while the latest quote worked."""
    recent = list(RateQuote.objects.order_by("-created", "-pk")
                  .values("created", "fallback_used", "failure_class")[:WINDOW])
    if not recent or not recent[0]["fallback_used"]:
        return ""
    failed = [q for q in recent if q["fallback_used"]]
    since = timezone.localtime(min(q["created"] for q in failed))
    unreachable = sum(q["failure_class"] in _NO_ANSWER for q in failed) * 2 >= len(failed)
    what = "unreachable" if unreachable else "answering unusable rates"
    from bizunosync.sync.connections import BizunoConnection

    fallback = ("checkout is using the fallback"
                if BizunoConnection.load().rates_fallback == BizunoConnection.Fallback.FLAT
                else "checkout offers no shipping rates (no fallback rate is set)")
    return f"Rates: Bizuno {what} for {len(failed)} of the last {len(recent)} quotes (since {since:%H:%M}); {fallback}"


def prune_rate_quotes(now=None, days=None) -> int:
    """Delete quotes older than RATE_QUOTE_RETENTION_DAYS (default 14); returns how many."""
    now = now or timezone.now()
    days = days if days is not None else getattr(settings, "RATE_QUOTE_RETENTION_DAYS", 14)
    deleted, _ = RateQuote.objects.filter(created__lt=now - timedelta(days=days)).delete()
    return deleted
