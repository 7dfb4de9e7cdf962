"""Product Upload: selected items one by one through POST product/update, with images.

``sendMode`` as Bizuno's bulk upload sets it: 1 full (the store replaces its
images with ours), 2 full but the store keeps the images it has, 3 data only
(no image bytes sent at all — the fast one).

One call per item, so staff can cancel between items. A product the store
refuses (``result: Fail``) is counted and named and the upload goes on with
the next one; a failure of the connection itself stops the job, and a retry
carries on with the item it stopped at (``result["next"]``).
"""

from __future__ import annotations

import base64
import posixpath

from bizunosync.sync import errors, touched
from bizunosync.sync.connections import StoreConnection
from bizunosync.sync.jobs import call, progress, runner
from bizunosync.sync.models import SyncJob
from bizunosync.sync.transport import store_transport
from bizunosync.wire import phpform
from bizunosync.wire import product_update as wire
from bizunosync.wire.messages import MessageBlock
from bizunosync.wire.product_refresh import Tier

from .. import stores as store_rules
from ..models import Item
from . import refresh_changes
from .common import keep_messages, messages_line

PATH = "product/update"
CHUNK = 100  # items read from the database at a time (images are read one item at a time)
MODES = {
    wire.SEND_FULL: "Full: data and images (the store replaces its images)",
    wire.SEND_KEEP_IMAGES: "Full, but the store keeps the images it already has",
    wire.SEND_DATA_ONLY: "Data only: no images are sent",
}


def items_for_upload(skus=None, sku_prefix: str = "", include_inactive: bool | None = None,
                     store: StoreConnection | None = None):
    """The chosen SKUs (an admin selection), else the flagged items, optionally by SKU prefix.

    With ``store``, only the items published to that store: an item published to
    another store only is never uploaded here, even when selected.
    """
    if skus is not None:
        items = Item.objects.filter(sku__in=list(skus))
    else:
        if include_inactive is None:
            include_inactive = (store or StoreConnection.load()).include_inactive
        items = Item.objects.filter(sync_to_store=True)
        if not include_inactive:
            items = items.filter(inactive=False)
    items = store_rules.published_to(items, store)
    if sku_prefix:
        items = items.filter(sku__startswith=sku_prefix)
    return items.with_default_tiers().prefetch_related("images", "accessories").order_by("sku")


def _image(field_file, title: str = "") -> wire.Image | None:
    if not field_file:
        return None
    try:
        with field_file.open("rb") as fh:
            data = base64.b64encode(fh.read()).decode("ascii")
    except OSError:
        return None  # the file is gone from disk: send the product without it
    folder, filename = posixpath.split(field_file.name)
    return wire.Image(filename=filename, data=data, path=folder, title=title)


def product_for(item: Item, mode: int = wire.SEND_FULL) -> wire.ProductUpdate:
    """What Bizuno's productToStore sends for one item."""
    with_images = mode != wire.SEND_DATA_ONLY
    gallery = []
    if with_images:
        gallery = [img for g in item.images.all() if (img := _image(g.image, g.title))]
    attributes = [
        wire.Attribute(str(a.get("index", "")), str(a.get("title", "")), str(a.get("value", "")))
        for a in (item.attributes or [])
        if isinstance(a, dict)
    ]
    return wire.ProductUpdate(
        sku=item.sku,
        type=item.item_type,
        description=item.description_short,
        description_sales=item.description_sales or None,
        description_long=item.description_long or None,
        price=item.full_price,
        tiers=[Tier(qty, price) for qty, price in item.tiers],
        qty_stock=item.qty_available if item.tracks_stock else None,
        weight=item.weight,
        weight_uom=item.weight_uom,
        length=item.length,
        width=item.width,
        height=item.height,
        dimension_uom=item.dimension_uom,
        menu_order=item.menu_order,
        slug=item.slug or None,
        category=item.category or None,
        tags=item.tags or None,
        attributes=attributes,
        accessories=[a.sku for a in item.accessories.all()],
        search_code=item.search_code or None,
        meta_description=item.meta_description or None,
        image=_image(item.image) if with_images else None,
        images=gallery,
        send_mode=mode,
    )


