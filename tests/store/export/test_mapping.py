"""An order as PHP's $_POST sees it in Bizuno: PROTOCOL §3.2, field by field."""

from decimal import Decimal

import pytest

from bizunosync.store.export import mapping
from bizunosync.wire import phpform

pytestmark = pytest.mark.django_db


def posted(order, order_prefix="WC", customer_prefix="C"):
    """The form exactly as Bizuno's PHP would parse the body we send."""
    body = phpform.encode(mapping.form_for(order, order_prefix=order_prefix, customer_prefix=customer_prefix))
    return phpform.decode(body, post=True)


def test_the_purchase_order_and_customer_ids_carry_the_prefixes(make_order, maria):
    form = posted(make_order(), order_prefix="SHOP-", customer_prefix="WEB")

    assert form["General"]["PurchaseOrderID"] == "SHOP-1001"
    assert form["Billing"]["CustomerID"] == f"WEB{maria.pk}"


def test_a_guest_goes_out_as_customer_zero_like_woocommerce(make_order):
    assert posted(make_order(customer=None))["Billing"]["CustomerID"] == "C0"


def test_the_general_block_carries_date_totals_carrier_and_note(make_order):
    general = posted(make_order())["General"]

    assert general == {
        "PurchaseOrderID": "WC1001", "OrderDate": "2026-11-27", "OrderTotal": "64.16", "SalesTaxAmount": "9.46",
        "ShippingTotal": "4.90", "ShippingCarrier": "Flat rate", "OrderNotes": "Leave at the back door",
    }


def test_payment_status_is_the_order_status_as_the_plugin_sends_it(make_order):
    # lib/order.php mapOrder: 'Status' => $order->get_status()
    payment = posted(make_order(status="on-hold", payment_status="completed"))["Payment"]

    assert payment == {"Method": "stripe", "Title": "Credit card (Stripe)", "Status": "on-hold", "TransactionID": "ch_123"}


def test_a_person_is_the_primary_name_with_no_contact(make_order):
    billing = posted(make_order())["Billing"]

    assert (billing["PrimaryName"], billing["Contact"]) == ("Maria Keller", "")


def test_a_company_is_the_primary_name_and_the_person_the_contact(make_order):
    billing = posted(make_order(billing_company="Keller Teehaus GmbH"))["Billing"]

    assert (billing["PrimaryName"], billing["Contact"]) == ("Keller Teehaus GmbH", "Maria Keller")


def test_an_empty_ship_to_takes_every_field_from_billing(make_order):
    form = posted(make_order())

    expected = {k: v for k, v in form["Billing"].items() if k != "CustomerID"}
    assert form["Shipping"] == expected
    assert "CustomerID" not in form["Shipping"]


def test_a_partial_ship_to_falls_back_to_billing_field_by_field(make_order):
    shipping = posted(make_order(
        shipping_first_name="Kitchen", shipping_last_name="Receiving", shipping_company="Keller Catering",
        shipping_address_1="Hafenstraße 3", shipping_city="Hamburg",
    ))["Shipping"]

    assert shipping == {
        "PrimaryName": "Keller Catering", "Contact": "Kitchen Receiving", "Address1": "Hafenstraße 3", "Address2": "",
        "City": "Hamburg", "State": "BE", "PostalCode": "10119", "Country": "DE", "Telephone": "+49 30 1234567",
        "Email": "maria.keller@example.com",
    }


def test_each_line_has_unit_price_as_subtotal_over_quantity_and_its_taxes(make_order):
    items = posted(make_order(lines=[
        ("TEA", "Earl Grey tea", 2, "13.80", "2.62"),
        ("HONEY", "Wild honey", 3, "10.00", "1.90"),
    ]))["Item"]

    assert list(items.values()) == [
        {"ItemID": "TEA", "Description": "Earl Grey tea", "Quantity": "2", "UnitPrice": "6.90",
         "SalesTaxAmount": "2.62", "TotalPrice": "13.80"},
        {"ItemID": "HONEY", "Description": "Wild honey", "Quantity": "3", "UnitPrice": "3.333333",
         "SalesTaxAmount": "1.90", "TotalPrice": "10.00"},
    ]


def test_a_discounted_line_sends_its_total_after_the_discount(make_order):
    order = make_order(lines=[("TEA", "Tea", 2, "13.80", "2.62")])
    order.lines.update(total=Decimal("12.00"))

    item = posted(order)["Item"]["0"]

    assert (item["UnitPrice"], item["TotalPrice"]) == ("6.90", "12.00")


def test_an_order_without_billing_email_or_with_a_zero_quantity_line_is_not_sendable(make_order):
    order = make_order(billing_email="", lines=[("TEA", "Tea", 0, "0.00", "0.00")])

    with pytest.raises(mapping.OrderNotSendable) as caught:
        mapping.form_for(order, order_prefix="WC", customer_prefix="C")

    assert caught.value.problems == [
        "it has no billing email (Bizuno matches the customer by it)",
        "line 1 (TEA) has quantity 0; Bizuno needs at least 1",
    ]


def test_an_order_without_lines_is_not_sendable(make_order):
    with pytest.raises(mapping.OrderNotSendable, match="it has no lines"):
        mapping.form_for(make_order(lines=()), order_prefix="WC", customer_prefix="C")
