"""Which sync jobs and inbound calls touched a record, and back: links from the log to the records.

The log keeps what each job or call touched in its own table, one
TouchedRecord row per (job or call, ref), refs like "store.product:12" in
lower case (sync.touched writes and reads them). Matching a ref is an exact
match on the indexed ``ref`` column (`store.product:1` never matches
`store.product:12`), case-insensitive because the value looked up is
lower-cased too: an index lookup, not a scan of every job.

sync/ knows no store or books model: refs are resolved with
apps.get_model() and admin URL reversing, so a ref to a model that is gone
or not in the admin just shows as text.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.contrib.admin.utils import unquote
from django.http import Http404
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from .models import InboundCall, SyncJob
from .touched import refs_of, touching

HISTORY_LIMIT = 50
SHOWN_REFS = 200


def ref_of(obj) -> str:
    """The ref the log uses for `obj`: "<app_label>.<model_name>:<pk>"."""
    return f"{obj._meta.app_label}.{obj._meta.model_name}:{obj.pk}"


def parse_ref(ref: str) -> tuple[str, str, str] | None:
    """"store.product:12" → ("store", "product", "12"); None when it is not a ref."""
    label, sep, pk = str(ref).partition(":")
    app_label, dot, model_name = label.partition(".")
    if not (sep and dot and app_label and model_name and pk):
        return None
    return app_label, model_name, pk


def related_refs(obj) -> list[str]:
    """`obj`'s ref and its counterpart's on the other side, when there is one.

    A books item and the store product with the same SKU are one thing seen
    from two sides: Quick Refresh touches the product; its job names no item.
    """
    refs = [ref_of(obj)]
    counterpart = {("books", "item"): "store.Product", ("store", "product"): "books.Item"}.get(
        (obj._meta.app_label, obj._meta.model_name)
    )
    sku = getattr(obj, "sku", "")
    if counterpart and sku:
        try:
            model = apps.get_model(counterpart)
        except LookupError:
            return refs
        refs += [ref_of(other) for other in model._default_manager.filter(sku=sku).only("pk")]
    return refs


def jobs_touching(*refs: str):
    return SyncJob.objects.filter(touching(SyncJob, *refs)).select_related("triggered_by")


def calls_touching(*refs: str):
    return InboundCall.objects.filter(touching(InboundCall, *refs))


# ------------------------------------------------------------- ref → link


def resolve(ref: str) -> tuple[str, str | None]:
    """(label, admin change URL or None) for one ref; never raises."""
    parts = parse_ref(ref)
    if parts is None:
        return str(ref), None
    app_label, model_name, pk = parts
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return str(ref), None
    obj = model._default_manager.filter(pk=pk).first() if str(pk).isdigit() else None
    name = model._meta.verbose_name
    if obj is None:
        return f"{name} #{pk} (deleted)", None
    try:
        url = reverse(f"admin:{app_label}_{model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        url = None
    return f"{name.capitalize()}: {obj}", url


def touched_links(owner) -> str:
    """An HTML list linking each record a job or call touched to its admin page (for their detail pages)."""
    refs, total = refs_of(owner, SHOWN_REFS)
    if not refs:
        return "—"
    rows = []
    for ref in refs:
        label, url = resolve(ref)
        rows.append(format_html('<a href="{}">{}</a>', url, label) if url else format_html("{}", label))
    more = format_html("<li>…and {} more</li>", total - len(refs)) if total > len(refs) else ""
    return format_html(
        "<ul style='margin:0;padding-left:1.2em'>{}{}</ul>",
        format_html_join("", "<li>{}</li>", ((row,) for row in rows)),
        more,
    )


class TouchedFilter(admin.SimpleListFilter):
    """`?touched=store.product:12` on the job and call lists: only what touched that record."""

    title = "record touched"
    parameter_name = "touched"

    def lookups(self, request, model_admin):
        value = self.value()
        if not value:
            return []
        label, _url = resolve(value)
        return [(value, label)]

    def queryset(self, request, queryset):
        value = self.value()
        if value:
            return queryset.filter(touching(queryset.model, value))
        return queryset


def changelist_url(model, ref: str) -> str:
    return reverse(f"admin:sync_{model._meta.model_name}_changelist") + "?" + urlencode({"touched": ref})


# ----------------------------------------------------- admin mixin + page


def _next_template(admin_obj, attribute: str, mixin: type) -> object:
    """The template the admin would use without `mixin` (another mixin may set one)."""
    mro = type(admin_obj).__mro__
    for klass in mro[mro.index(mixin) + 1:]:
        value = klass.__dict__.get(attribute)
        if value:
            return value
    return None


class SyncHistoryAdminMixin:
    """Adds a "Sync history" object tool and page to a ModelAdmin.

    The change form and change list keep whatever template the admin (or
    another mixin) chose: ours extends it, so object-tool buttons stack.
    Subclasses add to the page through `ownership_context()`.
    """

    sync_history = True  # False: only the template wrap (ownership note), no history button

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        if not self.sync_history:
            return super().get_urls()
        return [
            path(
                "<path:object_id>/sync-history/",
                self.admin_site.admin_view(self.sync_history_view),
                name="%s_%s_sync_history" % info,
            ),
            *super().get_urls(),
        ]

    def ownership_context(self, request, obj) -> dict:
        return {}

    def changelist_context(self, request) -> dict:
        return {}

    def _base_template(self, attribute: str, kind: str):
        opts = self.model._meta
        chosen = _next_template(self, attribute, SyncHistoryAdminMixin)
        names = [chosen] if isinstance(chosen, str) else list(chosen or []) or [
            f"admin/{opts.app_label}/{opts.model_name}/{kind}.html",
            f"admin/{opts.app_label}/{kind}.html",
            f"admin/{kind}.html",
        ]
        return select_template(names).template

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        response = super().render_change_form(request, context, add, change, form_url, obj)
        response.context_data["ownership_base"] = self._base_template("change_form_template", "change_form")
        if obj is not None and obj.pk and self.sync_history:
            info = self.model._meta.app_label, self.model._meta.model_name
            response.context_data["sync_history_url"] = reverse("admin:%s_%s_sync_history" % info, args=[obj.pk])
        response.context_data.update(self.ownership_context(request, obj))
        response.template_name = "admin/ownership/change_form.html"
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        # Only the list itself: an action's confirmation page comes back through here too.
        if isinstance(response, TemplateResponse) and not response.is_rendered and "cl" in (response.context_data or {}):
            response.context_data["ownership_base"] = self._base_template("change_list_template", "change_list")
            response.context_data.update(self.changelist_context(request))
            response.template_name = "admin/ownership/change_list.html"
        return response

    def sync_history_view(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))  # None for a bad or unknown id
        if obj is None:
            raise Http404(f"No {self.model._meta.verbose_name} with id {object_id!r}.")
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        refs = related_refs(obj)
        jobs = list(jobs_touching(*refs)[:HISTORY_LIMIT])
        calls = list(calls_touching(*refs)[:HISTORY_LIMIT])
        own = refs[0]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Sync history of {obj}",
            "subtitle": None,
            "opts": self.model._meta,
            "original": obj,
            "refs": [(ref, resolve(ref)[0]) for ref in refs],
            "jobs": jobs,
            "calls": calls,
            "limit": HISTORY_LIMIT,
            "jobs_url": changelist_url(SyncJob, own),
            "calls_url": changelist_url(InboundCall, own),
            "change_url": reverse(
                f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_change", args=[obj.pk]
            ),
        }
        return TemplateResponse(request, "admin/ownership/sync_history.html", context)
