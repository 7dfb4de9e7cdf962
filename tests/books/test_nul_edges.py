"""The portal refuses a NUL at its edge with a 400 naming the field, and still records the call
(shipGetRates with a NUL in country/postcode answered rates and then could not log the call on
PostgreSQL). Bizuno's answer shapes are kept; run on PostgreSQL too."""

import json
from urllib.parse import urlencode

import pytest

from bizunosync.books.models import SalesOrder
from bizunosync.sync.models import InboundCall

from .conftest import ORDER_ADD, SHIP_RATES, TOKEN, an_order, form_body

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("key", ["country", "postcode"])
def test_ship_get_rates_refuses_a_nul_naming_the_parameter_and_logs_the_call(client, portal, key):
    query = {"country": "DE", "postcode": "10119", key: "10\x00119"}

    response = client.get(SHIP_RATES + "&" + urlencode(query), HTTP_X_BIZUNO_TOKEN=TOKEN)

    assert response.status_code == 400
    data = response.json()
    assert data["rates"] == []  # the answer's own shape: the store offers its fallback
    assert data["message"]["error"][0]["text"] == f"{key}: contains a NUL character."
    call = InboundCall.objects.get()
    assert (call.endpoint, call.http_status, call.note) == ("shipGetRates", 400, f"{key}: contains a NUL character.")


def test_order_add_refuses_a_nul_in_its_query_string(client, portal, catalog):
    response = client.post(ORDER_ADD + "&x=%00", form_body(an_order()), content_type="application/x-www-form-urlencoded",
                           HTTP_X_BIZUNO_TOKEN=TOKEN)

    assert response.status_code == 400
    assert response.json() == {"result": "Fail", "message": {"error": [{"text": "x: contains a NUL character."}]}}
    assert SalesOrder.objects.count() == 0


def test_order_add_refuses_a_nul_in_a_form_value_even_one_it_does_not_read(post_order, catalog):
    body = form_body(an_order()) + "&General%5BUnusedField%5D=a%00b"

    status, data = post_order(body)

    assert status == 400 and data["result"] == "Fail"
    assert data["messages"]["error"][0]["text"] == "General.UnusedField: contains a NUL character."
    assert SalesOrder.objects.count() == 0


def test_order_add_refuses_a_nul_inside_a_form_key_naming_it(post_order, catalog):
    body = form_body(an_order()) + "&Billing%5BEmail%00x%5D=evil@example.com"

    status, data = post_order(body)

    assert status == 400
    assert data["messages"]["error"][0]["text"] == "Billing[Email\\0x]: has a NUL character in its name."
    assert SalesOrder.objects.count() == 0


def test_order_add_refuses_a_nul_in_a_json_key(post_order, catalog):
    status, data = post_order(json.dumps({"General": {"PurchaseOrderID": "WC1", "Notes\x00": "x"}}),
                              content_type="application/json")

    assert status == 400 and data["messages"]["error"][0]["text"] == "General.Notes\\0: contains a NUL character."


def test_order_add_as_text_xml_is_415_in_the_fail_shape(post_order, catalog):
    status, data = post_order("<order><po>WC1001</po></order>", content_type="text/xml")

    assert status == 415
    assert data == {"result": "Fail", "message": {"error": [{"text": "orderAdd takes the order as "
                    "application/x-www-form-urlencoded (or JSON), not text/xml."}]}}
    assert SalesOrder.objects.count() == 0
