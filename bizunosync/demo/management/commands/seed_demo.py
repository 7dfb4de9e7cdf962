"""`manage.py seed_demo`: a small believable demo of both sides, safe to run again and again."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from bizunosync.books.demo import seed_books
from bizunosync.demo.loop import connect_loop, link_booked_orders
from bizunosync.store.demo import seed_store

DEMO_ADMIN = ("admin", "admin@example.com", "admin")


class Command(BaseCommand):
    help = "Create or refresh the demo shop and books (idempotent); with --site-url, connect both sides."

    def add_arguments(self, parser):
        parser.add_argument("--with-admin", action="store_true", help="Create or refresh the demo superuser admin/admin.")
        parser.add_argument(
            "--site-url",
            default="",
            help="Where this site is served, e.g. http://127.0.0.1:8000: connects the store and books sides to each other.",
        )

    def handle(self, *args, with_admin=False, site_url="", **options):
        if site_url and not site_url.startswith(("http://", "https://")):
            raise CommandError("--site-url must start with http:// or https://")
        counts = seed_store()
        self.stdout.write(
            f"Store: {counts['products']} products, {counts['customers']} customers, {counts['orders']} orders."
        )
        self.stdout.write(f"Books: {seed_books()}")
        for line in link_booked_orders():
            self.stdout.write(f"Loop: {line}")
        if site_url:
            for line in connect_loop(site_url):
                self.stdout.write(f"Loop: {line}")
        if with_admin:
            self.seed_admin()

    def seed_admin(self):
        username, email, password = DEMO_ADMIN
        user, _ = get_user_model().objects.get_or_create(username=username, defaults={"email": email})
        user.email = email
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        self.stdout.write(self.style.SUCCESS(f"Demo admin: log in at /admin/ as {username} / {password}"))
