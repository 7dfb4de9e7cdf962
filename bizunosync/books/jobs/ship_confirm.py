"""Ship Confirmation: the day's shipments to the store (POST order/confirm).

For each sales order with a PO reference (the store's order prefix + number,
as orderAdd delivered it) shipped on the chosen date: ``head[REF]`` =
"Shipped MM/DD/YYYY via <carrier service>, tracking number(s):" and
``body[REF]`` = the tracking numbers, comma separated — Bizuno's wording, so
the customer's note reads the same whichever side sent it. Orders entered by
hand (no PO reference) have nothing to confirm in the store and are listed as
skipped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bizunosync.sync.jobs import call, progress, runner
from bizunosync.sync.models import SyncJob
from bizunosync.sync.transport import store_transport
from bizunosync.wire import order_confirm
from bizunosync.wire.messages import plural

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

    def confirmation(self, day: dt.date) -> order_confirm.Confirmation:
        via = " / ".join(self.carriers) or "carrier"
        return order_confirm.Confirmation(
            ref=self.ref,
            head=f"Shipped {day:%Y-%m-%d} via {via}, tracking number(s):",
            body=", ".join(self.tracking),
        )


def shipped_on(day: dt.date) -> list[ShippedOrder]:
    """One row per sales order shipped that day (several shipments of one order are merged)."""
    orders: dict[int, ShippedOrder] = {}
    shipments = (
        Shipment.objects.filter(ship_date=day)
        .select_related("sales_order")
        .prefetch_related("packages")
        .order_by("sales_order__po_reference", "id")
    )
    for shipment in shipments:
        so = shipment.sales_order
        row = orders.setdefault(so.pk, ShippedOrder(so.po_reference.strip(), so.pk, str(so)))
        if shipment.carrier_service and shipment.carrier_service not in row.carriers:
            row.carriers.append(shipment.carrier_service)
        row.tracking.extend(p.tracking_number.strip() for p in shipment.packages.all() if p.tracking_number.strip())
        row.shipment_ids.append(shipment.pk)
    return list(orders.values())


def confirmations(day: dt.date) -> tuple[list[order_confirm.Confirmation], list[ShippedOrder]]:
    """(what would be sent, orders skipped because they have no PO reference)."""
    rows = shipped_on(day)
    return [r.confirmation(day) for r in rows if r.ref], [r for r in rows if not r.ref]


@runner(SyncJob.Kind.SHIP_CONFIRM)
def run(job: SyncJob) -> None:
    day = dt.date.fromisoformat(job.params["date"])
    to_send, skipped = confirmations(day)
    state = {"date": day.isoformat(), "refs": [c.ref for c in to_send], "skipped": [r.order_label for r in skipped]}
    progress(job, 0, total=len(to_send), result=state)
    if not to_send:
        job.summary = f"No shipments with a store order reference on {day:%Y-%m-%d}; nothing was sent."
        return
    transport = store_transport()
    reply = call(job, transport, "POST", PATH, form={"data": order_confirm.build(to_send)})
    keep_messages(state, reply.messages)
    job.touched = [f"books.shipment:{pk}" for r in shipped_on(day) if r.ref for pk in r.shipment_ids]
    progress(job, len(to_send), result=state)
    job.succeeded_count = len(to_send)
    text = f"Sent {plural(len(to_send), 'ship confirmation')} for {day:%Y-%m-%d}."
    if skipped:
        text += f" Skipped {plural(len(skipped), 'order')} without a store reference."
    job.summary = text + messages_line(state)
