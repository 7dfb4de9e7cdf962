"""product/refresh: Bizuno's Quick Refresh of prices, stock and tiers (PROTOCOL §2.4)."""

import gc
from decimal import Decimal

import pytest

from bizunosync.store.models import PriceTier, Product
from bizunosync.sync.models import InboundCall
from bizunosync.sync.touched import refs_of

from .conftest import ALICE, BASE, form, make_product, post, put

pytestmark = pytest.mark.django_db


def tiers_of(sku):
    return [(t.qty, t.price) for t in PriceTier.objects.filter(product__sku=sku).order_by("qty")]


def test_it_updates_price_stock_and_tiers_and_says_how_many(client, alice, settings_row):
    make_product("A-1", price="10.00", stock=5)
    make_product("B-2", price="4.00", stock=1)
    batch = [
        {"SKU": "A-1", "QtyStock": "12", "Price": "11.50", "RegularPrice": "11.50",
         "PriceTiers": [{"qty": "24", "price": "9.50"}, {"qty": "12", "price": "10"}]},
        {"SKU": "B-2", "QtyStock": "1", "Price": "4"},
    ]
    response = put(client, "product/refresh", batch)
    assert response.status_code == 200
    assert response.json() == {"result": "Success", "acted": 1, "note": "Updated 1 of 2 products.", "message": []}
    a = Product.objects.get(sku="A-1")
    assert (a.regular_price, a.price, a.stock_quantity, a.stock_status) == (Decimal("11.5"), Decimal("11.5"), 12, "instock")
    assert tiers_of("A-1") == [(12, Decimal("10")), (24, Decimal("9.5"))]


def test_sending_the_same_batch_twice_updates_nothing_the_second_time(client, alice, settings_row):
    make_product("A-1")
    batch = [{"SKU": "A-1", "QtyStock": "3", "Price": "12", "SalePrice": "9", "PriceTiers": [{"qty": "5", "price": "11"}]}]
    assert put(client, "product/refresh", batch).json()["note"] == "Updated 1 of 1 products."
    assert put(client, "product/refresh", batch).json()["note"] == "Updated 0 of 1 products."


def test_prices_compare_as_numbers(client, alice, settings_row):
    make_product("A-1", price="10.00", stock=5, tiers=[(12, "9.5")])
    batch = [{"SKU": "A-1", "QtyStock": "5", "Price": "10", "PriceTiers": [{"qty": "12", "price": "9.50000"}]}]
    assert put(client, "product/refresh", batch).json()["note"] == "Updated 0 of 1 products."


def test_unknown_skus_are_named_in_an_error_while_the_rest_applies(client, alice, settings_row):
    make_product("A-1")
    batch = [{"SKU": "ZZ-9", "QtyStock": "1"}, {"SKU": "A-1", "QtyStock": "2"}, {"SKU": "YY-8", "QtyStock": "1"}]
    body = put(client, "product/refresh", batch).json()
    assert body["note"] == "Updated 1 of 3 products."
    assert body["message"] == {"error": [{"text": "Missing in WooCommerce: ZZ-9, YY-8"}]}
    assert Product.objects.get(sku="A-1").stock_quantity == 2


def test_an_empty_batch_fails_with_no_items_provided(client, alice):
    body = put(client, "product/refresh", body="").json()
    assert body == {"result": "Fail", "note": "No items provided", "message": []}


def test_an_absent_field_leaves_the_store_value_alone(client, alice, settings_row):
    make_product("A-1", price="10.00", stock=5, weight=Decimal("1.5"), sale_price=Decimal("8"))
    put(client, "product/refresh", [{"SKU": "A-1", "QtyStock": "7"}])
    a = Product.objects.get(sku="A-1")
    assert (a.regular_price, a.sale_price, a.weight, a.stock_quantity) == (Decimal("10"), Decimal("8"), Decimal("1.5"), 7)


def test_absent_price_tiers_clear_the_tiers(client, alice, settings_row):
    make_product("A-1", tiers=[(10, "9")])
    body = put(client, "product/refresh", [{"SKU": "A-1", "QtyStock": "5"}]).json()
    assert body["note"] == "Updated 1 of 1 products."
    assert tiers_of("A-1") == []


