"""Checkout end to end through the Django test client, with Bizuno as a real loopback peer."""

from decimal import Decimal

import pytest

from bizunosync.store.models import Customer, Order, OrderNote, Product
from bizunosync.sync.models import SyncJob
from tests.support.faultserver import FaultServer, dead_url, json_reply

from .conftest import ADDRESS, RATES, add, checkout

pytestmark = pytest.mark.django_db

BOOKED = {"result": "Success", "ID": 5123, "messages": {}}


def test_a_shopper_buys_24_egg_cups_at_the_tier_price_with_a_live_rate(client, connect, egg_cups, mug):
    with FaultServer(json_reply(RATES)) as bizuno:
        connect(bizuno.url + "/bizuno")
        add(client, egg_cups, "24")
        add(client, mug, "1")

        step_one = checkout(client)
        page = step_one.content.decode()
        assert step_one.status_code == 200
        assert "FedEx Ground" in page and "$8.50" in page and "FedEx 2Day" in page and 'id="place-order"' in page

        placed = checkout(client, action="place", shipping_method="fedex:2DA", payment_method="demo_card")

    assert placed.status_code == 302
    order = Order.objects.get()
    assert placed["Location"] == f"/checkout/order-received/{order.number}/"
    assert bizuno.requests[0].query["postcode"] == ["94105"]
    assert bizuno.requests[0].query["totalWeight"] == ["12.5"]  # 25 items × 0.5 kg
    assert len(bizuno.requests) == 1  # the place step reused the cached quote

    assert (order.shipping_method_id, order.shipping_method, order.shipping_total) == ("fedex:2DA", "FedEx 2Day", Decimal("19.90"))
    assert (order.subtotal, order.tax_total, order.total) == (Decimal("55.20"), Decimal("0.00"), Decimal("75.10"))
    assert (order.payment_method, order.payment_title, order.payment_status) == ("demo_card", "Demo card (test mode)", "completed")
    assert order.transaction_id.startswith("demo_") and len(order.transaction_id) > 10
    assert order.status == "processing"
    assert (order.billing_email, order.billing_postcode, order.shipping_city) == ("ann.lee@example.com", "94105", "San Francisco")
    lines = {line.sku: line for line in order.lines.all()}
    assert (lines["EGG-CUP-12"].quantity, lines["EGG-CUP-12"].subtotal, lines["EGG-CUP-12"].total) == (24, Decimal("43.20"), Decimal("43.20"))
    assert lines["MUG-STONE"].total == Decimal("12.00")

    egg_cups.refresh_from_db()
    mug.refresh_from_db()
    assert (egg_cups.stock_quantity, mug.stock_quantity) == (216, 4)
    assert client.session.get("cart") is None


def test_orders_get_sequential_numbers_and_a_returning_email_reuses_the_customer(client, connect, mug):
    Customer.objects.create(email="Ann.Lee@Example.com", first_name="Ann", last_name="")
    connect(dead_url(), rates_fallback="flat", rates_fallback_amount=Decimal("5.00"))
    numbers = []
    for _ in range(2):
        add(client, mug, "1")
        checkout(client, action="place", shipping_method="bizunosync:fallback", payment_method="demo_card")
        numbers.append(Order.objects.order_by("-pk").first().number)

    assert int(numbers[1]) == int(numbers[0]) + 1
    customer = Customer.objects.get()
    assert set(Order.objects.values_list("customer", flat=True)) == {customer.pk}
    assert customer.last_name == "Lee"  # filled in, the rest kept


