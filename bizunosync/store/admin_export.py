""""Export to Bizuno" and "Quote shipping rates" for the Order admin.

``OrderAdmin`` inherits ``BizunoOrderAdminMixin``: a list action, an object-tool
button on the order page, a confirmation page before an already-exported
order is sent again (Bizuno has no duplicate check: it books it twice), and
an admin page that asks Bizuno for rates to an address. Exports run in the
foreground, like the plugin's button, so Bizuno's messages come straight
back to staff as Django messages, level by level.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from bizunosync.sync import state
from bizunosync.sync.models import SyncJob
from bizunosync.sync.permissions import SEND_TO_BIZUNO, require

from .export import sync_state
from .export.service import ExportResult, Outcome, export_order
from .rates import service as rates

# Each export waits for Bizuno; a bigger batch belongs to `manage.py export_orders`.
MAX_PER_CLICK = 50
LEVELS = {"error": messages.ERROR, "warning": messages.WARNING, "info": messages.INFO, "success": messages.SUCCESS}
OUTCOME_LEVELS = {
    Outcome.EXPORTED: messages.SUCCESS,
    Outcome.SKIPPED: messages.INFO,
    Outcome.BUSY: messages.INFO,
    Outcome.QUEUED: messages.INFO,
    Outcome.RETRYING: messages.WARNING,
    Outcome.NEEDS_REVIEW: messages.WARNING,
    Outcome.FAILED: messages.ERROR,
}


def report(request, result: ExportResult) -> None:
    """One message for the outcome (linking the sync log), then Bizuno's own messages at their levels."""
    summary = result.summary
    if result.job is not None and state.is_retrying(result.job):
        detail = state.shown(result.job).detail
        summary = f"{summary} {detail[:1].upper()}{detail[1:]}."
    if result.job is not None:
        url = reverse("admin:sync_syncjob_change", args=[result.job.pk])
        text = format_html('{} <a href="{}">Sync job #{}</a>', summary, url, result.job.pk)
    else:
        text = summary
    messages.add_message(request, OUTCOME_LEVELS.get(result.outcome, messages.INFO), text)
    for level, message in result.messages:
        messages.add_message(request, LEVELS.get(level, messages.INFO), f"Order {result.number} – Bizuno says: {message}")


class QuoteRatesForm(forms.Form):
    required_css_class = "required"  # the admin shows required labels in bold, as on its own forms
    country = forms.CharField(max_length=2, help_text="Two-letter code, e.g. US or DE.")
    state = forms.CharField(max_length=64, required=False, help_text="State or province code, e.g. CA.")
    postcode = forms.CharField(max_length=16, help_text="Bizuno cannot rate without a postcode.")
    city = forms.CharField(max_length=128, required=False)
    address_1 = forms.CharField(label="Address", max_length=128, required=False)
    address_2 = forms.CharField(label="Address line 2", max_length=128, required=False)
    weight = forms.DecimalField(
        min_value=Decimal("0"), max_digits=10, decimal_places=4, initial=Decimal("1"),
        help_text="Total weight of the parcel, in the store's weight unit.",
    )


def order_destination(order) -> dict:
    """The ship-to as Bizuno would rate it: each empty shipping field falls back to billing."""

    def pick(name):
        return getattr(order, f"shipping_{name}") or getattr(order, f"billing_{name}")

    return {
        "country": pick("country"), "state": pick("state"), "postcode": pick("postcode"), "city": pick("city"),
        "address_1": pick("address_1"), "address_2": pick("address_2"),
    }


def order_weight(order) -> Decimal:
    return sum(
        ((line.product.weight or Decimal(0)) * line.quantity for line in order.lines.select_related("product") if line.product),
        Decimal(0),
    )


class SyncStateFilter(admin.SimpleListFilter):
    """Booked / Retrying / Needs review / Failed / Sending / Not yet exported, from the latest export job."""

    title = "Bizuno"
    parameter_name = "bizuno"

    def lookups(self, request, model_admin):
        return sync_state.CHOICES

    def queryset(self, request, queryset):
        if self.value():
            return sync_state.filter_state(queryset, self.value())
        return queryset


