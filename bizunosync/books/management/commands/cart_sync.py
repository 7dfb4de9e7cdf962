"""Cart Sync from the command line: `manage.py cart_sync [--delete]`."""

from django.core.management.base import BaseCommand

from bizunosync.sync.models import SyncJob

from ...jobs import cart_sync
from ...jobs.command import run_now


class Command(BaseCommand):
    help = ("Send the SKUs flagged 'sync to store' to the store (POST product/sync); it lists the store "
            "products not flagged here. Exits non-zero when the job does not succeed.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--delete", action="store_true",
            help="Also make the store DELETE every product whose SKU is not flagged here (with its images).",
        )

    def handle(self, *args, delete=False, **options):
        skus = cart_sync.flagged_skus()
        target = f"{len(skus)} SKUs" + (" (delete others)" if delete else " (check)")
        run_now(self, SyncJob.Kind.CART_SYNC, target=target, params={"delete": delete})
