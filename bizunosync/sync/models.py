"""The durable sync log: every outbound job with its attempts, every inbound call."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class FailureClass(models.TextChoices):
    CONNECTION = "connection", "Connection refused or DNS"
    TLS = "tls", "TLS"
    CONNECT_TIMEOUT = "connect_timeout", "Timeout before sending"
    READ_TIMEOUT = "read_timeout", "Timeout after sending"
    WAF_BLOCK = "waf_block", "Blocked by a proxy/WAF"
    HTTP_STATUS = "http_status", "Other HTTP status"
    EMPTY_BODY = "empty_body", "Empty body"
    NOT_JSON = "not_json", "Not JSON"
    WRONG_SHAPE = "wrong_shape", "JSON of the wrong shape"
    TOO_LARGE = "too_large", "Reply too large"
    APPLICATION = "application", "Application failure"
    REFUSED_LOCALLY = "refused_locally", "Refused before sending"


class SyncJob(models.Model):
    class Kind(models.TextChoices):
        ORDER_EXPORT = "order_export", "Order export (orderAdd)"
        SHIP_RATES = "ship_rates", "Shipping rates (shipGetRates)"
        QUICK_REFRESH = "quick_refresh", "Quick Refresh"
        PRODUCT_UPLOAD = "product_upload", "Product Upload"
        CART_SYNC = "cart_sync", "Cart Sync"
        SHIP_CONFIRM = "ship_confirm", "Ship Confirmation"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        NEEDS_REVIEW = "needs_review", "Needs review"
        CANCELLED = "cancelled", "Cancelled"

    class Trigger(models.TextChoices):
        STAFF = "staff", "Staff action"
        CHECKOUT = "checkout", "Checkout"
        COMMAND = "command", "Command line"
        RETRY = "retry", "Retry"

    kind = models.CharField(max_length=32, choices=Kind.choices, db_index=True)
    # What the job is about, in staff terms: "PO WC1001", "47 items", "2026-11-27".
    target = models.CharField(max_length=255, blank=True, db_index=True)
    # The base URL called (never with credentials).
    endpoint = models.CharField(max_length=500, blank=True)
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.STAFF)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    failure_class = models.CharField(max_length=32, choices=FailureClass.choices, blank=True, db_index=True)
    # Plain-language summary for staff: what happened and what to do.
    summary = models.TextField(blank=True)
    # The job's input, as plain data (never secrets), so it can be re-run.
    params = models.JSONField(default=dict, blank=True)
    # Free-form results: message block, per-batch progress, resume point.
    result = models.JSONField(default=dict, blank=True)
    # Rows listed on the job's page: Quick Refresh's changed items, old → new (at most 500). Apart
    # from result, which is saved after every batch: rewriting 50 KB of rows each time cost a
    # 100-item batch 4 ms on PostgreSQL (measured); this is saved only while it grows.
    changes = models.JSONField(default=list, blank=True)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    succeeded_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    attempt_count = models.PositiveIntegerField(default=0)
    # Automatic retries used since the last start or manual retry (safe ones only).
    auto_retries = models.PositiveIntegerField(default=0)
    # What happened to the job over time: [{"at", "event", "by", "note"}], e.g. manual retries.
    history = models.JSONField(default=list, blank=True)
    cancel_requested = models.BooleanField(default=False)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # The worker running the job writes this while it lives (each attempt, each
    # batch, and a beat in between); silence past SYNC_HEARTBEAT_TIMEOUT means it died.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The task backend's id for the run in progress (a django-tasks result id),
    # so recovery can close the backend's own row as well.
    task_result_id = models.CharField(max_length=64, blank=True)
    retry_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries")
    # Which store a books → store job pushed to (many stores on one books side); none for store → books calls.
    store = models.ForeignKey(
        "sync.StoreConnection", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )

    class Meta:
        ordering = ["-created"]
        verbose_name = "sync job"
        indexes = [
            models.Index(fields=["kind", "status"]),
            models.Index(fields=["status", "heartbeat_at"], name="sync_job_heartbeat_idx"),
            # The admin list: its default order (created, then pk as Django adds it) and each filter with that order.
            models.Index(fields=["created", "id"], name="syncjob_list_order"),
            models.Index(fields=["status", "created", "id"], name="syncjob_status_created"),
            models.Index(fields=["kind", "created", "id"], name="syncjob_kind_created"),
            models.Index(fields=["failure_class", "created", "id"], name="syncjob_failure_created"),
            models.Index(fields=["trigger", "created", "id"], name="syncjob_trigger_created"),
            models.Index(fields=["store", "created", "id"], name="syncjob_store_created"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.target}".strip()

    @property
    def progress_percent(self) -> int:
        if not self.total:
            return 100 if self.status == self.Status.SUCCEEDED else 0
        return min(100, round(100 * self.processed / self.total))

    @property
    def duration(self):
        if self.started and self.finished:
            return self.finished - self.started
        return None


class SyncAttempt(models.Model):
    """One HTTP exchange, saved before the call and completed after it."""

    job = models.ForeignKey(SyncJob, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField(default=1)
    started = models.DateTimeField(default=timezone.now)
    finished = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    method = models.CharField(max_length=8, blank=True)
    url = models.CharField(max_length=1000, blank=True)
    # Headers and body summary with secrets redacted.
    request_summary = models.JSONField(default=dict, blank=True)
    http_status = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    messages = models.JSONField(default=list, blank=True)
    failure_class = models.CharField(max_length=32, choices=FailureClass.choices, blank=True)
    error = models.TextField(blank=True)
    # Whether the request may have reached the peer's PHP: decides retry vs review.
    reached_peer = models.BooleanField(null=True)

    class Meta:
        ordering = ["job", "number"]
        verbose_name = "attempt"

    def __str__(self):
        return f"Attempt {self.number} of {self.job}"

    @property
    def ok(self) -> bool:
        return self.finished is not None and not self.failure_class


class InboundCall(models.Model):
    """A call a PHP peer made to us (store endpoints or the portal API)."""

    class Result(models.TextChoices):
        SUCCESS = "success", "Success"
        FAIL = "fail", "Fail"
        REJECTED = "rejected", "Rejected (4xx)"

    side = models.CharField(max_length=8, choices=[("store", "Store"), ("books", "Books")], db_index=True)
    endpoint = models.CharField(max_length=64, db_index=True)
    method = models.CharField(max_length=8)
    caller = models.CharField(max_length=150, blank=True, db_index=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    http_status = models.PositiveIntegerField()
    result = models.CharField(max_length=16, choices=Result.choices, db_index=True)
    item_count = models.PositiveIntegerField(default=0)
    changed_count = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=500, blank=True)
    messages = models.JSONField(default=list, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    received = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-received"]
        verbose_name = "inbound call"
        # The admin list: its default order and each filter with that order.
        indexes = [
            models.Index(fields=["received", "id"], name="inbound_list_order"),
            models.Index(fields=["side", "received", "id"], name="inbound_side_received"),
            models.Index(fields=["endpoint", "received", "id"], name="inbound_endpoint_received"),
            models.Index(fields=["result", "received", "id"], name="inbound_result_received"),
        ]

    def __str__(self):
        return f"{self.method} {self.endpoint} from {self.caller or 'unknown'}"


class TouchedRecord(models.Model):
    """One record a job or an inbound call touched, as a ref like "store.product:12" (see sync.touched).

    A row per record, not a list on the job: a 50,000-item Quick Refresh writes its links
    batch by batch instead of holding them all, and a record's sync history is an index lookup.
    """

    # The unique (job, ref) and (call, ref) indexes lead with the owner: they serve the
    # owner's lookups and CASCADE deletes, so the foreign keys need no index of their own.
    # No database constraint either: links are written a thousand at a time, and PostgreSQL
    # checked each one's owner at commit (17 ms for one 1,000-item Quick Refresh call, more
    # than inserting them; measured). Owners are only ever deleted through the ORM (the
    # admin, sync.prune), whose CASCADE deletes their links first, and links are only
    # written for an owner just saved (touched.link).
    job = models.ForeignKey(SyncJob, null=True, blank=True, on_delete=models.CASCADE, related_name="touched_records",
                            db_index=False, db_constraint=False)
    call = models.ForeignKey(InboundCall, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="touched_records", db_index=False, db_constraint=False)
    # Lower-case, as ref_of() writes it: lookups lower-case what staff typed.
    ref = models.CharField(max_length=120)

    class Meta:
        verbose_name = "touched record"
        # Looked up by equality only: db_index would add PostgreSQL's LIKE-pattern index as well.
        indexes = [models.Index(fields=["ref"], name="touchedrecord_ref")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(job__isnull=False, call__isnull=True)
                           | models.Q(job__isnull=True, call__isnull=False)),
                name="touched_by_a_job_or_a_call",
            ),
            # Partial: a row belongs to a job or a call, so each index holds only its owner's rows.
            # Whole, every call's links also went into the job index under a NULL job (and the
            # reverse): an inbound Quick Refresh linking 1,000 products paid for both (measured).
            models.UniqueConstraint(fields=["job", "ref"], condition=models.Q(job__isnull=False),
                                    name="touched_once_per_job"),
            models.UniqueConstraint(fields=["call", "ref"], condition=models.Q(call__isnull=False),
                                    name="touched_once_per_call"),
        ]

    def __str__(self):
        return self.ref


from .connections import BizunoConnection, StoreConnection  # noqa: E402,F401  (models live there)
from .alert_models import AlertSent, AlertSettings, ConnectionIncident  # noqa: E402,F401
