"""Many stores on one books side: which store a job pushes to, which items it may see, whose order this is.

Plain functions the console, the jobs and the portal share:

* ``chosen_stores(value)``: the console's "All stores" or one store's id → the
  stores to run a job for (one job each, so a store that is down holds back
  no other);
* ``published_to(items, store)``: an item with no stores chosen is published
  to every store; one with stores chosen only to those;
* ``job_store(job)``: the store a console job pushes to (the first store for
  jobs started before there were several);
* ``store_for_token(token)`` and ``store_for_po(po)``: whose order the portal
  is booking — the store the token belongs to, else the store whose order
  prefix the PO carries.
"""

from __future__ import annotations

import hmac

from django.db.models import Exists, OuterRef

from bizunosync.sync.connections import StoreConnection
from bizunosync.wire import secrets

ALL = "all"


class UnknownStore(ValueError):
    """The console was asked for a store that is not there (or not active)."""


def chosen_stores(value) -> list[StoreConnection]:
    """``"all"`` (or nothing) → every active store; a store's pk → that store, if active."""
    value = str(value or ALL).strip()
    active = StoreConnection.active_stores()
    if value == ALL:
        if not StoreConnection.objects.exists():
            # Not set up yet: the one (empty) connection, whose job then says what to fill in.
            return [StoreConnection.load()]
        return list(active)
    if not value.isdigit():
        raise UnknownStore(f"store: {value!r} is not a store")
    store = active.filter(pk=int(value)).first()
    if store is None:
        raise UnknownStore(f"store: no active store has the id {value}")
    return [store]


def published_to(items, store: StoreConnection | None):
    """The items of ``items`` published to ``store`` (None: no filter)."""
    if store is None:
        return items
    through = items.model.stores.through
    chosen = through.objects.filter(item_id=OuterRef("pk"))
    return items.filter(~Exists(chosen) | Exists(chosen.filter(storeconnection_id=store.pk)))


def job_store(job) -> StoreConnection:
    """The store a console job pushes to."""
    if job.store_id:
        store = StoreConnection.objects.filter(pk=job.store_id).first()
        if store is not None:
            return store
    return StoreConnection.load()


def include_inactive(job, store: StoreConnection) -> bool:
    value = job.params.get("include_inactive")
    return store.include_inactive if value is None else bool(value)


def store_for_token(given: str) -> StoreConnection | None:
    """The active store whose own portal token this is (compared in constant time), else None."""
    found = None
    for store in StoreConnection.objects.filter(active=True).exclude(portal_token="").order_by("pk"):
        try:
            expected = store.portal_token_plain
        except secrets.SecretError:
            continue
        # Every store is compared, so the time taken does not say which one matched.
        if expected and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")) and found is None:
            found = store
    return found


def store_for_po(po: str, stores=None) -> StoreConnection | None:
    """The store whose order prefix the PO starts with (the longest wins); the only store when there is one."""
    stores = list(StoreConnection.objects.order_by("pk")) if stores is None else list(stores)
    po = (po or "").strip().upper()
    matches = [s for s in stores if s.order_prefix.strip() and po.startswith(s.order_prefix.strip().upper())]
    if matches:
        return max(matches, key=lambda s: len(s.order_prefix.strip()))
    if len(stores) == 1:
        return stores[0]
    return None


def has_prefix(ref: str, store: StoreConnection) -> bool:
    """The plugin's rule (PROTOCOL §2.6): with a prefix set, a reference without it is skipped."""
    prefix = store.order_prefix.strip()
    return not prefix or ref.upper().startswith(prefix.upper())
