"""Quick Refresh's batches: the catalog read chunk by chunk, packed to fit the store's PHP.

Bizuno sends 100 items per PUT whatever they hold; with price tiers a batch
is well over PHP's default ``max_input_vars`` (1000), and PHP keeps only the
first 1000 form fields without a word: the item cut in half arrives without
its price and the plugin blanks it. Here a batch holds at most 100 items
*and* at most the store connection's *PHP max_input_vars* form fields. An
item that cannot fit even alone is not sent, and named.

The catalog is read from the database in chunks of ``CHUNK`` items, in SKU
order, by keyset (``sku > last``), each chunk with its default-sheet tiers:
memory stays flat whatever the catalog's size, and items flagged or changed
during the run are read as they are when their chunk comes.

The store's answer says ``Updated N of M products``, M being how many items
it received (the plugin's ``count($items)``, blank SKUs included). An M
smaller than what was sent means the store's PHP cut the batch: ``cut_at``
says so, and the job sends the rest again (the values are absolute, so
resending an item is harmless).

A cut inside the *last* item would not show in M: that item still arrives,
without its last fields (a tier, its weight), and the plugin applies what
came. So every batch ends with ``END``, one blank-SKU row the plugin counts
and skips: M = items + 1 proves the last item arrived whole; M = items says
the cut fell in the last item or the end row, and the last item goes again.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from bizunosync.wire import phpform
from bizunosync.wire.product_refresh import RefreshItem, encode_item

from ..models import Item

BATCH_SIZE = 100  # Bizuno's own batch (ifWooCommerce $refreshRows)
END = {"SKU": ""}  # the row that closes every batch: counted in M, skipped by every store
END_FIELDS = 1
CHUNK = 500  # items read from the database at a time
_NOTE = re.compile(r"^\s*Updated\s+(\d+)\s+of\s+(\d+)\b")


END_ROW = phpform.encode_row("data", END)


@dataclass
class Entry:
    """One item on its way: what is sent, its books pk (for the job's links), its form fields, and
    those fields encoded (once, whichever batch and place in it the item ends up in)."""

    item: RefreshItem
    pk: int
    fields: int
    row: phpform.Row | None = None

    @classmethod
    def of(cls, item: RefreshItem, pk: int) -> Entry:
        row = encode_item(item)
        return cls(item, pk, row.fields, row)


def body(batch: list[Entry]) -> phpform.Body:
    """The batch's form body (``data[0][SKU]=…``), its END row last: what phpform.encode would write."""
    return phpform.encode_list([*(entry.row for entry in batch), END_ROW])


def catalog(queryset_after: Callable[[str], "Iterable[Item]"], to_item: Callable[[Item], RefreshItem],
            after_sku: str = "", chunk: int | None = None) -> Iterator[Entry]:
    """Every item after ``after_sku``, read ``chunk`` at a time (two queries per chunk)."""
    chunk = chunk or CHUNK
    last = after_sku
    while True:
        rows = list(queryset_after(last)[:chunk])
        for row in rows:
            sent = to_item(row)
            yield Entry.of(sent, row.pk)
        if len(rows) < chunk:
            return
        last = rows[-1].sku


class Batcher:
    """Packs entries into batches of at most ``size`` items and ``limit`` form fields.

    ``limit`` may be lowered during a run (the store kept fewer fields than it
    was told); ``put_back`` returns entries a cut batch did not deliver to the
    front of the queue; entries too large for the limit are collected, not sent.
    """

    def __init__(self, entries: Iterable[Entry], limit: int, size: int = BATCH_SIZE):
        self._source = iter(entries)
        self._queue: deque[Entry] = deque()
        self.limit = limit  # form fields a whole batch may have, its END row included
        self.size = size
        self.too_large: list[Entry] = []

    def _next(self) -> Entry | None:
        if self._queue:
            return self._queue.popleft()
        return next(self._source, None)

    def read_ahead(self) -> None:
        """Take the next batch's entries from the source now (reading a chunk if one is due), in order."""
        while len(self._queue) < self.size:
            entry = next(self._source, None)
            if entry is None:
                return
            self._queue.append(entry)

    def put_back(self, entries: list[Entry]) -> None:
        self._queue.extendleft(reversed(entries))

    def next_batch(self) -> list[Entry]:
        """The next batch; [] when everything is sent. Too-large entries met on the way are set aside."""
        batch: list[Entry] = []
        used = 0
        room = self.limit - END_FIELDS
        while len(batch) < self.size:
            entry = self._next()
            if entry is None:
                break
            if entry.fields > room:
                self.too_large.append(entry)
                continue
            if used + entry.fields > room:
                self._queue.appendleft(entry)
                break
            batch.append(entry)
            used += entry.fields
        return batch


def received(note) -> int | None:
    """M in the store's ``Updated N of M products.``; None when the note does not say."""
    match = _NOTE.match(str(note or ""))
    return int(match.group(2)) if match else None


def cut_at(batch: list[Entry], note) -> int | None:
    """How many items of ``batch`` arrived whole when the store's PHP cut it, else None.

    PHP keeps the first fields up to its limit; the plugin counts every row
    it sees, the one cut in half included, so ``M - 1`` rows are known whole.
    The batch was sent with its END row: all of it arrived when M counts that too.
    """
    count = received(note)
    if count is None or count >= len(batch) + 1:
        return None
    return min(max(count - 1, 0), len(batch))


def lowered_limit(batch: list[Entry], whole: int, limit: int) -> int:
    """A limit the store's PHP is known to keep, after it cut ``batch`` with ``whole`` items intact."""
    if whole:
        # The store kept at least the whole items' fields: later batches fit their END row within that.
        return min(limit, sum(entry.fields for entry in batch[:whole]))
    # Not even the first item arrived whole: the store keeps fewer fields than that item has.
    return min(limit, batch[0].fields - 1)
