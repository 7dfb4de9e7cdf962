"""The store console's pages: thin views that start jobs and show them.

Each action becomes a SyncJob (in the sync log, with its attempts), queued
with ``sync.jobs.submit`` — after the request's transaction commits — and run
by the task worker. The job page polls the sync log's progress endpoint for
a live bar, and when the job is done shows the store's message block level
by level as Django messages.
"""

from __future__ import annotations

import re

from django.contrib import admin, messages
from django.db.models import Q
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from bizunosync.sync import heartbeat, jobs, recovery
from bizunosync.sync.permissions import RUN_STORE_PUSHES, require
from bizunosync.sync.connections import StoreConnection
from bizunosync.sync.models import SyncJob

from ..jobs import cart_sync as cart_sync_job
from .. import stores as store_rules
from ..jobs import product_upload, quick_refresh as quick_refresh_job, ship_confirm as ship_confirm_job
from ..models import Item
from .forms import PrefixUploadForm, ShipDateForm, UploadForm

Kind = SyncJob.Kind
CONSOLE_KINDS = [Kind.QUICK_REFRESH, Kind.PRODUCT_UPLOAD, Kind.CART_SYNC, Kind.SHIP_CONFIRM]
ACTIVE = [SyncJob.Status.QUEUED, SyncJob.Status.RUNNING]
LEVELS = {"error": messages.ERROR, "warning": messages.WARNING, "info": messages.INFO, "success": messages.SUCCESS}
# The plugin writes its lists as "…by Bizuno:<br />A, B"; staff saw the tag itself. Shown as plain text, never as HTML.
BREAK = re.compile(r"\s*<br\s*/?>\s*", re.IGNORECASE)


def _readable(text) -> str:
    return BREAK.sub(" ", str(text or ""))


# ------------------------------------------------------------------ helpers


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _require_run(request) -> None:
    """Every console action pushes to the store: it needs the console permission, not item change rights."""
    require(request.user, RUN_STORE_PUSHES)


def _can_run(request) -> bool:
    return request.user.has_perm(RUN_STORE_PUSHES)


def _page(request, template: str, title: str, **context) -> TemplateResponse:
    _require(request, "books.view_item")
    return TemplateResponse(
        request,
        f"books/console/{template}",
        {
            **admin.site.each_context(request),
            "title": title,
            "opts": Item._meta,
            "connection": StoreConnection.load(),
            "stores": list(StoreConnection.active_stores()),
            **context,
        },
    )


def _console_url() -> str:
    return reverse("admin:books_console")


def _job_url(job) -> str:
    return reverse("admin:books_console_job", args=[job.pk])


def _for_store(text: str, store) -> str:
    """A job's target names its store once there are several (retry tells jobs apart by target)."""
    if store is not None and StoreConnection.objects.count() > 1:
        return f"{text} → {store}"
    return text


def _start_each(request, kind, stores, build) -> HttpResponseRedirect:
    """One job per store (``build(store)`` → target, params, total), each queued on its own.

    A store that is down then fails its own job, with its own retry, and holds
    back none of the others. One job: its live page; several: the console,
    which lists each with its progress.
    """
    started, already = [], []
    for store in stores:
        # A job without a store is from before the list (it pushes to the first store): it counts for any.
        running = (SyncJob.objects.filter(kind=kind, status__in=ACTIVE).filter(Q(store=store) | Q(store__isnull=True))
                   .order_by("-created").first())
        if running is not None and kind == Kind.QUICK_REFRESH:
            # Two refreshes of one store at once would only send the same batches twice.
            already.append(running)
            continue
        target, params, total = build(store)
        job = jobs.create_job(kind, target=_for_store(target, store), params=params, trigger=SyncJob.Trigger.STAFF,
                              user=request.user, total=total, store=store)
        jobs.submit(job)
        started.append(job)
    for running in already:
        # Two refreshes of one store at once would only send the same batches twice: say what the one there is doing.
        where = f"{running.store}: " if len(stores) > 1 and running.store_id else ""
        messages.warning(request, where + _busy_message(running))
    if len(started) + len(already) == 1:
        return HttpResponseRedirect(_job_url((started or already)[0]))
    if started:
        names = ", ".join(str(job.store) for job in started)
        messages.success(request, f"Started {len(started)} {started[0].get_kind_display()} jobs, one per store: {names}.")
    ids = ",".join(str(job.pk) for job in [*started, *already])
    return HttpResponseRedirect(reverse("admin:books_console_jobs") + f"?ids={ids}")


