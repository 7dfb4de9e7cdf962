"""The portal over real HTTP: a running server, bodies as the PHP plugin sends them."""

import json

import pytest
import requests

from bizunosync.books.models import Item, SalesOrder, ShippingRateRule
from bizunosync.wire import order_add, phpform

from ..phpcli import needs_php, run_php
from .conftest import TOKEN, an_order, line

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_order_posted_over_http_is_booked(live_server, portal, catalog):
    body = phpform.encode(order_add.build(an_order(po="WC2001", lines=[line("TEA", "3"), line("UNKNOWN-9", "1")])))

    response = requests.post(
        f"{live_server.url}/bizuno/?bizRt=portal/api/orderAdd",
        data=body.encode(),
        headers={"X-Bizuno-Token": TOKEN, "Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )

    assert response.status_code == 200
    data = response.json()
    assert data["result"] == "Success"
    order = SalesOrder.objects.get(pk=data["ID"])
    # An unknown SKU counts as short of stock, as in real Bizuno: a sales order, nothing taken off hand.
    assert (order.po_reference, order.journal, order.lines.count()) == ("WC2001", "so", 2)
    assert Item.objects.get(sku="TEA").qty_on_hand == 100
    assert "SKU UNKNOWN-9 not found in Bizuno; booked as a non-stock line in a sales order." in [m["text"] for m in data["messages"]["warning"]]


def test_a_wrong_token_over_http_is_a_403_in_json(live_server, portal):
    response = requests.post(
        f"{live_server.url}/bizuno/?bizRt=portal/api/orderAdd",
        data=b"General%5BPurchaseOrderID%5D=WC1",
        headers={"X-Bizuno-Token": "nope", "Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )

    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["result"] == "Fail"


# The plugin's own code path, in PHP: mapOrder's array, http_build_query, a POST
# with the token header, json_decode of the answer.
PHP_CLIENT = r"""
$order = [
  'General' => ['PurchaseOrderID' => 'WC3003', 'OrderDate' => '2026-11-27', 'OrderTotal' => '25.71',
                'SalesTaxAmount' => '2.81', 'ShippingTotal' => '4.90', 'ShippingCarrier' => 'Flat rate',
                'OrderNotes' => "O'Brien & Sons: ring twice"],
  'Payment' => ['Method' => 'bacs', 'Title' => 'Direct bank transfer', 'Status' => 'on-hold', 'TransactionID' => ''],
  'Billing' => ['CustomerID' => 'C2', 'PrimaryName' => "O'Brien & Sons Catering", 'Contact' => "James O'Brien",
                'Address1' => 'Unit 4, Suite #5', 'Address2' => '', 'City' => 'Dublin', 'State' => 'D',
                'PostalCode' => 'D02 AB12', 'Country' => 'IE', 'Telephone' => '+353 1 555 0199',
                'Email' => 'j.obrien@example.com'],
  'Shipping' => ['PrimaryName' => '', 'Contact' => '', 'Address1' => '', 'Address2' => '', 'City' => '',
                 'State' => '', 'PostalCode' => '', 'Country' => '', 'Telephone' => '', 'Email' => 'j.obrien@example.com'],
  'Item' => [
    ['ItemID' => 'TEA', 'Description' => 'Tea', 'Quantity' => 2, 'UnitPrice' => 6.9, 'SalesTaxAmount' => 2.62, 'TotalPrice' => 13.8],
    ['ItemID' => 'MUG', 'Description' => 'Mug', 'Quantity' => 5, 'UnitPrice' => 1.4, 'SalesTaxAmount' => 0.19, 'TotalPrice' => 7.0],
  ],
];
$ctx = stream_context_create(['http' => [
  'method' => 'POST', 'ignore_errors' => true, 'timeout' => 10,
  'header' => "Content-Type: application/x-www-form-urlencoded\r\nX-Bizuno-Token: " . getenv('PORTAL_TOKEN') . "\r\n",
  'content' => http_build_query($order),
]]);
$answer = file_get_contents(getenv('PORTAL_URL') . '/bizuno/?bizRt=portal/api/orderAdd', false, $ctx);
echo json_encode(['status' => $http_response_header[0], 'answer' => json_decode($answer, true)]);
"""


@needs_php
@pytest.mark.php
def test_a_php_client_building_the_body_like_the_plugin_books_an_order(live_server, portal, catalog, monkeypatch):
    monkeypatch.setenv("PORTAL_URL", live_server.url)
    monkeypatch.setenv("PORTAL_TOKEN", TOKEN)

    out = json.loads(run_php(PHP_CLIENT))

    assert "200" in out["status"]
    answer = out["answer"]
    assert answer["result"] == "Success"
    order = SalesOrder.objects.get(pk=answer["ID"])
    # MUG has 1 available and 5 are wanted: a sales order, payment only authorized
    assert (order.journal, order.payment_status) == ("so", "authorized")
    assert (order.billing_name, order.billing_contact, order.shipping_city) == (
        "O'Brien & Sons Catering", "James O'Brien", "Dublin")
    assert order.notes == "O'Brien & Sons: ring twice"
    assert order.customer.email == "j.obrien@example.com"


def test_rates_over_http(live_server, portal):
    ShippingRateRule.objects.create(rate_id="fedex:GND", title="FedEx Ground", country="US", price="12.4")

    response = requests.get(
        f"{live_server.url}/bizuno/",
        params={"bizRt": "portal/api/shipGetRates", "country": "US", "postcode": "94105", "totalWeight": "1.2"},
        headers={"X-Bizuno-Token": TOKEN},
        timeout=10,
    )

    assert response.status_code == 200
    assert response.json()["rates"] == [{"id": "fedex:GND", "title": "FedEx Ground", "quote": "12.40"}]
