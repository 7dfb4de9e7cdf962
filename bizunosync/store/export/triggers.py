"""When an order exports itself: once placed, if Autodownload Orders is on.

The storefront calls ``order_placed(order)`` inside its checkout transaction.
The job row is written in that transaction and handed to the background
worker only after it commits (``sync.jobs.submit`` uses on_commit), so the
customer never waits for Bizuno, and a rolled-back checkout sends nothing.
There is deliberately no post_save signal: only a placed order exports.
"""

from __future__ import annotations

from bizunosync.sync.connections import BizunoConnection
from bizunosync.sync.models import SyncJob

from .service import queue_export


def order_placed(order) -> SyncJob | None:
    """Queue the order's export if Autodownload is on; returns the job (None when nothing was queued)."""
    if not BizunoConnection.load().autodownload:
        return None
    return queue_export(order, trigger=SyncJob.Trigger.CHECKOUT)
