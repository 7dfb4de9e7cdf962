"""Admin: the connection settings and the sync log staff read when something went wrong."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Exists, Q
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from rangefilter.filters import DateRangeFilterBuilder

from bizunosync.wire.secrets import SecretError, mask

from . import connection_check, heartbeat, jobs, permissions, request_body, state
from . import admin_alerts, admin_attempts  # noqa: F401  (register Alert emails, incidents, attempts)
from .admin_connections import ConnectionTestMixin
from .csv_export import CsvExportMixin
from .admin_scale import IndexedValuesFilter, ScaledListMixin
from .permissions import may_send
from .connections import BizunoConnection, StoreConnection
from .history import TouchedFilter, touched_links
from .models import InboundCall, SyncAttempt, SyncJob
from .admin_readonly import ReadOnlyLogAdmin

# ------------------------------------------------------------ connections


def _https_by_default(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class _SecretForm(forms.ModelForm):
    """A password-style input for the secret: blank keeps the stored value."""

    secret_field = ""  # model field holding the encrypted value
    secret_label = ""

    new_secret = forms.CharField(
        required=False, strip=False, widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["new_secret"]
        field.label = self.secret_label
        stored = getattr(self.instance, self.secret_field, "")
        if stored:
            try:
                shown = mask(getattr(self.instance, self.secret_field + "_plain"))
            except SecretError:
                shown = "stored, but it cannot be decrypted with the current key: enter it again"
            field.help_text = f"Currently {shown}. Leave blank to keep it; type a new value to replace it."
        else:
            field.help_text = "Not set yet. Stored encrypted."

    def clean_new_secret(self):
        value = self.cleaned_data["new_secret"]
        if value and not all(0x20 <= ord(ch) <= 0x7E for ch in value):
            # It goes into an HTTP header: a WAF answers 400 to anything else.
            raise forms.ValidationError("Use printable ASCII characters only (it is sent in an HTTP header).")
        return value

    def save(self, commit=True):
        value = self.cleaned_data.get("new_secret")
        if value:
            getattr(self.instance, "set_" + self.secret_field)(value)
        return super().save(commit)


class BizunoConnectionForm(_SecretForm):
    secret_field = "token"
    secret_label = "API token"

    class Meta:
        model = BizunoConnection
        exclude = ["token"]
        formfield_callback = _https_by_default


class StoreConnectionForm(_SecretForm):
    secret_field = "password"
    secret_label = "WordPress password"

    new_portal_token = forms.CharField(
        label="Portal token", required=False, strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    clear_portal_token = forms.BooleanField(
        label="Remove the portal token", required=False,
        help_text="This store's plugin then has to use the portal's shared token.",
    )

    class Meta:
        model = StoreConnection
        exclude = ["password", "portal_token"]
        formfield_callback = _https_by_default

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["new_portal_token"]
        if self.instance.portal_token:
            try:
                shown = mask(self.instance.portal_token_plain)
            except SecretError:
                shown = "stored, but it cannot be decrypted with the current key: enter it again"
            field.help_text = f"Currently {shown}. Leave blank to keep it."
        else:
            field.help_text = ("The X-Bizuno-Token this store's plugin sends to our portal, so its orders are booked "
                               "as this store's. Stored encrypted. Blank: it uses the portal's shared token.")

    def clean_new_portal_token(self):
        value = self.cleaned_data["new_portal_token"]
        if value and not all(0x20 <= ord(ch) <= 0x7E for ch in value):
            raise forms.ValidationError("Use printable ASCII characters only (it is sent in an HTTP header).")
        if value:
            from bizunosync.books.stores import store_for_token

            other = store_for_token(value)
            if other is not None and other.pk != self.instance.pk:
                raise forms.ValidationError(f"Store “{other}” already has this token; each store needs its own.")
        return value

    def save(self, commit=True):
        if self.cleaned_data.get("clear_portal_token"):
            self.instance.portal_token = ""
        elif self.cleaned_data.get("new_portal_token"):
            self.instance.set_portal_token(self.cleaned_data["new_portal_token"])
        return super().save(commit)


def lock_inline(inline):
    """Make one inline instance read-only for this request (instances are made per request)."""
    inline.max_num = 0
    inline.has_add_permission = lambda request, obj=None: False
    inline.has_change_permission = lambda request, obj=None: False
    inline.has_delete_permission = lambda request, obj=None: False
    return inline


class SingletonAdmin(admin.ModelAdmin):
    """A settings page: no add, no delete; the list opens the one row's form."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        obj = self.model.load()
        opts = self.model._meta
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))


