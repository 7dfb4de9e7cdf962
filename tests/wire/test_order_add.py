import datetime as dt
from decimal import Decimal

import pytest

from bizunosync.wire import order_add as oa
from bizunosync.wire import phpform
from tests.phpcli import needs_php, run_php

BILLING = oa.Address("O'Brien & Sons", "Ann O'Brien", "1 Main St", "Suite #5", "Springfield", "IL", "62701", "US",
                     "555-0100", "ann@example.com")


def order(**changes) -> oa.OrderAdd:
    values = dict(
        po="WC1001", order_date=dt.date(2026, 11, 27), total=Decimal("33.50"), sales_tax=Decimal("2.50"),
        shipping_total=Decimal("5.00"), shipping_carrier="FedEx Ground", notes="Leave at door",
        payment_method="ppcp-gateway", payment_title="PayPal", payment_status="processing", transaction_id="4RW06",
        customer_id="C7", billing=BILLING, shipping=oa.Address(primary_name="Bob Builder", address1="9 Side Rd"),
        lines=[oa.Line("AB-100", "Widget", Decimal("2"), Decimal("13.00"), Decimal("2.50"), Decimal("26.00"))],
    )
    values.update(changes)
    return oa.OrderAdd(**values)


# The plugin's mapOrder array for the same order, encoded by PHP itself.
PLUGIN_MAP_PHP = r"""
$b = ['PrimaryName'=>"O'Brien & Sons",'Contact'=>"Ann O'Brien",'Address1'=>'1 Main St','Address2'=>'Suite #5',
      'City'=>'Springfield','State'=>'IL','PostalCode'=>'62701','Country'=>'US','Telephone'=>'555-0100',
      'Email'=>'ann@example.com'];
echo http_build_query([
  'General'=>['PurchaseOrderID'=>'WC1001','OrderDate'=>'2026-11-27','OrderTotal'=>'33.50','SalesTaxAmount'=>'2.50',
              'ShippingTotal'=>'5.00','ShippingCarrier'=>'FedEx Ground','OrderNotes'=>'Leave at door'],
  'Payment'=>['Method'=>'ppcp-gateway','Title'=>'PayPal','Status'=>'processing','TransactionID'=>'4RW06'],
  'Billing'=>['CustomerID'=>'C7'] + $b,
  'Shipping'=>['PrimaryName'=>'Bob Builder','Contact'=>'','Address1'=>'9 Side Rd','Address2'=>$b['Address2'],
               'City'=>$b['City'],'State'=>$b['State'],'PostalCode'=>$b['PostalCode'],'Country'=>$b['Country'],
               'Telephone'=>$b['Telephone'],'Email'=>$b['Email']],
  'Item'=>[['ItemID'=>'AB-100','Description'=>'Widget','Quantity'=>'2','UnitPrice'=>'13.00','SalesTaxAmount'=>'2.50',
            'TotalPrice'=>'26.00']],
]);
"""


@needs_php
@pytest.mark.php
def test_the_body_is_byte_for_byte_what_the_plugin_posts():
    assert phpform.encode(oa.build(order())) == run_php(PLUGIN_MAP_PHP).decode()


def test_billing_has_a_customer_id_and_shipping_does_not():
    built = oa.build(order())
    assert built["Billing"]["CustomerID"] == "C7"
    assert "CustomerID" not in built["Shipping"]


def test_shipping_email_is_always_billings():
    built = oa.build(order(shipping=oa.Address(primary_name="Bob", email="bob@elsewhere.test")))
    assert built["Shipping"]["Email"] == "ann@example.com"


def test_empty_shipping_fields_fall_back_to_billing_one_by_one():
    shipping = oa.with_shipping_fallback(BILLING, oa.Address(primary_name="Bob", city="Chicago", postal_code=" "))
    assert shipping.primary_name == "Bob" and shipping.contact == ""
    assert shipping.city == "Chicago"
    assert shipping.address1 == "1 Main St" and shipping.postal_code == "62701" and shipping.telephone == "555-0100"


def test_a_ship_to_without_any_name_takes_billings_name_and_contact():
    shipping = oa.with_shipping_fallback(BILLING, oa.Address())
    assert shipping == BILLING


def test_primary_name_is_the_company_else_the_person():
    assert oa.name_and_contact("ACME", "Ann Lee") == ("ACME", "Ann Lee")
    assert oa.name_and_contact("", "Ann Lee") == ("Ann Lee", "")


@pytest.mark.parametrize("status", ["auth", "authorize", "on-hold", "processing", "Processing "])
def test_these_payment_statuses_are_authorized(status):
    assert oa.is_authorized(status)


@pytest.mark.parametrize("status", ["completed", "captured", "", None, "pending"])
def test_other_payment_statuses_are_captured(status):
    assert not oa.is_authorized(status)


def test_a_posted_order_reads_back_as_built():
    original = order()
    again = oa.read(phpform.decode(phpform.encode(oa.build(original))))
    assert again.po == "WC1001" and again.order_date == dt.date(2026, 11, 27)
    assert again.total == Decimal("33.50") and again.customer_id == "C7"
    assert again.billing == BILLING
    assert again.shipping == oa.with_shipping_fallback(BILLING, original.shipping)
    assert again.lines == original.lines


def test_reading_names_every_bad_field_at_once():
    form = phpform.decode(phpform.encode(oa.build(order())))
    form["General"]["OrderTotal"] = "lots"
    form["General"]["OrderDate"] = "27/11/2026"
    form["Billing"]["Email"] = ""
    form["Item"]["0"]["Quantity"] = "0"
    form["Item"]["1"] = {"ItemID": "B", "TotalPrice": "x", "Quantity": "1"}
    with pytest.raises(oa.OrderAddInvalid) as caught:
        oa.read(form)
    assert sorted(e.field for e in caught.value.errors) == [
        "Billing.Email", "General.OrderDate", "General.OrderTotal", "Item[0].Quantity", "Item[1].TotalPrice",
    ]


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({}, "General"),
        ({"General": "x", "Billing": {}, "Item": []}, "General"),
        ({"General": {}, "Billing": {"Email": "a@b"}, "Item": "AB-100"}, "Item"),
        ("General=1", "form"),
    ],
)
def test_a_malformed_order_is_refused_naming_the_field(form, field):
    with pytest.raises(oa.OrderAddInvalid) as caught:
        oa.read(form)
    assert field in [e.field for e in caught.value.errors]


def test_an_over_deep_order_is_refused():
    deep = "x"
    for _ in range(20):
        deep = {"a": deep}
    with pytest.raises(oa.OrderAddInvalid, match="nested too deeply"):
        oa.read({"General": deep})


def test_a_datetime_order_date_is_read_as_its_date():
    form = phpform.decode(phpform.encode(oa.build(order())))
    form["General"]["OrderDate"] = "2026-11-27 10:22:01"
    assert oa.read(form).order_date == dt.date(2026, 11, 27)
