from django.core.management.base import BaseCommand

from bizunosync.sync.connections import StoreConnection

from ._connect import printable_secret, save_valid, valid_url


class Command(BaseCommand):
    help = "Point the books at a bizuno-api store: URL, WordPress user and password (stored encrypted)."

    def add_arguments(self, parser):
        parser.add_argument("--url", required=True, help="The store's address, e.g. https://shop.example.com")
        parser.add_argument("--email", required=True, help="WordPress e-mail or user name")
        parser.add_argument("--password", required=True, help="WordPress password (sent in the 'pass' header)")
        parser.add_argument(
            "--method-override",
            action="store_true",
            default=None,
            help="Proxy-safe mode: send PUT as POST with X-HTTP-Method-Override (OWASP CRS blocks PUT)",
        )
        parser.add_argument("--no-method-override", action="store_false", dest="method_override")

    def handle(self, *args, url, email, password, method_override, **options):
        url = valid_url(url)
        printable_secret("--email", email)
        printable_secret("--password", password)
        conn = StoreConnection.load()
        conn.url = url
        conn.email = email
        conn.set_password(password)
        if method_override is not None:
            conn.method_override = method_override
        save_valid(conn)
        self.stdout.write(
            self.style.SUCCESS(
                f"Store connection saved: {conn.url} as {conn.email} (password stored encrypted), "
                f"proxy-safe mode {'on' if conn.method_override else 'off'}."
            )
        )
