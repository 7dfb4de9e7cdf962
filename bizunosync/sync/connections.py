"""Connection settings: where the other side is and how to log in (Bizuno: one; stores: a list).

Secrets are stored encrypted with ``bizunosync.wire.secrets`` under
``settings.FIELD_ENCRYPTION_KEY`` (or ``SECRET_KEY`` when that is empty), and
read with the decrypt quirk of PROTOCOL §4: a value that is not in the
encrypted ``::`` form is a legacy plain value, used verbatim.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower

from bizunosync.wire import secrets


def secret_key_material() -> str:
    return settings.FIELD_ENCRYPTION_KEY or settings.SECRET_KEY


def encrypt_secret(plain: str) -> str:
    return secrets.encrypt(plain, secret_key_material())


def decrypt_secret(stored: str) -> str:
    return secrets.decrypt(stored, secret_key_material())


def _timeout(default, help_text):
    return models.FloatField(
        default=default,
        validators=[MinValueValidator(0.1), MaxValueValidator(600)],
        help_text=help_text,
    )


class SingletonModel(models.Model):
    """A settings page: one row (pk 1), loaded or created on first use, never deleted.

    Store settings and the portal settings use it too: one shape for every
    settings row in the project.
    """

    updated = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        return 0, {}

    @classmethod
    def load(cls):
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


def default_store_name(url: str, *, exclude=None) -> str:
    """A store's name when none is given: its URL's host (and path), made unique."""
    from urllib.parse import urlsplit

    parts = urlsplit(url or "")
    base = ((parts.netloc or "") + (parts.path or "").rstrip("/")) or "Store"
    base = base[:90]
    name, n = base, 2
    while StoreConnection.objects.filter(name=name).exclude(pk=exclude).exists():
        name, n = f"{base} ({n})", n + 1
    return name


class BizunoConnection(SingletonModel):
    """Store → books: the bizuno-api plugin's settings page."""

    class Fallback(models.TextChoices):
        NONE = "none", "No rates (checkout shows no shipping options from Bizuno)"
        FLAT = "flat", "A flat rate"

    url = models.URLField(
        "Bizuno URL",
        max_length=500,
        blank=True,
        help_text="Bizuno's address, e.g. https://books.example.com/bizuno. The portal API is called at "
        "this URL + /?bizRt=portal/api/…",
    )
    token = models.CharField(
        "API token",
        max_length=2000,
        blank=True,
        help_text="Sent in the X-Bizuno-Token header. Stored encrypted.",
    )
    order_prefix = models.CharField(
        max_length=20, blank=True, default="WC", help_text="Put before the order number: WC + 1001 → PO WC1001."
    )
    customer_prefix = models.CharField(
        max_length=20, blank=True, default="WC", help_text="Put before the customer id sent to Bizuno."
    )
    autodownload = models.BooleanField(
        "Autodownload orders",
        default=False,
        help_text="Send each order to Bizuno in the background as soon as it is placed.",
    )
    refuses_duplicates = models.BooleanField(
        "Bizuno refuses duplicate POs",
        default=False,
        help_text="Off by default, because a real Bizuno books the same PO twice. Turn it on only when the "
        "books side refuses a second order with the same PO (bizunosync's books side with Portal settings → "
        "Refuse a duplicate PO on): then an export that timed out, got a 500/502 or lost its connection after "
        "sending is retried automatically instead of waiting for review, since a resend cannot book twice.",
    )
    connect_timeout = _timeout(5, "Seconds to wait for a connection to Bizuno.")
    read_timeout = _timeout(30, "Seconds to wait for Bizuno's answer once the request is sent.")
    rates_timeout = _timeout(
        3, "Seconds the checkout waits for shipping rates before using the fallback. Keep it short."
    )
    rates_cache_seconds = models.PositiveIntegerField(
        "Rates cache (seconds)",
        default=300,
        help_text="Rates for the same destination and weight are reused for this long.",
    )
    rates_fallback = models.CharField(
        "When Bizuno is slow or down",
        max_length=8,
        choices=Fallback.choices,
        default=Fallback.NONE,
    )
    rates_fallback_title = models.CharField(
        "Fallback rate title", max_length=100, blank=True, default="Standard shipping"
    )
    rates_fallback_amount = models.DecimalField(
        "Fallback rate amount",
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        verbose_name = "Bizuno connection"
        verbose_name_plural = "Bizuno connection"

    def __str__(self):
        return self.url or "Bizuno connection (not set up)"

    @property
    def token_plain(self) -> str:
        return decrypt_secret(self.token)

    def set_token(self, plain: str) -> None:
        self.token = encrypt_secret(plain)

    @property
    def is_configured(self) -> bool:
        return bool(self.url and self.token)


class StoreConnection(models.Model):
    """Books → store: Bizuno's WooCommerce interface settings, one row per store.

    The bizuno-api plugin's readme promises several stores on one Bizuno: each
    store is a row with its own URL, login, options, the PO prefix its orders
    carry and the portal token its plugin sends. ``load()`` is the first store,
    for single-store installs and callers that need "the" store.
    """

    name = models.CharField(
        max_length=100,
        unique=True,
        blank=True,
        help_text="What staff call this store, e.g. “EU shop”. Blank: its URL.",
    )
    active = models.BooleanField(
        default=True, help_text="Inactive stores get no pushes from the console and their portal token is refused."
    )
    updated = models.DateTimeField(auto_now=True)
    url = models.URLField(
        "Store URL",
        max_length=500,
        blank=True,
        help_text="The shop's address, e.g. https://shop.example.com. Calls go to "
        "this URL + /wp-json/bizuno-api/v1/…",
    )
    email = models.CharField(
        "WordPress user",
        max_length=254,
        blank=True,
        help_text="The e-mail address or user name Bizuno logs in as (sent in the 'email' header).",
    )
    password = models.CharField(
        "WordPress password",
        max_length=2000,
        blank=True,
        help_text="Sent in the 'pass' header. Stored encrypted.",
    )
    include_inactive = models.BooleanField(
        default=False, help_text="Also send items that are marked inactive in the books."
    )
    method_override = models.BooleanField(
        "Proxy-safe mode",
        default=False,
        help_text="Send PUT calls (Quick Refresh) as POST with 'X-HTTP-Method-Override: PUT'. Turn this on "
        "when the store sits behind mod_security with the OWASP Core Rule Set, which blocks PUT by "
        "default (HTTP 403).",
    )
    connect_timeout = _timeout(5, "Seconds to wait for a connection to the store.")
    read_timeout = _timeout(60, "Seconds to wait for the store's answer once a request is sent.")
    order_prefix = models.CharField(
        "order prefix",
        max_length=20,
        blank=True,
        help_text="The prefix this store puts before its order numbers (its plugin's order prefix): WC + 1001 → "
        "PO WC1001. Ship confirmations send this store only references with it. No two stores may share one.",
    )
    portal_token = models.CharField(
        "portal token",
        max_length=2000,
        blank=True,
        help_text="The API token this store's plugin sends to our portal (X-Bizuno-Token): orders that come "
        "with it are booked as this store's. Stored encrypted. Blank: the store uses the portal's shared token.",
    )
    max_input_vars = models.PositiveIntegerField(
        "PHP max_input_vars",
        default=1000,
        validators=[MinValueValidator(20), MaxValueValidator(1_000_000)],
        help_text="The store's PHP setting (php.ini max_input_vars; PHP's default is 1000). PHP silently drops "
        "every form field past it, so Quick Refresh sizes its batches to fit and Product Upload refuses a "
        "product that cannot. Raise it here only after raising it on the store's server.",
    )

    class Meta:
        verbose_name = "Store connection"
        verbose_name_plural = "Store connections"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(Lower("order_prefix"), name="sync_one_store_per_order_prefix",
                                    violation_error_message="Another store already uses this order prefix."),
        ]

    def __str__(self):
        return self.name or self.url or "Store connection (not set up)"

    def save(self, *args, **kwargs):
        # Named after its URL once it has one (an empty first store, made by load(), stays unnamed till then).
        self.name = self.name.strip()
        if not self.name and self.url:
            self.name = default_store_name(self.url, exclude=self.pk)
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        """The first store (created empty if there is none): what single-store code means by "the store"."""
        first = cls.objects.order_by("pk").first()
        return first if first is not None else cls.objects.create()

    @classmethod
    def active_stores(cls):
        return cls.objects.filter(active=True).order_by("pk")

    def clean(self):
        from django.core.exceptions import ValidationError

        self.order_prefix = self.order_prefix.strip()
        clash = StoreConnection.objects.filter(order_prefix__iexact=self.order_prefix).exclude(pk=self.pk).first()
        if clash is not None:
            # Bookings and ship confirmations tell stores apart by it.
            if self.order_prefix:
                text = f"Store “{clash}” already uses the order prefix {clash.order_prefix}; each store needs its own."
            else:
                text = (f"Store “{clash}” has no order prefix either: with several stores, give each its own "
                        "(the prefix its plugin puts before order numbers).")
            raise ValidationError({"order_prefix": text})

    @property
    def portal_token_plain(self) -> str:
        return decrypt_secret(self.portal_token)

    def set_portal_token(self, plain: str) -> None:
        self.portal_token = encrypt_secret(plain) if plain else ""

    @property
    def password_plain(self) -> str:
        return decrypt_secret(self.password)

    def set_password(self, plain: str) -> None:
        self.password = encrypt_secret(plain)

    @property
    def is_configured(self) -> bool:
        return bool(self.url and self.email and self.password)
