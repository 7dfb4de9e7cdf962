"""Books fixtures: the portal's API user and token, a small catalog, and order builders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from bizunosync.books.models import Item, PortalSettings
from bizunosync.wire import order_add, phpform

TOKEN = "portal-test-token-7Hq2"
PORTAL = "/bizuno/"
ORDER_ADD = PORTAL + "?bizRt=portal/api/orderAdd"
SHIP_RATES = PORTAL + "?bizRt=portal/api/shipGetRates"


@pytest.fixture
def api_user(django_user_model):
    """The user the store's token acts as."""
    return django_user_model.objects.create_user("bizuno-api")


@pytest.fixture
def portal(api_user):
    settings = PortalSettings.load()
    settings.set_token(TOKEN)
    settings.api_user = api_user
    settings.save()
    return settings


@pytest.fixture
def catalog(db):
    """Tea with plenty of stock, a mug with 1 left (1 more on order), a service."""
    return {
        "TEA": Item.objects.create(sku="TEA", description_short="Tea", full_price="6.90", qty_on_hand=100),
        "MUG": Item.objects.create(
            sku="MUG", description_short="Mug", full_price="12", qty_on_hand=2, qty_on_sales_orders=1
        ),
        "GIFTWRAP": Item.objects.create(sku="GIFTWRAP", description_short="Gift wrap", item_type="sv", full_price="3"),
    }


def address(**overrides) -> order_add.Address:
    values = {
        "primary_name": "Maria Keller",
        "address1": "Torstraße 12",
        "city": "Berlin",
        "state": "BE",
        "postal_code": "10119",
        "country": "DE",
        "telephone": "+49 30 1234567",
        "email": "maria.keller@example.com",
    }
    values.update(overrides)
    return order_add.Address(**values)


def line(sku="TEA", qty="2", price="6.90", tax="2.62") -> order_add.Line:
    q, p = Decimal(qty), Decimal(price)
    return order_add.Line(sku, f"{sku} description", q, p, Decimal(tax), (q * p).quantize(Decimal("0.01")))


def an_order(po="WC1001", lines=None, status="completed", **overrides) -> order_add.OrderAdd:
    values = {
        "po": po,
        "order_date": dt.date(2026, 11, 27),
        "total": Decimal("21.32"),
        "sales_tax": Decimal("2.62"),
        "shipping_total": Decimal("4.90"),
        "shipping_carrier": "Flat rate",
        "notes": "Leave at the back door",
        "payment_method": "stripe",
        "payment_title": "Credit card (Stripe)",
        "payment_status": status,
        "transaction_id": "ch_123",
        "customer_id": "C7",
        "billing": address(),
        "shipping": order_add.Address(),
        "lines": [line()] if lines is None else lines,
    }
    values.update(overrides)
    return order_add.OrderAdd(**values)


def form_body(order: order_add.OrderAdd) -> str:
    """Exactly what the plugin posts: http_build_query of mapOrder."""
    return phpform.encode(order_add.build(order))


@pytest.fixture
def post_order(client, portal):
    """POST a body to orderAdd with the right token; returns (status, json)."""

    def post(body, token=TOKEN, content_type="application/x-www-form-urlencoded"):
        if isinstance(body, order_add.OrderAdd):
            body = form_body(body)
        headers = {} if token is None else {"HTTP_X_BIZUNO_TOKEN": token}
        response = client.generic("POST", ORDER_ADD, body, content_type=content_type, **headers)
        assert response["Content-Type"].startswith("application/json")
        return response.status_code, response.json()

    return post
