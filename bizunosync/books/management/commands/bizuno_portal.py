"""`manage.py bizuno_portal --token TOKEN [--user USERNAME]`: open the portal API to a store.

Stores the token encrypted and binds it to an API user. Without --user the
dedicated user "bizuno-api" is created (or reused): active, so the token
authenticates as it, but with no usable password, so nobody can log in as it.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bizunosync.books.models import PortalSettings
from bizunosync.wire import secrets

DEFAULT_USER = "bizuno-api"


class Command(BaseCommand):
    help = "Set the portal API token (stored encrypted) and the user orders are booked as."

    def add_arguments(self, parser):
        parser.add_argument("--token", required=True, help="The shared token the store sends in X-Bizuno-Token.")
        parser.add_argument("--user", default="", help=f"An existing active user; default: {DEFAULT_USER} (created if needed).")

    def handle(self, *args, token, user, **options):
        token = token.strip()
        if not token:
            raise CommandError("--token must not be empty.")
        if not (token.isascii() and token.isprintable()) or " " in token:
            # Header values must be printable ASCII or proxies answer 400 (PROTOCOL §5).
            raise CommandError("--token must be printable ASCII without spaces (it travels in an HTTP header).")
        User = get_user_model()
        with transaction.atomic():
            if user:
                try:
                    api_user = User.objects.get(**{User.USERNAME_FIELD: user})
                except User.DoesNotExist:
                    raise CommandError(f"No user named {user!r}.") from None
                if not api_user.is_active:
                    raise CommandError(f"User {user!r} is inactive: the portal would refuse every call. Activate it first.")
            else:
                api_user, created = User.objects.get_or_create(**{User.USERNAME_FIELD: DEFAULT_USER})
                if created:
                    api_user.set_unusable_password()
                api_user.is_active = True
                api_user.save()
            portal = PortalSettings.load()
            portal.set_token(token)
            portal.api_user = api_user
            portal.save()
        self.stdout.write(
            self.style.SUCCESS(
                f"Portal API token set ({secrets.mask(token)}); orders will be booked as {api_user.get_username()}."
            )
        )
