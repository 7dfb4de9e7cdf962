"""The store's catalog and orders: what the WooCommerce role owns and shows.

Products, stock and prices are owned by Bizuno (they arrive through the four
plugin endpoints); orders and customers are owned here and flow to Bizuno.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from bizunosync.sync.connections import SingletonModel
from bizunosync.sync.numbers import money_text

PRICE = {"max_digits": 12, "decimal_places": 4}
MONEY = {"max_digits": 12, "decimal_places": 2}
MEASURE = {"max_digits": 12, "decimal_places": 4}


class StoreSettings(SingletonModel):
    """The plugin's store settings: one row, edited in the admin."""

    class Backorders(models.TextChoices):
        NO = "no", "Do not allow"
        NOTIFY = "notify", "Allow, but notify the customer"
        YES = "yes", "Allow"

    class WeightUnit(models.TextChoices):
        KG = "kg", "kg"
        G = "g", "g"
        LB = "lb", "lb"
        OZ = "oz", "oz"

    class DimensionUnit(models.TextChoices):
        CM = "cm", "cm"
        M = "m", "m"
        MM = "mm", "mm"
        IN = "in", "in"
        YD = "yd", "yd"

    manage_stock = models.BooleanField(
        default=False,
        help_text="Force stock management on for every product Bizuno refreshes.",
    )
    backorders = models.CharField(
        max_length=8, choices=Backorders.choices, default=Backorders.NO,
        help_text="Backorders policy applied to products Bizuno refreshes when stock management is forced.",
    )
    weight_unit = models.CharField(max_length=2, choices=WeightUnit.choices, default=WeightUnit.KG)
    dimension_unit = models.CharField(max_length=2, choices=DimensionUnit.choices, default=DimensionUnit.CM)
    allow_local_edits = models.BooleanField(
        default=False,
        help_text="Let staff edit Bizuno-owned product fields (prices, stock) here. "
        "Off by default: Bizuno overwrites them on the next refresh.",
    )

    class Meta:
        verbose_name = "store settings"
        verbose_name_plural = "store settings"
        permissions = [("manage_store_sync", "Can call the store sync endpoints (Bizuno login)")]

    def __str__(self):
        return "Store settings"


class Category(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, allow_unicode=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="store_category_unique_name_in_parent")]

    def __str__(self):
        return self.breadcrumb

    @property
    def breadcrumb(self) -> str:
        parts, node, seen = [], self, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            parts.append(node.name)
            node = node.parent
        return " › ".join(reversed(parts))


