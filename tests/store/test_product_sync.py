"""product/sync: which store SKUs Bizuno does not flag (PROTOCOL §2.5)."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from bizunosync.store.models import Product

from .conftest import make_product, post

pytestmark = pytest.mark.django_db


def sync(client, skus, delete=False, raw=None):
    data = {"syncTag": "inWooCommerce", "syncSkus": raw if raw is not None else json.dumps(skus), "syncDelete": "1" if delete else "0"}
    return post(client, "product/sync", data)


def test_it_says_all_products_are_in_sync_when_the_lists_match(client, alice):
    make_product("A-1")
    assert sync(client, ["A-1", "B-ONLY-IN-BIZUNO"]).json() == {
        "result": "Success", "message": {"success": [{"text": "All products are in Sync."}]},
    }


def test_out_of_sync_it_answers_fail_with_the_plugins_titled_info_listing_store_skus(client, alice):
    # api_product.php productSync(): return msgAdd($locale['msg_sku_missing'].'Bizuno:'.'<br />'.implode(', ', $skus), 'info')
    # → null → product_sync() answers 'Fail'; messageStack::add titles the info lang('information').
    parent = make_product("AP", product_type="variable")
    make_product("AP-OL", product_type="variation", parent=parent)
    make_product("A-1")
    make_product("HIDDEN", published=False)
    body = sync(client, ["A-1"]).json()
    assert body == {"result": "Fail", "message": {"info": [{
        "text": "The following SKUs are on the cart but are not flagged to be there by Bizuno:<br />AP-OL, AP",
        "title": "Information",
    }]}}
    assert Product.objects.count() == 4


def test_the_unflagged_skus_are_listed_in_the_stores_order_newest_first_not_sorted(client, alice):
    # wc_get_products() without orderby sorts by date, newest first; array_diff keeps that order.
    now = timezone.now()
    for age, sku in enumerate(["M-2", "Z-9", "A-3"]):
        make_product(sku, created=now - timedelta(days=age))
    text = sync(client, []).json()["message"]["info"][0]["text"]
    assert text.endswith("<br />M-2, Z-9, A-3")


def test_with_delete_it_removes_the_unflagged_products(client, alice):
    make_product("A-1")
    make_product("OLD-1")
    body = sync(client, ["A-1"], delete=True).json()
    assert body["result"] == "Fail" and "OLD-1" in body["message"]["info"][0]["text"]
    assert list(Product.objects.values_list("sku", flat=True)) == ["A-1"]


@pytest.mark.parametrize("raw", ["not json", '{"a": ', "42"])
def test_a_sku_list_that_is_not_a_json_list_is_a_400_naming_the_field(client, alice, raw):
    make_product("A-1")
    response = sync(client, None, raw=raw)
    assert response.status_code == 400
    assert "syncSkus" in response.json()["data"]["params"]
    assert Product.objects.count() == 1


def test_a_missing_sku_list_is_a_400_not_a_mass_delete(client, alice):
    make_product("A-1")
    response = post(client, "product/sync", {"syncTag": "x", "syncDelete": "1"})
    assert response.status_code == 400
    assert Product.objects.count() == 1
