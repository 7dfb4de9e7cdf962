"""Admin: who gets the alert emails, and the connection incidents they were about."""

from __future__ import annotations

from django.contrib import admin

from .alert_models import AlertSettings, ConnectionIncident
from .admin_readonly import ReadOnlyLogAdmin


class AlertSettingsAdmin(admin.ModelAdmin):
    fields = ["enabled", "recipients", "extra_addresses", "digest_minutes", "last_digest"]
    readonly_fields = ["last_digest"]
    filter_horizontal = ["recipients"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        from django.http import HttpResponseRedirect
        from django.urls import reverse

        return HttpResponseRedirect(reverse("admin:sync_alertsettings_change", args=[AlertSettings.load().pk]))

    @admin.display(description="last digest sent")
    def last_digest(self, obj):
        return obj.last_digest_at or "never"


class ConnectionIncidentAdmin(ReadOnlyLogAdmin, admin.ModelAdmin):
    list_display = ["peer_name", "started", "ended", "failed_calls", "first_error", "down_sent_at", "recovered_sent_at"]
    list_filter = ["peer_name", ("ended", admin.EmptyFieldListFilter)]
    date_hierarchy = "started"


admin.site.register(AlertSettings, AlertSettingsAdmin)
admin.site.register(ConnectionIncident, ConnectionIncidentAdmin)
