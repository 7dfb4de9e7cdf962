"""The records a sync job or an inbound call touched: one TouchedRecord row per (job or call, ref).

A ref is "<app_label>.<model_name>:<pk>" in lower case ("store.product:12",
"books.item:7"). Writers link refs as they go — a Quick Refresh links each
batch's items once the store has them — so nothing the job holds grows with
the catalog; a ref is linked once per job or call, however often it is linked.

``link`` is one INSERT per call, whatever its size (``rows.insert``: one
``executemany`` on SQLite, one ``INSERT … SELECT`` from a JSON document per
5,000 refs on PostgreSQL). ``bulk_create`` would split 1,000 refs into four
INSERTs on SQLite (999 parameters), so an inbound call's query count would
grow with its batch.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from . import rows
from .models import InboundCall, SyncJob, TouchedRecord

MAX_REF = TouchedRecord._meta.get_field("ref").max_length


def _owner_column(owner) -> str:
    if isinstance(owner, SyncJob):
        return "job"
    if isinstance(owner, InboundCall):
        return "call"
    raise TypeError(f"Only a sync job or an inbound call touches records, not {type(owner).__name__}.")


def clean(refs) -> list[str]:
    """The refs as stored: strings only, lower-case, each once, in the order given."""
    return list(dict.fromkeys(ref.lower() for ref in refs if isinstance(ref, str) and 0 < len(ref) <= MAX_REF))


def link(owner, refs, *, fresh: bool = False) -> None:
    """Link ``refs`` to a saved job or call; those already linked stay as they are.

    ``fresh``: the owner was created in this transaction and has no links yet, so there is
    nothing to skip (PostgreSQL's ON CONFLICT check was a third of linking 1,000 refs).
    """
    if owner.pk is None:
        raise ValueError("Save the job or call before linking what it touched.")
    column = _owner_column(owner)
    refs = clean(refs)
    if not refs:
        return
    job_id, call_id = (owner.pk, None) if column == "job" else (None, owner.pk)
    rows.insert(TouchedRecord, ["job", "call", "ref"], [(job_id, call_id, ref) for ref in refs],
                skip_existing=not fresh)


def refs_of(owner, limit: int = 200) -> tuple[list[str], int]:
    """(the first ``limit`` refs in the order they were linked, how many there are) for a detail page."""
    linked = TouchedRecord.objects.filter(**{_owner_column(owner): owner.pk})
    first = list(linked.order_by("pk").values_list("ref", flat=True)[:limit])
    return first, (len(first) if len(first) < limit else linked.count())


def touching(model, *refs: str) -> Exists:
    """For a SyncJob or InboundCall queryset: the rows that touched any of ``refs`` (exact refs, any case)."""
    column = {SyncJob: "job", InboundCall: "call"}[model]
    wanted = [str(ref).lower() for ref in refs]
    return Exists(TouchedRecord.objects.filter(**{column: OuterRef("pk")}, ref__in=wanted))
