"""Hooks the console into the Item admin: its URLs, the "Upload to store" action, an object tool.

``ItemAdmin`` mixes this in (one line in books/admin.py). The job runners
are registered by ``BooksConfig.ready()``.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import path

from bizunosync.sync.permissions import RUN_STORE_PUSHES

from . import views


class ConsoleAdminMixin:
    change_list_template = "books/console/item_change_list.html"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        console = [
            path("console/", wrap(views.console), name="books_console"),
            path("console/quick-refresh/", wrap(views.quick_refresh), name="books_console_quick_refresh"),
            path("console/quick-refresh/preview/", wrap(views.quick_refresh_preview),
                 name="books_console_quick_refresh_preview"),
            path("console/cart-sync/", wrap(views.cart_sync), name="books_console_cart_sync"),
            path("console/cart-sync/delete/", wrap(views.cart_sync_delete), name="books_console_cart_sync_delete"),
            path("console/ship-confirm/", wrap(views.ship_confirm), name="books_console_ship_confirm"),
            path("console/upload/", wrap(views.upload), name="books_console_upload"),
            path("console/job/<int:job_id>/", wrap(views.job_page), name="books_console_job"),
            path("console/jobs/", wrap(views.jobs_page), name="books_console_jobs"),
            path("console/job/<int:job_id>/cancel/", wrap(views.job_cancel), name="books_console_job_cancel"),
            path("console/job/<int:job_id>/retry/", wrap(views.job_retry), name="books_console_job_retry"),
        ]
        return console + super().get_urls()

    def get_actions(self, request):
        actions = super().get_actions(request)
        if request.user.has_perm(RUN_STORE_PUSHES):
            actions["upload_to_store"] = (
                upload_to_store, "upload_to_store", upload_to_store.short_description
            )
        return actions


@admin.action(description="Upload to store (Product Upload)…")
def upload_to_store(modeladmin, request, queryset):
    return views.upload_confirmation(request, modeladmin, queryset)
