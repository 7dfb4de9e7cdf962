"""Quick Refresh from the command line: `manage.py quick_refresh [--dry-run]`."""

from django.core.management.base import BaseCommand

from bizunosync.sync.connections import StoreConnection
from bizunosync.sync.models import SyncJob

from ...jobs import quick_refresh
from ...jobs.command import add_store_argument, run_each, stores_for


class Command(BaseCommand):
    help = ("Send price, available stock and tiers of every item flagged 'sync to store' to the store, "
            "up to 100 per call and no more form fields than the store's PHP max_input_vars (PUT product/refresh). "
            "Exits non-zero when the job does not succeed.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would be sent; send nothing.")
        add_store_argument(parser)

    def handle(self, *args, dry_run=False, store=None, **options):
        stores = stores_for(store)
        if dry_run:
            one = stores[0] if store else None
            include_inactive = (one or StoreConnection.load()).include_inactive
            too_large = []
            batches = quick_refresh.preview(include_inactive, too_large, store=one)
            for number, batch in enumerate(batches, 1):
                self.stdout.write(f"Batch {number} of {len(batches)} ({len(batch)} items):")
                for row in batch:
                    qty = "-" if row.qty is None else row.qty
                    sale = row.sale_price or "(none)"
                    tiers = row.tiers or "(none)"
                    self.stdout.write(f"  {row.sku}: available {qty}, price {row.price}, sale {sale}, tiers {tiers}")
            for row, fields in too_large:
                self.stdout.write(f"Not sent: {row.sku} has {fields} form fields, more than the store's PHP "
                                  f"max_input_vars ({(one or StoreConnection.load()).max_input_vars}).")
            total = sum(len(b) for b in batches)
            self.stdout.write(f"Dry run: would send {total} items in {len(batches)} batches. Nothing was sent.")
            return

        def build(conn):
            count = quick_refresh.flagged_items(conn.include_inactive, store=conn).count()
            return f"{count} items", {"include_inactive": conn.include_inactive}, count

        run_each(self, SyncJob.Kind.QUICK_REFRESH, stores, build)
