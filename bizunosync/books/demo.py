"""The books half of `seed_demo`: Bizuno's catalog for the demo shop, rate rules, a shipment.

Mirrors the store demo's SKUs (bizunosync/store/demo.py) without importing the
store: the two sides meet on the wire, not in Python. A few values differ on
purpose (stock counts, one price) so a first Quick Refresh has something to
update. Idempotent: rows are found by natural keys and brought back to these
values.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from .models import (
    Customer,
    Item,
    Package,
    PriceLevel,
    PaymentMethodMap,
    PriceSheet,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    ShippingMethodMap,
    ShippingRateRule,
)

D = Decimal


# sku, name, category, price, sale, on hand, on sales orders, weight kg, default-sheet levels, tags, active
ITEMS = [
    ("TEA-EB-100", "English Breakfast Tea, 100 bags", "Pantry|Tea", "6.90", None, 150, 4, "0.25",
     [(10, "6.20"), (50, "5.60")], "bestseller", True),
    ("TEA-GR-050", "Sencha Green Tea, 50 g", "Pantry|Tea", "8.50", "7.50", 60, 0, "0.08", [], "organic", True),
    ("COF-BEAN-1K", "House Espresso Beans, 1 kg", "Pantry|Coffee", "24.00", None, 40, 2, "1.05",
     [(1, "24.00"), (5, "22.00")], "bestseller", True),
    # no stock: the store should show it out of stock
    ("COF-DECAF-250", "Decaf Ground Coffee, 250 g", "Pantry|Coffee", "7.80", None, 0, 0, "0.27", [], "", True),
    ("MUG-STONE", "Stoneware Mug, 350 ml", "Kitchen|Tableware", "12.00", None, 48, 1, "0.42", [], "gift", True),
    # sold in packs of 12: the lowest tier is 12
    ("EGG-CUP-12", "Beech Egg Cups (sold by the dozen)", "Kitchen|Tableware", "1.95", None, 240, 24, "0.03",
     [(12, "1.80"), (48, "1.60")], "", True),
    ("PAN-CI-26", "Cast Iron Skillet, 26 cm", "Kitchen|Cookware", "39.00", "34.00", 12, 1, "2.70", [], "gift", True),
    ("KNF-CHEF-20", "Chef's Knife, 20 cm", "Kitchen|Cutlery", "54.00", None, 9, 0, "0.25",
     [(1, "54.00"), (3, "49.00")], "", True),
    ("TWL-LINEN", "Linen Tea Towel", "Kitchen|Textiles", "9.50", None, 75, 3, "0.10", [], "organic", True),
    ("HNY-WILD-500", "Wildflower Honey, 500 g", "Pantry|Spreads", "11.90", None, 30, 2, "0.65", [], "organic|local", True),
    ("CAN-SOY-M", "Soy Candle, medium", "Home & Living|Candles", "16.00", None, 22, 0, "0.40", [], "gift", True),
    ("APRON-OLIVE", "Canvas Apron – Olive", "Kitchen|Textiles", "29.00", None, 10, 0, "0.35", [], "", True),
    ("APRON-NAVY", "Canvas Apron – Navy", "Kitchen|Textiles", "29.00", None, 15, 1, "0.35", [], "", True),
    ("APRON-SAND", "Canvas Apron – Sand", "Kitchen|Textiles", "29.00", None, 20, 0, "0.35", [], "", True),
    # discontinued: kept in the books, not sent to the store unless inactive items are included
    ("TEA-CHAI-100", "Masala Chai, 100 bags", "Pantry|Tea", "7.40", None, 6, 0, "0.25", [], "", False),
    ("MUG-ENAMEL", "Enamel Camping Mug", "Kitchen|Tableware", "9.00", None, 0, 0, "0.20", [], "", False),
]

ACCESSORIES = {"TEA-EB-100": ["MUG-STONE", "HNY-WILD-500"], "COF-BEAN-1K": ["MUG-STONE"], "PAN-CI-26": ["TWL-LINEN"]}

# rate_id, title, country, state, from kg, up to kg, price, sort
RATES = [
    ("fedex:GND", "FedEx Ground", "US", "", "0", "5", "8.50", 10),
    ("fedex:GND", "FedEx Ground", "US", "", "5.001", None, "14.00", 10),
    ("fedex:2DA", "FedEx 2Day", "US", "", "0", "5", "19.90", 20),
    ("fedex:2DA", "FedEx 2Day", "US", "", "5.001", "30", "32.00", 20),
    ("cp:REG", "Canada Post Regular Parcel", "CA", "", "0", "30", "12.40", 30),
    ("dhl:PAKET", "DHL Paket", "DE", "", "0", "31.5", "4.90", 40),
    ("intl:STD", "International Standard", "", "", "0", "20", "24.00", 90),
]

# The store's demo order 1001 with the store's "WC" prefix, shipped today.
SHIPPED_PO = "WC1001"
SHIPPED_LINES = [("TEA-EB-100", 2, "6.90"), ("MUG-STONE", 1, "12.00")]
TRACKING = ["794633071520", "794633071531"]


def seed_books() -> str:
    with transaction.atomic():
        items = _seed_items()
        rules = _seed_rates()
        _seed_method_maps()
        order = _seed_shipped_order(items)
    inactive = sum(1 for row in ITEMS if not row[-1])
    return (
        f"{len(items)} items ({inactive} inactive), {len(rules)} rate rules, "
        f"{order.get_journal_display().lower()} #{order.pk} ({SHIPPED_PO}) shipped today."
    )


def _seed_items() -> dict[str, Item]:
    sheet, _ = PriceSheet.objects.get_or_create(name="Retail", defaults={"is_default": True})
    if not sheet.is_default:
        sheet.is_default = True
        sheet.save()
    items = {}
    for sku, name, crumb, price, sale, on_hand, on_so, weight, levels, tags, active in ITEMS:
        item, _ = Item.objects.update_or_create(
            sku=sku,
            defaults={
                "description_short": name,
                "description_sales": name,
                "description_long": f"{name}. From the bizunosync demo books.",
                "item_type": Item.Type.STOCK,
                "full_price": D(price),
                "sale_price": D(sale) if sale else None,
                "qty_on_hand": on_hand,
                "qty_on_sales_orders": on_so,
                "qty_allocated": 0,
                "weight": D(weight),
                "weight_uom": Item.WeightUnit.KG,
                "dimension_uom": Item.DimensionUnit.CM,
                "category": crumb,
                "tags": tags,
                "slug": slugify(name),
                "sync_to_store": True,
                "inactive": not active,
                "search_code": sku.split("-")[0].lower(),
            },
        )
        item.price_levels.filter(sheet=sheet).delete()
        PriceLevel.objects.bulk_create(PriceLevel(sheet=sheet, item=item, qty=q, price=D(p)) for q, p in levels)
        items[sku] = item
    for sku, related in ACCESSORIES.items():
        items[sku].accessories.set([items[r] for r in related])
    return items


def _seed_rates() -> list[ShippingRateRule]:
    rules = []
    for rate_id, title, country, state, low, high, price, sort in RATES:
        rule, _ = ShippingRateRule.objects.update_or_create(
            rate_id=rate_id,
            country=country,
            state=state,
            min_weight=D(low),
            defaults={"title": title, "max_weight": D(high) if high else None, "price": D(price),
                      "sort_order": sort, "active": True},
        )
        rules.append(rule)
    return rules


# The demo store's methods as Bizuno names them; "Local pickup" is left out on
# purpose, so an order using it shows the "not in the map" warning.
SHIPPING_MAP = [("Flat rate", "flat:STD"), ("Free shipping", "free:STD"), *{(t, r) for r, t, *_ in RATES}]
PAYMENT_MAP = [("stripe", "creditcard"), ("demo_card", "creditcard"), ("bacs", "banktransfer"),
               ("paypal", "paypal"), ("cod", "cod")]


def _seed_method_maps() -> None:
    for method, code in SHIPPING_MAP:
        ShippingMethodMap.objects.update_or_create(
            store_method__iexact=method, defaults={"bizuno_carrier": code}, create_defaults={"store_method": method,
                                                                                            "bizuno_carrier": code})
    for method, code in PAYMENT_MAP:
        PaymentMethodMap.objects.update_or_create(
            store_method__iexact=method, defaults={"bizuno_method": code}, create_defaults={"store_method": method,
                                                                                            "bizuno_method": code})


def _seed_shipped_order(items: dict[str, Item]) -> SalesOrder:
    customer, _ = Customer.objects.update_or_create(
        email="maria.keller@example.com",
        defaults={"name": "Maria Keller", "phone": "+49 30 1234567", "address1": "Torstraße 12",
                  "city": "Berlin", "state": "BE", "postal_code": "10119", "country": "DE"},
    )
    address = {"name": "Maria Keller", "address1": "Torstraße 12", "city": "Berlin", "state": "BE",
               "postal_code": "10119", "country": "DE", "telephone": "+49 30 1234567",
               "email": "maria.keller@example.com"}
    subtotal = sum(D(price) * qty for _, qty, price in SHIPPED_LINES)
    tax = (subtotal * D("0.19")).quantize(D("0.01"))
    today = timezone.localdate()
    order, _ = SalesOrder.objects.update_or_create(
        po_reference=SHIPPED_PO,
        source=SalesOrder.Source.MANUAL,
        defaults={
            "journal": SalesOrder.Journal.INVOICE,
            "order_date": today,
            "post_date": today,
            "customer": customer,
            **{f"billing_{k}": v for k, v in address.items()},
            **{f"shipping_{k}": v for k, v in address.items()},
            "total": subtotal + tax + D("4.90"),
            "sales_tax": tax,
            "freight": D("4.90"),
            "shipping_method": "Flat rate",
            "carrier_code": "flat:STD",
            "payment_method": "stripe",
            "payment_code": "creditcard",
            "payment_title": "Credit card (Stripe)",
            "payment_status": SalesOrder.PaymentStatus.CAPTURED,
            "transaction_id": "ch_demo_3KxT81",
            "notes": "Demo order: shipped today, ready for Ship Confirmation.",
        },
    )
    order.lines.all().delete()
    SalesOrderLine.objects.bulk_create(
        SalesOrderLine(order=order, position=i, item=items[sku], sku=sku, description=items[sku].description_short,
                       quantity=qty, unit_price=D(price), total=D(price) * qty)
        for i, (sku, qty, price) in enumerate(SHIPPED_LINES, start=1)
    )
    shipment = order.shipments.order_by("pk").first() or Shipment(sales_order=order)
    shipment.ship_date, shipment.carrier, shipment.service = today, "FedEx", "Ground"
    shipment.save()
    order.shipments.exclude(pk=shipment.pk).delete()
    shipment.packages.all().delete()
    Package.objects.bulk_create(Package(shipment=shipment, tracking_number=t, weight=D("0.8")) for t in TRACKING)
    return order
