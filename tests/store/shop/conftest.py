"""A small catalog and a shopper's client for the storefront tests."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bizunosync.store.models import Category, PriceTier, Product, StoreSettings
from bizunosync.sync.connections import BizunoConnection

TOKEN = "shop-rates-token-Hq37"
RATES = {"pkg": {"destination": {}}, "rates": [
    {"id": "fedex:GND", "title": "FedEx Ground", "quote": "8.50"},
    {"id": "fedex:2DA", "title": "FedEx 2Day", "quote": "19.90"},
]}
ADDRESS = {
    "email": "ann.lee@example.com", "first_name": "Ann", "last_name": "Lee", "company": "",
    "address_1": "500 Howard Street", "address_2": "", "city": "San Francisco", "state": "CA",
    "postcode": "94105", "country": "US", "phone": "+1 415 555 0100", "note": "",
}


def make_product(sku, price="10.00", stock=50, tiers=(), *, name=None, sale=None, category=None, **extra):
    price = Decimal(price)
    sale = Decimal(sale) if sale else None
    extra.setdefault("manage_stock", True)
    product = Product.objects.create(
        sku=sku, name=name or f"Product {sku}", slug=sku.lower(), regular_price=price, sale_price=sale,
        price=sale if sale is not None and sale < price else price, stock_quantity=stock,
        stock_status="instock" if stock > 0 else "outofstock", weight=Decimal("0.5"), **extra,
    )
    PriceTier.objects.bulk_create(PriceTier(product=product, qty=q, price=Decimal(p)) for q, p in tiers)
    if category:
        product.categories.add(category)
    return product


@pytest.fixture
def store(db):
    return StoreSettings.load()


@pytest.fixture
def kitchen(db):
    return Category.objects.create(name="Kitchen", slug="kitchen")


@pytest.fixture
def egg_cups(db, kitchen):
    """Sold by the dozen: tiers at 12 and 48, so packs of 12."""
    return make_product("EGG-CUP-12", "1.95", 240, [(12, "1.80"), (48, "1.60")], name="Beech Egg Cups", category=kitchen)


@pytest.fixture
def tea(db):
    """Tiers from 10 up: a pack of 10."""
    return make_product("TEA-EB-100", "6.90", 140, [(10, "6.20"), (50, "5.60")], name="English Breakfast Tea")


@pytest.fixture
def mug(db, kitchen):
    return make_product("MUG-STONE", "12.00", 5, name="Stoneware Mug", category=kitchen)


@pytest.fixture
def decaf(db):
    return make_product("COF-DECAF", "7.80", 0, name="Decaf Coffee")


@pytest.fixture
def connect(db):
    """Point the store's Bizuno connection at a loopback URL, with short timeouts."""

    def _connect(url, **extra):
        conn = BizunoConnection.load()
        conn.url = url
        conn.set_token(TOKEN)
        conn.connect_timeout = 0.5
        conn.rates_timeout = 0.5
        for name, value in extra.items():
            setattr(conn, name, value)
        conn.save()
        return conn

    return _connect


def add(client, product, qty):
    return client.post(f"/product/{product.slug}/add/", {"quantity": qty})


def checkout(client, action="rates", **fields):
    data = {**ADDRESS, "action": action, **fields}
    return client.post("/checkout/", {k: v for k, v in data.items() if v is not None})
