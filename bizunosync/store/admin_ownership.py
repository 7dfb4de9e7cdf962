"""Ownership in the store admin: Bizuno-owned product fields read-only, local edits logged, drift report.

Mixins for ProductAdmin and OrderAdmin (store/admin.py), and the local-edit log's admin.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from bizunosync.sync.admin import lock_inline
from bizunosync.sync.history import SyncHistoryAdminMixin

from . import drift, ownership
from .models import LocalEdit, Order, Product


class LocalEditInline(admin.TabularInline):
    model = LocalEdit
    extra = 0
    max_num = 0
    can_delete = False
    fields = ["at", "field", "old_value", "new_value", "user"]
    readonly_fields = fields
    verbose_name_plural = "local edits of Bizuno-owned fields (overwritten by Bizuno's next push)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class ProductOwnershipMixin(SyncHistoryAdminMixin):
    """Bizuno's fields read-only (or, when allowed, editable and logged); the drift report."""

    def _editable(self, request) -> bool:
        cached = getattr(request, "_bizuno_local_edits", None)
        if cached is None:
            cached = request._bizuno_local_edits = ownership.local_edits_allowed()
        return cached

    def get_readonly_fields(self, request, obj=None):
        # The active price is derived from regular and sale price, never typed in.
        fields = list(super().get_readonly_fields(request, obj)) + ["price"]
        if obj is not None and not self._editable(request):
            fields += [f for f in ownership.OWNED_FIELDS if f not in fields]
        return fields

    def get_inline_instances(self, request, obj=None):
        instances = super().get_inline_instances(request, obj)
        if obj is None:
            return instances
        if not self._editable(request):
            kept = []
            for inline in instances:
                if inline.model._meta.model_name in ("pricetier", "productimage", "product"):
                    fk = inline.fk_name or "product"
                    if not inline.model._default_manager.filter(**{fk: obj}).exists():
                        continue  # a locked, empty table only adds noise
                    lock_inline(inline)
                kept.append(inline)
            instances = kept
        if obj.local_edits.exists():
            instances.append(LocalEditInline(self.model, self.admin_site))
        return instances

    def ownership_context(self, request, obj) -> dict:
        if obj is None or not obj.pk:
            return {}
        editable = self._editable(request)
        settings_url = reverse("admin:store_storesettings_changelist")
        if editable:
            detail = format_html(
                'Local edits are allowed (<a href="{}">store settings</a>): each edit of a Bizuno-owned field '
                "is recorded under “Local edits” below and shown in the drift report until Bizuno overwrites it.",
                settings_url,
            )
        else:
            detail = format_html(
                "Name, descriptions, prices and tiers, stock, weight and size, categories, tags, attributes and "
                'images are read-only here. (To allow local edits anyway, see <a href="{}">store settings</a>.)',
                settings_url,
            )
        return {
            "ownership_note": ownership.NOTE,
            "ownership_detail": detail,
            "ownership_editable": editable,
            "ownership_owner": "Bizuno",
            "ownership_drift": drift.of_product(ownership.fresh(obj.pk)),
        }

    # ----- recording local edits

    def save_model(self, request, obj, form, change):
        if change and self._editable(request):
            form._ownership_before = ownership.current(ownership.fresh(obj.pk))
            # A local price edit must change what shoppers pay, as a push from Bizuno would.
            obj.price = Product.active_price(obj.regular_price, obj.sale_price)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before = getattr(form, "_ownership_before", None)
        if before is not None:
            product = form.instance
            edits = ownership.record(product, before, ownership.current(ownership.fresh(product.pk)), request.user)
            if edits:
                self.message_user(
                    request,
                    f"Recorded {len(edits)} local edit(s) of Bizuno-owned fields "
                    f"({', '.join(e.field for e in edits)}); Bizuno's next push overwrites them.",
                    level="warning",
                )

    # ----- drift report

    def get_urls(self):
        return [
            path("drift/", self.admin_site.admin_view(self.drift_view), name="store_product_drift"),
            *super().get_urls(),
        ]

    def changelist_context(self, request) -> dict:
        return {
            "drift_url": reverse("admin:store_product_drift"),
            "drift_title": "Products whose local values differ from what Bizuno last sent",
        }

    def drift_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        rows = drift.report()
        context = {
            **self.admin_site.each_context(request),
            "title": "Drift report: products that differ from Bizuno",
            "opts": self.model._meta,
            "owner": "Bizuno",
            "local_header": "Here now (overwritten by the next push)",
            "intro": (
                "Products whose value here differs from what Bizuno last sent. Bizuno's next Quick Refresh "
                "(prices, tiers, stock, weight) or product upload (everything) overwrites the local value; "
                "to keep a change, make it in Bizuno."
            ),
            "empty": "No drift: every product matches what Bizuno last sent.",
            "sections": [{
                "title": "Products",
                "records": [
                    {"obj": p, "url": reverse("admin:store_product_change", args=[p.pk]), "rows": r} for p, r in rows
                ],
            }],
            "show_edits": True,
        }
        return TemplateResponse(request, "admin/ownership/drift.html", context)


class OrderHistoryMixin(SyncHistoryAdminMixin):
    """Store orders: the Sync history button (export jobs, ship confirmations)."""


@admin.register(LocalEdit)
class LocalEditAdmin(admin.ModelAdmin):
    list_display = ["at", "product_link", "field", "old_value", "new_value", "user"]
    list_filter = ["field", "user", "at"]
    search_fields = ["product__sku", "product__name", "field"]
    date_hierarchy = "at"
    list_select_related = ["product", "user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="product", ordering="product__sku")
    def product_link(self, edit):
        return format_html('<a href="{}">{}</a>', reverse("admin:store_product_change", args=[edit.product_id]),
                           edit.product)