def _stores(request):
    """The stores a console POST asks for (``store``: a store's id, or "all"), or a 400 naming the field."""
    try:
        return store_rules.chosen_stores(request.POST.get("store") or request.GET.get("store")), None
    except store_rules.UnknownStore as exc:
        return None, HttpResponseBadRequest(str(exc))


def _one_store(request):
    """For pages that show one store's view (previews): the store asked for, else None (all)."""
    value = request.GET.get("store") or request.POST.get("store")
    if not value or value == store_rules.ALL:
        return None
    try:
        return store_rules.chosen_stores(value)[0]
    except store_rules.UnknownStore:
        return None


def _busy_message(job) -> str:
    """Why no second job was started: the active one's state, taking it over first if its worker died."""
    if job.status == SyncJob.Status.RUNNING and recovery.is_stalled(job):
        seen = timezone.localtime(job.heartbeat_at or job.started or job.created)
        outcome = recovery.recover(job)
        job.refresh_from_db()
        if outcome == "resumed":
            after = (job.result or {}).get("last_sku")
            where = f"after {after}, the last SKU the store confirmed," if after else "from the first item"
            return (f"The {job.get_kind_display()} already started (sync job #{job.pk}) had stopped: its worker was "
                    f"last heard from at {seen:%H:%M:%S}. It is queued again and resumes {where} instead of "
                    "starting over. Here it is.")
    return f"No new {job.get_kind_display()} was started. {heartbeat.describe(job)} Here it is."


def _post_only(request) -> HttpResponseRedirect | None:
    if request.method != "POST":
        return HttpResponseRedirect(_console_url())
    _require_run(request)
    return None


# -------------------------------------------------------------------- pages


def console(request):
    connection = StoreConnection.load()
    recent = list(SyncJob.objects.filter(kind__in=CONSOLE_KINDS).select_related("triggered_by").order_by("-created")[:10])
    for job in recent:  # display only; never saved
        job.summary = _readable(job.summary)
    return _page(
        request,
        "console.html",
        "Store console",
        flagged=quick_refresh_job.flagged_items(connection.include_inactive).count(),
        recent=recent,
        ship_form=ShipDateForm(),
        can_run=_can_run(request),
        is_console_home=True,
    )


def quick_refresh(request):
    if (redirect := _post_only(request)) is not None:
        return redirect
    stores, refused = _stores(request)
    if refused:
        return refused

    def build(store):
        include_inactive = store.include_inactive
        count = quick_refresh_job.flagged_items(include_inactive, store=store).count()
        return f"{count} items", {"include_inactive": include_inactive}, count

    return _start_each(request, Kind.QUICK_REFRESH, stores, build)


def quick_refresh_preview(request):
    store = _one_store(request)
    connection = store or StoreConnection.load()
    include_inactive = connection.include_inactive
    too_large = []
    batches = quick_refresh_job.preview(include_inactive, too_large, store=store)
    return _page(
        request,
        "quick_refresh_preview.html",
        "Quick Refresh preview (nothing sent)",
        batches=batches,
        item_count=sum(len(b) for b in batches),
        batch_size=quick_refresh_job.BATCH_SIZE,
        max_input_vars=connection.max_input_vars,
        too_large=too_large,
        include_inactive=include_inactive,
        can_run=_can_run(request),
    )


