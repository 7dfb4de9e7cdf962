"""Admin: the shoppers' rate-quote log, read-only, with the one condition on top."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.html import format_html
from rangefilter.filters import DateTimeRangeFilterBuilder

from .rates.quote_log import RateQuote, condition
from bizunosync.sync.admin_readonly import ReadOnlyLogAdmin


@admin.register(RateQuote)
class RateQuoteAdmin(ReadOnlyLogAdmin, admin.ModelAdmin):
    list_display = ["created", "destination", "answer", "rates_shown", "failure_class", "took", "trigger"]
    list_filter = [("created", DateTimeRangeFilterBuilder()), "fallback_used", "failure_class", "trigger"]
    search_fields = ["destination", "problem"]
    date_hierarchy = "created"
    list_per_page = 100

    def changelist_view(self, request, extra_context=None):
        text = condition()
        if text and request.method == "GET":
            self.message_user(request, text, messages.WARNING)
        return super().changelist_view(request, extra_context)

    @admin.display(description="answer", ordering="fallback_used")
    def answer(self, obj):
        if obj.fallback_used:
            return format_html('<strong style="color:#b35c00">{}</strong>', "Fallback")
        return format_html('<span style="color:#198754">{}</span>', "Bizuno")

    @admin.display(description="rates or problem")
    def rates_shown(self, obj):
        return obj.problem if obj.fallback_used else obj.rates_text

    @admin.display(description="answer time", ordering="duration_ms")
    def took(self, obj):
        return "—" if obj.duration_ms is None else f"{obj.duration_ms} ms"
