"""Who is told when the sync needs staff, and what they were already told.

* ``AlertSettings`` (one row): recipients chosen in the admin, the digest interval.
* ``ConnectionIncident``: one row per stretch of time a peer could not be
  reached (healthchecks' "flip"): it is what the one "down" and the one
  "recovered" message are about, never the individual failed calls.
* ``AlertSent``: every item a digest has reported, so none is reported twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .connections import SingletonModel


class AlertSettings(SingletonModel):
    enabled = models.BooleanField(default=True, help_text="Untick to stop every alert email.")
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", limit_choices_to={"is_staff": True, "is_active": True},
        help_text="Staff who get the alerts, at the email address of their user.",
    )
    extra_addresses = models.TextField(
        "other addresses", blank=True, help_text="More addresses, one per line (a shared mailbox, say).",
    )
    digest_minutes = models.PositiveIntegerField(
        "digest at most every (minutes)", default=15,
        help_text="Newly failed jobs and jobs needing review are gathered into one email at most this often. "
        "A connection going down or recovering is told at once, once per incident.",
    )
    last_digest_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Attempts finished up to here have been read for connection incidents.
    scanned_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "alert emails"

    def __str__(self):
        return "Alert emails"

    def addresses(self) -> list[str]:
        found = [u.email for u in self.recipients.filter(is_active=True).exclude(email="").order_by("pk")]
        found += [line.strip() for line in self.extra_addresses.splitlines() if line.strip()]
        return list(dict.fromkeys(found))  # each once, in the order given


class ConnectionIncident(models.Model):
    # "bizuno", or "store:<pk>" for one of the stores the books side pushes to.
    peer = models.CharField(max_length=32, db_index=True)
    peer_name = models.CharField(max_length=200)
    started = models.DateTimeField()
    ended = models.DateTimeField(null=True, blank=True)
    first_error = models.TextField(blank=True)
    failed_calls = models.PositiveIntegerField(default=1)
    down_sent_at = models.DateTimeField(null=True, blank=True)
    recovered_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started"]
        verbose_name = "connection incident"

    def __str__(self):
        return f"{self.peer_name} down since {self.started:%Y-%m-%d %H:%M}"


class AlertSent(models.Model):
    # "job:<pk>:<status>:<finished>" (a job failing again after a retry is a new item) or "incident:<pk>".
    key = models.CharField(max_length=120, unique=True)
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = "alert item sent"
