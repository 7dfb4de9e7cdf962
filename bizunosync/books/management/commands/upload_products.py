"""Product Upload from the command line: `manage.py upload_products [--sku-prefix P] [--mode 1|2|3]`."""

from django.core.management.base import BaseCommand

from bizunosync.sync.models import SyncJob

from ...jobs import product_upload
from ...jobs.command import run_now


class Command(BaseCommand):
    help = ("Upload the items flagged 'sync to store' (optionally only SKUs starting with a prefix) to the "
            "store, one product per call (POST product/update). Exits non-zero when the job does not succeed.")

    def add_arguments(self, parser):
        parser.add_argument("--sku-prefix", default="", help="Only SKUs starting with this.")
        parser.add_argument(
            "--mode", type=int, choices=sorted(product_upload.MODES), default=1,
            help="; ".join(f"{k} = {v}" for k, v in sorted(product_upload.MODES.items())),
        )

    def handle(self, *args, sku_prefix="", mode=1, **options):
        prefix = sku_prefix.strip()
        count = product_upload.items_for_upload(sku_prefix=prefix).count()
        target = f"{count} items" + (f" starting {prefix}" if prefix else "")
        run_now(self, SyncJob.Kind.PRODUCT_UPLOAD, target=target, params={"sku_prefix": prefix, "mode": mode},
                total=count)
