"""A shopper in Chromium: packs of 12 at the tier price, live rates from the books side, the order in Bizuno.

One live server plays both sides: ``seed_demo --site-url`` points the
store's Bizuno connection at this server's books portal (and turns
Autodownload on), so the rates the shopper sees come from the books'
rate rules over HTTP, and the order placed is exported over HTTP when the
checkout commits (the test task backend runs the job immediately).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from bizunosync.books.models import SalesOrder
from bizunosync.store.models import Order, Product
from bizunosync.sync.connections import BizunoConnection
from tests.support.browser import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PACK_MESSAGE = "This product is sold in packs of 12. Please order in multiples of 12 (e.g., 12, 24, 36)."


def product_url(live_server, sku: str) -> str:
    product = Product.objects.get(sku=sku)
    return f"{live_server.url}/product/{product.slug}/"


def fill_address(page) -> None:
    page.fill("#id_email", "ann.lee@example.com")
    page.fill("#id_first_name", "Ann")
    page.fill("#id_last_name", "Lee")
    page.fill("#id_address_1", "500 Howard Street")
    page.fill("#id_city", "San Francisco")
    page.fill("#id_state", "CA")
    page.fill("#id_postcode", "94105")
    page.select_option("#id_country", "US")


def test_a_shopper_buys_24_egg_cups_at_the_tier_price_with_live_rates_and_the_order_reaches_the_books(
    live_server, page
):
    call_command("seed_demo", "--site-url", live_server.url, stdout=open("/dev/null", "w"))
    bizuno = BizunoConnection.load()
    assert bizuno.autodownload and bizuno.url == f"{live_server.url}/bizuno/"

    page.goto(product_url(live_server, "EGG-CUP-12"))
    quantity = page.locator("#id_quantity")
    assert (quantity.get_attribute("min"), quantity.get_attribute("step")) == ("12", "12")
    assert "Sold in packages of 12" in page.locator("#pack-note").inner_text()
    assert "$1.80" in page.locator("#volume-pricing").inner_text()
    quantity.fill("24")
    page.click("#add-to-cart")
    assert "24 × “Beech Egg Cups (sold by the dozen)” added to your cart." in page.locator("body").inner_text()

    page.goto(f"{live_server.url}/cart/")
    line = page.locator("#line-EGG-CUP-12")
    assert re.search(r"\$1\.80\s+volume price \(was \$1\.95\)", line.locator("[data-label='Price each']").inner_text())
    assert line.locator(".line-total").inner_text() == "$43.20"
    page.click("#proceed-to-checkout")

    fill_address(page)
    # Choosing the country makes shop.js fetch the rates in place (the #get-rates button is the no-script path).
    rates = page.locator("input[name=shipping_method]")
    rates.first.wait_for()
    page.wait_for_load_state("networkidle")  # each address field's change asks again: let the last answer land
    offered = page.locator("#shipping-methods").inner_text()
    # The books side's rate rules for a 0.72 kg parcel to the US.
    assert "FedEx Ground" in offered and "$8.50" in offered and "FedEx 2Day" in offered
    page.get_by_label(re.compile("FedEx 2Day")).check()
    assert page.locator("#order-total").inner_text() == "$63.10"  # 43.20 + 19.90, kept in step by shop.js
    page.click("#place-order")

    page.locator("#order-number").wait_for()
    assert page.locator("h1").inner_text() == "Thank you. We've received your order."
    number = page.locator("#order-number").inner_text()
    assert page.locator("#order-total").inner_text() == "$63.10"

    order = Order.objects.get(number=number)
    assert (order.shipping_method_id, order.total) == ("fedex:2DA", Decimal("63.10"))
    assert order.transaction_id.startswith("demo_")
    # Autodownload: exported when the checkout committed, over HTTP to the books portal.
    booked = SalesOrder.objects.get(po_reference=f"{bizuno.order_prefix}{number}")
    lines = [(line.sku, line.quantity, line.unit_price) for line in booked.lines.exclude(sku="").order_by("position")]
    assert ("EGG-CUP-12", Decimal("24"), Decimal("1.80")) in lines
    assert [sku for sku, _, _ in lines if sku == "EGG-CUP-12"] == ["EGG-CUP-12"]
    order.refresh_from_db()
    assert order.exported


def test_a_shopper_cannot_order_13_of_a_pack_of_12_nor_anything_out_of_stock(live_server, page):
    call_command("seed_demo", stdout=open("/dev/null", "w"))

    page.goto(product_url(live_server, "EGG-CUP-12"))
    quantity = page.locator("#id_quantity")
    assert (quantity.get_attribute("min"), quantity.get_attribute("step")) == ("12", "12")
    quantity.fill("13")
    # The browser itself would flag 13; the form is novalidate so the server's words are shown.
    assert quantity.evaluate("el => el.validity.stepMismatch") is True
    page.click("#add-to-cart")
    assert page.locator("#quantity-error").inner_text() == PACK_MESSAGE
    assert page.locator("#id_quantity").get_attribute("aria-invalid") == "true"
    screenshot(page, "shop-product-pack-error")
    page.goto(f"{live_server.url}/cart/")
    assert "Your cart is empty" in page.locator("main").inner_text()

    page.goto(product_url(live_server, "COF-DECAF-250"))
    assert page.locator("#stock-status").inner_text() == "Out of stock"
    assert page.locator("#unavailable").is_visible()
    assert page.locator("#add-to-cart").count() == 0 and page.locator("#id_quantity").count() == 0

    # Forcing it: post the add-to-cart form the page does not offer, with a valid CSRF token.
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    page.evaluate(
        """([action, token]) => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = action;
            for (const [name, value] of [["csrfmiddlewaretoken", token], ["quantity", "1"]]) {
                const input = document.createElement("input");
                input.type = "hidden"; input.name = name; input.value = value;
                form.appendChild(input);
            }
            document.body.appendChild(form);
            form.submit();
        }""",
        [product_url(live_server, "COF-DECAF-250") + "add/", token],
    )
    page.wait_for_load_state()
    page.locator("#quantity-error").wait_for()
    assert page.locator("#quantity-error").inner_text() == "Sorry, “Decaf Ground Coffee, 250 g” is out of stock."
    assert page.locator("#add-to-cart").count() == 0
    page.goto(f"{live_server.url}/cart/")
    assert "Your cart is empty" in page.locator("main").inner_text()