def cart_sync(request):
    if (redirect := _post_only(request)) is not None:
        return redirect
    stores, refused = _stores(request)
    if refused:
        return refused
    return _start_each(request, Kind.CART_SYNC, stores, lambda store: (
        f"{len(cart_sync_job.flagged_skus(store=store))} SKUs (check)", {"delete": False}, 0))


def cart_sync_delete(request):
    _require(request, "books.view_item")
    _require_run(request)
    store = _one_store(request)
    skus = cart_sync_job.flagged_skus(store=store)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        stores, refused = _stores(request)
        if refused:
            return refused
        # Each store is sent what is published to it: its delete removes only what is not published there.
        return _start_each(request, Kind.CART_SYNC, stores, lambda s: (
            f"{len(cart_sync_job.flagged_skus(store=s))} SKUs (delete others)", {"delete": True}, 0))
    last_check = (
        SyncJob.objects.filter(kind=Kind.CART_SYNC, status=SyncJob.Status.SUCCEEDED).order_by("-finished").first()
    )
    return _page(
        request,
        "cart_sync_delete.html",
        "Delete store products not flagged in the books?",
        store=store,
        skus=skus,
        sample=skus[:20],
        last_check=last_check,
        last_messages=[
            {"level": row.get("level", "info"), "text": _readable(row.get("text", ""))}
            for row in ((last_check.result or {}).get("messages", []) if last_check else [])
        ],
        can_run=_can_run(request),
    )


def ship_confirm(request):
    data = request.POST if request.method == "POST" else (request.GET if "date" in request.GET else None)
    form = ShipDateForm(data)
    day = form.cleaned_data["date"] if form.is_valid() else (timezone.localdate() if data is None else None)
    rows = ship_confirm_job.shipped_on(day) if day else []
    if request.method == "POST" and day and request.POST.get("confirm") == "yes":
        _require_run(request)
        # One confirmation per store the day's orders came from, each its own job in the log.
        shipped = ship_confirm_job.stores_shipped(day)
        if not shipped:
            messages.warning(request, f"No shipments with a store order reference on {day:%Y-%m-%d}; nothing was sent.")
            return HttpResponseRedirect(_console_url())
        counts = {store.pk: count for store, count in shipped}
        return _start_each(request, Kind.SHIP_CONFIRM, [store for store, _ in shipped], lambda store: (
            f"Shipments of {day.isoformat()}", {"date": day.isoformat()}, counts[store.pk]))
    preview = [(row, row.confirmation(day)) for row in rows] if day else []
    return _page(
        request,
        "ship_confirm.html",
        "Ship confirmation",
        form=form,
        day=day,
        preview=preview,
        # An order no store can be found for (no store, no prefix that matches) is not sent anywhere.
        to_send=sum(1 for row in rows if row.ref and row.store_id),
        can_run=_can_run(request),
    )


def upload(request):
    """Product Upload by SKU prefix (the command's --sku-prefix) for the flagged items."""
    _require(request, "books.view_item")
    _require_run(request)
    form = PrefixUploadForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        prefix = form.cleaned_data["sku_prefix"].strip()
        stores, refused = _stores(request)
        if refused:
            return refused

        def build(store):
            count = product_upload.items_for_upload(sku_prefix=prefix, store=store).count()
            target = f"{count} items" + (f" starting {prefix}" if prefix else "")
            return target, {"sku_prefix": prefix, "mode": form.cleaned_data["mode"]}, count

        return _start_each(request, Kind.PRODUCT_UPLOAD, stores, build)
    return _page(request, "upload.html", "Product Upload", form=form)


