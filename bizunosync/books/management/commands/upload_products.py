"""Product Upload from the command line: `manage.py upload_products [--sku-prefix P] [--mode 1|2|3]`."""

from django.core.management.base import BaseCommand

from bizunosync.sync.models import SyncJob

from ...jobs import product_upload
from ...jobs.command import add_store_argument, run_each, stores_for


class Command(BaseCommand):
    help = ("Upload the items flagged 'sync to store' (optionally only SKUs starting with a prefix) to the "
            "store, one product per call (POST product/update). Exits non-zero when the job does not succeed.")

    def add_arguments(self, parser):
        parser.add_argument("--sku-prefix", default="", help="Only SKUs starting with this.")
        parser.add_argument(
            "--mode", type=int, choices=sorted(product_upload.MODES), default=1,
            help="; ".join(f"{k} = {v}" for k, v in sorted(product_upload.MODES.items())),
        )

        add_store_argument(parser)

    def handle(self, *args, sku_prefix="", mode=1, store=None, **options):
        prefix = sku_prefix.strip()

        def build(conn):
            count = product_upload.items_for_upload(sku_prefix=prefix, store=conn).count()
            target = f"{count} items" + (f" starting {prefix}" if prefix else "")
            return target, {"sku_prefix": prefix, "mode": mode}, count

        run_each(self, SyncJob.Kind.PRODUCT_UPLOAD, stores_for(store), build)