class BizunoOrderAdminMixin:
    change_form_template = "admin/store/order/bizuno_change_form.html"
    change_list_template = "admin/store/order/bizuno_change_list.html"
    actions = ["export_to_bizuno", "force_export_to_bizuno"]

    # ------------------------------------------------------------- the list

    def get_queryset(self, request):
        return sync_state.annotate(super().get_queryset(request))

    @admin.display(description="Bizuno", ordering="exported")
    def sync_state(self, order):
        current, label, detail = sync_state.describe(order)
        colour = sync_state.COLOURS[current]
        weight = "normal" if current == sync_state.NOT_EXPORTED else "bold"
        text = format_html('<span class="sync-state sync-state-{}" style="color:{};font-weight:{}">{}</span>',
                           current, colour, weight, label)
        if order.export_job_id and current not in (sync_state.BOOKED, sync_state.NOT_EXPORTED):
            url = reverse("admin:sync_syncjob_change", args=[order.export_job_id])
            text = format_html('<a href="{}" title="Sync job #{}">{}</a>', url, order.export_job_id, text)
        if detail:
            text = format_html('{}<br><small style="color:{}">{}</small>', text, colour, detail)
        return text

    # ---------------------------------------------------------------- urls

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("quote-rates/", view(self.quote_rates_view), name="store_order_quote_rates"),
            path("<path:object_id>/export-to-bizuno/", view(self.export_view), name="store_order_export"),
            *super().get_urls(),
        ]

    # --------------------------------------------------------- permission

    def has_send_to_bizuno_permission(self, request, obj=None) -> bool:
        """Export, re-export and rate quotes reach Bizuno: the named permission, not order change rights."""
        return request.user.has_perm(SEND_TO_BIZUNO)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {"can_send_to_bizuno": self.has_send_to_bizuno_permission(request), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {"can_send_to_bizuno": self.has_send_to_bizuno_permission(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    # ------------------------------------------------------------- actions

    def _export_many(self, request, orders, *, force):
        orders = list(orders)
        if len(orders) > MAX_PER_CLICK:
            self.message_user(
                request,
                f"Select at most {MAX_PER_CLICK} orders at a time: each one waits for Bizuno's answer. "
                "For more, run `manage.py export_orders --all-unexported`.",
                messages.WARNING,
            )
            return
        for order in orders:
            report(request, export_order(order, force=force, trigger=SyncJob.Trigger.STAFF, user=request.user))

    @admin.action(description="Export to Bizuno", permissions=["send_to_bizuno"])
    def export_to_bizuno(self, request, queryset):
        """Send the selected orders; those already in Bizuno are skipped (never booked twice)."""
        self._export_many(request, queryset.order_by("created", "pk"), force=False)

    @admin.action(description="Re-export to Bizuno (books again)…", permissions=["send_to_bizuno"])
    def force_export_to_bizuno(self, request, queryset):
        orders = list(queryset.order_by("created", "pk"))
        if request.POST.get("confirm") == "yes":
            self._export_many(request, orders, force=True)
            return None
        return self._force_confirmation(request, orders, single=None)

    def _force_confirmation(self, request, orders, *, single):
        context = {
            **self.admin_site.each_context(request),
            "title": "Send to Bizuno again?",
            "opts": self.model._meta,
            "orders": orders,
            "exported": [o for o in orders if o.exported],
            "others": [o for o in orders if not o.exported],
            "single": single,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/store/order/bizuno_force_confirmation.html", context)

    # ------------------------------------------------------ object tool

    def export_view(self, request, object_id):
        order = get_object_or_404(self.model, pk=object_id)
        if not self.has_view_or_change_permission(request, order):
            raise PermissionDenied
        require(request.user, SEND_TO_BIZUNO)
        change_url = reverse("admin:store_order_change", args=[order.pk])
        if request.method != "POST":
            if order.exported:
                return self._force_confirmation(request, [order], single=order)
            return HttpResponseRedirect(change_url)  # sending happens only on POST
        force = order.exported and request.POST.get("confirm") == "yes"
        if order.exported and not force:
            return self._force_confirmation(request, [order], single=order)
        report(request, export_order(order, force=force, trigger=SyncJob.Trigger.STAFF, user=request.user))
        return HttpResponseRedirect(change_url)

    # ---------------------------------------------------- quote rates

    def quote_rates_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        require(request.user, SEND_TO_BIZUNO)  # each quote is a shipGetRates call to Bizuno
        result, order = None, None
        if "country" in request.GET or "postcode" in request.GET:
            form = QuoteRatesForm(request.GET)
            if form.is_valid():
                data = form.cleaned_data
                destination = {k: data[k] for k in ("country", "state", "postcode", "city", "address_1", "address_2")}
                result = rates.quote(
                    destination, data["weight"], trigger=SyncJob.Trigger.STAFF, user=request.user, use_cache=False
                )
        else:
            initial = {}
            order_id = request.GET.get("order", "")
            if order_id.isdigit():
                order = self.model.objects.filter(pk=order_id).first()
            if order is not None:
                initial = {**order_destination(order), "weight": order_weight(order) or Decimal("1")}
            form = QuoteRatesForm(initial=initial)
        context = {
            **self.admin_site.each_context(request),
            "title": "Quote shipping rates",
            "opts": self.model._meta,
            "form": form,
            "result": result,
            "order": order,
            "job_url": reverse("admin:store_ratequote_change", args=[result.quote_id]) if result and result.quote_id else "",
        }
        return TemplateResponse(request, "admin/store/order/bizuno_quote_rates.html", context)
