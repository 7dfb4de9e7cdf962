"""The project's periodic work in one process: `manage.py sync_scheduler` (no crontab)."""

from __future__ import annotations

import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from bizunosync.sync.scheduler import tick

logger = logging.getLogger("bizunosync.sync.scheduler")


class Command(BaseCommand):
    help = ("Run periodic sync work every --interval seconds: recover stalled jobs (resume Quick Refresh and "
            "Product Upload, send the rest to review), hand due retries to the task backend, and the "
            "scheduled chores (sync-log pruning, alert digest). Safe to run more than one.")

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=None,
                            help="Seconds between rounds (default SYNC_SCHEDULER_INTERVAL, 30).")
        parser.add_argument("--once", action="store_true", help="One round, then exit (for cron or a check).")

    def handle(self, *args, interval=None, once=False, **options):
        interval = interval if interval is not None else float(settings.SYNC_SCHEDULER_INTERVAL)
        if interval <= 0:
            self.stderr.write("--interval must be greater than 0.")
            raise SystemExit(2)
        stop = threading.Event()
        if not once:
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stop.set())
            self.stdout.write(f"Sync scheduler: a round every {interval:g} s (Ctrl+C stops).")
        if once:
            self._report(tick(), quiet=False)
            return
        while not stop.is_set():
            close_old_connections()  # a long-lived process: drop connections the database closed
            try:
                self._report(tick(), quiet=True)
            except Exception:  # the database restarting, say: log it and try again next round
                logger.exception("sync scheduler round failed")
            stop.wait(interval)

    def _report(self, done, *, quiet):
        parts = []
        if done["recovered"]:
            parts.append("recovered " + ", ".join(f"job {pk} ({how})" for pk, how in done["recovered"]))
        if done["lost"]:
            parts.append("queued again (task lost by the backend) " + ", ".join(map(str, done["lost"])))
        if done["due"]:
            parts.append("queued due retries " + ", ".join(map(str, done["due"])))
        if done["rq_closed"]:
            parts.append(f"closed {done['rq_closed']} abandoned RQ job(s)")
        if done["periodic"]:
            parts.append("ran " + ", ".join(done["periodic"]))
        if parts or not quiet:
            self.stdout.write("; ".join(parts).capitalize() + "." if parts else "Nothing to do.")
            self.stdout.flush()
