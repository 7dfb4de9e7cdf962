"""Orders changed in the store after their export, and what to do about it in Bizuno.

Bizuno has no route to update or cancel a booked order: an order cancelled,
refunded or edited here after its export differs from the books until a
bookkeeper acts. So the export records what it sent (``Order.export_snapshot``:
status, lines, totals, addresses, Bizuno's ID and journal), every later save
of the order or a line compares the order with it (``refresh_flag``), and
``differences`` / ``bizuno_actions`` say what changed (old → new) and what to
do in Bizuno ("Void invoice #12", "Credit 1 × MUG on invoice #12").

An order closed before its export (cancelled, refunded, failed) is never
exported: ``cancel_pending_exports`` cancels an automatic export still waiting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from ..models import Order, OrderLine

# Orders in these states are not sold: never exported, their stock is not held.
CLOSED = frozenset({Order.Status.CANCELLED, Order.Status.REFUNDED, Order.Status.FAILED})
VOIDED = frozenset({Order.Status.CANCELLED, Order.Status.FAILED})
TOTALS = (("subtotal", "Subtotal"), ("tax_total", "Tax"), ("shipping_total", "Shipping"), ("total", "Total"))
ADDRESS = ("first_name", "last_name", "company", "address_1", "address_2", "city", "state", "postcode", "country")
_BOOKED = re.compile(r"Booked (invoice|sales order) #(\d+)")


@dataclass(frozen=True)
class Change:
    what: str
    old: str
    new: str

    def __str__(self):
        return f"{self.what}: {self.old or '—'} → {self.new or '—'}"


def _money(value) -> str:
    return str(Decimal(value or 0).quantize(Decimal("0.01")))


def _address(order, side: str) -> dict:
    values = {name: getattr(order, f"{side}_{name}") or "" for name in ADDRESS}
    if side == "billing":
        values.update(phone=order.billing_phone or "", email=order.billing_email or "")
    return values


def _keyed(lines) -> dict:
    """Lines by SKU (else name); a SKU on two lines is told apart by its position among them."""
    out = {}
    for line in lines:
        base = line.sku or line.name or "(no SKU)"
        key, n = base, 1
        while key in out:
            n += 1
            key = f"{base} ({n})"
        out[key] = {"sku": line.sku, "name": line.name, "quantity": line.quantity,
                    "total": _money(line.total), "tax": _money(line.total_tax)}
    return out


def state_of(order, lines=None) -> dict:
    """What an export of ``order`` sends, in the store's terms (the lines as given, else the order's)."""
    lines = list(order.lines.all()) if lines is None else list(lines)
    return {
        "status": order.status,
        "lines": _keyed(lines),
        "totals": {name: _money(getattr(order, name)) for name, _ in TOTALS},
        "billing": _address(order, "billing"),
        "shipping": _address(order, "shipping"),
    }


def journal_from(messages: list[dict]) -> str:
    """Our books side says "Booked invoice #12 for WC1001."; a real Bizuno may say nothing of it."""
    for message in messages or []:
        found = _BOOKED.search(message.get("text", ""))
        if found:
            return found.group(1)
    return ""


def snapshot_for_export(order, *, bizuno_id: str, messages=()) -> dict:
    return {**state_of(order), "bizuno_id": str(bizuno_id), "journal": journal_from(list(messages)),
            "at": timezone.now().isoformat()}


def _one_line(values: dict) -> str:
    name = " ".join(v for v in (values.get("first_name"), values.get("last_name")) if v)
    place = " ".join(v for v in (values.get("postcode"), values.get("city")) if v)
    parts = [values.get("company"), name, values.get("address_1"), values.get("address_2"), place,
             values.get("state"), values.get("country")]
    return ", ".join(p for p in parts if p)


def differences(snapshot: dict, now: dict) -> list[Change]:
    """What differs between what was exported and the order now, in reading order."""
    if not snapshot:
        return []
    out = []
    # Only closing (or reopening) an order matters to the books: processing → shipped or completed
    # is the order's normal life (ship confirmation comes from Bizuno itself).
    if (snapshot.get("status") in CLOSED) != (now["status"] in CLOSED):
        labels = dict(Order.Status.choices)
        out.append(Change("Status", labels.get(snapshot.get("status"), snapshot.get("status") or ""),
                          labels.get(now["status"], now["status"])))
    old_lines, new_lines = snapshot.get("lines", {}), now["lines"]
    for key in [*old_lines, *(k for k in new_lines if k not in old_lines)]:
        old, new = old_lines.get(key), new_lines.get(key)
        if old == new:
            continue
        out.append(Change(f"Line {key}", _line_text(old), _line_text(new)))
    for name, label in TOTALS:
        old, new = snapshot.get("totals", {}).get(name, ""), now["totals"][name]
        if old != new:
            out.append(Change(label, old, new))
    for side, label in (("billing", "Bill-to"), ("shipping", "Ship-to")):
        old, new = snapshot.get(side, {}), now[side]
        if old != new:
            out.append(Change(label, _one_line(old), _one_line(new)))
    return out


def _line_text(line: dict | None) -> str:
    if line is None:
        return ""
    return f"{line['quantity']} × {line['sku'] or line['name']} = {line['total']}"


def bizuno_actions(snapshot: dict, now: dict) -> list[str]:
    """What the bookkeeper does in Bizuno so the books match the store again."""
    if not snapshot or not differences(snapshot, now):
        return []
    journal = snapshot.get("journal") or "order"
    doc = f"{journal} #{snapshot.get('bizuno_id') or '?'}"
    status = now["status"]
    if status in VOIDED:
        return [f"Void {doc} (the order was {Order.Status(status).label.lower()} in the store)."]
    if status == Order.Status.REFUNDED:
        return [f"Credit the whole {doc} (the order was refunded in the store)."]
    actions = []
    old_lines, new_lines = snapshot.get("lines", {}), now["lines"]
    for key in [*old_lines, *(k for k in new_lines if k not in old_lines)]:
        old, new = old_lines.get(key), new_lines.get(key)
        before = old["quantity"] if old else 0
        after = new["quantity"] if new else 0
        label = (new or old)["sku"] or (new or old)["name"]
        if after < before:
            actions.append(f"Credit {before - after} × {label} on {doc}.")
        elif after > before:
            actions.append(f"Invoice {after - before} × {label} more (add it to {doc} or book a new order).")
        elif old != new:
            actions.append(f"Correct {label} on {doc}: {old['total']} → {new['total']}.")
    shipping_old = snapshot.get("totals", {}).get("shipping_total")
    if shipping_old is not None and shipping_old != now["totals"]["shipping_total"]:
        actions.append(f"Change the freight on {doc}: {shipping_old} → {now['totals']['shipping_total']}.")
    for side, label in (("billing", "bill-to"), ("shipping", "ship-to")):
        if snapshot.get(side, {}) != now[side]:
            actions.append(f"Update the {label} address on {doc}.")
    if not actions:
        old, new = snapshot.get("totals", {}).get("total"), now["totals"]["total"]
        actions.append(f"Check the total of {doc}: {old} → {new}." if old != new else f"Check {doc}.")
    return actions


def report_for(order) -> tuple[list[Change], list[str]]:
    now = state_of(order)
    return differences(order.export_snapshot, now), bizuno_actions(order.export_snapshot, now)


def refresh_flag(order_id: int) -> bool | None:
    """Recompute ``changed_after_export`` for an exported order; None when it has nothing to compare."""
    order = Order.objects.filter(pk=order_id, exported=True).prefetch_related("lines").first()
    if order is None or not order.export_snapshot:
        return None
    changed = bool(differences(order.export_snapshot, state_of(order)))
    if changed != order.changed_after_export:
        Order.objects.filter(pk=order.pk).update(changed_after_export=changed)
    return changed


def mark_handled(order, user=None) -> list[Change]:
    """The bookkeeper fixed Bizuno: the order as it is now becomes the baseline, with a note saying what was done."""
    from ..models import OrderNote

    changes, actions = report_for(order)
    if not changes:
        return []
    order.export_snapshot = {**order.export_snapshot, **state_of(order)}
    order.changed_after_export = False
    Order.objects.filter(pk=order.pk).update(export_snapshot=order.export_snapshot, changed_after_export=False)
    who = getattr(user, "get_username", lambda: "")() or "staff"
    OrderNote.objects.create(
        order=order,
        text=f"Changes after export handled in Bizuno by {who}: " + "; ".join(str(c) for c in changes)
        + ". Done: " + " ".join(actions),
    )
    return changes


def cancel_pending_exports(order) -> int:
    """An order closed before export is never exported: cancel its automatic export still waiting."""
    from bizunosync.sync.models import SyncJob

    waiting = [s for s in ("queued", "retrying") if s in SyncJob.Status.values]
    label = Order.Status(order.status).label.lower() if order.status in Order.Status.values else order.status
    return SyncJob.objects.filter(
        kind=SyncJob.Kind.ORDER_EXPORT, params__order_id=order.pk, status__in=waiting,
    ).update(
        status=SyncJob.Status.CANCELLED, cancel_requested=True, finished=timezone.now(), next_attempt_at=None,
        summary=f"Not sent: order {order.number} was {label} in the store before its export.",
    )


# ------------------------------------------------------------------ signals
# Every way an order or a line changes (the admin, its inlines, the shop, a
# shell) goes through save(); bulk updates by this module and the export do not.


def _order_saved(sender, instance, **kwargs):
    if instance.exported:
        refresh_flag(instance.pk)
    elif instance.status in CLOSED:
        cancel_pending_exports(instance)


def _line_changed(sender, instance, **kwargs):
    refresh_flag(instance.order_id)


def connect_signals():
    post_save.connect(_order_saved, sender=Order, dispatch_uid="store-order-changed-after-export")
    post_save.connect(_line_changed, sender=OrderLine, dispatch_uid="store-line-changed-after-export")
    post_delete.connect(_line_changed, sender=OrderLine, dispatch_uid="store-line-deleted-after-export")


def changed_orders(limit: int = 50) -> list[dict]:
    """The exported orders changed since, as plain data for an alert digest: oldest export first.

    [{"number", "bizuno_id", "changes": ["Status: Processing → Cancelled", …], "to_do": ["Void invoice #12 …"]}]
    Two queries (orders, their lines) whatever the count.
    """
    orders = (Order.objects.filter(exported=True, changed_after_export=True)
              .order_by("exported_at", "pk").prefetch_related("lines")[:limit])
    out = []
    for order in orders:
        found, actions = report_for(order)
        out.append({"number": order.number, "bizuno_id": order.bizuno_id,
                    "changes": [str(c) for c in found], "to_do": actions})
    return out
