"""`manage.py seed_demo`: a small believable demo, safe to run again and again.

Each side seeds its own part: the store here (`bizunosync.store.demo`), the
books side through `bizunosync.books.demo.seed_books()` once that exists.
"""

import importlib
import inspect

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from bizunosync.store.demo import seed_store

DEMO_ADMIN = ("admin", "admin@example.com", "admin")


class Command(BaseCommand):
    help = "Create or refresh the demo shop (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--with-admin", action="store_true", help="Create or refresh the demo superuser admin/admin.")
        parser.add_argument("--site-url", default="", help="Where this site is served (used to connect both sides).")

    def handle(self, *args, with_admin=False, site_url="", **options):
        counts = seed_store()
        self.stdout.write(
            f"Store: {counts['products']} products, {counts['customers']} customers, {counts['orders']} orders."
        )
        self.seed_books(site_url)
        if with_admin:
            self.seed_admin()

    def seed_books(self, site_url):
        try:
            books_demo = importlib.import_module("bizunosync.books.demo")
        except ModuleNotFoundError as exc:
            if exc.name != "bizunosync.books.demo":
                raise
            return
        accepts_url = "site_url" in inspect.signature(books_demo.seed_books).parameters
        result = books_demo.seed_books(site_url=site_url) if accepts_url else books_demo.seed_books()
        if result:
            self.stdout.write(f"Books: {result}")

    def seed_admin(self):
        username, email, password = DEMO_ADMIN
        user, _ = get_user_model().objects.get_or_create(username=username, defaults={"email": email})
        user.email = email
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        self.stdout.write(self.style.SUCCESS(f"Demo admin: log in at /admin/ as {username} / {password}"))
