"""The two named permissions that gate every call staff can send to a peer.

Ordinary change rights let staff edit rows here; sending something to Bizuno
or pushing to the store changes the other side, so each needs its own
permission (superusers have both):

* ``store.send_to_bizuno``: the store's outbound calls (order export and
  re-export, shipping-rate quotes, retrying such a call);
* ``books.run_store_pushes``: the books' Store console (Quick Refresh,
  Product Upload, Cart Sync, ship confirmation, retrying or stopping them).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

SEND_TO_BIZUNO = "store.send_to_bizuno"
RUN_STORE_PUSHES = "books.run_store_pushes"

LABELS = {
    SEND_TO_BIZUNO: "Can send orders to Bizuno (export, retry)",
    RUN_STORE_PUSHES: "Can run the Store console (Quick Refresh, Product Upload, Cart Sync, ship confirmation)",
}

# Job kinds the store sends to Bizuno; every other kind is a books push to the store.
_STORE_KINDS = {"order_export", "ship_rates"}


def for_kind(kind: str) -> str:
    """The permission that sending (or retrying) a job of this kind needs."""
    return SEND_TO_BIZUNO if kind in _STORE_KINDS else RUN_STORE_PUSHES


def require(user, perm: str) -> None:
    """Refuse with the 403 page, naming the permission staff should ask for."""
    if not user.has_perm(perm):
        raise PermissionDenied(f"This sends to the other side and needs the permission “{LABELS[perm]}”. "
                               "Ask an administrator to give it to you.")


def may_send(user, kind: str) -> bool:
    """Whether to offer a button that sends (or resends) a job of this kind."""
    return bool(user and user.is_active and user.has_perm(for_kind(kind)))