def summary(result: dict) -> str:
    text = f"Uploaded {result.get('uploaded', 0)} of {result.get('total', 0)} items."
    if result.get("refused"):
        text += f" The store refused {len(result['refused'])}: " + ", ".join(result["refused"][:10]) + "."
    return text + messages_line(result)


def chunks(chosen, after_sku: str = "", size: int | None = None):
    """The chosen items after ``after_sku``, read ``size`` at a time by SKU (memory stays flat)."""
    size = size or CHUNK
    last = after_sku
    while True:
        rows = list((chosen.filter(sku__gt=last) if last else chosen)[:size])
        yield from rows
        if len(rows) < size:
            return
        last = rows[-1].sku


def too_large(sku: str, fields: int, limit: int) -> str:
    return (f"{sku} was not sent: its product form has {fields} fields and the store's PHP keeps only the first "
            f"{limit} (PHP max_input_vars on the store connection), so the store would save part of it. Raise "
            "max_input_vars in the store's php.ini and on the store connection, or give it fewer variations, "
            "attributes or price levels.")


def _refuse(job: SyncJob, state: dict, sku: str, messages: MessageBlock) -> None:
    state["refused"].append(sku)
    keep_messages(state, messages)
    job.failed_count += 1


@runner(SyncJob.Kind.PRODUCT_UPLOAD)
def run(job: SyncJob) -> None:
    store = store_rules.job_store(job)
    transport = store_transport(store)
    limit = store.max_input_vars
    mode = int(job.params.get("mode") or wire.SEND_FULL)
    skus = job.params.get("skus")
    state = dict(job.result or {})
    # Resume after the last SKU handled, not at a list position: an item deleted or unflagged
    # before the retry would otherwise shift the list and skip one never sent.
    done = state.get("next", 0)
    include_inactive = job.params.get("include_inactive")
    chosen = items_for_upload(skus, job.params.get("sku_prefix", ""),
                              store.include_inactive if include_inactive is None else include_inactive, store=store)
    after = state.get("last_sku", "")
    total = done + (chosen.filter(sku__gt=after) if after else chosen).count()
    state.update(total=total, uploaded=state.get("uploaded", 0), refused=state.get("refused", []))
    if not progress(job, done, total=total, result=state):
        job.summary = "Cancelled before the first item."
        return
    handled = []  # linked to the job a chunk at a time: one INSERT per chunk, not one per item
    try:
        for item in chunks(chosen, after):
            product = product_for(item, mode)
            form = {"data": wire.build(product)}
            item._prefetched_objects_cache = {}  # its images point back at it: let the item go once sent
            fields = phpform.count_fields(form)
            if fields > limit:  # refused here and named, nothing sent; the upload goes on with the next one
                _refuse(job, state, item.sku, MessageBlock().error(too_large(item.sku, fields, limit)))
            else:
                try:
                    reply = call(job, transport, "POST", PATH, form=form)
                except errors.ApplicationError as exc:
                    _refuse(job, state, item.sku, exc.messages)
                else:
                    state["uploaded"] += 1
                    refresh_changes.remember_upload(store.pk, product, item.pk)  # Quick Refresh's old values
                    keep_messages(state, reply.messages)
                    job.succeeded_count += 1
            done += 1
            state["next"], state["last_sku"] = done, item.sku
            handled.append(f"books.item:{item.pk}")
            if len(handled) >= CHUNK:
                touched.link(job, handled)
                handled.clear()
            if not progress(job, done, summary=summary(state), result=state):
                job.summary = f"Cancelled by staff after {done} of {total} items. " + summary(state)
                return
        job.summary = summary(state)
    finally:
        touched.link(job, handled)  # the items handled before the end, a cancel or a failure
