"""Cart Sync from the command line: `manage.py cart_sync [--delete]`."""

from django.core.management.base import BaseCommand

from bizunosync.sync.models import SyncJob

from ...jobs import cart_sync
from ...jobs.command import add_store_argument, run_each, stores_for


class Command(BaseCommand):
    help = ("Send the SKUs flagged 'sync to store' to the store (POST product/sync); it lists the store "
            "products not flagged here. Exits non-zero when the job does not succeed.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--delete", action="store_true",
            help="Also make the store DELETE every product whose SKU is not flagged here (with its images).",
        )
        add_store_argument(parser)

    def handle(self, *args, delete=False, store=None, **options):
        def build(conn):
            # Each store gets what is published to it: its delete removes only what is not published there.
            skus = cart_sync.flagged_skus(store=conn)
            return f"{len(skus)} SKUs" + (" (delete others)" if delete else " (check)"), {"delete": delete}, 0

        run_each(self, SyncJob.Kind.CART_SYNC, stores_for(store), build)
