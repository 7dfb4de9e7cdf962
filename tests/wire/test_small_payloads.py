"""product/sync, order/confirm and shipGetRates payloads."""

import json
from decimal import Decimal

import pytest

from bizunosync.wire import order_confirm as oc
from bizunosync.wire import phpform
from bizunosync.wire import product_sync as ps
from bizunosync.wire import ship_rates as sr
from bizunosync.wire.fields import FieldError
from tests.phpcli import needs_php, run_php


def through_the_wire(data: dict):
    return phpform.decode(phpform.encode({"data": data}))["data"]


# ------------------------------------------------------------ product/sync


def test_sync_skus_travel_as_one_json_string_variable():
    built = ps.build(ps.SyncRequest("woocommerce_sync", [f"SKU-{i}" for i in range(3000)], True))
    body = phpform.encode({"data": built})
    assert phpform.count_vars(body) == 3  # far under max_input_vars, however many SKUs
    assert ps.read(through_the_wire(built)).skus[-1] == "SKU-2999"


@needs_php
@pytest.mark.php
def test_php_json_decode_reads_the_sku_list_we_send():
    built = ps.build(ps.SyncRequest("t", ["A/1", "Größe-€", 'Q"uote'], False))
    out = run_php("echo json_encode(json_decode(stream_get_contents(STDIN), true));", built["syncSkus"].encode())
    assert json.loads(out) == ["A/1", "Größe-€", 'Q"uote']


def test_sync_reads_the_tag_the_list_and_the_delete_flag():
    req = ps.read({"syncTag": "woocommerce_sync", "syncSkus": '["A","B","A"," "]', "syncDelete": "1"})
    assert req == ps.SyncRequest("woocommerce_sync", ["A", "B"], True)
    assert ps.read({"syncSkus": "[]"}).delete is False


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "syncSkus"),
        ({"syncSkus": "not json"}, "syncSkus"),
        ({"syncSkus": '{"a": 1'}, "syncSkus"),
        ({"syncSkus": '"A"'}, "syncSkus"),
        ({"syncSkus": "[null]"}, "syncSkus[0]"),
        ({"syncSkus": json.dumps(["A" * 65])}, "syncSkus[0]"),
        ({"syncSkus": "[]", "syncDelete": "perhaps"}, "syncDelete"),
        ("syncSkus", "data"),
    ],
)
def test_a_bad_sync_request_names_the_field(data, field):
    with pytest.raises(FieldError) as caught:
        ps.read(data)
    assert caught.value.field == field


# ------------------------------------------------------------ order/confirm


def test_confirmations_pair_each_head_with_its_body():
    sent = [oc.Confirmation("WC1001", "Shipped 11/27/2026 via FedEx Ground, tracking number(s):", "1Z1, 1Z2"),
            oc.Confirmation("1002", "Shipped", "")]
    assert oc.read(through_the_wire(oc.build(sent))) == sent
    assert sent[0].note == "Shipped 11/27/2026 via FedEx Ground, tracking number(s):\n1Z1, 1Z2"


def test_no_head_at_all_is_no_confirmations():
    assert oc.read({}) == [] and oc.read(None) == []


def test_a_head_that_is_not_a_group_is_refused():
    with pytest.raises(FieldError) as caught:
        oc.read({"head": "WC1001"})
    assert caught.value.field == "head"


def test_a_head_line_that_is_a_list_is_named():
    with pytest.raises(FieldError) as caught:
        oc.read({"head": {"WC1": ["x"]}})
    assert caught.value.field == "head[WC1]"


# ------------------------------------------------------------ shipGetRates


def test_empty_query_parameters_are_stripped():
    query = sr.RateQuery(country="US", state="", postcode="62701", city=" ", total_weight=Decimal("2.50"))
    assert sr.to_params(query) == {"country": "US", "postcode": "62701", "totalWeight": "2.5"}
    assert sr.to_params(sr.RateQuery()) == {}


def test_a_query_reads_back_from_its_parameters():
    query = sr.RateQuery("US", "IL", "62701", "Springfield", "", "1 Main", "", Decimal("3"))
    assert sr.read_query(sr.to_params(query)) == query
    assert query.can_quote and not sr.RateQuery(country="US").can_quote


@pytest.mark.parametrize(("params", "field"), [({"totalWeight": "heavy"}, "totalWeight"),
                                               ({"totalWeight": "-1"}, "totalWeight"),
                                               ({"postcode": "9" * 40}, "postcode")])
def test_a_bad_rate_query_names_the_parameter(params, field):
    with pytest.raises(FieldError) as caught:
        sr.read_query(params)
    assert caught.value.field == field


def test_an_answer_reads_as_rates_with_decimal_quotes():
    answer = json.loads(json.dumps(sr.build_answer({"country": "US"}, [sr.Rate("fedex:GND", "FedEx Ground", Decimal("12.40"))])))
    assert answer["pkg"] == {"destination": {"country": "US"}}
    assert sr.read_answer(answer) == [sr.Rate("fedex:GND", "FedEx Ground", Decimal("12.40"))]
    assert sr.read_answer({"rates": [{"id": "x", "quote": 5}]}) == [sr.Rate("x", "x", Decimal("5"))]


def test_no_rates_is_an_empty_list():
    assert sr.read_answer([]) == [] and sr.read_answer({"pkg": {}}) == [] and sr.read_answer({"rates": []}) == []


@pytest.mark.parametrize(
    ("answer", "field"),
    [
        ("<html>blocked</html>", "answer"),
        ([{"id": "x"}], "answer"),
        ({"rates": "fedex"}, "rates"),
        ({"rates": ["fedex"]}, "rates[0]"),
        ({"rates": [{"title": "Ground", "quote": "1"}]}, "rates[0].id"),
        ({"rates": [{"id": "g", "quote": "free"}]}, "rates[0].quote"),
        ({"rates": [{"id": "g", "quote": "-5"}]}, "rates[0].quote"),
        ({"rates": [{"id": "g", "quote": True}]}, "rates[0].quote"),
        ({"rates": [{"id": "g"}]}, "rates[0].quote"),
    ],
)
def test_an_answer_of_the_wrong_shape_names_the_field(answer, field):
    with pytest.raises(FieldError) as caught:
        sr.read_answer(answer)
    assert caught.value.field == field