def test_an_empty_sale_price_clears_it_and_the_active_price_follows(client, alice, settings_row):
    make_product("A-1", price="10.00")
    put(client, "product/refresh", [{"SKU": "A-1", "Price": "10", "SalePrice": "7.5"}])
    assert Product.objects.get(sku="A-1").price == Decimal("7.5")
    put(client, "product/refresh", [{"SKU": "A-1", "Price": "10", "SalePrice": ""}])
    a = Product.objects.get(sku="A-1")
    assert (a.sale_price, a.price) == (None, Decimal("10"))


def test_a_sale_price_above_the_regular_price_is_not_the_active_price(client, alice, settings_row):
    make_product("A-1", price="10.00")
    put(client, "product/refresh", [{"SKU": "A-1", "Price": "10", "SalePrice": "12"}])
    assert Product.objects.get(sku="A-1").price == Decimal("10")


def test_negative_available_stock_becomes_zero_and_out_of_stock(client, alice, settings_row):
    make_product("A-1", stock=5)
    put(client, "product/refresh", [{"SKU": "A-1", "QtyStock": "-3"}])
    a = Product.objects.get(sku="A-1")
    assert (a.stock_quantity, a.stock_status, a.manage_stock) == (0, "outofstock", True)


def test_store_settings_force_stock_management_and_backorders(client, alice, settings_row):
    settings_row.manage_stock, settings_row.backorders = True, "notify"
    settings_row.save()
    make_product("A-1", manage_stock=False)
    put(client, "product/refresh", [{"SKU": "A-1"}])
    a = Product.objects.get(sku="A-1")
    assert (a.manage_stock, a.backorders) == (True, "notify")


@pytest.mark.parametrize(
    "item,field",
    [
        ({"QtyStock": "abc"}, "data[0].QtyStock"),
        ({"Price": "-5"}, "data[0].Price"),
        ({"Price": "1e30"}, "data[0].Price"),
        ({"SalePrice": "free"}, "data[0].SalePrice"),
        ({"PriceTiers": [{"qty": "0", "price": "1"}]}, "data[0].PriceTiers[0].qty"),
        ({"Weight": "NaN"}, "data[0].Weight"),
    ],
)
def test_an_unreadable_item_is_skipped_and_named_while_the_rest_applies(client, alice, settings_row, item, field):
    make_product("BAD-1", price="10.00", stock=5)
    make_product("OK-1", price="10.00", stock=5)
    response = put(client, "product/refresh", [{"SKU": "BAD-1", **item}, {"SKU": "OK-1", "QtyStock": "9"}])
    assert response.status_code == 200
    body = response.json()
    assert body["note"] == "Updated 1 of 2 products."
    [error] = body["message"]["error"]
    assert error["text"].startswith(f"Skipped BAD-1: {field} ")
    bad = Product.objects.get(sku="BAD-1")
    assert (bad.regular_price, bad.stock_quantity) == (Decimal("10"), 5)
    assert Product.objects.get(sku="OK-1").stock_quantity == 9


def test_a_sku_of_ten_thousand_characters_is_named_and_skipped(client, alice, settings_row):
    make_product("OK-1", stock=5)
    body = put(client, "product/refresh", [{"SKU": "X" * 10_000, "QtyStock": "1"}, {"SKU": "OK-1", "QtyStock": "2"}]).json()
    assert body["note"] == "Updated 1 of 2 products."
    [error] = body["message"]["error"]
    assert "data[0].SKU is too long" in error["text"] and len(error["text"]) < 300


def test_unknown_fields_are_ignored(client, alice, settings_row):
    make_product("A-1", stock=5)
    body = put(client, "product/refresh", [{"SKU": "A-1", "QtyStock": "6", "Colour": "teal", "X": {"y": "z"}}]).json()
    assert body["note"] == "Updated 1 of 1 products."


def test_a_post_with_a_method_override_counts_as_put(client, alice, settings_row):
    make_product("A-1")
    response = post(client, "product/refresh", [{"SKU": "A-1", "QtyStock": "3"}], HTTP_X_HTTP_METHOD_OVERRIDE="PUT")
    assert response.json()["note"] == "Updated 1 of 1 products."
    response = client.post(BASE + "product/refresh?_method=PUT", form([{"SKU": "A-1", "QtyStock": "4"}]),
                           content_type="application/x-www-form-urlencoded", **ALICE)
    assert response.json()["note"] == "Updated 1 of 1 products."


