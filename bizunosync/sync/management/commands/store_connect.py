from django.core.management.base import BaseCommand, CommandError

from bizunosync.sync.connections import StoreConnection

from ._connect import printable_secret, save_valid, valid_url


class Command(BaseCommand):
    help = ("Point the books at a bizuno-api store: URL, WordPress user and password (stored encrypted). "
            "With --name, adds that store or edits it (many stores on one books side); without, edits the first.")

    def add_arguments(self, parser):
        parser.add_argument("--name", help="The store's name: adds it when no store has it, else edits it")
        parser.add_argument("--url", help="The store's address, e.g. https://shop.example.com")
        parser.add_argument("--email", help="WordPress e-mail or user name")
        parser.add_argument("--password", help="WordPress password (sent in the 'pass' header)")
        parser.add_argument(
            "--method-override",
            action="store_true",
            default=None,
            help="Proxy-safe mode: send PUT as POST with X-HTTP-Method-Override (OWASP CRS blocks PUT)",
        )
        parser.add_argument("--no-method-override", action="store_false", dest="method_override")
        parser.add_argument("--order-prefix", help="The prefix this store's orders carry (e.g. WC); unique per store")
        parser.add_argument("--portal-token", help="The token this store's plugin sends to our portal (its own)")
        parser.add_argument("--include-inactive", action="store_true", default=None,
                            help="Also send items marked inactive")
        parser.add_argument("--no-include-inactive", action="store_false", dest="include_inactive")
        parser.add_argument("--active", action="store_true", default=None, help="Push to this store (the default)")
        parser.add_argument("--inactive", action="store_false", dest="active",
                            help="Stop pushing to this store and refuse its portal token")
        parser.add_argument(
            "--max-input-vars", type=int, default=None,
            help="The store's PHP max_input_vars (default 1000): Quick Refresh sizes its batches to it",
        )

    def handle(self, *args, name, url, email, password, method_override, order_prefix, portal_token,
               include_inactive, active, max_input_vars=None, **options):
        if name is not None:
            name = name.strip()
            if not name or len(name) > 100:
                raise CommandError("--name must be 1 to 100 characters")
            conn = StoreConnection.objects.filter(name=name).first()
            created = conn is None
            if created:
                conn = StoreConnection(name=name)
        else:
            conn, created = StoreConnection.load(), False
        if created or not conn.is_configured:
            missing = [f"--{n}" for n, v in (("url", url), ("email", email), ("password", password)) if not v]
            if missing:
                what = f"a new store ({name})" if created else "a store that is not set up yet"
                raise CommandError(f"{', '.join(missing)} required for {what}")
        if url is not None:
            conn.url = valid_url(url)
        if email is not None:
            conn.email = printable_secret("--email", email)
        if password is not None:
            conn.set_password(printable_secret("--password", password))
        if method_override is not None:
            conn.method_override = method_override
        if include_inactive is not None:
            conn.include_inactive = include_inactive
        if max_input_vars is not None:
            conn.max_input_vars = max_input_vars
        if active is not None:
            conn.active = active
        if order_prefix is not None:
            conn.order_prefix = order_prefix.strip()
        if portal_token is not None:
            from bizunosync.books.stores import store_for_token

            printable_secret("--portal-token", portal_token)
            other = store_for_token(portal_token)
            if other is not None and other.pk != conn.pk:
                raise CommandError(f"--portal-token: store “{other}” already has this token; each store needs its own")
            conn.set_portal_token(portal_token)
        save_valid(conn)
        prefix = f", order prefix {conn.order_prefix}" if conn.order_prefix else ""
        token = ", own portal token" if conn.portal_token else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Store connection “{conn.name}” {'added' if created else 'saved'}: {conn.url} as {conn.email} "
                f"(password stored encrypted), proxy-safe mode {'on' if conn.method_override else 'off'}, "
                f"PHP max_input_vars {conn.max_input_vars}{prefix}{token}{'' if conn.active else ', inactive'}."
            )
        )