class Tag(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, allow_unicode=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Product(models.Model):
    class Type(models.TextChoices):
        SIMPLE = "simple", "Simple"
        VARIABLE = "variable", "Variable"
        VARIATION = "variation", "Variation"

    class StockStatus(models.TextChoices):
        IN_STOCK = "instock", "In stock"
        OUT_OF_STOCK = "outofstock", "Out of stock"
        ON_BACKORDER = "onbackorder", "On backorder"

    sku = models.CharField("SKU", max_length=100, unique=True)
    name = models.CharField(max_length=255)
    slug = models.SlugField(max_length=255, allow_unicode=True, blank=True)
    short_description = models.TextField(blank=True)
    description = models.TextField(blank=True)
    product_type = models.CharField("type", max_length=10, choices=Type.choices, default=Type.SIMPLE, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="variations",
        help_text="The variable product this variation belongs to.",
    )
    regular_price = models.DecimalField(**PRICE, null=True, blank=True)
    sale_price = models.DecimalField(**PRICE, null=True, blank=True)
    price = models.DecimalField(
        "active price", **PRICE, null=True, blank=True,
        help_text="What the customer pays: the sale price when set and below the regular price.",
    )
    stock_quantity = models.IntegerField(null=True, blank=True)
    stock_status = models.CharField(max_length=12, choices=StockStatus.choices, default=StockStatus.IN_STOCK)
    manage_stock = models.BooleanField(default=False)
    backorders = models.CharField(max_length=8, choices=StoreSettings.Backorders.choices, default="no")
    weight = models.DecimalField(**MEASURE, null=True, blank=True, help_text="In the store's weight unit.")
    length = models.DecimalField(**MEASURE, null=True, blank=True, help_text="In the store's dimension unit.")
    width = models.DecimalField(**MEASURE, null=True, blank=True)
    height = models.DecimalField(**MEASURE, null=True, blank=True)
    menu_order = models.IntegerField(default=99)
    categories = models.ManyToManyField(Category, blank=True, related_name="products")
    tags = models.ManyToManyField(Tag, blank=True, related_name="products")
    # [{"name": "Color", "value": "Red", "options": [...], "index": "1"}]
    attributes = models.JSONField(default=list, blank=True)
    related = models.ManyToManyField("self", blank=True, symmetrical=False, related_name="related_to")
    search_code = models.CharField(max_length=255, blank=True)
    meta_description = models.TextField(blank=True)
    image = models.ImageField(upload_to="products/", max_length=500, blank=True)
    published = models.BooleanField(default=True, db_index=True)
    bizuno_snapshot = models.JSONField(
        default=dict, blank=True, help_text="The Bizuno-owned fields as Bizuno last sent them (for the drift report)."
    )
    created = models.DateTimeField(default=timezone.now)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["menu_order", "name"]

    def __str__(self):
        return f"{self.sku} — {self.name}"

    @staticmethod
    def active_price(regular, sale):
        """PROTOCOL §2.4: the sale price when set and below the regular price, else the regular price."""
        return sale if sale is not None and regular is not None and sale < regular else regular

    @property
    def tiers_sorted(self) -> list["PriceTier"]:
        return sorted(self.tiers.all(), key=lambda t: t.qty)

    @property
    def pack_size(self) -> int:
        tiers = self.tiers_sorted
        return tiers[0].qty if tiers and tiers[0].qty > 1 else 1

    def unit_price_for(self, qty: int) -> Decimal | None:
        """The active price, or the best tier whose quantity the order reaches."""
        price = self.price
        for tier in self.tiers_sorted:
            if qty >= tier.qty:
                price = tier.price
        return price

    @property
    def in_stock(self) -> bool:
        return self.stock_status != self.StockStatus.OUT_OF_STOCK


class PriceTier(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="tiers")
    qty = models.PositiveIntegerField("from quantity")
    price = models.DecimalField(**PRICE)

    class Meta:
        ordering = ["product", "qty"]
        verbose_name = "price tier"

    def __str__(self):
        return f"{self.qty}+ at {money_text(self.price)}"


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="gallery")
    image = models.ImageField(upload_to="products/", max_length=500)
    title = models.CharField(max_length=255, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["product", "position"]
        verbose_name = "gallery image"

    def __str__(self):
        return self.title or self.image.name


class Customer(models.Model):
    email = models.EmailField(unique=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    company = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self):
        name = f"{self.first_name} {self.last_name}".strip()
        return f"{name} <{self.email}>" if name else self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending payment"
        PROCESSING = "processing", "Processing"
        ON_HOLD = "on-hold", "On hold"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        REFUNDED = "refunded", "Refunded"
        FAILED = "failed", "Failed"
        SHIPPED = "shipped", "Shipped"

    number = models.CharField(max_length=32, unique=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders",
        help_text="Empty for a guest checkout.",
    )

    billing_first_name = models.CharField(max_length=100, blank=True)
    billing_last_name = models.CharField(max_length=100, blank=True)
    billing_company = models.CharField(max_length=200, blank=True)
    billing_address_1 = models.CharField(max_length=255, blank=True)
    billing_address_2 = models.CharField(max_length=255, blank=True)
    billing_city = models.CharField(max_length=100, blank=True)
    billing_state = models.CharField(max_length=100, blank=True)
    billing_postcode = models.CharField(max_length=20, blank=True)
    billing_country = models.CharField(max_length=2, blank=True)
    billing_phone = models.CharField(max_length=50, blank=True)
    billing_email = models.EmailField(blank=True)

    shipping_first_name = models.CharField(max_length=100, blank=True)
    shipping_last_name = models.CharField(max_length=100, blank=True)
    shipping_company = models.CharField(max_length=200, blank=True)
    shipping_address_1 = models.CharField(max_length=255, blank=True)
    shipping_address_2 = models.CharField(max_length=255, blank=True)
    shipping_city = models.CharField(max_length=100, blank=True)
    shipping_state = models.CharField(max_length=100, blank=True)
    shipping_postcode = models.CharField(max_length=20, blank=True)
    shipping_country = models.CharField(max_length=2, blank=True)

    subtotal = models.DecimalField(**MONEY, default=Decimal("0"))
    tax_total = models.DecimalField(**MONEY, default=Decimal("0"))
    shipping_total = models.DecimalField(**MONEY, default=Decimal("0"))
    total = models.DecimalField(**MONEY, default=Decimal("0"))
    shipping_method_id = models.CharField(max_length=100, blank=True)
    shipping_method = models.CharField("shipping method title", max_length=200, blank=True)
    payment_method = models.CharField(max_length=100, blank=True)
    payment_title = models.CharField(max_length=200, blank=True)
    payment_status = models.CharField(max_length=32, blank=True)
    transaction_id = models.CharField(max_length=200, blank=True)
    customer_note = models.TextField(blank=True)

    exported = models.BooleanField(default=False, db_index=True, help_text="Bizuno confirmed it booked this order.")
    exported_at = models.DateTimeField(null=True, blank=True)
    bizuno_id = models.CharField("Bizuno ID", max_length=64, blank=True)
    export_snapshot = models.JSONField(
        "as exported", default=dict, blank=True,
        help_text="What the last export sent (status, lines, totals, addresses): changes since are listed for Bizuno.",
    )
    changed_after_export = models.BooleanField(
        "changed after export", default=False, db_index=True,
        help_text="Cancelled, refunded or edited here since its export: Bizuno still has the old order.",
    )
    shipping_to_confirm = models.BooleanField(
        default=False, db_index=True,
        help_text="Placed while live shipping rates were unavailable (the fallback rate, or none): agree the "
        "shipping cost with the customer, then untick.",
    )

    class Meta:
        ordering = ["-created"]
        # The admin list: its default order and each filter with that order (payment_title's
        # filter lists the distinct titles: the index answers that too).
        indexes = [
            models.Index(fields=["created", "id"], name="order_list_order"),
            models.Index(fields=["status", "created", "id"], name="order_status_created"),
            models.Index(fields=["exported", "created", "id"], name="order_exported_created"),
            models.Index(fields=["payment_title", "created", "id"], name="order_payment_created"),
        ]
        # Named in bizunosync.sync.permissions; checked before anything is sent to Bizuno.
        permissions = [("send_to_bizuno", "Can send orders to Bizuno (export, retry)")]

    def __str__(self):
        return f"Order {self.number}"

    @property
    def billing_name(self) -> str:
        return f"{self.billing_first_name} {self.billing_last_name}".strip()

    @property
    def shipping_name(self) -> str:
        return f"{self.shipping_first_name} {self.shipping_last_name}".strip()

    @staticmethod
    def next_number() -> str:
        """Sequential numbers as text ("1001", "1002", …) from a locked counter row.

        The row is locked (SELECT … FOR UPDATE) until the checkout's transaction ends, so
        concurrent checkouts take numbers in turn; reading every order number instead cost
        95 ms at 100,000 orders. A number some other path already used (an import, a test)
        is stepped over with a lookup on the unique index.
        """
        with transaction.atomic():
            counter = OrderCounter.objects.select_for_update().filter(pk=1).first() or OrderCounter.start()
            number = counter.last + 1
            while Order.objects.filter(number=str(number)).exists():
                number += 1
            OrderCounter.objects.filter(pk=1).update(last=number)
        return str(number)


class OrderCounter(models.Model):
    """The last order number handed out (one row, pk 1)."""

    last = models.BigIntegerField(default=1000)

    @classmethod
    def start(cls) -> "OrderCounter":
        """The row on first use: past the highest numeric order number there is (read once, ever)."""
        numbers = [int(n) for n in Order.objects.values_list("number", flat=True).iterator() if str(n).isdigit()]
        try:
            with transaction.atomic():
                cls.objects.create(pk=1, last=max(numbers, default=1000))
        except IntegrityError:
            pass  # a concurrent first checkout made it
        return cls.objects.select_for_update().get(pk=1)


class OrderChangedAfterExport(Order):
    """The admin's list of exported orders that changed since (a view of Order)."""

    class Meta:
        proxy = True
        verbose_name = "order changed after export"
        verbose_name_plural = "orders changed after export"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sku = models.CharField("SKU", max_length=100, blank=True)
    name = models.CharField(max_length=255)
    quantity = models.PositiveIntegerField(default=1)
    subtotal = models.DecimalField(**MONEY, default=Decimal("0"), help_text="Before discounts, without tax.")
    subtotal_tax = models.DecimalField(**MONEY, default=Decimal("0"))
    total = models.DecimalField(**MONEY, default=Decimal("0"), help_text="After discounts, without tax.")
    total_tax = models.DecimalField(**MONEY, default=Decimal("0"))

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "order line"

    def __str__(self):
        return f"{self.quantity} × {self.sku or self.name}"


class OrderNote(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField()
    customer_visible = models.BooleanField(default=False, help_text="Shown to the customer (like a WooCommerce customer note).")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order", "created", "id"]
        verbose_name = "order note"

    def __str__(self):
        return self.text[:60]


class LocalEdit(models.Model):
    """A staff edit, made here, of a field Bizuno owns (only possible with allow_local_edits on).

    Kept so that when the next Quick Refresh or upload overwrites it, staff can
    see what was changed, by whom, and carry it over to Bizuno.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="local_edits")
    field = models.CharField(max_length=64, help_text="The Bizuno-owned field that was edited here.")
    old_value = models.TextField("before", blank=True)
    new_value = models.TextField("after", blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="by"
    )
    at = models.DateTimeField("when", default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "local edit of a Bizuno-owned field"
        verbose_name_plural = "local edits of Bizuno-owned fields"

    def __str__(self):
        return f"{self.product.sku} {self.field}: {self.old_value} → {self.new_value}"


from .rates.quote_log import RateQuote  # noqa: E402,F401  (the model lives with the rates)
