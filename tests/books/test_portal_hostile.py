"""The portal against a hostile client: every bad body is a Fail naming the field or a 4xx, never a 500, nothing booked."""

import json

import pytest

from bizunosync.books.models import Customer, SalesOrder, SalesOrderLine
from bizunosync.wire import order_add

from .conftest import SHIP_RATES, TOKEN, an_order, line

pytestmark = pytest.mark.django_db


def _json_order(**changes):
    """The demo order as the JSON a REST client would post, with fields replaced by `changes`."""
    data = json.loads(json.dumps(order_add.build(an_order(lines=[line("TEA", "2")]))))
    for path, value in changes.items():
        node = data
        *parents, leaf = path.split(".")
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(leaf)] = value
        else:
            node[leaf] = value
    return data


def _nothing_booked():
    return SalesOrder.objects.count() == 0 and SalesOrderLine.objects.count() == 0 and Customer.objects.count() == 0


HOSTILE = [
    ("General.PurchaseOrderID", ["WC1", "WC2"], "General.PurchaseOrderID"),
    ("General.PurchaseOrderID", {"a": "b"}, "General.PurchaseOrderID"),
    ("General.PurchaseOrderID", "W" * 10_000, "General.PurchaseOrderID"),
    ("General.PurchaseOrderID", 12345678901234567890, None),
    ("General.OrderTotal", [1, 2], "General.OrderTotal"),
    ("General.OrderTotal", True, "General.OrderTotal"),
    ("General.OrderTotal", "NaN", "General.OrderTotal"),
    ("General.OrderTotal", "Infinity", "General.OrderTotal"),
    ("General.OrderTotal", 1e308, "General.OrderTotal"),
    ("General.OrderDate", ["2026-11-27"], "General.OrderDate"),
    ("General.OrderDate", "2026-13-45", "General.OrderDate"),
    ("General", "not a group", "General"),
    ("Billing.Email", {"x": ["y"]}, "Billing.Email"),
    ("Billing.Country", "D" * 50, "Billing.Country"),
    ("Billing", ["a", "b"], "Billing"),
    ("Shipping.Country", "D" * 500, "Shipping.Country"),
    ("Item.0.Quantity", "-1", "Item[0].Quantity"),
    ("Item.0.Quantity", "1e9", "Item[0].Quantity"),
    ("Item.0.Quantity", "0", "Item[0].Quantity"),
    ("Item.0.Quantity", [1], "Item[0].Quantity"),
    ("Item.0.Quantity", None, "Item[0].Quantity"),
    ("Item.0.ItemID", ["TEA"], "Item[0].ItemID"),
    ("Item.0.ItemID", "T" * 5000, "Item[0].ItemID"),
    ("Item.0", "TEA", "Item[0]"),
    ("Item", "TEA", "Item"),
    ("Item", {"0": {"ItemID": "TEA"}}, "Item[0]"),
    ("Payment.Status", {"a": 1}, "Payment.Status"),
    ("Payment.TransactionID", "\x00\x01", "Payment.TransactionID"),
]


@pytest.mark.parametrize("path,value,field", HOSTILE, ids=[f"{p}={str(v)[:20]!r}" for p, v, _ in HOSTILE])
def test_a_hostile_json_field_fails_naming_it_and_books_nothing(post_order, catalog, path, value, field):
    status, data = post_order(json.dumps(_json_order(**{path: value})), content_type="application/json")

    assert status < 500
    if field is None:  # acceptable either way, as long as it is not a 500
        return
    assert data["result"] == "Fail", data
    errors = " ".join(m["text"] for m in data["messages"]["error"])
    assert field in errors, errors
    assert _nothing_booked()


def test_a_unit_price_with_php_float_digits_is_booked_rounded_not_refused(post_order, catalog):
    # The plugin sends subtotal / qty computed in PHP floats: 10 / 3 arrives as 3.3333333333333335.
    # Refusing it would refuse real orders, so prices are rounded to what the books keep.
    body = _json_order(**{"Item.0.UnitPrice": "3.3333333333333335", "Item.0.Quantity": "3",
                          "Item.0.TotalPrice": "10.0000000001"})
    status, data = post_order(json.dumps(body), content_type="application/json")

    assert data["result"] == "Success"
    booked = SalesOrderLine.objects.get()
    assert (str(booked.unit_price), str(booked.total)) == ("3.3333", "10.0000")


@pytest.mark.parametrize("body", [
    b"General[PurchaseOrderID]=\xff\xfe&Item[0][ItemID]=TEA",
    b"General[PurchaseOrderID][][][][][][][][][][][][][][][][][][][][][][]=1",
    b"Item[0][Quantity][]=1&Item[0][Quantity][]=2",
    b"Item[99999999999999999999][ItemID]=TEA",
    b"\x00\x00\x00",
    b"a=" + b"%" * 1000,
    b"General[PurchaseOrderID]=WC1&General[PurchaseOrderID][x]=2",
])
def test_a_hostile_form_body_is_refused_cleanly(post_order, catalog, body):
    status, data = post_order(body)

    assert status < 500
    assert data["result"] == "Fail"
    assert _nothing_booked()


@pytest.mark.parametrize("body", [b'{"General": {"PurchaseOrderID": "\xff"}}', b"[]", b"null", b'"x"', b"1e999",
                                  b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 5000 + b"1" + b"}" * 5000])
def test_a_hostile_json_body_is_refused_cleanly(post_order, catalog, body):
    status, data = post_order(body, content_type="application/json")

    assert status < 500
    assert data["result"] == "Fail"
    assert _nothing_booked()


def test_a_body_past_the_upload_limit_is_refused_with_413(post_order, catalog, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    status, data = post_order(json.dumps(_json_order(**{"General.OrderNotes": "x" * 20_000})),
                              content_type="application/json")

    assert status == 413
    assert data["result"] == "Fail"
    assert _nothing_booked()


@pytest.mark.parametrize("query", [
    "&country=" + "D" * 50 + "&postcode=10119",
    "&postcode=10119&totalWeight=1e9",
    "&postcode=10119&totalWeight=-5",
    "&postcode=10119&totalWeight=NaN",
    "&postcode[]=10119",
    "&country[a][b]=DE&postcode=1",
    "&postcode=%FF%FE",
    "&postcode=%00",
    "&city=" + "x" * 100_000 + "&postcode=1",
])
def test_hostile_rate_queries_never_500(client, portal, query):
    response = client.get(SHIP_RATES + query, HTTP_X_BIZUNO_TOKEN=TOKEN)

    assert response.status_code < 500
    data = response.json()
    assert data["rates"] == [] or isinstance(data["rates"], list)


def test_a_note_with_line_breaks_is_booked_but_a_name_with_a_nul_is_not(post_order, catalog):
    status, data = post_order(json.dumps(_json_order(**{"General.OrderNotes": "Ring twice\r\nthen wait"})),
                              content_type="application/json")
    assert data["result"] == "Success"
    assert SalesOrder.objects.get().notes == "Ring twice\r\nthen wait"

    status, data = post_order(json.dumps(_json_order(**{"Billing.PrimaryName": "Maria\x00Keller"})),
                              content_type="application/json")
    assert data["result"] == "Fail"
    # A NUL is refused at the body's edge (400), before the reader's control-character check.
    assert "Billing.PrimaryName: contains a NUL character" in data["messages"]["error"][0]["text"]
    status, data = post_order(json.dumps(_json_order(**{"Billing.PrimaryName": "Maria\x01Keller"})),
                              content_type="application/json")
    assert "Billing.PrimaryName: contains control characters" in data["messages"]["error"][0]["text"]
    assert SalesOrder.objects.count() == 1