def test_a_plain_post_is_refused_with_405_json(client, alice):
    response = post(client, "product/refresh", [{"SKU": "A-1"}])
    assert response.status_code == 405
    assert response.json()["data"] == {"status": 405}
    assert response["Allow"] == "PUT"


def test_a_json_body_works_like_a_form_body(client, alice, settings_row):
    make_product("A-1")
    response = client.put(BASE + "product/refresh", {"data": [{"SKU": "A-1", "QtyStock": 8, "Price": 10.0}]},
                          content_type="application/json", **ALICE)
    assert response.json()["note"] == "Updated 1 of 1 products."
    assert Product.objects.get(sku="A-1").stock_quantity == 8


def test_a_hundred_items_with_tiers_parse_past_phps_thousand_fields(client, alice, settings_row):
    Product.objects.bulk_create(Product(sku=f"S-{i}", name=f"S {i}") for i in range(100))
    batch = [{"SKU": f"S-{i}", "QtyStock": "3", "Price": "2", "SalePrice": "1.5", "Weight": "0.2",
              "PriceTiers": [{"qty": "10", "price": "1.4"}, {"qty": "50", "price": "1.2"}]} for i in range(100)]
    body = put(client, "product/refresh", batch).json()
    assert body["note"] == "Updated 100 of 100 products."
    assert PriceTier.objects.count() == 200


def test_the_call_is_recorded_with_counts_and_touched_products(client, alice, settings_row):
    a = make_product("A-1")
    put(client, "product/refresh", [{"SKU": "A-1", "QtyStock": "3"}, {"SKU": "ZZ"}])
    call = InboundCall.objects.get()
    assert (call.side, call.endpoint, call.method, call.caller) == ("store", "product/refresh", "PUT", "alice@example.com")
    assert (call.http_status, call.result, call.item_count, call.changed_count) == (200, "success", 2, 1)
    assert call.note == "Updated 1 of 2 products."
    assert refs_of(call) == ([f"store.product:{a.pk}"], 1)
    assert call.messages == {"error": [{"text": "Missing in WooCommerce: ZZ"}]}


def test_it_keeps_what_bizuno_sent_as_a_snapshot_for_the_drift_report(client, alice, settings_row):
    make_product("A-1")
    put(client, "product/refresh", [{"SKU": "A-1", "QtyStock": "3", "Price": "12", "PriceTiers": [{"qty": "6", "price": "11"}]}])
    snap = Product.objects.get(sku="A-1").bizuno_snapshot
    assert snap["regular_price"] == "12.0000" and snap["stock_quantity"] == 3 and snap["tiers"] == [[6, "11.0000"]]


def _batch(n, round_no, breaks=(10, 20)):
    return [{"SKU": f"Q-{i}", "QtyStock": str(round_no + i), "Price": f"{round_no}.5",
             "PriceTiers": [{"qty": str(breaks[0]), "price": f"{round_no}.25"}, {"qty": str(breaks[1]), "price": "1"}]}
            for i in range(n)]


# auth (user + permission, one query; counters and remembered login, one shared-cache read) · savepoint (the
# batch and its log in one transaction) · store settings · products · tiers · the quantities held in orders not
# yet in Bizuno (one query for the batch) · one UPDATE · tiers: one UPDATE of the prices that moved, or one DELETE
# and one INSERT where the quantity breaks changed · inbound call (savepoint, insert, one INSERT of the products
# it touched, however many, release) · release
QUERIES_PER_BATCH = 14


@pytest.mark.parametrize("size", [10, 100, 1000])
def test_a_refresh_batch_costs_the_same_queries_whatever_its_size(client, alice, settings_row, django_assert_num_queries, size):
    Product.objects.bulk_create(Product(sku=f"Q-{i}", name="q") for i in range(size))
    put(client, "product/refresh", _batch(size, 1))  # the first call verifies the password
    with django_assert_num_queries(QUERIES_PER_BATCH):
        body = put(client, "product/refresh", _batch(size, 2)).json()
    assert body["note"] == f"Updated {size} of {size} products."
    with django_assert_num_queries(QUERIES_PER_BATCH + 1):
        body = put(client, "product/refresh", _batch(size, 3, breaks=(5, 50))).json()
    assert body["note"] == f"Updated {size} of {size} products."
    assert sorted(PriceTier.objects.filter(product__sku="Q-0").values_list("qty", "price")) == [
        (5, Decimal("3.25")), (50, Decimal("1"))]