def test_autodownload_queues_the_export_after_commit_and_it_sends_what_the_order_says(
    client, connect, egg_cups, django_capture_on_commit_callbacks
):
    with FaultServer(json_reply(RATES), json_reply(BOOKED)) as bizuno:
        connect(bizuno.url + "/bizuno", autodownload=True)
        add(client, egg_cups, "24")
        checkout(client)
        with django_capture_on_commit_callbacks(execute=False) as pending:
            placed = checkout(client, action="place", shipping_method="fedex:GND", payment_method="demo_card")

        # The thank-you answer came back before anything went to Bizuno.
        assert placed.status_code == 302 and len(bizuno.requests) == 1
        job = SyncJob.objects.get(kind=SyncJob.Kind.ORDER_EXPORT)
        assert job.status == SyncJob.Status.QUEUED and pending

        for callback in pending:
            callback()

    order = Order.objects.get()
    sent = bizuno.requests[1].form
    assert bizuno.requests[1].query["bizRt"] == ["portal/api/orderAdd"]
    assert sent["General"]["ShippingCarrier"] == "FedEx Ground"
    assert (sent["General"]["OrderTotal"], sent["General"]["ShippingTotal"]) == ("51.70", "8.50")
    assert (sent["Payment"]["Title"], sent["Payment"]["TransactionID"]) == ("Demo card (test mode)", order.transaction_id)
    item = list(sent["Item"].values())[0] if isinstance(sent["Item"], dict) else sent["Item"][0]
    assert (item["ItemID"], item["Quantity"]) == ("EGG-CUP-12", "24")
    order.refresh_from_db()
    assert order.exported and order.bizuno_id == "5123"


def test_without_autodownload_nothing_is_queued(client, connect, mug):
    connect(dead_url(), rates_fallback="flat", autodownload=False)
    add(client, mug, "1")

    checkout(client, action="place", shipping_method="bizunosync:fallback", payment_method="demo_card")

    assert Order.objects.count() == 1
    assert not SyncJob.objects.filter(kind=SyncJob.Kind.ORDER_EXPORT).exists()


def test_a_dead_bizuno_still_lets_the_shopper_check_out_at_the_flat_rate(client, connect, mug):
    connect(dead_url(), rates_fallback="flat", rates_fallback_title="Standard shipping",
            rates_fallback_amount=Decimal("6.50"))
    add(client, mug, "2")

    page = checkout(client).content.decode()
    assert "Standard shipping" in page and "$6.50" in page and "showing our standard rate" in page

    placed = checkout(client, action="place", shipping_method="bizunosync:fallback", payment_method="demo_card")

    assert placed.status_code == 302
    order = Order.objects.get()
    assert (order.shipping_method, order.shipping_total, order.total) == ("Standard shipping", Decimal("6.50"), Decimal("30.50"))


def test_with_no_fallback_a_dead_bizuno_still_takes_the_order_and_flags_the_shipping(client, connect, mug):
    connect(dead_url(), rates_fallback="none")
    add(client, mug, "1")

    page = checkout(client).content.decode()
    assert "we will confirm the shipping cost by email" in page

    placed = checkout(client, action="place", payment_method="demo_card")

    assert placed.status_code == 302
    order = Order.objects.get()
    assert (order.shipping_method, order.shipping_total, order.total) == ("", Decimal("0"), Decimal("12.00"))
    assert "confirm the shipping cost" in OrderNote.objects.get(order=order).text
    thanks = client.get(placed["Location"]).content.decode()
    assert "To be confirmed by email" in thanks


def test_the_thank_you_page_shows_the_order_and_only_to_its_shopper(client, connect, egg_cups):
    with FaultServer(json_reply(RATES)) as bizuno:
        connect(bizuno.url)
        add(client, egg_cups, "48")
        checkout(client)
        placed = checkout(client, action="place", shipping_method="fedex:GND", payment_method="demo_card",
                          note="Leave at the back door")

    page = client.get(placed["Location"]).content.decode()
    order = Order.objects.get()
    assert "We&#x27;ve received your order" in page or "We've received your order" in page
    assert f'<strong id="order-number">{order.number}</strong>' in page
    assert "Beech Egg Cups" in page and "× 48" in page and "$76.80" in page
    assert "FedEx Ground" in page and "$8.50" in page and "$85.30" in page
    assert "Demo card (test mode)" in page and "Leave at the back door" in page

    from django.test import Client

    assert Client().get(placed["Location"]).status_code == 404


def test_a_missing_postcode_is_a_form_error_and_nothing_is_quoted(client, connect, mug):
    with FaultServer(json_reply(RATES)) as bizuno:
        connect(bizuno.url)
        add(client, mug, "1")
        response = checkout(client, postcode="")

    assert response.status_code == 200
    assert "Please enter a postcode" in response.content.decode()
    assert bizuno.requests == [] and not Order.objects.exists()


