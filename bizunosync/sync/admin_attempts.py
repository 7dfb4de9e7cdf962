"""Admin: every attempt on its own list (the job pages show them per job), filtered by date range."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from rangefilter.filters import DateRangeFilterBuilder

from .models import SyncAttempt
from .admin_readonly import ReadOnlyLogAdmin


@admin.register(SyncAttempt)
class SyncAttemptAdmin(ReadOnlyLogAdmin, admin.ModelAdmin):
    list_display = ["started", "job_link", "number", "method", "http_status", "failure_class", "reached", "took",
                    "error"]
    list_filter = [("started", DateRangeFilterBuilder(title="started between")), "failure_class", "reached_peer",
                   "method"]
    search_fields = ["url", "error"]
    search_help_text = "Search by URL or error text."
    list_select_related = ["job"]
    list_display_links = None  # an attempt is read on its job's page (decoded body, response, messages)
    list_defer = ("request_summary", "response_excerpt", "messages")
    list_per_page = 100

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*self.list_defer)

    @admin.display(description="job", ordering="job")
    def job_link(self, obj):
        return format_html('<a href="{}">#{} {}</a>', reverse("admin:sync_syncjob_change", args=[obj.job_id]),
                           obj.job_id, obj.job)

    @admin.display(description="reached the peer", ordering="reached_peer")
    def reached(self, obj):
        return {True: "Yes", False: "No", None: "Unknown"}[obj.reached_peer]

    @admin.display(description="took", ordering="duration_ms")
    def took(self, obj):
        return "—" if obj.duration_ms is None else f"{obj.duration_ms} ms"
