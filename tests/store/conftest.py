"""Helpers for calling the store endpoints the way Bizuno does."""

from decimal import Decimal

import pytest

from bizunosync.store.models import PriceTier, Product, StoreSettings
from bizunosync.wire import phpform

BASE = "/wp-json/bizuno-api/v1/"
FORM = "application/x-www-form-urlencoded"
ALICE = {"HTTP_EMAIL": "alice@example.com", "HTTP_PASS": "alice-password"}


@pytest.fixture
def settings_row(db):
    row = StoreSettings.load()
    row.weight_unit = "kg"
    row.dimension_unit = "cm"
    row.save()
    return row


def form(data) -> str:
    return phpform.encode({"data": data})


def post(client, endpoint, data=None, *, body=None, headers=ALICE, content_type=FORM, method="post", **extra):
    payload = body if body is not None else form(data)
    return getattr(client, method)(BASE + endpoint, payload, content_type=content_type, **headers, **extra)


def put(client, endpoint, data=None, **kwargs):
    return post(client, endpoint, data, method="put", **kwargs)


def make_product(sku, price="10.00", stock=5, tiers=(), **extra):
    extra.setdefault("manage_stock", True)
    product = Product.objects.create(
        sku=sku, name=f"Product {sku}", regular_price=Decimal(price), price=Decimal(price),
        stock_quantity=stock, stock_status="instock" if stock > 0 else "outofstock", **extra,
    )
    PriceTier.objects.bulk_create(PriceTier(product=product, qty=q, price=Decimal(p)) for q, p in tiers)
    return product
