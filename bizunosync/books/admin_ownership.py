"""Ownership in the books admin: store-owned order and customer fields read-only, drift report.

Mixins for SalesOrderAdmin, CustomerAdmin and ItemAdmin (books/admin.py).
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse

from bizunosync.sync.admin import lock_inline
from bizunosync.sync.history import SyncHistoryAdminMixin

from . import drift, ownership
from .models import Customer, Item, SalesOrder

DETAIL = (
    "This {what} came from the store (orderAdd): its {fields} are read-only here. "
    "{editable}"
)


class _StoreOwnedMixin(SyncHistoryAdminMixin):
    owned_fields: tuple = ()
    locked_inlines: tuple = ()  # model names of inlines the store owns
    what = ""
    fields_text = ""
    editable_text = ""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and ownership.from_store(obj):
            fields += [f for f in self.owned_fields if f not in fields]
        return fields

    def get_inline_instances(self, request, obj=None):
        instances = super().get_inline_instances(request, obj)
        if obj is not None and ownership.from_store(obj):
            for inline in instances:
                if inline.model._meta.model_name in self.locked_inlines:
                    lock_inline(inline)
        return instances

    def drift_rows(self, obj):
        return []

    def ownership_context(self, request, obj) -> dict:
        if obj is None or not obj.pk or not ownership.from_store(obj):
            return {}
        return {
            "ownership_note": ownership.NOTE,
            "ownership_detail": DETAIL.format(what=self.what, fields=self.fields_text, editable=self.editable_text),
            "ownership_owner": "the store",
            "ownership_drift": self.drift_rows(obj),
        }

    # ----- drift report (one page for orders and customers)

    def changelist_context(self, request) -> dict:
        return {
            "drift_url": reverse("admin:books_salesorder_drift"),
            "drift_title": "Store orders and customers whose booked values were changed here",
        }


class SalesOrderOwnershipMixin(_StoreOwnedMixin):
    owned_fields = ownership.ORDER_FIELDS
    locked_inlines = ("salesorderline",)
    what = "order"
    fields_text = "PO reference, order date, addresses, contact data, lines, totals and payment data"
    editable_text = "Shipments, tracking numbers, the journal, post date, customer link and notes stay editable."

    def drift_rows(self, obj):
        return drift.of_order(obj)

    def get_urls(self):
        return [
            path("drift/", self.admin_site.admin_view(self.drift_view), name="books_salesorder_drift"),
            *super().get_urls(),
        ]

    def drift_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        from bizunosync.sync.connections import StoreConnection

        # Many stores: the report for one store (?store=<id>) or all of them.
        stores = list(StoreConnection.objects.order_by("pk"))
        store = next((s for s in stores if str(s.pk) == request.GET.get("store", "")), None)
        orders, customers = drift.orders(store), drift.customers(store)
        here = reverse("admin:books_salesorder_drift")
        context = {
            **self.admin_site.each_context(request),
            "store_links": [
                {"name": "All stores", "url": here, "current": store is None},
                *({"name": s.name or str(s), "url": f"{here}?store={s.pk}", "current": s == store} for s in stores),
            ] if len(stores) > 1 else [],
            "title": "Drift report: booked store orders changed here",
            "opts": self.model._meta,
            "owner": "The store",
            "local_header": "Here now (differs from the store)",
            "intro": (
                "Orders and customers booked from the store whose values here differ from what the store sent. "
                "The store owns them: its next export of an order books the store's values again, so these "
                "edits are lost there. To keep a change, make it in the store."
            ),
            "empty": "No drift: every booked store order matches what the store sent.",
            "sections": [
                {
                    "title": "Store orders whose re-export would change the booked order",
                    "records": [
                        {"obj": o, "url": reverse("admin:books_salesorder_change", args=[o.pk]), "rows": r}
                        for o, r in orders
                    ],
                },
                {
                    "title": "Customers created by store orders",
                    "empty": "No drift: every customer created by a store order matches what the store sent.",
                    "records": [
                        {"obj": c, "url": reverse("admin:books_customer_change", args=[c.pk]), "rows": r}
                        for c, r in customers
                    ],
                },
            ],
        }
        return TemplateResponse(request, "admin/ownership/drift.html", context)


class CustomerOwnershipMixin(_StoreOwnedMixin):
    sync_history = False  # the log names orders, not customers
    owned_fields = ownership.CUSTOMER_FIELDS
    what = "customer"
    fields_text = "store customer id, name, contact data and address"
    editable_text = "Everything else stays editable."

    def drift_rows(self, obj):
        return drift.of_customer(obj)


class ItemHistoryMixin(SyncHistoryAdminMixin):
    """Items: the Sync history button (jobs and calls that touched the item or its store product)."""