@admin.register(BizunoConnection)
class BizunoConnectionAdmin(ConnectionTestMixin, SingletonAdmin):
    form = BizunoConnectionForm
    test_permission = permissions.SEND_TO_BIZUNO
    run_check = staticmethod(connection_check.check_bizuno)
    fieldsets = [
        (None, {"fields": ["url", "new_secret", "order_prefix", "customer_prefix", "autodownload"]}),
        ("Exports that may have reached Bizuno", {"fields": ["refuses_duplicates"]}),
        ("Timeouts", {"fields": ["connect_timeout", "read_timeout"]}),
        (
            "Shipping rates at checkout",
            {"fields": ["rates_timeout", "rates_cache_seconds", "rates_fallback", "rates_fallback_title",
                        "rates_fallback_amount"]},
        ),
    ]


@admin.register(StoreConnection)
class StoreConnectionAdmin(ConnectionTestMixin, admin.ModelAdmin):
    """The stores this books side pushes to: a list (many stores on one Bizuno)."""

    form = StoreConnectionForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "url", "email", "order_prefix", "method_override", "include_inactive", "active",
                    "job_history"]
    list_filter = ["active"]
    test_permission = permissions.RUN_STORE_PUSHES
    run_check = staticmethod(connection_check.check_store)
    fieldsets = [
        (None, {"fields": ["name", "active", "url", "email", "new_secret", "include_inactive", "method_override"]}),
        ("Orders from this store", {"fields": ["order_prefix", "new_portal_token", "clear_portal_token"]}),
        ("The store's PHP", {"fields": ["max_input_vars"]}),
        ("Timeouts", {"fields": ["connect_timeout", "read_timeout"]}),
    ]

    @admin.display(description="Sync history")
    def job_history(self, obj):
        url = reverse("admin:sync_syncjob_changelist") + f"?store__id__exact={obj.pk}"
        return format_html('<a href="{}">Jobs for this store</a>', url)

    def has_delete_permission(self, request, obj=None):
        # Booked orders and sync jobs point at their store: deactivate it instead.
        return False


# --------------------------------------------------------------- sync log


def _pre(value) -> str:
    if value in (None, "", [], {}):
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)
    return format_html('<pre style="white-space:pre-wrap;overflow-wrap:anywhere;max-height:24em;overflow:auto;margin:0">{}</pre>', text)


def decoded_body_html(summary) -> str:
    data, cut = request_body.decoded(summary)
    if data is None:
        return "—" if not (summary or {}).get("body_excerpt") else _pre(summary["body_excerpt"])
    note = ""
    if cut:
        note = (f"Only the first {len(summary['body_excerpt']):,} characters of {summary.get('body_bytes', 0):,} bytes "
                "are kept; the fields after them are not shown.")
    text = request_body.as_text(data) or "(no fields)"
    return format_html('{}{}', _pre(text), format_html('<p class="help">{}</p>', note) if note else "")


class SyncAttemptInline(admin.StackedInline):
    model = SyncAttempt
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False
    fields = [
        ("number", "started", "took"),
        ("method", "address"),
        ("status_code", "failure_class", "reached"),
        "error",
        "message_list",
        "body",
        "request",
        "response",
    ]
    readonly_fields = [
        "number", "started", "took", "method", "address", "status_code", "failure_class", "reached", "error",
        "message_list", "body", "request", "response",
    ]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    # Django would label the raw fields "Duration ms", "Url" and "Http status".
    @admin.display(description="Took")
    def took(self, obj):
        return "—" if obj.duration_ms is None else f"{obj.duration_ms} ms"

    @admin.display(description="URL")
    def address(self, obj):
        if (obj.request_summary or {}).get("transport") == "in-process":
            # Answered by this site itself (same-site topology): no socket was opened.
            return f"in-process: {obj.url}"
        return obj.url or "—"

    @admin.display(description="HTTP status")
    def status_code(self, obj):
        return obj.http_status or "—"

    @admin.display(description="Reached the peer")
    def reached(self, obj):
        return {True: "Yes", False: "No (safe to resend)", None: "Unknown"}[obj.reached_peer]

    @admin.display(description="Messages")
    def message_list(self, obj):
        if not obj.messages:
            return "—"
        return format_html(
            "<ul style='margin:0;padding-left:1.2em'>{}</ul>",
            format_html_join("", "<li><strong>{}</strong>: {}</li>", ((m["level"], m["text"]) for m in obj.messages)),
        )

    @admin.display(description="Request body, as PHP reads it (secrets redacted)")
    def body(self, obj):
        return decoded_body_html(obj.request_summary)

    @admin.display(description="Request (secrets redacted)")
    def request(self, obj):
        # The body is shown decoded above; the URL-encoded excerpt would say it again, unreadably.
        return _pre({k: v for k, v in (obj.request_summary or {}).items() if k != "body_excerpt"})

    @admin.display(description="Response excerpt")
    def response(self, obj):
        return _pre(obj.response_excerpt)