def upload_confirmation(request, modeladmin, queryset):
    """The "Upload to store" action: pick a send mode for the selected items, then start."""
    _require_run(request)
    items = list(queryset.order_by("sku").only("pk", "sku", "description_short", "image", "sync_to_store"))
    form = UploadForm(request.POST if request.POST.get("confirm") == "yes" else None)
    if form.is_bound and form.is_valid():
        skus = [i.sku for i in items]
        stores, refused = _stores(request)
        if refused:
            return refused

        def build(store):
            # A selected item not published to this store is not sent to it.
            sent = list(product_upload.items_for_upload(skus, store=store).values_list("sku", flat=True))
            return f"{len(sent)} selected items", {"skus": sent, "mode": form.cleaned_data["mode"]}, len(sent)

        return _start_each(request, Kind.PRODUCT_UPLOAD, stores, build)
    return _page(
        request,
        "upload_confirmation.html",
        "Upload the selected items to the store?",
        form=form,
        items=items,
        action_checkbox_name=ACTION_CHECKBOX_NAME,
    )


# --------------------------------------------------------------------- jobs


def job_page(request, job_id):
    job = get_object_or_404(SyncJob.objects.select_related("triggered_by"), pk=job_id, kind__in=CONSOLE_KINDS)
    done = job.status not in ACTIVE
    if done:
        for row in (job.result or {}).get("messages", []):
            messages.add_message(request, LEVELS.get(row.get("level"), messages.INFO), _readable(row.get("text", "")))
    job.summary = _readable(job.summary)  # display only; never saved
    return _page(
        request,
        "job.html",
        f"{job.get_kind_display()}: {job.target}",
        job=job,
        done=done,
        can_cancel=job.status in ACTIVE and _can_run(request),
        can_retry=job.status in (SyncJob.Status.FAILED, SyncJob.Status.NEEDS_REVIEW)
        and _can_run(request),
        resume_point=(job.result or {}).get("last_sku") if job.kind == Kind.QUICK_REFRESH else None,
        changes=_changes(job),
        log_url=reverse("admin:sync_syncjob_change", args=[job.pk]),
        pulse="" if done else heartbeat.describe(job),
    )


def _changes(job) -> dict | None:
    """Quick Refresh's changes list for the job page (kept on the job by jobs/refresh_changes.py)."""
    result = job.result or {}
    if job.kind != Kind.QUICK_REFRESH or "changed_items" not in result:
        return None
    rows = job.changes or []
    return {
        "rows": rows,
        "count": result.get("changed_items", 0),
        "more": max(0, result.get("changed_items", 0) - len(rows)),
        "first_push": result.get("first_push", 0),
        "unchanged": max(0, result.get("processed", 0) - result.get("changed_items", 0) - result.get("first_push", 0)),
    }


MAX_GROUP = 50


def jobs_page(request):
    """Several jobs started together (one per store): a live bar for each, and each one's own page for retry."""
    raw = request.GET.get("ids", "")
    ids = [int(part) for part in raw.split(",") if part.strip().isdigit()][:MAX_GROUP]
    if not ids:
        return HttpResponseBadRequest("ids: give the sync job numbers, comma separated, e.g. ?ids=4,5,6")
    group = list(SyncJob.objects.filter(pk__in=ids, kind__in=CONSOLE_KINDS).select_related("store").order_by("pk"))
    for job in group:  # display only; never saved
        job.summary = _readable(job.summary)
    title = f"{group[0].get_kind_display()}: {len(group)} stores" if group else "Console jobs"
    return _page(request, "jobs.html", title, group=group, can_run=_can_run(request))


def job_cancel(request, job_id):
    job = get_object_or_404(SyncJob, pk=job_id, kind__in=CONSOLE_KINDS)
    if request.method == "POST":
        _require_run(request)
        if jobs.request_cancel(job, request.user):
            messages.info(request, "Asked the job to stop; it stops after the item it is sending now.")
        else:
            messages.warning(request, "The job is not running any more.")
    return HttpResponseRedirect(_job_url(job))


def job_retry(request, job_id):
    job = get_object_or_404(SyncJob, pk=job_id, kind__in=CONSOLE_KINDS)
    if request.method == "POST":
        _require_run(request)
        try:
            jobs.retry_job(job, request.user, note="retried from the store console")
        except jobs.NotRetryable as exc:
            messages.warning(request, str(exc))
    return HttpResponseRedirect(_job_url(job))
