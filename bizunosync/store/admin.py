"""The store's back office: catalog, customers, orders and the store settings."""

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html

from bizunosync.sync.admin import SingletonAdmin
from bizunosync.sync.admin_scale import IndexedValuesFilter, ScaledListMixin
from bizunosync.sync.connections import BizunoConnection

from . import admin_changes  # registers "Orders changed after export"
from . import admin_rates  # noqa: F401  (registers the rate-quote log)
from .admin_export import BizunoOrderAdminMixin, SyncStateFilter
from .services import description_html, held_stock
from .admin_ownership import OrderHistoryMixin, ProductOwnershipMixin
from .models import (
    Category,
    Customer,
    Order,
    OrderLine,
    OrderNote,
    PriceTier,
    Product,
    ProductImage,
    StoreSettings,
    Tag,
)


@admin.register(StoreSettings)
class StoreSettingsAdmin(SingletonAdmin):
    fieldsets = [
        ("Bizuno references", {"fields": ["bizuno_references"]}),
        ("Stock (applied to products Bizuno refreshes)", {"fields": ["manage_stock", "backorders"]}),
        ("Units (Bizuno's weights and sizes are converted to these)", {"fields": ["weight_unit", "dimension_unit"]}),
        ("Ownership", {"fields": ["allow_local_edits"]}),
    ]

    readonly_fields = ["bizuno_references"]

    @admin.display(description="Order and customer prefixes")
    def bizuno_references(self, obj):
        # One setting serves both directions (export and ship confirmation),
        # so it lives with the Bizuno connection, never in two places.
        conn = BizunoConnection.load()
        return format_html(
            'Orders go to Bizuno as <strong>{}1001</strong>, customers as <strong>{}7</strong>; '
            'ship confirmations are matched the same way. <a href="{}">Change in the Bizuno connection</a>.',
            conn.order_prefix, conn.customer_prefix, reverse("admin:sync_bizunoconnection_changelist"),
        )



@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "slug", "product_count"]
    list_filter = [("parent", admin.EmptyFieldListFilter)]
    search_fields = ["name", "slug"]
    list_select_related = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]

    @admin.display(description="products")
    def product_count(self, obj):
        return obj.products.count()


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class PriceTierInline(admin.TabularInline):
    model = PriceTier
    extra = 0


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ["position", "image", "title"]


class VariationInline(admin.TabularInline):
    model = Product
    fk_name = "parent"
    extra = 0
    fields = ["sku", "name", "regular_price", "sale_price", "price", "stock_quantity", "stock_status", "attributes"]
    show_change_link = True
    verbose_name = "variation"
    verbose_name_plural = "variations"


