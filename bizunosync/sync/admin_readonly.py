"""A log's admin: staff read it; nobody adds, edits or deletes a row by hand (it is evidence)."""

from __future__ import annotations


class ReadOnlyLogAdmin:
    """Mixed in before ModelAdmin for lists that record what happened (attempts, calls, quotes, incidents)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
