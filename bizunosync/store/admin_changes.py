"""Admin → Store → Orders changed after export: what changed since Bizuno booked it, and what to do there."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from .export import changes
from .models import OrderChangedAfterExport


@admin.register(OrderChangedAfterExport)
class OrderChangedAfterExportAdmin(admin.ModelAdmin):
    list_display = ["order_link", "bizuno_id", "exported_at", "status", "what_changed", "to_do_in_bizuno"]
    list_display_links = None
    search_fields = ["number", "bizuno_id", "billing_email", "billing_last_name"]
    ordering = ["-exported_at", "-pk"]
    actions = ["mark_handled"]

    def changelist_view(self, request, extra_context=None):
        extra_context = {"title": "Orders changed after export", **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(changed_after_export=True, exported=True).prefetch_related("lines")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # Rows are read here and edited on the order itself; "mark handled" needs order change rights.
        return obj is None and request.user.has_perm("store.change_order")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("store.view_order") or request.user.has_perm("store.change_order")

    def _report(self, order):
        cached = getattr(order, "_change_report", None)
        if cached is None:
            cached = order._change_report = changes.report_for(order)
        return cached

    @admin.display(description="order", ordering="number")
    def order_link(self, order):
        return format_html('<a href="{}">{}</a>', reverse("admin:store_order_change", args=[order.pk]), order.number)

    @admin.display(description="what changed (as exported → now)")
    def what_changed(self, order):
        found, _ = self._report(order)
        return format_html('<ul class="changes">{}</ul>', format_html_join(
            "", "<li><strong>{}</strong>: {} → {}</li>", ((c.what, c.old or "—", c.new or "—") for c in found)))

    @admin.display(description="to do in Bizuno")
    def to_do_in_bizuno(self, order):
        _, actions = self._report(order)
        return format_html('<ul class="changes">{}</ul>', format_html_join("", "<li>{}</li>", ((a,) for a in actions)))

    @admin.action(description="Mark as handled in Bizuno (the order as it is now becomes the baseline)",
                  permissions=["change"])
    def mark_handled(self, request, queryset):
        done = [order.number for order in queryset if changes.mark_handled(order, request.user)]
        if done:
            self.message_user(request, f"Marked as handled in Bizuno: {', '.join(done)}. A note on each order "
                              "says what changed.", messages.SUCCESS)
