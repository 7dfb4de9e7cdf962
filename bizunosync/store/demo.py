"""A small believable shop for `seed_demo`: catalog, customers, open orders.

Idempotent: everything is found by its natural key (SKU, email, order
number) and brought back to the demo values, so running it twice changes
nothing and running it after staff played with the data repairs it.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from .models import Category, Customer, Order, OrderLine, PriceTier, Product, StoreSettings, Tag

D = Decimal

# (sku, name, category breadcrumb, regular, sale, stock, weight kg, tiers [(qty, price)], tags)
PRODUCTS = [
    ("TEA-EB-100", "English Breakfast Tea, 100 bags", "Pantry|Tea", "6.90", None, 140, "0.25", [(10, "6.20"), (50, "5.60")], ["bestseller"]),
    ("TEA-GR-050", "Sencha Green Tea, 50 g", "Pantry|Tea", "8.50", "7.50", 60, "0.08", [], ["organic"]),
    ("COF-BEAN-1K", "House Espresso Beans, 1 kg", "Pantry|Coffee", "24.00", None, 35, "1.05", [(5, "22.00")], ["bestseller"]),
    ("COF-DECAF-250", "Decaf Ground Coffee, 250 g", "Pantry|Coffee", "7.80", None, 0, "0.27", [], []),
    ("MUG-STONE", "Stoneware Mug, 350 ml", "Kitchen|Tableware", "12.00", None, 48, "0.42", [], ["gift"]),
    ("EGG-CUP-12", "Beech Egg Cups (sold by the dozen)", "Kitchen|Tableware", "1.95", None, 240, "0.03", [(12, "1.80"), (48, "1.60")], []),
    ("PAN-CI-26", "Cast Iron Skillet, 26 cm", "Kitchen|Cookware", "39.00", "34.00", 12, "2.70", [], ["gift"]),
    ("KNF-CHEF-20", "Chef's Knife, 20 cm", "Kitchen|Cutlery", "54.00", None, 9, "0.25", [(3, "49.00")], []),
    ("TWL-LINEN", "Linen Tea Towel", "Kitchen|Textiles", "9.50", None, 75, "0.10", [], ["organic"]),
    ("HNY-WILD-500", "Wildflower Honey, 500 g", "Pantry|Spreads", "11.20", None, 30, "0.65", [], ["organic", "local"]),
    ("CAN-SOY-M", "Soy Candle, medium", "Home & Living|Candles", "16.00", None, 22, "0.40", [], ["gift"]),
]

# The variable product: an apron in three colours.
VARIABLE = ("APRON", "Canvas Apron", "Kitchen|Textiles", "29.00", ["Olive", "Navy", "Sand"])

CUSTOMERS = [
    ("maria.keller@example.com", "Maria", "Keller", "", "+49 30 1234567"),
    ("j.obrien@example.com", "James", "O'Brien", "O'Brien & Sons Catering", "+353 1 555 0199"),
    ("li.wei@example.com", "Wei", "Li", "", "+1 415 555 0142"),
    ("sofia.r@example.com", "Sofía", "Ramírez", "", "+34 91 555 0101"),
]


def seed_store() -> dict:
    """Create or refresh the store half of the demo; returns counts."""
    with transaction.atomic():
        StoreSettings.load()
        products = _seed_products()
        customers = _seed_customers()
        orders = _seed_orders(products, customers)
    return {"products": len(products), "customers": len(customers), "orders": len(orders)}


def _category(breadcrumb: str) -> Category:
    parent = None
    for name in breadcrumb.split("|"):
        parent, _ = Category.objects.get_or_create(parent=parent, name=name, defaults={"slug": slugify(name)})
    return parent


def _product(sku, name, regular, sale, stock, weight, **extra) -> Product:
    regular, sale = D(regular), D(sale) if sale else None
    values = {
        "name": name,
        "slug": slugify(name),
        "short_description": name,
        "description": f"{name}. A demo product of the bizunosync sample shop.",
        "regular_price": regular,
        "sale_price": sale,
        "price": sale if sale is not None and sale < regular else regular,
        "stock_quantity": stock,
        "stock_status": Product.StockStatus.IN_STOCK if stock > 0 else Product.StockStatus.OUT_OF_STOCK,
        "manage_stock": True,
        "weight": D(weight),
        "published": True,
        **extra,
    }
    product, _ = Product.objects.update_or_create(sku=sku, defaults=values)
    return product


def _seed_products() -> dict[str, Product]:
    products = {}
    for sku, name, crumb, regular, sale, stock, weight, tiers, tags in PRODUCTS:
        product = _product(sku, name, regular, sale, stock, weight, product_type=Product.Type.SIMPLE)
        product.categories.set([_category(crumb)])
        product.tags.set([Tag.objects.get_or_create(name=t, defaults={"slug": slugify(t)})[0] for t in tags])
        product.tiers.all().delete()
        PriceTier.objects.bulk_create(PriceTier(product=product, qty=q, price=D(p)) for q, p in tiers)
        products[sku] = product

    sku, name, crumb, regular, colours = VARIABLE
    parent = _product(
        sku, name, regular, None, 0, "0.35", product_type=Product.Type.VARIABLE, manage_stock=False,
        attributes=[{"name": "Colour", "options": colours, "variation": True}],
    )
    parent.categories.set([_category(crumb)])
    for i, colour in enumerate(colours):
        variation = _product(
            f"{sku}-{colour.upper()}", f"{name} – {colour}", regular, None, 10 + 5 * i, "0.35",
            product_type=Product.Type.VARIATION, parent=parent, attributes=[{"name": "Colour", "value": colour}],
        )
        products[variation.sku] = variation
    products[sku] = parent
    return products


def _seed_customers() -> list[Customer]:
    customers = []
    for email, first, last, company, phone in CUSTOMERS:
        customer, _ = Customer.objects.update_or_create(
            email=email, defaults={"first_name": first, "last_name": last, "company": company, "phone": phone}
        )
        customers.append(customer)
    return customers


def _address(prefix: str, **fields) -> dict:
    return {f"{prefix}_{k}": v for k, v in fields.items()}


ORDERS = [
    # number, customer index, days ago, status, lines [(sku, qty)], payment, shipping override
    ("1001", 0, 6, "processing", [("TEA-EB-100", 2), ("MUG-STONE", 1)],
     ("stripe", "Credit card (Stripe)", "processing", "ch_demo_3KxT81"), None),
    ("1002", 1, 4, "on-hold", [("EGG-CUP-12", 24), ("PAN-CI-26", 1), ("TWL-LINEN", 3)],
     ("bacs", "Direct bank transfer", "on-hold", ""),
     {"first_name": "Kitchen", "last_name": "Receiving", "company": "O'Brien & Sons Catering",
      "address_1": "Unit 4, Suite #5", "address_2": "Harbour Road", "city": "Dublin", "state": "D",
      "postcode": "D02 XY45", "country": "IE"}),
    ("1003", 2, 2, "processing", [("APRON-NAVY", 1)],
     ("paypal", "PayPal", "completed", "PAYID-DEMO-9QJ2"),
     # only the street differs: the rest of shipping is empty and falls back to billing
     {"address_1": "88 Market Street, back door"}),
    ("1004", 3, 1, "pending", [("COF-BEAN-1K", 1), ("HNY-WILD-500", 2)],
     ("cod", "Cash on delivery", "pending", ""), None),
]

BILLING = [
    {"address_1": "Torstraße 12", "address_2": "", "city": "Berlin", "state": "BE", "postcode": "10119", "country": "DE"},
    {"address_1": "14 Quay Street", "address_2": "", "city": "Dublin", "state": "D", "postcode": "D02 AB12", "country": "IE"},
    {"address_1": "500 Howard Street", "address_2": "Apt 3", "city": "San Francisco", "state": "CA", "postcode": "94105", "country": "US"},
    {"address_1": "Calle de Alcalá 45", "address_2": "", "city": "Madrid", "state": "M", "postcode": "28014", "country": "ES"},
]

SHIPPING = {"1001": ("flat_rate:1", "Flat rate", "4.90"), "1002": ("free_shipping:2", "Free shipping", "0.00"),
            "1003": ("flat_rate:1", "Flat rate", "4.90"), "1004": ("local_pickup:3", "Local pickup", "0.00")}
TAX_RATE = D("0.19")
CENT = D("0.01")


def _seed_orders(products: dict[str, Product], customers: list[Customer]) -> list[Order]:
    orders = []
    now = timezone.now().replace(microsecond=0)
    for number, who, days_ago, status, lines, payment, shipping in ORDERS:
        customer = customers[who]
        method_id, method_title, ship_cost = SHIPPING[number]
        values = {
            "created": now - timedelta(days=days_ago),
            "customer": customer,
            **_address("billing", first_name=customer.first_name, last_name=customer.last_name,
                       company=customer.company, phone=customer.phone, email=customer.email, **BILLING[who]),
            **_address("shipping", first_name="", last_name="", company="", address_1="", address_2="",
                       city="", state="", postcode="", country=""),
            **_address("shipping", **(shipping or {
                "first_name": customer.first_name, "last_name": customer.last_name, **BILLING[who]})),
            "shipping_method_id": method_id,
            "shipping_method": method_title,
            "shipping_total": D(ship_cost),
            "payment_method": payment[0],
            "payment_title": payment[1],
            "payment_status": payment[2],
            "transaction_id": payment[3],
            "customer_note": "Please leave at the back door." if number == "1003" else "",
        }
        # What happened to an order since (exported, shipped) is the shop's
        # history: re-seeding must not undo it, or a re-export books it twice.
        order, _ = Order.objects.update_or_create(
            number=number, defaults=values, create_defaults={**values, "status": status, "exported": False}
        )
        order.lines.all().delete()
        subtotal = tax = D(0)
        for sku, qty in lines:
            product = products[sku]
            line_total = (product.unit_price_for(qty) * qty).quantize(CENT)
            line_tax = (line_total * TAX_RATE).quantize(CENT)
            OrderLine.objects.create(order=order, product=product, sku=sku, name=product.name, quantity=qty,
                                     subtotal=line_total, subtotal_tax=line_tax, total=line_total, total_tax=line_tax)
            subtotal += line_total
            tax += line_tax
        order.subtotal, order.tax_total = subtotal, tax
        order.total = subtotal + tax + order.shipping_total
        order.save(update_fields=["subtotal", "tax_total", "total"])
        orders.append(order)
    return orders
