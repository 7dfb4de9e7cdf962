"""Each endpoint over real HTTP, with bodies built as PHP's http_build_query builds them."""

import json

import pytest
import requests

from bizunosync.store.models import Order, OrderNote, Product
from bizunosync.wire import phpform

from .conftest import make_product

pytestmark = pytest.mark.django_db(transaction=True)

HEADERS = {"email": "alice@example.com", "pass": "alice-password", "Content-Type": "application/x-www-form-urlencoded"}


def call(live_server, method, endpoint, data, **headers):
    url = f"{live_server.url}/wp-json/bizuno-api/v1/{endpoint}"
    response = requests.request(method, url, data=phpform.encode({"data": data}), headers={**HEADERS, **headers}, timeout=10)
    assert response.headers["Content-Type"] == "application/json"
    return response


def test_product_update_over_http(live_server, alice, settings_row):
    response = call(live_server, "POST", "product/update", {
        "SKU": "HTTP-1", "Description": "O'Brien & Sons mug", "Price": "12.50", "QtyStock": "4",
        "WooCommerceCategory": "Kitchen|Mugs", "PriceTiers": [{"qty": "6", "price": "11"}],
    })
    assert response.status_code == 200
    product = Product.objects.get(sku="HTTP-1")
    assert response.json()["ID"] == product.pk and product.name == "O'Brien & Sons mug"


def test_product_refresh_over_http_with_put_and_with_the_override(live_server, alice, settings_row):
    make_product("HTTP-1", stock=1)
    response = call(live_server, "PUT", "product/refresh", [{"SKU": "HTTP-1", "QtyStock": "9"}, {"SKU": "GONE"}])
    assert response.json() == {"result": "Success", "acted": 1, "note": "Updated 1 of 2 products.",
                               "message": {"error": [{"text": "Missing in WooCommerce: GONE"}]}}
    response = call(live_server, "POST", "product/refresh", [{"SKU": "HTTP-1", "QtyStock": "8"}],
                    **{"X-HTTP-Method-Override": "PUT"})
    assert response.json()["note"] == "Updated 1 of 1 products."
    assert Product.objects.get(sku="HTTP-1").stock_quantity == 8


def test_product_sync_over_http(live_server, alice):
    make_product("HTTP-1")
    response = call(live_server, "POST", "product/sync",
                    {"syncTag": "inWoo", "syncSkus": json.dumps(["HTTP-1"]), "syncDelete": "0"})
    assert response.json()["message"] == {"success": [{"text": "All products are in Sync."}]}


def test_order_confirm_over_http(live_server, alice, settings_row):
    Order.objects.create(number="1001", status="processing")
    response = call(live_server, "POST", "order/confirm",
                    {"head": {"WC1001": "Shipped via UPS"}, "body": {"WC1001": "1Z1"}})
    assert "(WC1001)" in response.json()["message"]["success"][0]["text"]
    assert OrderNote.objects.get().text == "Shipped via UPS\n1Z1"


def test_a_wrong_password_over_http_is_a_json_401(live_server, alice):
    response = call(live_server, "PUT", "product/refresh", [{"SKU": "X"}], **{"pass": "nope"})
    assert response.status_code == 401 and response.json()["code"] == "rest_forbidden"
