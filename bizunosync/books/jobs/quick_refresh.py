"""Quick Refresh: price, stock and tiers of every flagged item, in PUT product/refresh batches.

Batches hold at most 100 items (Bizuno's own size) and at most the store's
PHP max_input_vars form fields; the catalog is read chunk by chunk; a batch
the store's PHP cut short is sent again (see ``refresh_batches``).

As Bizuno's WooCommerce interface does it: available quantity = on hand −
on sales orders − allocated; tiers only from the default price sheet, and
only when it has two or more levels (a single level is a price, not a tier
table); no sale price sends ``SalePrice=""``, which clears the store's.

Resumable: after each batch the job's ``result`` records the last SKU the
store accepted. Items go out in SKU order, so a retried job carries on after
that SKU — the batch that failed is sent again, the ones before it are not —
even if items were added or unflagged in between.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from bizunosync.sync import touched
from bizunosync.sync.connections import StoreConnection
from bizunosync.sync.calls import Sending
from bizunosync.sync.jobs import progress, runner
from bizunosync.sync.models import SyncJob
from bizunosync.sync.transport import store_transport
from bizunosync.wire.product_refresh import CLEAR, RefreshItem, Tier

from .. import stores as store_rules
from ..models import Item
from . import refresh_batches, refresh_changes
from .common import keep_messages, messages_line

BATCH_SIZE = refresh_batches.BATCH_SIZE
PATH = "product/refresh"
MAX_NAMED = 20  # items too large to send, named on the job; the count goes on past it
# The store's notes ("Updated 100 of 101 products.") of the latest batches. Each attempt keeps its
# own answer; a list of every batch's note would grow with the catalog and be saved again each batch.
KEPT_NOTES = 10


def flagged_items(include_inactive: bool | None = None, after_sku: str = "", store: StoreConnection | None = None):
    """Items Quick Refresh sends (to ``store``: those published there), in SKU order, tiers prefetched."""
    if include_inactive is None:
        include_inactive = (store or StoreConnection.load()).include_inactive
    items = store_rules.published_to(Item.objects.filter(sync_to_store=True), store)
    if not include_inactive:
        items = items.filter(inactive=False)
    if after_sku:
        items = items.filter(sku__gt=after_sku)
    return items.with_default_tiers().order_by("sku")


def refresh_item(item: Item) -> RefreshItem:
    """What Bizuno sends for one item."""
    return RefreshItem(
        sku=item.sku,
        # Services and charges have no stock: leave the store's stock alone.
        qty_stock=item.qty_available if item.tracks_stock else None,
        weight=item.weight,
        # Not in Bizuno's own refresh; lets the store convert into its unit as Product Upload does.
        weight_uom=item.weight_uom if item.weight is not None else None,
        price=item.full_price,
        sale_price=item.sale_price if item.sale_price is not None else CLEAR,
        tiers=[Tier(qty, price) for qty, price in item.tiers],
        type=item.item_type,
        full_price=item.full_price,
    )


# What refresh_item reads of an item: the rest (descriptions, attributes, store texts) is not loaded.
SENT_FIELDS = ("sku", "item_type", "full_price", "sale_price", "qty_on_hand", "qty_on_sales_orders", "qty_allocated",
               "weight", "weight_uom")


def catalog(include_inactive: bool | None = None, after_sku: str = "", store: StoreConnection | None = None,
            to_item=None, also_read: tuple[str, ...] = ()):
    """The flagged items after ``after_sku`` as batch entries, read from the database chunk by chunk.

    Only the fields refresh_item reads are loaded, and ``also_read``: a ``to_item`` that reads
    another field names it there (reading it otherwise would cost a query per item).
    """
    if include_inactive is None:
        include_inactive = (store or StoreConnection.load()).include_inactive
    to_item = to_item or refresh_item

    def sent_then_released(item: Item) -> RefreshItem:
        sent = to_item(item)
        # Each prefetched level points back at its item: without this cycle a chunk is freed as soon
        # as it is sent, instead of waiting for the garbage collector (memory grew with the catalog).
        item.__dict__.pop("default_levels", None)
        return sent

    return refresh_batches.catalog(
        lambda last: flagged_items(include_inactive, after_sku=last, store=store).only(*SENT_FIELDS, *also_read),
        sent_then_released, after_sku)


@dataclass
class PreviewRow:
    sku: str
    name: str
    qty: int | None
    price: str
    sale_price: str
    tiers: str
    weight: str


def preview(include_inactive: bool | None = None, too_large: list | None = None,
            store: StoreConnection | None = None) -> list[list[PreviewRow]]:
    """The dry run: what each batch would carry, batched as the run batches. Sends nothing.

    Items too large to send (more form fields than the store's PHP keeps) go to ``too_large``
    as (PreviewRow, fields) when a list is given."""
    names = {}

    def remember_name(item: Item) -> RefreshItem:
        names[item.sku] = item.description_short
        return refresh_item(item)

    entries = catalog(include_inactive, store=store, to_item=remember_name, also_read=("description_short",))
    batcher = refresh_batches.Batcher(entries, (store or StoreConnection.load()).max_input_vars)
    out = []

    def set_aside():
        if too_large is not None:
            too_large.extend((_preview_row(e.item, names.pop(e.item.sku, "")), e.fields) for e in batcher.too_large)
        batcher.too_large.clear()

    while batch := batcher.next_batch():
        out.append([_preview_row(entry.item, names.pop(entry.item.sku, "")) for entry in batch])
        set_aside()
    set_aside()
    return out


def _preview_row(sent: RefreshItem, name: str) -> PreviewRow:
    return PreviewRow(
        sku=sent.sku,
        name=name,
        qty=sent.qty_stock,
        price=_money(sent.price),
        sale_price="" if sent.sale_price is CLEAR else _money(sent.sale_price),
        tiers=", ".join(f"{t.qty}+ @ {_money(t.price)}" for t in sent.tiers),
        weight=f"{sent.weight.normalize():f} {sent.weight_uom or ''}".rstrip() if sent.weight else "",
    )


def _money(value) -> str:
    return "" if value is None else f"{value:.2f}"


def _updated(reply) -> int:
    """How many products the store changed: ``acted`` (ours), else the note "Updated N of M"."""
    acted = reply.data.get("acted")
    if isinstance(acted, int) or (isinstance(acted, str) and acted.isdigit()):
        return int(acted)
    note = str(reply.data.get("note", ""))
    parts = note.split()
    if len(parts) >= 2 and parts[0] == "Updated" and parts[1].isdigit():
        return int(parts[1])
    return 0


def summary(result: dict) -> str:
    text = f"Processed {result.get('processed', 0)} items, updated {result.get('updated', 0)}."
    if result.get("resumed_after"):
        text += f" (Resumed after {result['resumed_after']}.)"
    if result.get("too_large_count"):
        named = ", ".join(f"{row['sku']} ({row['fields']} fields)" for row in result.get("too_large", []))
        more = result["too_large_count"] - len(result.get("too_large", []))
        text += (f" Not sent: {result['too_large_count']} items have more form fields than the store's PHP "
                 f"max_input_vars ({result.get('max_input_vars')}) allows: {named}{f' and {more} more' if more > 0 else ''}.")
    if result.get("cut_note"):
        text += " " + result["cut_note"]
    return text + short_messages_line(result)


SUMMARY_SKUS = 5
SUMMARY_TEXT = 200


def short_messages_line(result: dict) -> str:
    """The store's messages for the one-line summary, kept short: a 3,000-item refresh kept 35 KB of
    "Missing in WooCommerce: …" there. Those lists are folded across batches into a count and the
    first few SKUs, other texts cut; the full messages stay in the job's result."""
    rows = result.get("messages") or []
    missing = {}
    for row in rows:
        label, sep, rest = row["text"].partition(": ")
        if sep and label.startswith("Missing"):
            missing.setdefault(label, []).extend(sku for sku in rest.split(", ") if sku)
    kept = [{**row, "text": row["text"][:SUMMARY_TEXT]} for row in rows
            if not (row["text"].partition(": ")[0] in missing and len(missing[row["text"].partition(": ")[0]]) > SUMMARY_SKUS)]
    folded = "".join(
        f" {label}: {len(skus)} SKUs ({', '.join(skus[:SUMMARY_SKUS])}, …; all in the job's result)."
        for label, skus in missing.items() if len(skus) > SUMMARY_SKUS
    )
    return messages_line({"messages": kept}) + folded


def _cut_warning(number: int, received: int, batch, limit: int, lowered: int) -> str:
    fields = sum(entry.fields for entry in batch) + refresh_batches.END_FIELDS
    if received < len(batch):
        what = f"The store received only {received} of the {len(batch)} items in batch {number} ({fields} form fields)"
    else:  # every item counted, the row that ends the batch not: the last item may have lost its last fields
        what = f"The end of batch {number} did not reach the store ({fields} form fields; its last item was cut)"
    return (
        f"{what}: its PHP keeps fewer form fields than the {limit} set as PHP max_input_vars on the store connection. "
        f"The items it did not receive whole were sent again in batches of at most {lowered} fields; set PHP "
        f"max_input_vars on the store connection to the store's real max_input_vars (php.ini)."
    )


def _set_aside(job: SyncJob, state: dict, entries) -> None:
    """Items too large for one batch: counted as processed, not sent, named on the job."""
    if not entries:
        return
    rows = state.setdefault("too_large", [])
    rows.extend({"sku": e.item.sku, "fields": e.fields} for e in entries[: max(0, MAX_NAMED - len(rows))])
    state["too_large_count"] = state.get("too_large_count", 0) + len(entries)
    state["processed"] += len(entries)
    job.failed_count += len(entries)
    entries.clear()


def _send_all(job, state, batcher, transport, store_id, delay) -> bool:
    """Send every batch; False when staff cancelled.

    While the store applies a batch, this side records the one before it (the values last pushed,
    the links, the progress) and reads the next one's items: the two work at once instead of in
    turn. A batch still leaves only once the one before it is answered (a cut batch re-forms the
    next), and none leaves after staff asked to cancel.
    """
    number = 0
    answered = None  # the batch the store last answered, not yet recorded: (its part received whole, reply, sending)
    while batch := batcher.next_batch():
        sending = Sending.unless_cancelled(job, transport, "PUT", PATH, form=refresh_batches.body(batch), ahead=True)
        if sending is None:  # staff asked to cancel
            if answered:
                _record(job, state, store_id, *answered)
            return _cancelled(job, state)
        number += 1
        _set_aside(job, state, batcher.too_large)
        try:
            if answered:
                _record(job, state, store_id, *answered)
                if delay:
                    time.sleep(delay)  # tests only: lets a browser see the bar move
            batcher.read_ahead()
        except BaseException:
            _wait_quietly(sending)  # its attempt is recorded before the job fails
            raise
        reply = sending.wait(record=False)  # its attempt is saved with the batch's own records
        answered = (_delivered(state, batcher, batch, reply, number), reply, sending)
    if answered:
        _record(job, state, store_id, *answered)
    return True


def _delivered(state, batcher, batch, reply, number):
    """The part of ``batch`` the store received whole; a part its PHP cut off goes back to the batcher."""
    whole = refresh_batches.cut_at(batch, reply.data.get("note"))
    if whole is None:
        return batch
    # The store's PHP dropped fields: send the rest again, in smaller batches.
    batcher.put_back(batch[whole:])
    lowered = refresh_batches.lowered_limit(batch, whole, batcher.limit)
    if not state.get("cut_batches"):  # said once: the rest of the run keeps within the lowered limit
        state["cut_note"] = _cut_warning(number, refresh_batches.received(reply.data.get("note")), batch,
                                         batcher.limit, lowered)
    state["cut_batches"] = state.get("cut_batches", 0) + 1
    batcher.limit = lowered
    return batch[:whole]


def _record(job, state, store_id, delivered, reply, sending) -> None:
    """A batch the store answered: its attempt, what changed, the values it now holds, the links, the progress.

    The attempt first, on its own: what the store answered stays on record even if the rest fails.
    The rest is one transaction: the batch is recorded whole or not at all, with one commit (and on
    SQLite one hold of the write lock, which the store wants too while it applies the next batch).
    """
    sending.record()
    pks = {entry.item.sku: entry.pk for entry in delivered}
    changes, first, sent = refresh_changes.compare(store_id, [entry.item for entry in delivered], pks)
    grew = refresh_changes.record(state, job.changes, changes, first)
    state["processed"] += len(delivered)
    # A cut batch's "Updated N" counts the item cut in half too: it is sent again and counted then.
    state["updated"] += min(_updated(reply), len(delivered))
    state["batches_done"] += 1
    if delivered:
        state["last_sku"] = delivered[-1].item.sku
    if reply.data.get("note"):
        state["notes"] = [*state.get("notes", []), str(reply.data["note"])[:200]][-KEPT_NOTES:]
    keep_messages(state, reply.messages)
    job.succeeded_count = state["processed"] - job.failed_count
    line = summary(state)
    with transaction.atomic():
        refresh_changes.remember(store_id, sent)  # only what the store received whole
        # Linked as each batch arrives, so nothing the job holds grows with the catalog
        # (a resent item only once it arrives whole).
        touched.link(job, [f"books.item:{entry.pk}" for entry in delivered])
        progress(job, state["processed"], summary=line, result=state, changes=job.changes if grew else None,
                 ask_cancel=False)


def _cancelled(job, state) -> bool:
    job.summary = f"Cancelled by staff after {state['processed']} items. " + summary(state)
    return False


def _wait_quietly(sending) -> None:
    try:
        sending.wait()
    except Exception:  # the error already being raised is the one to report
        pass


@runner(SyncJob.Kind.QUICK_REFRESH)
def run(job: SyncJob) -> None:
    store = store_rules.job_store(job)
    transport = store_transport(store)
    store_id = store.pk
    state = dict(job.result or {})
    after = state.get("last_sku", "")
    if after and not state.get("complete"):
        state.setdefault("resumed_after", after)
    include_inactive = store_rules.include_inactive(job, store)
    remaining = flagged_items(include_inactive, after_sku=after, store=store).count()
    done = state.get("processed", 0)
    state.update(processed=done, updated=state.get("updated", 0), batches_done=state.get("batches_done", 0),
                 max_input_vars=store.max_input_vars)
    progress(job, done, total=done + remaining, result=state)
    if not remaining and not done:
        job.summary = "Processed 0 items, updated 0. No items are flagged “sync to store”; nothing was sent."
        return
    # A pause between batches, set only by the browser test; production never waits.
    delay = float(getattr(settings, "BOOKS_CONSOLE_BATCH_DELAY", 0) or 0)
    batcher = refresh_batches.Batcher(catalog(include_inactive, after, store=store), store.max_input_vars)
    if not _send_all(job, state, batcher, transport, store_id, delay):
        return
    _set_aside(job, state, batcher.too_large)
    state["complete"] = True
    progress(job, state["processed"], result=state)
    job.summary = summary(state)
