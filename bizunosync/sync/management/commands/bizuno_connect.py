from django.core.management.base import BaseCommand

from bizunosync.sync.connections import BizunoConnection
from bizunosync.wire.secrets import mask

from ._connect import printable_secret, save_valid, valid_url


class Command(BaseCommand):
    help = "Point the store at Bizuno: URL, API token (stored encrypted), prefixes, autodownload."

    def add_arguments(self, parser):
        parser.add_argument("--url", required=True, help="Bizuno's address, e.g. https://books.example.com/bizuno")
        parser.add_argument("--token", required=True, help="The API token (sent as X-Bizuno-Token)")
        parser.add_argument("--order-prefix", help="Prefix for PO numbers (e.g. WC)")
        parser.add_argument("--customer-prefix", help="Prefix for customer ids")
        parser.add_argument(
            "--autodownload", action="store_true", default=None, help="Export each order as it is placed"
        )
        parser.add_argument("--no-autodownload", action="store_false", dest="autodownload")

    def handle(self, *args, url, token, order_prefix, customer_prefix, autodownload, **options):
        url = valid_url(url)
        printable_secret("--token", token)
        conn = BizunoConnection.load()
        conn.url = url
        conn.set_token(token)
        if order_prefix is not None:
            conn.order_prefix = order_prefix
        if customer_prefix is not None:
            conn.customer_prefix = customer_prefix
        if autodownload is not None:
            conn.autodownload = autodownload
        save_valid(conn)
        self.stdout.write(
            self.style.SUCCESS(
                f"Bizuno connection saved: {conn.url} (token {mask(token)}, stored encrypted), "
                f"order prefix {conn.order_prefix!r}, customer prefix {conn.customer_prefix!r}, "
                f"autodownload {'on' if conn.autodownload else 'off'}."
            )
        )