@admin.register(Product)
class ProductAdmin(ProductOwnershipMixin, admin.ModelAdmin):
    list_display = [
        "sku", "name", "product_type", "price", "regular_price", "sale_price",
        "stock_quantity", "stock_status", "pack", "published",
    ]
    list_display_links = ["sku", "name"]
    list_filter = ["product_type", "stock_status", "published", "manage_stock", "categories"]
    search_fields = ["sku", "name", "search_code", "slug"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent", "categories", "tags", "related"]
    readonly_fields = ["created", "modified", "bizuno_snapshot", "stock_against_bizuno"]
    inlines = [PriceTierInline, ProductImageInline, VariationInline]
    fieldsets = [
        (None, {"fields": ["sku", "name", "slug", "product_type", "parent", "published", "menu_order"]}),
        ("Prices", {"fields": ["regular_price", "sale_price", "price"]}),
        ("Stock", {"fields": ["manage_stock", "stock_quantity", "stock_against_bizuno", "stock_status", "backorders"]}),
        ("Shipping", {"fields": ["weight", "length", "width", "height"]}),
        ("Descriptions", {"fields": ["short_description", "description", "search_code", "meta_description"]}),
        ("Catalog", {"fields": ["categories", "tags", "related", "attributes", "image"]}),
        ("Bizuno", {"classes": ["collapse"], "fields": ["bizuno_snapshot", "created", "modified"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tiers")

    def save_model(self, request, obj, form, change):
        # The product page renders descriptions as HTML: a local edit is made safe as Bizuno's are.
        obj.short_description = description_html.clean(obj.short_description)
        obj.description = description_html.clean(obj.description)
        super().save_model(request, obj, form, change)

    @admin.display(description="against Bizuno")
    def stock_against_bizuno(self, obj):
        """Why the store's stock is below Bizuno's: units sold here that Bizuno has not booked yet."""
        if obj is None or obj.pk is None:
            return "—"
        held = held_stock.held_for({obj.sku: obj.pk}).get(obj.pk)
        return held_stock.describe(obj.stock_quantity, (obj.bizuno_snapshot or {}).get(held_stock.BIZUNO_STOCK), held)

    @admin.display(description="sold in packs of")
    def pack(self, obj):
        size = obj.pack_size
        return size if size > 1 else "—"


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["email", "first_name", "last_name", "company", "phone", "created"]
    search_fields = ["email", "first_name", "last_name", "company"]
    list_filter = [("company", admin.EmptyFieldListFilter)]
    raw_id_fields = ["user"]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    fields = ["product", "sku", "name", "quantity", "subtotal", "subtotal_tax", "total", "total_tax"]
    raw_id_fields = ["product"]


class OrderNoteInline(admin.TabularInline):
    model = OrderNote
    extra = 0
    fields = ["created", "text", "customer_visible"]


class OrderForm(forms.ModelForm):
    class Meta:
        model = Order
        fields = "__all__"
        # Django would print "Shipping method id" and "Transaction id".
        labels = {
            "shipping_method_id": "Shipping method ID",
            "shipping_method": "Shipping method title",
            "payment_method": "Payment method code",
            "transaction_id": "Transaction ID",
        }


@admin.register(Order)
class OrderAdmin(OrderHistoryMixin, BizunoOrderAdminMixin, ScaledListMixin, admin.ModelAdmin):
    form = OrderForm
    list_display = [
        # Bizuno's columns before payment: on a laptop they are what staff look for, and they stay on screen.
        # "Bizuno" says Booked (ID 2), Retrying, Needs review, Failed or Not yet exported in one column.
        "number", "created", "billing_display", "status_shown", "total", "sync_state", "payment_title",
    ]
    list_display_links = ["number"]
    # By the title shoppers and staff read ("Cash on delivery"), not the gateway code ("cod").
    list_filter = ["status", SyncStateFilter, "shipping_to_confirm", ("payment_title", IndexedValuesFilter), "created"]
    search_fields = [
        "number", "billing_email", "billing_last_name", "billing_company", "transaction_id", "bizuno_id",
    ]
    date_hierarchy = "created"
    list_select_related = ["customer"]
    raw_id_fields = ["customer"]
    # Only Bizuno's answer sets exported and the Bizuno ID (an export, or a forced re-export): never a tick in a form.
    readonly_fields = ["exported", "exported_at", "bizuno_id", "changes_after_export"]
    inlines = [OrderLineInline, OrderNoteInline]
    fieldsets = [
        (None, {"fields": ["number", "created", "status", "customer", "customer_note"]}),
        ("Billing", {"fields": [
            ("billing_first_name", "billing_last_name"), "billing_company", "billing_address_1", "billing_address_2",
            ("billing_city", "billing_state", "billing_postcode", "billing_country"), ("billing_phone", "billing_email"),
        ]}),
        ("Shipping (an empty field falls back to billing when sent to Bizuno)", {"fields": [
            ("shipping_first_name", "shipping_last_name"), "shipping_company", "shipping_address_1",
            "shipping_address_2", ("shipping_city", "shipping_state", "shipping_postcode", "shipping_country"),
        ]}),
        ("Totals", {"fields": ["subtotal", "tax_total", "shipping_total", "total", "shipping_method_id", "shipping_method",
                               "shipping_to_confirm"]}),
        ("Payment", {"fields": ["payment_method", "payment_title", "payment_status", "transaction_id"]}),
        ("Bizuno", {"fields": ["exported", "exported_at", "bizuno_id", "changes_after_export"]}),
    ]

    @admin.display(description="changed after export")
    def changes_after_export(self, obj):
        if obj is None or not obj.changed_after_export:
            return "No" if obj is not None and obj.export_snapshot else "—"
        found, actions = admin_changes.changes.report_for(obj)
        return format_html(
            "{}<br>To do in Bizuno: {} <a href=\"{}\">All orders changed after export</a>",
            "; ".join(str(c) for c in found), " ".join(actions),
            reverse("admin:store_orderchangedafterexport_changelist"),
        )

    def exact_search(self, term):
        """An order number, or the PO Bizuno knows it by (the order prefix in front): the unique index."""
        prefix = BizunoConnection.load().order_prefix or ""
        return Q(number__in={term, term.removeprefix(prefix)} if prefix else {term})

    @admin.display(description="status", ordering="status")
    def status_shown(self, obj):
        if not obj.shipping_to_confirm:
            return obj.get_status_display()
        return format_html('{}<br><strong class="shipping-to-confirm" style="color:#8a6100" title="Placed while live '
                           'shipping rates were unavailable: agree the shipping cost with the customer">Shipping to '
                           'confirm</strong>', obj.get_status_display())

    @admin.display(description="billed to", ordering="billing_last_name")
    def billing_display(self, obj):
        name = obj.billing_company or obj.billing_name or obj.billing_email
        return format_html("{}<br><small>{}</small>", name, obj.billing_email) if obj.billing_email else name


def _register_inbound_calls():
    # The SYNC engineer may register InboundCall in sync/admin.py; only fill in if not.
    from bizunosync.sync import admin as _sync_admin  # noqa: F401  (ensure it ran first)
    from bizunosync.sync.models import InboundCall

    if admin.site.is_registered(InboundCall):
        return

    class InboundCallAdmin(admin.ModelAdmin):
        list_display = [
            "received", "side", "method", "endpoint", "caller", "http_status", "result",
            "item_count", "changed_count", "note", "duration_ms",
        ]
        list_filter = ["side", "endpoint", "result", "http_status"]
        search_fields = ["caller", "note", "endpoint", "remote_addr"]
        date_hierarchy = "received"
        readonly_fields = [f.name for f in InboundCall._meta.fields]

        def has_add_permission(self, request):
            return False

        def has_change_permission(self, request, obj=None):
            return False

    admin.site.register(InboundCall, InboundCallAdmin)


_register_inbound_calls()

