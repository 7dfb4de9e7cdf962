"""Quick Refresh: price, stock and tiers of every flagged item, 100 per PUT product/refresh.

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

from bizunosync.sync.connections import StoreConnection
from bizunosync.sync.jobs import call, progress, runner
from bizunosync.sync.models import SyncJob
from bizunosync.sync.transport import store_transport
from bizunosync.wire.product_refresh import CLEAR, RefreshItem, Tier, build_batch

from .. import stores as store_rules
from ..models import Item
from . import refresh_changes
from .common import keep_messages, messages_line, touch

BATCH_SIZE = 100
PATH = "product/refresh"


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


def batches(items: list[RefreshItem], size: int = BATCH_SIZE) -> list[list[RefreshItem]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


@dataclass
class PreviewRow:
    sku: str
    name: str
    qty: int | None
    price: str
    sale_price: str
    tiers: str
    weight: str


def preview(include_inactive: bool | None = None, store: StoreConnection | None = None) -> list[list[PreviewRow]]:
    """The dry run: what each batch would carry. Sends nothing; compares against nothing remote."""
    out = []
    rows = []
    for item in flagged_items(include_inactive, store=store):
        sent = refresh_item(item)
        rows.append(
            PreviewRow(
                sku=sent.sku,
                name=item.description_short,
                qty=sent.qty_stock,
                price=_money(sent.price),
                sale_price="" if sent.sale_price is CLEAR else _money(sent.sale_price),
                tiers=", ".join(f"{t.qty}+ @ {_money(t.price)}" for t in sent.tiers),
                weight=f"{sent.weight.normalize():f} {item.weight_uom}" if sent.weight else "",
            )
        )
    for i in range(0, len(rows), BATCH_SIZE):
        out.append(rows[i : i + BATCH_SIZE])
    return out


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
    return text + messages_line(result)


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
    items = list(flagged_items(include_inactive, after_sku=after, store=store))
    todo = [refresh_item(item) for item in items]
    pks = {item.sku: item.pk for item in items}
    done = state.get("processed", 0)
    state.update(processed=done, updated=state.get("updated", 0), batches_done=state.get("batches_done", 0))
    job.touched = job.touched or []
    progress(job, done, total=done + len(todo), result=state)
    if not todo and not done:
        job.summary = "Processed 0 items, updated 0. No items are flagged “sync to store”; nothing was sent."
        return
    # A pause between batches, set only by the browser test; production never waits.
    delay = float(getattr(settings, "BOOKS_CONSOLE_BATCH_DELAY", 0) or 0)
    for number, batch in enumerate(batches(todo), 1):
        if number > 1 and delay:
            time.sleep(delay)  # tests only: lets a browser see the bar move
        changes, first, sent = refresh_changes.compare(store_id, batch, pks)
        reply = call(job, transport, "PUT", PATH, form={"data": build_batch(batch)})
        refresh_changes.remember(store_id, sent)  # only reached when the store accepted the batch
        refresh_changes.record(state, changes, first)
        state["processed"] += len(batch)
        state["updated"] += _updated(reply)
        state["batches_done"] += 1
        state["last_sku"] = batch[-1].sku
        job.touched = touch(job.touched, [pks[entry.sku] for entry in batch])
        if reply.data.get("note"):
            state.setdefault("notes", []).append(str(reply.data["note"])[:200])
        keep_messages(state, reply.messages)
        job.succeeded_count = state["processed"]
        if not progress(job, state["processed"], summary=summary(state), result=state):
            job.summary = f"Cancelled by staff after {state['processed']} items. " + summary(state)
            return
    state["complete"] = True
    progress(job, state["processed"], result=state)
    job.summary = summary(state)
