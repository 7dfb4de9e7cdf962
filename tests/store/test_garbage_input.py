"""Whatever arrives, the store answers JSON with a 2xx/4xx status: never a 500, never HTML."""

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bizunosync.store.models import Product

from .conftest import ALICE, BASE, make_product, post, put

pytestmark = pytest.mark.django_db

ROUTES = [("post", "product/update"), ("put", "product/refresh"), ("post", "product/sync"), ("post", "order/confirm")]
KEYS = st.sampled_from(["SKU", "QtyStock", "Price", "SalePrice", "PriceTiers", "qty", "price", "Type", "invOptions",
                        "variations", "sku", "head", "body", "WC1001", "syncSkus", "syncDelete", "Images", "Data",
                        "Filename", "Path", "WooCommerceCategory", "0", "1", "x"])
LEAF = st.one_of(st.text(max_size=12), st.sampled_from(["", "0", "-1", "1e9", "NaN", "abc", "1.5", "[]", '["A-1"]', "..", "/etc"]))
TREE = st.recursive(LEAF, lambda children: st.dictionaries(KEYS, children, max_size=4), max_leaves=12)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(route=st.sampled_from(ROUTES), data=TREE)
def test_random_php_forms_never_cause_a_500(client, alice, route, data):
    method, endpoint = route
    response = post(client, endpoint, data, method=method)
    assert response.status_code in (200, 400), response.content
    assert response["Content-Type"] == "application/json"


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(route=st.sampled_from(ROUTES), raw=st.binary(max_size=200), json_body=st.booleans())
def test_random_bytes_never_cause_a_500(client, alice, route, raw, json_body):
    method, endpoint = route
    content_type = "application/json" if json_body else "application/x-www-form-urlencoded"
    response = getattr(client, method)(BASE + endpoint, raw, content_type=content_type, **ALICE)
    assert response.status_code in (200, 400), response.content
    assert response["Content-Type"] == "application/json"


def test_a_nul_byte_in_any_text_is_a_400_naming_the_field(client, alice, settings_row):
    make_product("A-1")
    response = post(client, "product/refresh", [{"SKU": "A-1", "Price": "1"}, {"SKU": "B\x00"}], method="put")
    assert response.status_code == 400
    assert response.json()["data"]["params"] == {"data[1].SKU": "contains a NUL byte or an unpaired UTF-16 surrogate"}
    response = post(client, "product/update", {"SKU": "N", "WooCommerceCategory": "A|B\x00"})
    assert response.json()["data"]["params"] == {"WooCommerceCategory": "contains a NUL byte or an unpaired UTF-16 surrogate"}
    assert not Product.objects.filter(sku="N").exists()


def test_a_variation_sku_sent_twice_is_a_400_not_a_crash(client, alice, settings_row):
    options = {"variations": [{"sku": "V-1", "attributes": {"C": "a"}}, {"sku": "V-1", "attributes": {"C": "b"}}]}
    response = post(client, "product/update", {"SKU": "P", "Type": "ms", "invOptions": options})
    assert response.status_code == 400
    assert "invOptions.variations[1].sku" in response.json()["data"]["params"]
    assert not Product.objects.exists()


def test_a_json_text_with_an_unpaired_surrogate_is_a_400_naming_the_field(client, alice, settings_row):
    body = '{"data": {"SKU": "SURR-1", "Description": "mug \\udfff"}}'
    response = post(client, "product/update", body=body, content_type="application/json")
    assert response.status_code == 400
    assert "Description" in response.json()["data"]["params"]
    assert not Product.objects.filter(sku="SURR-1").exists()


def test_a_quantity_with_a_billion_digit_exponent_is_refused_at_once(client, alice, settings_row):
    make_product("EXP-1", stock=3)
    response = put(client, "product/refresh", [{"SKU": "EXP-1", "QtyStock": "1e999999999"}, {"SKU": "EXP-1x"}])
    assert response.status_code == 200
    errors = response.json()["message"]["error"]
    assert any("EXP-1" in e["text"] and "QtyStock" in e["text"] for e in errors)
    assert Product.objects.get(sku="EXP-1").stock_quantity == 3
