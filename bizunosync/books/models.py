"""The books side (Bizuno's role): catalog master, customers, sales orders, shipments.

Books owns products, stock, prices and shipments; the store owns orders and
customers. Orders arrive here through the portal API (orderAdd) and are
booked as a sales order or an invoice, as Bizuno does.

Units: stock quantities are whole units (integers); order-line quantities are
Decimal because Bizuno books service lines by the hour. Money is Decimal with
four places, as Bizuno stores prices.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from bizunosync.sync.connections import SingletonModel, decrypt_secret, encrypt_secret
from bizunosync.sync.numbers import amount_text, money_text
from bizunosync.wire import secrets

MONEY = {"max_digits": 16, "decimal_places": 4}
MEASURE = {"max_digits": 12, "decimal_places": 3}


def _today():
    return timezone.localdate()


# --------------------------------------------------------------------- items


class ItemQuerySet(models.QuerySet):
    def for_store(self):
        """What Quick Refresh and Cart Sync send: flagged and active."""
        return self.filter(sync_to_store=True, inactive=False)

    def with_default_tiers(self):
        """Prefetch the default price sheet's levels into `item.default_levels`.

        `Item.tiers` then costs no query per item.
        """
        return self.prefetch_related(
            models.Prefetch(
                "price_levels",
                queryset=PriceLevel.objects.filter(sheet__is_default=True).order_by("qty"),
                to_attr="default_levels",
            )
        )


class Item(models.Model):
    class Type(models.TextChoices):
        STOCK = "si", "Stock item"
        SERIALIZED = "sr", "Serialized item"
        MASTER_STOCK = "ms", "Master stock item (with variations)"
        ASSEMBLY = "ma", "Assembly"
        NON_STOCK = "ns", "Non-stock item"
        SERVICE = "sv", "Service"
        LABOR = "lb", "Labor"
        CHARGE = "ci", "Charge item"

    # Types whose stock Bizuno counts; the others never run short.
    STOCK_TYPES = frozenset({"si", "sr", "ms", "ma"})

    class WeightUnit(models.TextChoices):
        LB = "lb", "Pounds (lb)"
        KG = "kg", "Kilograms (kg)"
        OZ = "oz", "Ounces (oz)"
        G = "g", "Grams (g)"

    class DimensionUnit(models.TextChoices):
        IN = "in", "Inches (in)"
        FT = "ft", "Feet (ft)"
        YD = "yd", "Yards (yd)"
        M = "m", "Metres (m)"
        CM = "cm", "Centimetres (cm)"
        MM = "mm", "Millimetres (mm)"

    sku = models.CharField("SKU", max_length=64, unique=True)
    description_short = models.CharField("name", max_length=255, help_text="Short description; the product name in the store.")
    description_sales = models.TextField("sales description", blank=True)
    description_long = models.TextField("long description", blank=True)
    item_type = models.CharField("type", max_length=2, choices=Type.choices, default=Type.STOCK)
    full_price = models.DecimalField("full price", default=Decimal("0"), **MONEY)
    sale_price = models.DecimalField(
        "sale price", null=True, blank=True, help_text="Leave blank for no sale.", **MONEY
    )
    qty_on_hand = models.IntegerField("on hand", default=0)
    qty_on_sales_orders = models.IntegerField(
        "on sales orders", default=0, help_text="Ordered by customers but not yet invoiced."
    )
    qty_allocated = models.IntegerField("allocated", default=0, help_text="Reserved for work orders/assemblies.")
    weight = models.DecimalField(default=Decimal("0"), **MEASURE)
    weight_uom = models.CharField("weight unit", max_length=2, choices=WeightUnit.choices, default=WeightUnit.LB)
    length = models.DecimalField(default=Decimal("0"), **MEASURE)
    width = models.DecimalField(default=Decimal("0"), **MEASURE)
    height = models.DecimalField(default=Decimal("0"), **MEASURE)
    dimension_uom = models.CharField(
        "dimension unit", max_length=2, choices=DimensionUnit.choices, default=DimensionUnit.IN
    )
    category = models.CharField(
        "store categories",
        max_length=500,
        blank=True,
        help_text="Breadcrumbs, levels separated by |, several by ; — e.g. Tools|Hand tools|Hammers; Sale|Hammers",
    )
    tags = models.CharField("store tags", max_length=500, blank=True, help_text="Separated by |, e.g. new|gift")
    slug = models.SlugField("store slug", max_length=200, blank=True, help_text="Blank: made from the name.")
    menu_order = models.IntegerField("store sort order", default=99)
    attributes = models.JSONField(
        default=list, blank=True, help_text='List of {"index", "title", "value"}, e.g. [{"index": 0, "title": "Colour", "value": "Red"}]'
    )
    accessories = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="accessory_of", help_text="Related items shown in the store."
    )
    image = models.ImageField("primary image", upload_to="books/items/", blank=True)
    sync_to_store = models.BooleanField(
        "sync to store", default=False, db_index=True, help_text="Sent by Quick Refresh, Product Upload and Cart Sync."
    )
    inactive = models.BooleanField(default=False, db_index=True)
    # Many stores on one books side: none chosen = published to every store (the default).
    stores = models.ManyToManyField(
        "sync.StoreConnection",
        blank=True,
        related_name="published_items",
        verbose_name="published to",
        help_text="The stores Quick Refresh, Product Upload and Cart Sync send this item to. Leave empty to "
        "publish it to every store.",
    )
    search_code = models.CharField("search code", max_length=255, blank=True)
    meta_description = models.CharField("meta description", max_length=500, blank=True)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["sku"]
        verbose_name = "item"
        verbose_name_plural = "inventory items"
        # Named in bizunosync.sync.permissions; checked before the console pushes anything to the store.
        permissions = [
            ("run_store_pushes", "Can run the Store console (Quick Refresh, Product Upload, Cart Sync, ship confirmation)")
        ]

    def __str__(self):
        return f"{self.sku} — {self.description_short}"

    @property
    def qty_available(self) -> int:
        """What can be sold now: on hand − on sales orders − allocated."""
        return self.qty_on_hand - self.qty_on_sales_orders - self.qty_allocated

    @property
    def tracks_stock(self) -> bool:
        return self.item_type in self.STOCK_TYPES

    @property
    def tiers(self) -> list[tuple[int, Decimal]]:
        """(qty, price) from the default price sheet, sorted by qty.

        A single level is a price, not a tier table: it yields no tiers.
        Uses `default_levels` when prefetched by `with_default_tiers()`.
        """
        levels = getattr(self, "default_levels", None)
        if levels is None:
            levels = list(self.price_levels.filter(sheet__is_default=True).order_by("qty"))
        if len(levels) < 2:
            return []
        return [(level.qty, level.price) for level in sorted(levels, key=lambda lv: lv.qty)]


class ItemImage(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="books/items/gallery/")
    title = models.CharField(max_length=255, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["item", "position", "id"]
        verbose_name = "gallery image"

    def __str__(self):
        return self.title or self.image.name


class LastPushed(models.Model):
    """What Quick Refresh last sent to a store for an item, once the store accepted it.

    The old side of the job page's "old → new" list (books/jobs/refresh_changes.py).
    """

    # The unique (store, item) index leads with the store and serves its lookups and CASCADE deletes:
    # an index of its own was only upkeep, and with stale statistics PostgreSQL chose it for a batch's
    # 100-item read, scanning every row of the store (4 ms a batch instead of 0.2, measured).
    store = models.ForeignKey("sync.StoreConnection", on_delete=models.CASCADE, related_name="+", db_index=False)
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    sent = models.JSONField(default=dict, help_text="Price, sale price, stock, tiers and weight as last sent.")
    pushed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "value last sent to the store"
        verbose_name_plural = "values last sent to the store"
        constraints = [models.UniqueConstraint(fields=["store", "item"], name="books_last_pushed_once")]

    def __str__(self):
        return f"{self.item_id} → store {self.store_id}"


class PriceSheet(models.Model):
    name = models.CharField(max_length=100, unique=True)
    is_default = models.BooleanField(
        "default sheet", default=False, help_text="Quantity tiers sent to the store come from the default sheet only."
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = "price sheet"
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="books_one_default_sheet")
        ]

    def __str__(self):
        return f"{self.name} (default)" if self.is_default else self.name

    def save(self, *args, **kwargs):
        if self.is_default:
            # Only one default: making this one the default demotes the other.
            PriceSheet.objects.filter(is_default=True).exclude(pk=self.pk).update(is_default=False)
        super().save(*args, **kwargs)


class PriceLevel(models.Model):
    sheet = models.ForeignKey(PriceSheet, on_delete=models.CASCADE, related_name="levels")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="price_levels")
    qty = models.PositiveIntegerField("from quantity", default=1)
    price = models.DecimalField("unit price", **MONEY)

    class Meta:
        ordering = ["sheet", "item", "qty"]
        verbose_name = "price level"
        constraints = [models.UniqueConstraint(fields=["sheet", "item", "qty"], name="books_one_price_per_qty")]

    def __str__(self):
        return f"{self.item.sku} from {self.qty}: {money_text(self.price)}"


# ----------------------------------------------------------------- customers


class Customer(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", "Entered here"
        STORE = "store", "Created by a store order"

    customer_ref = models.CharField(
        "store customer id", max_length=64, blank=True, db_index=True, help_text="Customer prefix + store id, e.g. C12."
    )
    name = models.CharField("name", max_length=255, help_text="Company, else the person's name.")
    contact = models.CharField(max_length=255, blank=True)
    email = models.CharField(max_length=254, blank=True, help_text="Orders are matched to customers by this address (any case).")
    phone = models.CharField(max_length=64, blank=True)
    address1 = models.CharField("address", max_length=255, blank=True)
    address2 = models.CharField("address line 2", max_length=255, blank=True)
    city = models.CharField(max_length=128, blank=True)
    state = models.CharField("state / province", max_length=64, blank=True)
    postal_code = models.CharField("postal code", max_length=32, blank=True)
    country = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL)
    store = models.ForeignKey(
        "sync.StoreConnection", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The store whose order created this customer.",
    )
    store_snapshot = models.JSONField(
        "as the store sent it", default=dict, blank=True,
        help_text="The store-owned fields as booked from the store's order (for the drift report).",
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = "customer"
        indexes = [models.Index(Lower("email"), name="books_customer_email_ci")]

    def __str__(self):
        return f"{self.name} <{self.email}>" if self.email else self.name


# -------------------------------------------------------------- sales orders


class SalesOrder(models.Model):
    class Journal(models.TextChoices):
        SALES_ORDER = "so", "Sales order"
        INVOICE = "inv", "Invoice"

    class PaymentStatus(models.TextChoices):
        AUTHORIZED = "authorized", "Authorized"
        CAPTURED = "captured", "Captured"

    class Source(models.TextChoices):
        MANUAL = "manual", "Entered here"
        PORTAL = "portal", "Store (orderAdd)"

    journal = models.CharField(
        max_length=3,
        choices=Journal.choices,
        default=Journal.SALES_ORDER,
        db_index=True,
        help_text="Sales order when stock was short at booking; invoice when everything could ship.",
    )
    po_reference = models.CharField(
        "PO reference", max_length=64, blank=True, db_index=True, help_text="The store's order reference, e.g. WC1001."
    )
    order_date = models.DateField("order date", default=_today)
    post_date = models.DateField("post date", default=_today, db_index=True)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    store = models.ForeignKey(
        "sync.StoreConnection", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The store that sent this order (known by the portal token it came with).",
    )

    billing_name = models.CharField("bill-to name", max_length=255, blank=True)
    billing_contact = models.CharField("bill-to contact", max_length=255, blank=True)
    billing_address1 = models.CharField("bill-to address", max_length=255, blank=True)
    billing_address2 = models.CharField("bill-to address line 2", max_length=255, blank=True)
    billing_city = models.CharField("bill-to city", max_length=128, blank=True)
    billing_state = models.CharField("bill-to state", max_length=64, blank=True)
    billing_postal_code = models.CharField("bill-to postal code", max_length=32, blank=True)
    billing_country = models.CharField("bill-to country", max_length=64, blank=True)
    billing_telephone = models.CharField("bill-to telephone", max_length=64, blank=True)
    billing_email = models.CharField("bill-to email", max_length=254, blank=True)

    shipping_name = models.CharField("ship-to name", max_length=255, blank=True)
    shipping_contact = models.CharField("ship-to contact", max_length=255, blank=True)
    shipping_address1 = models.CharField("ship-to address", max_length=255, blank=True)
    shipping_address2 = models.CharField("ship-to address line 2", max_length=255, blank=True)
    shipping_city = models.CharField("ship-to city", max_length=128, blank=True)
    shipping_state = models.CharField("ship-to state", max_length=64, blank=True)
    shipping_postal_code = models.CharField("ship-to postal code", max_length=32, blank=True)
    shipping_country = models.CharField("ship-to country", max_length=64, blank=True)
    shipping_telephone = models.CharField("ship-to telephone", max_length=64, blank=True)
    shipping_email = models.CharField("ship-to email", max_length=254, blank=True)

    total = models.DecimalField("order total", default=Decimal("0"), **MONEY)
    sales_tax = models.DecimalField("sales tax", default=Decimal("0"), **MONEY)
    freight = models.DecimalField(default=Decimal("0"), **MONEY)
    shipping_method = models.CharField("shipping method", max_length=255, blank=True)
    carrier_code = models.CharField(
        "Bizuno carrier", max_length=64, blank=True,
        help_text="From the Shipping method map at booking; blank when the store's method was not mapped.",
    )
    payment_method = models.CharField("payment method", max_length=128, blank=True)
    payment_title = models.CharField("payment title", max_length=255, blank=True)
    payment_code = models.CharField(
        "Bizuno payment method", max_length=64, blank=True,
        help_text="From the Payment method map at booking; blank when the store's method was not mapped.",
    )
    payment_status = models.CharField(
        "payment", max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.CAPTURED
    )
    transaction_id = models.CharField("transaction id", max_length=255, blank=True)
    notes = models.TextField(blank=True)

    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    possible_duplicate = models.BooleanField(
        "possible duplicate",
        default=False,
        db_index=True,
        help_text="Another order has the same PO reference: the store may have sent it twice.",
    )
    store_snapshot = models.JSONField(
        "as the store sent it", default=dict, blank=True,
        help_text="The store-owned fields and lines as booked from orderAdd (for the drift report).",
    )
    created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-post_date", "-id"]
        verbose_name = "sales order / invoice"
        verbose_name_plural = "sales orders & invoices"

    def __str__(self):
        ref = f" {self.po_reference}" if self.po_reference else ""
        return f"{self.get_journal_display()} #{self.pk}{ref}"


class SalesOrderLine(models.Model):
    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="order_lines",
        help_text="Blank when the SKU is not in the catalog (booked as a non-stock line).",
    )
    sku = models.CharField("SKU", max_length=64, blank=True)
    description = models.CharField(max_length=255, blank=True)
    quantity = models.DecimalField(max_digits=16, decimal_places=4, default=Decimal("1"))
    unit_price = models.DecimalField("unit price", default=Decimal("0"), **MONEY)
    sales_tax = models.DecimalField("sales tax", default=Decimal("0"), **MONEY)
    total = models.DecimalField("line total", default=Decimal("0"), **MONEY)

    class Meta:
        ordering = ["order", "position", "id"]
        verbose_name = "line"

    def __str__(self):
        return f"{amount_text(self.quantity)} × {self.sku or self.description}"


# ------------------------------------------------------------------ shipping


class Shipment(models.Model):
    sales_order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="shipments")
    ship_date = models.DateField("ship date", default=_today, db_index=True)
    carrier = models.CharField(max_length=64, help_text="e.g. FedEx, UPS, USPS")
    service = models.CharField(max_length=128, blank=True, help_text="e.g. Ground, 2Day")
    notes = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-ship_date", "-id"]
        verbose_name = "shipment"

    def __str__(self):
        return f"{self.ship_date} via {self.carrier_service} for {self.sales_order}"

    @property
    def carrier_service(self) -> str:
        return f"{self.carrier} {self.service}".strip()


class Package(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="packages")
    tracking_number = models.CharField("tracking number", max_length=128)
    weight = models.DecimalField(null=True, blank=True, **MEASURE)

    class Meta:
        ordering = ["shipment", "id"]
        verbose_name = "package"

    def __str__(self):
        return self.tracking_number


class ShippingRateRule(models.Model):
    """One answer line for shipGetRates: matched by destination and cart weight."""

    active = models.BooleanField(default=True, db_index=True)
    rate_id = models.CharField(
        "rate id", max_length=64, help_text='Carrier and service code the store stores with the order, e.g. "fedex:GND".'
    )
    title = models.CharField(max_length=255, help_text="What the customer sees at checkout, e.g. FedEx Ground.")
    country = models.CharField(max_length=2, blank=True, help_text="Two-letter code, e.g. US; blank = any country.")
    state = models.CharField(max_length=64, blank=True, help_text="State code, e.g. CA; blank = any state.")
    min_weight = models.DecimalField(
        "from weight", default=Decimal("0"), help_text="Cart weight from (inclusive), in the store's unit.", **MEASURE
    )
    max_weight = models.DecimalField(
        "up to weight", null=True, blank=True, help_text="Cart weight up to (inclusive); blank = no limit.", **MEASURE
    )
    price = models.DecimalField(**MONEY)
    sort_order = models.IntegerField("sort order", default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = "shipping rate rule"

    def __str__(self):
        return f"{self.title} ({self.rate_id})"


# ------------------------------------------------------------ method maps


class MethodMap(models.Model):
    """A store's shipping or payment method, as the store names it, and what Bizuno calls it.

    Bizuno's own orderAdd guesses from hard-coded strings; a map says it.
    Matched ignoring case and surrounding spaces.
    """

    store_method = models.CharField(
        "store method ID or title", max_length=255,
        help_text="As the store sends it, e.g. flat_rate or Flat rate (case is ignored).",
    )

    class Meta:
        abstract = True
        ordering = ["store_method"]

    def __str__(self):
        return f"{self.store_method} → {self.bizuno_value}"

    def save(self, *args, **kwargs):
        self.store_method = self.store_method.strip()
        super().save(*args, **kwargs)

    @classmethod
    def lookup(cls, *names: str) -> str:
        """The Bizuno value for the first of ``names`` that is mapped, else ""; one query."""
        keys = [n.strip().lower() for n in names if n and n.strip()]
        if not keys:
            return ""
        found = dict(
            cls.objects.annotate(key=Lower("store_method")).filter(key__in=keys).values_list("key", cls.VALUE_FIELD)
        )
        return next((found[k] for k in keys if k in found), "")

    @property
    def bizuno_value(self) -> str:
        return getattr(self, self.VALUE_FIELD)


def _one_entry_per_method(name: str) -> models.UniqueConstraint:
    # A store sends "Flat rate" one day and "flat rate" the next: one map entry covers both.
    return models.UniqueConstraint(Lower("store_method"), name=name,
                                   violation_error_message="This store method is already mapped (case is ignored).")


class ShippingMethodMap(MethodMap):
    VALUE_FIELD = "bizuno_carrier"
    bizuno_carrier = models.CharField(
        "Bizuno carrier code", max_length=64, help_text="Carrier and service as Bizuno books them, e.g. fedex:GND."
    )

    class Meta(MethodMap.Meta):
        verbose_name = "shipping method map entry"
        verbose_name_plural = "shipping method map"
        constraints = [_one_entry_per_method("books_one_shipping_map_per_method")]


class PaymentMethodMap(MethodMap):
    VALUE_FIELD = "bizuno_method"
    bizuno_method = models.CharField(
        "Bizuno payment method", max_length=64, help_text="Bizuno's payment method code, e.g. payfabric or cod."
    )

    class Meta(MethodMap.Meta):
        verbose_name = "payment method map entry"
        verbose_name_plural = "payment method map"
        constraints = [_one_entry_per_method("books_one_payment_map_per_method")]


# ------------------------------------------------------------------- portal


class PortalSettings(SingletonModel):
    """The portal API's shared token and the user it acts as (a singleton)."""

    class DownloadAs(models.TextChoices):
        # Bizuno's "Auto Detect Sale/SO" setting (controllers/api/admin.php): '' auto, 10, 12.
        AUTO = "auto", "Auto: an invoice when every line is in stock, else a sales order"
        SALES_ORDER = "so", "Always a sales order"
        INVOICE = "inv", "Always an invoice"

    api_token = models.TextField(
        "API token (encrypted)", blank=True, help_text="Stored encrypted; set with `manage.py bizuno_portal --token`."
    )
    api_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="API user",
        help_text="Orders from the store are booked as this user; it must be active.",
    )
    refuse_duplicate_po = models.BooleanField(
        "refuse a duplicate PO",
        default=True,
        help_text="A second orderAdd for a PO already booked books nothing and answers Success with the "
        "existing ID, so a store may resend after a timeout without booking twice. Off: the same PO is "
        "booked again (and flagged), as a real Bizuno does.",
    )
    download_as = models.CharField(
        "download as",
        max_length=4,
        choices=DownloadAs.choices,
        default=DownloadAs.AUTO,
        help_text="Which journal a store order is booked in (Bizuno's Auto Detect Sale/SO setting). Auto: a "
        "line short of stock, or with a SKU the books do not know, makes the order a sales order. An "
        "invoice takes the quantities off hand even when that goes below zero.",
    )

    class Meta:
        verbose_name = "portal API settings"
        verbose_name_plural = "portal API settings"

    def __str__(self):
        return "Portal API settings"

    @property
    def token_plain(self) -> str:
        """The token to compare against; legacy plain values pass verbatim (PROTOCOL §4)."""
        return decrypt_secret(self.api_token)

    def set_token(self, plain: str) -> None:
        self.api_token = encrypt_secret(plain)

    @property
    def token_masked(self) -> str:
        try:
            return secrets.mask(self.token_plain)
        except secrets.SecretError:
            return "(cannot be decrypted with the configured key)"