class ProblemFilter(admin.SimpleListFilter):
    """'Needs attention' = failed, needs review or retrying: the admin index links here."""

    title = "attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("1", "Needs attention (failed, needs review or retrying)")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(state.attention_q())
        return queryset


class StateFilter(admin.SimpleListFilter):
    """Status as staff read it: Retrying apart from Queued. Keeps the field filter's parameter,
    so links such as ?status__exact=failed still work."""

    title = "status"
    parameter_name = "status__exact"

    def lookups(self, request, model_admin):
        return state.CHOICES

    def queryset(self, request, queryset):
        if self.value():
            return state.filter_state(queryset, self.value())
        return queryset


@admin.register(SyncJob)
class SyncJobAdmin(CsvExportMixin, ScaledListMixin, admin.ModelAdmin):
    list_display = [
        # The summary says what happened in words: next to the status, not off the right edge.
        "created", "kind", "target", "coloured_status", "short_summary", "failure_class", "attempt_count",
        "triggered", "took",
    ]
    list_display_links = ["created", "target"]
    list_filter = [ProblemFilter, StateFilter, "kind", "failure_class", "trigger", "store",
                   ("created", DateRangeFilterBuilder(title="created between")), TouchedFilter]
    csv_name = "sync-jobs"
    # Only columns the list reads (params, result… are deferred): no query per row.
    csv_columns = [
        ("id", "pk"), ("created", "created"), ("kind", lambda j: j.get_kind_display()), ("target", "target"),
        ("status", lambda j: state.shown(j).text), ("failure class", lambda j: j.get_failure_class_display()),
        ("summary", "summary"), ("attempts", "attempt_count"), ("trigger", lambda j: j.get_trigger_display()),
        ("by", lambda j: j.triggered_by.get_username() if j.triggered_by else ""), ("started", "started"),
        ("finished", "finished"),
    ]
    # The job's own columns only: searching every attempt's error joined 1,000,000 rows with
    # LIKE '%…%' and needed DISTINCT (1.6 s). Errors are found by the failure class filter.
    search_fields = ["target", "summary"]
    search_help_text = ("Search by order number or PO (exact, instant), or by words of the job's target and "
                        "summary (a SKU prefix, an error word; the newest 1,000 matches).")
    date_hierarchy = "created"
    list_select_related = ["triggered_by"]
    list_per_page = 50
    list_defer = ("params", "result", "history")
    inlines = [SyncAttemptInline]
    actions = ["retry_selected"]
    fieldsets = [
        (None, {"fields": [("kind", "target"), "store", ("status_badge", "failure_class"), "summary_text"]}),
        ("Progress", {"fields": [("processed", "total", "succeeded_count", "failed_count")]}),
        (
            "When and who",
            {"fields": [("trigger", "triggered_by"), ("created", "started", "finished", "took"),
                        ("attempt_count", "auto_retries", "next_attempt_at"), "history_list"]},
        ),
        ("Records touched", {"fields": ["touched_pre"]}),
        ("Details", {"classes": ["collapse"], "fields": ["endpoint", "params_pre", "result_pre"]}),
    ]
    readonly_fields = [
        "kind", "target", "status_badge", "failure_class", "summary_text", "processed", "total", "succeeded_count",
        "failed_count", "trigger", "triggered_by", "created", "started", "finished", "took", "attempt_count",
        "auto_retries", "next_attempt_at", "history_list", "endpoint", "params_pre", "result_pre", "touched_pre",
        "store",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the log is evidence

    def exact_search(self, term):
        """An export's target is "PO <prefix><number>": staff type the number, the PO or the whole target."""
        prefix = BizunoConnection.load().order_prefix or ""
        forms = {term, term.upper()}
        return Q(target__in={t for f in forms for t in (f, f"PO {f}", f"PO {prefix}{f}")})

    # ----- columns

    @admin.display(description="Status", ordering="status")
    def coloured_status(self, obj):
        return status_html(obj)

    status_badge = coloured_status

    @admin.display(description="Trigger / by", ordering="trigger")
    def triggered(self, obj):
        who = obj.triggered_by.get_username() if obj.triggered_by else ""
        return f"{obj.get_trigger_display()} ({who})" if who else obj.get_trigger_display()

    @admin.display(description="Duration")
    def took(self, obj):
        if not obj.duration:
            return "—"
        seconds = obj.duration.total_seconds()
        return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"

    @admin.display(description="Summary")
    def short_summary(self, obj):
        return obj.summary if len(obj.summary) <= 120 else obj.summary[:117] + "…"

    @admin.display(description="Summary")
    def summary_text(self, obj):
        return obj.summary or "—"

    @admin.display(description="History")
    def history_list(self, obj):
        if not obj.history:
            return "—"
        return format_html(
            "<ul style='margin:0;padding-left:1.2em'>{}</ul>",
            format_html_join(
                "", "<li>{} — {} by {} ({})</li>",
                ((e.get("at", "")[:19].replace("T", " "), e.get("event", ""), e.get("by") or "system",
                  e.get("note", "")) for e in obj.history),
            ),
        )

    @admin.display(description="Parameters")
    def params_pre(self, obj):
        return _pre(obj.params)

    @admin.display(description="Result")
    def result_pre(self, obj):
        return _pre(obj.result)

    @admin.display(description="Records touched")
    def touched_pre(self, obj):
        return touched_links(obj)

    # ----- views

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/progress/", view(self.progress_view), name="sync_syncjob_progress"),
            path("<int:object_id>/retry/", view(self.retry_view), name="sync_syncjob_retry"),
            path("<int:object_id>/retry-now/", view(self.retry_now_view), name="sync_syncjob_retry_now"),
            path("retry-failed/", view(self.retry_failed_view), name="sync_syncjob_retry_failed"),
            path("<int:object_id>/cancel/", view(self.cancel_view), name="sync_syncjob_cancel"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = SyncJob.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        extra_context = {
            "title": "Sync job",
            **(job_actions(request.user, job) if job else {}),
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete_link": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The Retry button shows only to staff who may send that kind of job again.
        context["can_retry"] = obj is not None and request.user.has_perm(permissions.for_kind(obj.kind))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def has_retry_permission(self, request):
        """The Retry action is offered to staff who may send at least one kind of job; each job is checked."""
        return any(request.user.has_perm(p) for p in permissions.LABELS)

    def progress_view(self, request, object_id):
        if not self.has_view_permission(request):
            return JsonResponse({"error": "forbidden"}, status=403)
        job = get_object_or_404(SyncJob, pk=object_id)
        return JsonResponse(progress_payload(job))

    def retry_view(self, request, object_id):
        job = get_object_or_404(SyncJob, pk=object_id)
        return self._retry(request, SyncJob.objects.filter(pk=job.pk), single=job)

    def cancel_view(self, request, object_id):
        job = get_object_or_404(SyncJob, pk=object_id)
        if request.method == "POST" and (self.has_change_permission(request, job) or may_send(request.user, job.kind)):
            was_running = job.status == SyncJob.Status.RUNNING
            if jobs.request_cancel(job, request.user):
                if was_running:
                    self.message_user(request, f"Asked {job} to stop; it stops after the current item.", messages.INFO)
                else:
                    self.message_user(request, f"Cancelled {job}; it will not be sent.", messages.INFO)
            else:
                self.message_user(request, f"{job} is not queued, retrying or running: nothing to cancel.",
                                  messages.WARNING)
        return HttpResponseRedirect(reverse("admin:sync_syncjob_change", args=[job.pk]))

    def retry_now_view(self, request, object_id):
        """Run a retrying or failed job at once (POST): a new logged attempt, its outcome on the next page."""
        job = get_object_or_404(SyncJob, pk=object_id)
        change_url = reverse("admin:sync_syncjob_change", args=[job.pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        permissions.require(request.user, permissions.for_kind(job.kind))
        try:
            job = jobs.retry_job(job, request.user, at_once=True)
        except jobs.NotRetryable as exc:
            self.message_user(request, str(exc), messages.WARNING)
            return HttpResponseRedirect(change_url)
        level = {
            SyncJob.Status.SUCCEEDED: messages.SUCCESS, SyncJob.Status.FAILED: messages.ERROR,
            SyncJob.Status.NEEDS_REVIEW: messages.WARNING,
        }.get(job.status, messages.WARNING)
        self.message_user(request, f"Retried {job}: {state.shown(job).text}. {job.summary}".strip(), level)
        return HttpResponseRedirect(change_url)

    def retry_failed_view(self, request):
        """Retry every failed job of one kind, after a page listing what will be sent."""
        kind = request.GET.get("kind") or request.POST.get("kind") or ""
        if kind not in SyncJob.Kind.values or kind == SyncJob.Kind.SHIP_RATES:
            self.message_user(request, "Choose a kind of job to retry (rate quotes are never retried).",
                              messages.WARNING)
            return HttpResponseRedirect(reverse("admin:sync_syncjob_changelist"))
        permissions.require(request.user, permissions.for_kind(kind))
        failed = SyncJob.objects.filter(kind=kind, status=SyncJob.Status.FAILED).order_by("created", "pk")
        back = reverse("admin:sync_syncjob_changelist") + f"?kind__exact={kind}&status__exact=failed"
        if request.method == "POST" and request.POST.get("confirm") == "yes":
            chosen = {int(pk) for pk in request.POST.getlist("job") if pk.isdigit()}
            done, skipped = [], []
            for job in failed.filter(pk__in=chosen):
                try:
                    done.append(jobs.retry_job(job, request.user, note="retry all failed"))
                except jobs.NotRetryable as exc:
                    skipped.append(str(exc))
            if done:
                self.message_user(request, f"Queued {len(done)} failed job{pluralize(len(done))} again; the worker "
                                  "sends them now.", messages.SUCCESS)
            for text in skipped[:10]:
                self.message_user(request, text, messages.WARNING)
            return HttpResponseRedirect(back)
        listed = list(failed[:RETRY_ALL_LIMIT + 1])
        context = {
            **self.admin_site.each_context(request),
            "title": f"Retry all failed: {SyncJob.Kind(kind).label}?",
            "opts": self.model._meta,
            "kind": kind,
            "jobs": listed[:RETRY_ALL_LIMIT],
            "more": len(listed) > RETRY_ALL_LIMIT,
            "limit": RETRY_ALL_LIMIT,
            "back": back,
        }
        return TemplateResponse(request, "admin/sync/syncjob/retry_failed_confirmation.html", context)

    def changelist_view(self, request, extra_context=None):
        # One EXISTS per kind (an index probe each) in one query: DISTINCT kind over the failed jobs
        # read every one of them on each page load (30,000 rows in a 300,000-job log).
        probes = {k.value: Exists(SyncJob.objects.filter(status=SyncJob.Status.FAILED, kind=k))
                  for k in SyncJob.Kind if k != SyncJob.Kind.SHIP_RATES}
        found = SyncJob.objects.order_by().annotate(**probes).values(*probes)[:1]
        kinds = [k for row in found for k, failed in row.items() if failed]
        retry_failed = [(k, SyncJob.Kind(k).label) for k in sorted(set(kinds)) if may_send(request.user, k)]
        extra_context = {"retry_failed_kinds": retry_failed, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @admin.action(description="Retry selected jobs", permissions=["retry"])
    def retry_selected(self, request, queryset):
        return self._retry(request, queryset)

    def _retry(self, request, queryset, single=None):
        if not self.has_view_permission(request, single):
            return HttpResponseRedirect(reverse("admin:sync_syncjob_changelist"))
        retryable = [SyncJob.Status.FAILED, SyncJob.Status.NEEDS_REVIEW]
        selected = list(queryset.select_related("triggered_by"))
        # A retry sends again: each kind needs its own permission (403 page naming it otherwise).
        for perm in sorted({permissions.for_kind(job.kind) for job in selected}):
            permissions.require(request.user, perm)
        if request.method == "POST" and request.POST.get("confirm") == "yes":
            done, skipped = [], []
            for job in selected:
                try:
                    done.append(jobs.retry_job(job, request.user))
                except jobs.NotRetryable:
                    skipped.append(job)
            if done:
                self.message_user(
                    request,
                    f"Queued {len(done)} job{pluralize(len(done))} again: " + ", ".join(str(j) for j in done[:10]),
                    messages.SUCCESS,
                )
            if skipped:
                self.message_user(
                    request,
                    f"Skipped {len(skipped)} job{pluralize(len(skipped))} that {pluralize(len(skipped), 'is,are')} "
                    "not failed or waiting for review: "
                    + ", ".join(str(j) for j in skipped[:10]),
                    messages.WARNING,
                )
            if single is not None:
                return HttpResponseRedirect(reverse("admin:sync_syncjob_change", args=[single.pk]))
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Retry sync jobs?",
            "opts": self.model._meta,
            "jobs": [j for j in selected if j.status in retryable],
            "not_retryable": [j for j in selected if j.status not in retryable],
            "review": [j for j in selected if j.status == SyncJob.Status.NEEDS_REVIEW],
            # Only a resend that may book a second time gets the red button.
            "may_book_twice": [j for j in selected if may_book_twice(j)],
            "single": single,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/sync/syncjob/retry_confirmation.html", context)


RETRY_ALL_LIMIT = 200


def may_book_twice(job: SyncJob) -> bool:
    """A resend that may book again: an order export that may already have reached Bizuno."""
    return job.kind in jobs.DUPLICATING_KINDS and job.status == SyncJob.Status.NEEDS_REVIEW


def status_html(job: SyncJob) -> str:
    shown = state.shown(job)
    if shown.detail:
        return format_html('<strong style="color:{}">{}</strong><br><small style="color:{}">{}</small>',
                           shown.colour, shown.label, shown.colour, shown.detail)
    return format_html('<strong style="color:{}">{}</strong>', shown.colour, shown.label)


def job_actions(user, job: SyncJob) -> dict:
    """Which buttons the job page shows: Retry now (safe), Retry… (asks first), Cancel."""
    sendable = job.kind != SyncJob.Kind.SHIP_RATES and may_send(user, job.kind)
    retrying = state.is_retrying(job)
    return {
        "can_retry_now": sendable and (retrying or job.status == SyncJob.Status.FAILED),
        "can_retry_review": sendable and job.status == SyncJob.Status.NEEDS_REVIEW,
        "retry_may_book_twice": may_book_twice(job),
        "can_cancel": job.status in (SyncJob.Status.QUEUED, SyncJob.Status.RUNNING),
        "job_state": state.shown(job),
    }


def progress_payload(job: SyncJob) -> dict:
    """What the live progress bar polls: admin/sync/syncjob/<id>/progress/."""
    active = job.status in (SyncJob.Status.QUEUED, SyncJob.Status.RUNNING)
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": state.shown(job).text,
        "state": state.state_of(job),
        "processed": job.processed,
        "succeeded_count": job.succeeded_count,
        "failed_count": job.failed_count,
        "total": job.total,
        "percent": job.progress_percent,
        "summary": job.summary,
        "failure_class": job.failure_class,
        "attempts": job.attempt_count,
        "done": not active,
        "cancel_requested": job.cancel_requested,
        # Where it stands in words ("… is running, 100 of 250 items sent; …"), for the line under the bar
        # that said "queued" when the page loaded.
        "pulse": heartbeat.describe(job) if active else "",
    }


# ----------------------------------------------------------- inbound calls


@admin.register(InboundCall)
class InboundCallAdmin(ReadOnlyLogAdmin, CsvExportMixin, ScaledListMixin, admin.ModelAdmin):
    # The note says what happened in words: next to the result, not off the right edge on a laptop.
    list_display = ["received", "side", "method", "endpoint", "result", "note", "http", "caller",
                    "items", "changed", "took"]
    list_filter = ["side", ("endpoint", IndexedValuesFilter), "result",
                   ("received", DateRangeFilterBuilder(title="received between")), TouchedFilter]
    csv_name = "inbound-calls"
    csv_columns = [
        ("id", "pk"), ("received", "received"), ("side", "side"), ("method", "method"), ("endpoint", "endpoint"),
        ("caller", "caller"), ("address", "remote_addr"), ("HTTP status", "http_status"),
        ("result", lambda c: c.get_result_display()), ("items", "item_count"), ("changed", "changed_count"),
        ("note", "note"), ("took (ms)", "duration_ms"),
    ]
    search_fields = ["caller", "note"]
    search_help_text = "Search by caller (user or token owner) or note."
    date_hierarchy = "received"
    list_defer = ("messages",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + ["records_touched"]

    @admin.display(description="Records touched (links)")
    def records_touched(self, obj):
        return touched_links(obj)

    # Short headings: "Changed count" and "Duration ms" pushed the last column off a 1280px screen.
    @admin.display(description="HTTP", ordering="http_status")
    def http(self, obj):
        return obj.http_status

    @admin.display(description="Items", ordering="item_count")
    def items(self, obj):
        return obj.item_count

    @admin.display(description="Changed", ordering="changed_count")
    def changed(self, obj):
        return obj.changed_count

    @admin.display(description="Took", ordering="duration_ms")
    def took(self, obj):
        return "—" if obj.duration_ms is None else f"{obj.duration_ms} ms"

