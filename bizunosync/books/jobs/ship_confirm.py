"""Ship Confirmation: the day's shipments to the store (POST order/confirm).

For each sales order with a PO reference (the store's order prefix + number,
as orderAdd delivered it) shipped on the chosen date: ``head[REF]`` =
"Shipped MM/DD/YYYY via <carrier service>, tracking number(s):" and
``body[REF]`` = the tracking numbers, comma separated — Bizuno's wording, so
the customer's note reads the same whichever side sent it. Orders entered by
hand (no PO reference) have nothing to confirm in the store and are listed as
skipped.

Several stores: each order goes back to the store it came from (the store
its portal token named, else the one whose order prefix its PO carries), one
job and one order/confirm call per store, with that store's prefix rule: a
reference without the store's prefix is not sent to it (the plugin would skip
it anyway).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bizunosync.sync import touched
from bizunosync.sync.jobs import call, progress, runner
from bizunosync.sync.models import SyncJob
from bizunosync.sync.transport import store_transport
from bizunosync.wire import order_confirm
from bizunosync.wire.messages import plural

from bizunosync.sync.connections import StoreConnection

from .. import stores as store_rules
from ..models import Shipment
from .common import keep_messages, messages_line

PATH = "order/confirm"


@dataclass
class ShippedOrder:
    ref: str  # "" when the order did not come from the store
    order_id: int
    order_label: str
    carriers: list[str] = field(default_factory=list)
    tracking: list[str] = field(default_factory=list)
    shipment_ids: list[int] = field(default_factory=list)
    store_id: int | None = None
    store_name: str = ""

    def confirmation(self, day: dt.date) -> order_confirm.Confirmation:
        via = " / ".join(self.carriers) or "carrier"
        return order_confirm.Confirmation(
            ref=self.ref,
            head=f"Shipped {day:%Y-%m-%d} via {via}, tracking number(s):",
            body=", ".join(self.tracking),
        )


def shipped_on(day: dt.date, store: StoreConnection | None = None) -> list[ShippedOrder]:
    """One row per sales order shipped that day (several shipments of one order are merged).

    Each row names the store it goes back to; with ``store``, only that store's rows.
    """
    orders: dict[int, ShippedOrder] = {}
    # No store set up yet: the (empty) first one, whose job then says what to fill in, as before the list.
    stores = {s.pk: s for s in StoreConnection.objects.order_by("pk")} or {(first := StoreConnection.load()).pk: first}
    shipments = (
        Shipment.objects.filter(ship_date=day)
        .select_related("sales_order")
        .prefetch_related("packages")
        .order_by("sales_order__po_reference", "id")
    )
    for shipment in shipments:
        so = shipment.sales_order
        row = orders.get(so.pk)
        if row is None:
            home = stores.get(so.store_id) or store_rules.store_for_po(so.po_reference, stores.values())
            row = orders[so.pk] = ShippedOrder(so.po_reference.strip(), so.pk, str(so),
                                               store_id=home.pk if home else None, store_name=str(home or ""))
        if shipment.carrier_service and shipment.carrier_service not in row.carriers:
            row.carriers.append(shipment.carrier_service)
        row.tracking.extend(p.tracking_number.strip() for p in shipment.packages.all() if p.tracking_number.strip())
        row.shipment_ids.append(shipment.pk)
    rows = list(orders.values())
    if store is not None:
        rows = [r for r in rows if r.store_id == store.pk]
    return rows


def sendable(row: ShippedOrder, store: StoreConnection | None) -> bool:
    return bool(row.ref) and (store is None or store_rules.has_prefix(row.ref, store))


def confirmations(day: dt.date, store: StoreConnection | None = None) -> tuple[list[order_confirm.Confirmation], list[ShippedOrder]]:
    """(what would be sent, orders skipped: no PO reference, or not with the store's prefix)."""
    rows = shipped_on(day, store)
    return [r.confirmation(day) for r in rows if sendable(r, store)], [r for r in rows if not sendable(r, store)]


def stores_shipped(day: dt.date) -> list[tuple[StoreConnection, int]]:
    """The active stores with something to confirm that day, and how many orders each."""
    counts: dict[int, int] = {}
    for row in shipped_on(day):
        if row.ref and row.store_id:
            counts[row.store_id] = counts.get(row.store_id, 0) + 1
    return [(s, counts[s.pk]) for s in StoreConnection.active_stores() if s.pk in counts]


@runner(SyncJob.Kind.SHIP_CONFIRM)
def run(job: SyncJob) -> None:
    day = dt.date.fromisoformat(job.params["date"])
    # Jobs from before there were several stores carry no store: they confirm every order, as then.
    store = store_rules.job_store(job) if job.store_id else None
    to_send, skipped = confirmations(day, store)
    state = {"date": day.isoformat(), "refs": [c.ref for c in to_send], "skipped": [r.order_label for r in skipped]}
    progress(job, 0, total=len(to_send), result=state)
    if not to_send:
        job.summary = f"No shipments with a store order reference on {day:%Y-%m-%d}; nothing was sent."
        return
    transport = store_transport(store)
    reply = call(job, transport, "POST", PATH, form={"data": order_confirm.build(to_send)})
    keep_messages(state, reply.messages)
    touched.link(job, [f"books.shipment:{pk}" for r in shipped_on(day, store) if sendable(r, store)
                       for pk in r.shipment_ids])
    progress(job, len(to_send), result=state)
    job.succeeded_count = len(to_send)
    text = f"Sent {plural(len(to_send), 'ship confirmation')} for {day:%Y-%m-%d}" + (
        f" to {store}." if store and StoreConnection.objects.count() > 1 else ".")
    if skipped:
        what = f"a {store.order_prefix} reference" if store is not None and store.order_prefix.strip() else "a store reference"
        text += f" Skipped {plural(len(skipped), 'order')} without {what}."
    job.summary = text + messages_line(state)
