"""Quick Refresh's changes list: which items it changed, and how (old → new).

The old value is what this books side **last sent to the same store** for the
item (``LastPushed``, one row per store and item, written when the store has
accepted a batch). Not the previous run's values: a run may have been
cancelled or failed half way, may have covered other items, or gone to
another store; and not the store's own values: the plugin's answer says only
"Updated N of M", never which or from what.

So "changed" means "different from what we told this store last time". An
item never sent to this store before has no old value: it is counted as a
first push, not listed as a change. Two queries per batch: one read, one
upsert.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from bizunosync.sync import rows
from bizunosync.wire.product_refresh import CLEAR, RefreshItem
from bizunosync.wire.product_update import ProductUpdate

from ..models import LastPushed

MAX_LISTED = 500  # changes kept on the job for the page; the counts go on past it

# (key in LastPushed.sent, label staff read), in the order the page shows them.
FIELDS = [("price", "Price"), ("sale_price", "Sale price"), ("qty", "Stock"), ("tiers", "Tiers"),
          ("weight", "Weight")]


def _money(value) -> str:
    """Money as Bizuno holds it (4 decimals) for comparing; shown with 2 unless the extra ones matter."""
    return f"{Decimal(value):.4f}"


def sent_values(item: RefreshItem) -> dict:
    """What this refresh item carried, as canonical strings (absent fields left out)."""
    out = {}
    if item.price is not None:
        out["price"] = _money(item.price)
    if item.sale_price is CLEAR:
        out["sale_price"] = ""
    elif item.sale_price is not None:
        out["sale_price"] = _money(item.sale_price)
    if item.qty_stock is not None:
        out["qty"] = str(int(item.qty_stock))
    if item.weight is not None:
        out["weight"] = f"{Decimal(item.weight).normalize():f}"
    out["tiers"] = ", ".join(f"{t.qty}+ @ {_shown_money(_money(t.price))}" for t in item.tiers)
    return out


def _shown_money(text: str) -> str:
    if not text:
        return "—"
    value = Decimal(text)
    return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else f"{value.normalize():f}"


def shown(key: str, text: str | None) -> str:
    """A stored value as the changes list shows it."""
    if text is None or text == "":
        return "—"
    if key in ("price", "sale_price"):
        return _shown_money(text)
    return text


def compare(store_id: int, batch: list[RefreshItem], pks: dict[str, int]) -> tuple[list[dict], int, dict]:
    """(changes in this batch, items sent here for the first time, {item pk: sent values}). One query."""
    now = {pks[entry.sku]: sent_values(entry) for entry in batch}
    before = dict(rows.read(LastPushed.objects.filter(store_id=store_id, item_id__one_of=now),
                            ["item_id", "sent"]))
    changes, first = [], 0
    for entry in batch:
        pk = pks[entry.sku]
        old = before.get(pk)
        if old is None:
            first += 1
            continue
        diff = [
            [label, shown(key, old.get(key)), shown(key, now[pk][key])]
            for key, label in FIELDS
            if key in now[pk] and old.get(key) != now[pk][key]
        ]
        if diff:
            changes.append({"sku": entry.sku, "item": pk, "changes": diff})
    return changes, first, now


def remember(store_id: int, sent: dict[int, dict]) -> None:
    """Record what the store accepted, as the next run's old values. One query."""
    now = timezone.now()
    rows.upsert(LastPushed, ["store", "item", "sent", "pushed_at"],
                [(store_id, pk, values, now) for pk, values in sent.items()], unique=["store", "item"])


def remember_upload(store_id: int, sent: ProductUpdate, item_pk: int) -> None:
    """A product the store accepted from Product Upload: its price, stock, tiers and weight are now the
    store's too, so the next Quick Refresh compares with them (product/update clears the sale price)."""
    as_refresh = RefreshItem(sku=sent.sku, qty_stock=sent.qty_stock, weight=sent.weight, price=sent.price,
                             sale_price=CLEAR, tiers=list(sent.tiers or []))
    remember(store_id, {item_pk: sent_values(as_refresh)})


def record(state: dict, listed: list[dict], changes: list[dict], first: int) -> bool:
    """Add a batch's changes: the counts to the job's result, rows to ``listed`` (the job's changes) up
    to MAX_LISTED. True when ``listed`` grew (and so is to be saved)."""
    state["changed_items"] = state.get("changed_items", 0) + len(changes)
    state["first_push"] = state.get("first_push", 0) + first
    room = max(0, MAX_LISTED - len(listed))
    listed.extend(changes[:room])
    return bool(changes[:room])