@pytest.mark.parametrize("field, value, message", [
    ("email", "not-an-email", "Enter a valid email address."),
    ("first_name", "", "This field is required."),
    ("country", "XX", "Select a valid choice."),
    ("postcode", "9" * 50, "Ensure this value has at most 20 characters"),
])
def test_bad_address_input_is_a_form_error_never_a_500(client, connect, mug, field, value, message):
    connect(dead_url(), rates_fallback="flat")
    add(client, mug, "1")

    response = checkout(client, action="place", shipping_method="bizunosync:fallback", payment_method="demo_card",
                        **{field: value})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Order.objects.exists()


def test_a_different_shipping_address_is_validated_and_used_for_rates(client, connect, mug):
    with FaultServer(json_reply(RATES)) as bizuno:
        connect(bizuno.url)
        add(client, mug, "1")
        missing = checkout(client, ship_elsewhere="on")
        assert "Please enter a postcode" in missing.content.decode()

        shipping = {f"shipping-{k}": v for k, v in ADDRESS.items() if k not in ("email", "phone", "note")}
        shipping.update({"shipping-city": "Oakland", "shipping-postcode": "94607", "shipping-first_name": "Bo"})
        checkout(client, ship_elsewhere="on", **shipping)
        checkout(client, action="place", ship_elsewhere="on", shipping_method="fedex:GND", payment_method="demo_card",
                 **shipping)

    assert bizuno.requests[0].query["postcode"] == ["94607"]
    order = Order.objects.get()
    assert (order.billing_city, order.shipping_city, order.shipping_first_name) == ("San Francisco", "Oakland", "Bo")


@pytest.mark.parametrize("method, message", [
    ("", "Please choose a shipping method."),
    ("ups:overnight-free", "The shipping options have changed. Please choose one again."),
])
def test_a_shipping_method_not_offered_is_refused(client, connect, mug, method, message):
    with FaultServer(json_reply(RATES)) as bizuno:
        connect(bizuno.url)
        add(client, mug, "1")
        response = checkout(client, action="place", shipping_method=method, payment_method="demo_card")

    assert message in response.content.decode()
    assert not Order.objects.exists()


def test_an_unknown_payment_method_is_refused(client, connect, mug):
    connect(dead_url(), rates_fallback="flat")
    add(client, mug, "1")

    response = checkout(client, action="place", shipping_method="bizunosync:fallback", payment_method="free-money")

    assert "Please choose a payment method." in response.content.decode()
    assert not Order.objects.exists()


def test_stock_that_ran_out_since_the_cart_refuses_the_order_and_writes_nothing(client, connect, mug, egg_cups):
    connect(dead_url(), rates_fallback="flat")
    add(client, egg_cups, "12")
    add(client, mug, "3")
    Product.objects.filter(pk=mug.pk).update(stock_quantity=2)

    response = checkout(client, action="place", shipping_method="bizunosync:fallback", payment_method="demo_card")

    assert response.status_code == 200
    assert "only 2 of “Stoneware Mug” left in stock" in response.content.decode()
    assert not Order.objects.exists() and not Customer.objects.exists()
    egg_cups.refresh_from_db()
    assert egg_cups.stock_quantity == 240


def test_checkout_with_an_empty_cart_goes_back_to_the_cart(client, db):
    response = client.post("/checkout/", {**ADDRESS, "action": "place"})

    assert response.status_code == 302 and response["Location"] == "/cart/"


def test_the_script_gets_the_shipping_step_as_a_fragment(client, connect, mug):
    with FaultServer(json_reply(RATES)) as bizuno:
        connect(bizuno.url)
        add(client, mug, "1")
        response = client.post("/checkout/", {"postcode": "94105", "country": "US"}, HTTP_X_REQUESTED_WITH="fetch")

    fragment = response.content.decode()
    assert response.status_code == 200 and "<html" not in fragment
    assert "FedEx Ground" in fragment and 'id="place-order"' in fragment
