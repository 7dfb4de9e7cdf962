"""A NUL in any input refused at the edge with a 400 naming the field, never a 500 (PostgreSQL
cannot store or compare one: ``GET /?q=%00`` was a 500 there). One test per entry point; the suite
runs on PostgreSQL too (DATABASE_URL)."""

import json

import pytest
from django.urls import reverse

from bizunosync.store.models import Order, Product
from bizunosync.sync.models import InboundCall

from .conftest import ALICE, BASE, FORM, make_product, post, put

pytestmark = pytest.mark.django_db


def refused_naming(response, field):
    assert response.status_code == 400, response.content
    assert f"“{field}” contains a NUL character" in response.content.decode()


# ------------------------------------------------------------------ storefront and admin (middleware)


def test_the_storefront_search_refuses_a_nul(client):
    make_product("MUG")

    refused_naming(client.get("/", {"q": "mug\x00"}), "q")


def test_a_nul_in_a_query_name_is_shown_escaped(client):
    refused_naming(client.get("/?q%00x=1"), "q\\0x")


@pytest.mark.parametrize("url", ["/category/%00/", "/product/mug%00/"])
def test_a_nul_in_a_path_part_is_refused(client, url):
    make_product("MUG")

    refused_naming(client.get(url), "slug")


def test_adding_to_the_cart_refuses_a_nul_in_the_form(client):
    make_product("MUG")

    refused_naming(client.post("/product/mug/add/", {"quantity": "1\x00"}), "quantity")


def test_checkout_refuses_a_nul_in_an_address_field(client):
    refused_naming(client.post("/checkout/", {"first_name": "Ann\x00", "action": "place"}), "first_name")
    assert not Order.objects.exists()


@pytest.mark.parametrize("key", ["country", "postcode"])
def test_the_checkouts_rate_lookup_refuses_a_nul(client, key):
    refused_naming(client.get("/shop/rates/", {"country": "US", "postcode": "94105", key: "9\x00"}), key)


def test_the_admin_search_refuses_a_nul(admin_client):
    refused_naming(admin_client.get(reverse("admin:store_order_changelist"), {"q": "\x00"}), "q")


def test_the_admin_login_refuses_a_nul(client):
    refused_naming(client.post(reverse("admin:login"), {"username": "boss\x00", "password": "x"}), "username")


# ------------------------------------------------------------------------- store endpoints (WordPress shape)


def test_a_nul_in_an_endpoint_query_is_a_wordpress_400_and_is_logged(client, alice):
    response = put(client, "product/refresh?_method=PUT%00", [{"SKU": "A", "QtyStock": "1"}])

    assert response.status_code == 400
    assert response.json()["data"]["params"] == {"_method": "contains a NUL byte"}
    call = InboundCall.objects.get()
    assert (call.endpoint, call.http_status) == ("product/refresh", 400)


@pytest.mark.parametrize("endpoint, method, data, field", [
    ("product/refresh", "put", [{"SKU": "A\x00", "QtyStock": "1"}], "data[0].SKU"),
    ("product/update", "post", {"SKU": "N", "Description": "x\x00"}, "Description"),
    ("product/sync", "post", {"syncSkus": '["A-1", "B\\u0000"]'}, "syncSkus[1]"),  # a JSON escape in the string
    ("order/confirm", "post", {"head": {"x": "1"}, "body": {"WC1001": "shipped\x00"}}, "body.WC1001"),
])
def test_a_nul_in_an_endpoints_form_value_is_refused(client, alice, settings_row, endpoint, method, data, field):
    response = post(client, endpoint, data, method=method)

    assert response.status_code == 400, response.content
    if field is not None:
        assert field in response.json()["data"]["params"]


def test_a_nul_inside_a_form_key_is_refused_naming_it_not_dropped(client, alice, settings_row):
    body = "data[SKU]=KEY-1&data[Descr%00iption]=mug"

    response = post(client, "product/update", body=body)

    assert response.status_code == 400
    assert response.json()["data"]["params"] == {"data[Descr\\0iption]": "has a NUL byte in its name"}
    assert not Product.objects.filter(sku="KEY-1").exists()


def test_a_nul_in_a_json_key_is_refused(client, alice, settings_row):
    body = json.dumps({"data": {"SKU": "K", "Desc\x00": "x"}})

    response = post(client, "product/update", body=body, content_type="application/json")

    assert response.status_code == 400 and not Product.objects.filter(sku="K").exists()


def test_a_nul_in_the_login_header_is_an_invalid_login_not_a_500(client, alice):
    response = put(client, "product/refresh", [{"SKU": "A", "QtyStock": "1"}],
                   headers={"HTTP_EMAIL": "alice\x00@example.com", "HTTP_PASS": "alice-password"})

    assert response.status_code == 401
    assert InboundCall.objects.get().caller == "alice\\0@example.com"


# ---------------------------------------------------------------------------- product/sync, nested deep


def test_sync_skus_nested_50000_deep_is_a_400_naming_the_field(client, alice):
    response = post(client, "product/sync", {"syncSkus": "[" * 50_000 + "]" * 50_000})

    assert response.status_code == 400
    assert response.json()["data"]["params"] == {"syncSkus": "is nested too deeply (a JSON list of SKUs)"}


def test_a_json_body_nested_50000_deep_is_a_400(client, alice):
    body = '{"data": {"syncSkus": ' + "[" * 50_000 + "]" * 50_000 + "}}"

    response = post(client, "product/sync", body=body, content_type="application/json")

    assert response.status_code == 400 and response.json()["code"] == "rest_invalid_json"


def test_form_keys_nested_50000_deep_are_not_a_500(client, alice):
    body = "data[syncSkus]" + "[0]" * 50_000 + "=A"

    response = post(client, "product/sync", body=body, content_type=FORM)

    assert response.status_code == 400


def test_sync_skus_as_an_object_of_objects_says_an_object(client, alice):
    response = post(client, "product/sync", {"syncSkus": json.dumps({"a": {"b": "A-1"}})})

    assert response.status_code == 400
    assert response.json()["data"]["params"] == {"syncSkus[0]": "must be text, not an object"}


def test_sync_skus_as_text_says_what_it_got(client, alice):
    response = post(client, "product/sync", {"syncSkus": '"A-1"'})

    assert response.json()["data"]["params"] == {"syncSkus": "must be a JSON list of SKUs, not text"}


def test_a_nul_in_the_session_cookie_is_refused_not_looked_up(client):
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"

    refused_naming(client.get(reverse("admin:index")), "sessionid")
    refused_naming(client.get("/"), "sessionid")