def test_a_tier_whose_price_moves_is_repriced_in_place_and_its_neighbours_keep_their_rows(client, alice, settings_row):
    make_product("T-1")
    put(client, "product/refresh", [{"SKU": "T-1", "PriceTiers": [{"qty": "6", "price": "11"}, {"qty": "12", "price": "10"}]}])
    before = dict(PriceTier.objects.filter(product__sku="T-1").values_list("qty", "pk"))
    body = put(client, "product/refresh", [{"SKU": "T-1", "PriceTiers": [{"qty": "6", "price": "10.50"}, {"qty": "12", "price": "10.00"}]}]).json()
    assert body["note"] == "Updated 1 of 1 products."
    tiers = {t.qty: t for t in PriceTier.objects.filter(product__sku="T-1")}
    assert {qty: t.pk for qty, t in tiers.items()} == before
    assert (tiers[6].price, tiers[12].price) == (Decimal("10.50"), Decimal("10"))
    again = put(client, "product/refresh", [{"SKU": "T-1", "PriceTiers": [{"qty": "6", "price": "10.5"}, {"qty": "12", "price": "10"}]}]).json()
    assert again["note"] == "Updated 0 of 1 products."


def test_rows_with_blank_skus_count_in_the_note_as_the_plugin_counts_them(client, alice, settings_row):
    make_product("BL-1", stock=1)
    body = put(client, "product/refresh", [{"SKU": "BL-1", "QtyStock": "4"}, {"SKU": " "}, {"SKU": ""}]).json()
    assert body["note"] == "Updated 1 of 3 products."


def test_a_batch_of_only_blank_skus_answers_the_plugins_no_valid_skus(client, alice, settings_row):
    body = put(client, "product/refresh", [{"SKU": " "}, {"QtyStock": "4"}]).json()
    assert body["result"] == "Success" and body["note"] == "No valid SKUs found"



@pytest.mark.parametrize("body, status", [
    (form([{"SKU": "A-1", "QtyStock": "4"}]), 200),
    (form([{"SKU": "A-1", "QtyStock": "many"}]), 200),
    ("data=not-a-list", 400),
])
def test_the_batch_is_applied_with_the_cyclic_collector_paused_and_it_runs_again_after(
        client, alice, settings_row, monkeypatch, body, status):
    from bizunosync.store.services import product_refresh as service

    make_product("A-1")
    seen = []
    real_apply = service.apply
    monkeypatch.setattr(service, "apply", lambda *args: seen.append(gc.isenabled()) or real_apply(*args))
    assert put(client, "product/refresh", body=body).status_code == status
    assert seen == ([False] if status == 200 else [])
    assert gc.isenabled()


def test_a_batch_that_breaks_the_store_still_lets_the_collector_run_again(client, alice, settings_row, monkeypatch):
    from bizunosync.store.services import product_refresh as service

    def broken(*args):
        raise RuntimeError("a bug in the apply")

    monkeypatch.setattr(service, "apply", broken)
    assert put(client, "product/refresh", [{"SKU": "A-1"}]).status_code == 500
    assert gc.isenabled()


# The batch and its call log share one transaction (tests/store/test_call_log_commit.py for every endpoint).

def test_a_batch_and_its_call_log_are_written_together(client, alice, settings_row):
    make_product("A-1", stock=1)
    assert put(client, "product/refresh", [{"SKU": "A-1", "QtyStock": "7"}]).status_code == 200
    call = InboundCall.objects.get()
    assert (call.http_status, call.result, call.changed_count) == (200, "success", 1)
    assert refs_of(call)[0] == [f"store.product:{Product.objects.get(sku='A-1').pk}"]
    assert Product.objects.get(sku="A-1").stock_quantity == 7


def test_a_batch_whose_log_row_was_written_and_then_rolled_back_is_logged_again(
        client, alice, settings_row, monkeypatch):
    from bizunosync.store.endpoints import inbound

    make_product("A-1", stock=1)
    real_record = inbound.record_now

    def record_then_fail(request, response):
        real_record(request, response)
        raise RuntimeError("a bug after the log row")

    monkeypatch.setattr(inbound, "record_now", record_then_fail)
    assert put(client, "product/refresh", [{"SKU": "A-1", "QtyStock": "7"}]).status_code == 500
    assert Product.objects.get(sku="A-1").stock_quantity == 1
    assert list(InboundCall.objects.values_list("http_status", "result")) == [(500, "fail")]
