"""The bookkeeper's back office: items, price sheets, orders, shipments, rate rules."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html

from bizunosync.sync.admin import SingletonAdmin
from bizunosync.sync.numbers import places

from .admin_ownership import CustomerOwnershipMixin, ItemHistoryMixin, SalesOrderOwnershipMixin
from .console.admin import ConsoleAdminMixin  # the store console: its URLs and "Upload to store"
from .models import (
    Customer,
    Item,
    ItemImage,
    Package,
    PaymentMethodMap,
    PortalSettings,
    PriceLevel,
    PriceSheet,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    ShippingMethodMap,
    ShippingRateRule,
)

# ---------------------------------------------------------------- items


class PriceLevelInline(admin.TabularInline):
    model = PriceLevel
    extra = 0
    fields = ["sheet", "qty", "price"]
    autocomplete_fields = ["sheet"]
    verbose_name = "price level"
    verbose_name_plural = "price levels (tiers are sent to the store from the default sheet when it has 2 or more)"


class ItemImageInline(admin.TabularInline):
    model = ItemImage
    extra = 0
    fields = ["image", "title", "position"]


class StockFilter(admin.SimpleListFilter):
    title = "stock"
    parameter_name = "stock"

    def lookups(self, request, model_admin):
        return [("out", "None available"), ("in", "Available")]

    def queryset(self, request, queryset):
        from django.db.models import F

        available = F("qty_on_hand") - F("qty_on_sales_orders") - F("qty_allocated")
        queryset = queryset.alias(available=available)
        if self.value() == "out":
            return queryset.filter(available__lte=0)
        if self.value() == "in":
            return queryset.filter(available__gt=0)
        return queryset


def money_column(field: str, label: str):
    """A money column: prices are kept to 4 places for Bizuno, read in 2 unless the others carry digits."""

    @admin.display(description=label, ordering=field)
    def column(self, obj):
        value = getattr(obj, field)
        return "" if value is None else f"{value:,.{places(value)}f}"  # 9.995 stays 9.995: never rounded away

    return column


@admin.register(Item)
class ItemAdmin(ItemHistoryMixin, ConsoleAdminMixin, admin.ModelAdmin):
    full_price_display = money_column("full_price", "full price")
    sale_price_display = money_column("sale_price", "sale price")
    list_display = [
        "sku",
        "description_short",
        "item_type",
        "full_price_display",
        "sale_price_display",
        "qty_on_hand",
        "qty_on_sales_orders",
        "qty_allocated",
        "available",
        "sync_to_store",
        "inactive",
    ]
    list_display_links = ["sku", "description_short"]
    list_filter = ["sync_to_store", "inactive", "item_type", StockFilter]
    search_fields = ["sku", "description_short", "search_code", "category", "tags"]
    list_editable = ["sync_to_store"]
    list_per_page = 100
    date_hierarchy = "created"
    inlines = [PriceLevelInline, ItemImageInline]
    autocomplete_fields = ["accessories"]
    prepopulated_fields = {"slug": ["description_short"]}
    readonly_fields = ["available", "created", "updated"]
    fieldsets = [
        (None, {"fields": ["sku", "description_short", "item_type", "sync_to_store", "stores", "inactive"]}),
        ("Prices", {"fields": ["full_price", "sale_price"],
                    "description": "Up to 4 decimal places, as Bizuno keeps prices (shown with 2 unless more are set)."}),
        ("Stock", {"fields": [("qty_on_hand", "qty_on_sales_orders", "qty_allocated"), "available"]}),
        ("Descriptions", {"fields": ["description_sales", "description_long"]}),
        (
            "Shipping",
            {"fields": [("weight", "weight_uom"), ("length", "width", "height", "dimension_uom")]},
        ),
        (
            "Store listing",
            {
                "fields": [
                    "category",
                    "tags",
                    "slug",
                    "menu_order",
                    "attributes",
                    "accessories",
                    "image",
                    "search_code",
                    "meta_description",
                ]
            },
        ),
        ("History", {"classes": ["collapse"], "fields": ["created", "updated"]}),
    ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "stores":
            # A few stores: tick boxes read better than a multi-select.
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description="available", ordering="qty_on_hand")
    def available(self, item):
        return item.qty_available


@admin.register(PriceSheet)
class PriceSheetAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default", "level_count"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(level_total=Count("levels"))

    @admin.display(description="price levels", ordering="level_total")
    def level_count(self, sheet):
        return sheet.level_total


@admin.register(PriceLevel)
class PriceLevelAdmin(admin.ModelAdmin):
    list_display = ["item", "sheet", "qty", "price"]
    list_filter = ["sheet"]
    search_fields = ["item__sku", "item__description_short"]
    list_select_related = ["item", "sheet"]
    autocomplete_fields = ["item", "sheet"]


# ------------------------------------------------------------ customers


@admin.register(Customer)
class CustomerAdmin(CustomerOwnershipMixin, admin.ModelAdmin):
    list_display = ["name", "contact", "email", "phone", "city", "country", "customer_ref", "source", "store"]
    list_filter = ["source", "store", "country"]
    list_select_related = ["store"]
    readonly_fields = ["store"]
    search_fields = ["name", "contact", "email", "phone", "customer_ref"]
    date_hierarchy = "created"


# --------------------------------------------------------- sales orders


class SalesOrderLineInline(admin.TabularInline):
    model = SalesOrderLine
    extra = 0
    fields = ["position", "sku", "item", "description", "quantity", "unit_price", "sales_tax", "total"]
    autocomplete_fields = ["item"]


class ShipmentInline(admin.TabularInline):
    model = Shipment
    extra = 0
    fields = ["ship_date", "carrier", "service", "notes"]
    show_change_link = True


@admin.register(SalesOrder)
class SalesOrderAdmin(SalesOrderOwnershipMixin, admin.ModelAdmin):
    total_display = money_column("total", "order total")
    list_display = [
        "id",
        "journal_label",
        "po_shown",
        "store",
        "post_date",
        "customer",
        "total_display",
        "payment_status",
        "shipping_label",
        "source",
    ]
    list_display_links = ["id", "journal_label"]
    list_filter = ["journal", "payment_status", "possible_duplicate", "source", "store", "post_date"]
    search_fields = ["po_reference", "billing_name", "billing_email", "shipping_name", "transaction_id", "customer__name"]
    date_hierarchy = "post_date"
    list_select_related = ["customer", "store"]
    autocomplete_fields = ["customer"]
    readonly_fields = ["source", "store", "booked_by", "created"]
    inlines = [SalesOrderLineInline, ShipmentInline]
    fieldsets = [
        (None, {"fields": ["journal", ("po_reference", "store"), ("order_date", "post_date"), "customer",
                           "possible_duplicate"]}),
        (
            "Bill to",
            {
                "fields": [
                    ("billing_name", "billing_contact"),
                    "billing_address1",
                    "billing_address2",
                    ("billing_city", "billing_state", "billing_postal_code", "billing_country"),
                    ("billing_telephone", "billing_email"),
                ]
            },
        ),
        (
            "Ship to",
            {
                "fields": [
                    ("shipping_name", "shipping_contact"),
                    "shipping_address1",
                    "shipping_address2",
                    ("shipping_city", "shipping_state", "shipping_postal_code", "shipping_country"),
                    ("shipping_telephone", "shipping_email"),
                ]
            },
        ),
        ("Totals", {"fields": [("total", "sales_tax", "freight"), ("shipping_method", "carrier_code")]}),
        ("Payment", {"fields": [("payment_method", "payment_title", "payment_code"), ("payment_status", "transaction_id")]}),
        ("Notes", {"fields": ["notes"]}),
        ("Booking", {"classes": ["collapse"], "fields": ["source", "booked_by", "created"]}),
    ]

    @admin.display(description="journal", ordering="journal")
    def journal_label(self, order):
        colour = "#2e7d32" if order.journal == SalesOrder.Journal.INVOICE else "#1565c0"
        return format_html('<strong style="color:{}">{}</strong>', colour, order.get_journal_display())

    @admin.display(description="shipping method", ordering="shipping_method")
    def shipping_label(self, order):
        """The store's method and, when the map had it, Bizuno's carrier code."""
        if not order.carrier_code:
            return order.shipping_method
        return format_html("{} → <code>{}</code>", order.shipping_method, order.carrier_code)

    # The warning sits under the PO it is about: a column of its own pushed the list past a 1280px screen.
    @admin.display(description="PO reference", ordering="po_reference")
    def po_shown(self, order):
        if not order.possible_duplicate:
            return order.po_reference
        return format_html("{}<br>{}", order.po_reference, self.duplicate_flag(order))

    @admin.display(description="possible duplicate", ordering="possible_duplicate")
    def duplicate_flag(self, order):
        if not order.possible_duplicate:
            return ""
        return format_html(
            '<span style="color:#b71c1c;font-weight:bold" title="{}">⚠ Possible duplicate</span>',
            f"Another order has PO reference {order.po_reference}",
        )


# ------------------------------------------------------------ shipping


class PackageInline(admin.TabularInline):
    model = Package
    extra = 1
    fields = ["tracking_number", "weight"]


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = ["ship_date", "sales_order", "po_reference", "carrier", "service", "tracking_numbers"]
    list_filter = ["ship_date", "carrier"]
    search_fields = ["sales_order__po_reference", "packages__tracking_number", "carrier", "service"]
    date_hierarchy = "ship_date"
    list_select_related = ["sales_order"]
    autocomplete_fields = ["sales_order"]
    inlines = [PackageInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("packages")

    @admin.display(description="PO reference", ordering="sales_order__po_reference")
    def po_reference(self, shipment):
        return shipment.sales_order.po_reference

    @admin.display(description="tracking numbers")
    def tracking_numbers(self, shipment):
        return ", ".join(p.tracking_number for p in shipment.packages.all())


class RateRuleForm(forms.ModelForm):
    class Meta:
        model = ShippingRateRule
        fields = "__all__"

    def clean(self):
        data = super().clean()
        low, high = data.get("min_weight"), data.get("max_weight")
        if low is not None and high is not None and high < low:
            raise forms.ValidationError("“Up to weight” must not be below “from weight”.")
        if data.get("country"):
            data["country"] = data["country"].upper()
        return data


@admin.register(ShippingRateRule)
class ShippingRateRuleAdmin(admin.ModelAdmin):
    form = RateRuleForm
    list_display = ["title", "rate_id", "country_label", "state_label", "min_weight", "max_weight", "price", "sort_order", "active"]
    list_editable = ["price", "sort_order", "active"]
    list_filter = ["active", "country"]
    search_fields = ["title", "rate_id"]

    @admin.display(description="country", ordering="country")
    def country_label(self, rule):
        return rule.country or "Any"

    @admin.display(description="state", ordering="state")
    def state_label(self, rule):
        return rule.state or "Any"


# ---------------------------------------------------------- method maps


@admin.register(ShippingMethodMap)
class ShippingMethodMapAdmin(admin.ModelAdmin):
    list_display = ["store_method", "bizuno_carrier"]
    list_editable = ["bizuno_carrier"]
    search_fields = ["store_method", "bizuno_carrier"]


@admin.register(PaymentMethodMap)
class PaymentMethodMapAdmin(admin.ModelAdmin):
    list_display = ["store_method", "bizuno_method"]
    list_editable = ["bizuno_method"]
    search_fields = ["store_method", "bizuno_method"]


# -------------------------------------------------------------- portal


class PortalSettingsForm(forms.ModelForm):
    new_token = forms.CharField(
        label="New API token",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Leave blank to keep the current token. The store sends it in the X-Bizuno-Token header.",
    )

    class Meta:
        model = PortalSettings
        fields = ["api_user", "refuse_duplicate_po", "download_as"]

    def clean_new_token(self):
        token = self.cleaned_data["new_token"]
        if token and (not (token.isascii() and token.isprintable()) or " " in token):
            raise forms.ValidationError("Use printable ASCII without spaces: the token travels in an HTTP header.")
        return token

    def clean_api_user(self):
        user = self.cleaned_data["api_user"]
        if user is not None and not user.is_active:
            raise forms.ValidationError("This user is inactive: the portal would refuse every call.")
        return user

    def save(self, commit=True):
        if self.cleaned_data.get("new_token"):
            self.instance.set_token(self.cleaned_data["new_token"])
        return super().save(commit)


@admin.register(PortalSettings)
class PortalSettingsAdmin(SingletonAdmin):
    form = PortalSettingsForm
    fields = ["api_user", "token_masked", "new_token", "refuse_duplicate_po", "download_as", "updated"]
    readonly_fields = ["token_masked", "updated"]

    @admin.display(description="API token")
    def token_masked(self, obj):
        return obj.token_masked or "(not set — enter one below, or run manage.py bizuno_portal --token …)"
