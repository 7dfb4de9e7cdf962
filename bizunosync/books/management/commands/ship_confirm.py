"""Ship Confirmation from the command line: `manage.py ship_confirm [--date YYYY-MM-DD]` (default today)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bizunosync.sync.models import SyncJob

from ...jobs import ship_confirm
from ...jobs.command import add_store_argument, run_each, run_now, stores_for


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date must be YYYY-MM-DD, got {value!r}") from None


class Command(BaseCommand):
    help = ("Confirm the orders shipped on a day to the store (POST order/confirm): status 'shipped' and a "
            "note with the tracking numbers. Exits non-zero when the job does not succeed.")

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Ship date, YYYY-MM-DD (default: today).")
        add_store_argument(parser)

    def handle(self, *args, date=None, store=None, **options):
        day = _date(date) if date else timezone.localdate()
        # One confirmation per store the day's orders came from (only the named one with --store).
        wanted = {s.pk for s in stores_for(store)}
        shipped = [(s, n) for s, n in ship_confirm.stores_shipped(day) if s.pk in wanted]
        if not shipped:
            to_send, _skipped = ship_confirm.confirmations(day)
            run_now(self, SyncJob.Kind.SHIP_CONFIRM, target=f"Shipments of {day.isoformat()}",
                    params={"date": day.isoformat()}, total=0 if store else len(to_send))
            return
        counts = {s.pk: n for s, n in shipped}
        run_each(self, SyncJob.Kind.SHIP_CONFIRM, [s for s, _ in shipped], lambda s: (
            f"Shipments of {day.isoformat()}", {"date": day.isoformat()}, counts[s.pk]))
