"""Money in the admin reads as money: 2 places, Bizuno's 4 only when they carry digits; quantities as counted."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from bizunosync.books.models import Item, PriceLevel, PriceSheet, SalesOrder, SalesOrderLine
from bizunosync.store.models import Order
from bizunosync.sync.numbers import amount_text, money_text
from tests.store.conftest import make_product


@pytest.mark.parametrize("value, shown", [("6.9000", "6.90"), ("125.79", "125.79"), ("9.9950", "9.995"),
                                          ("100", "100.00"), ("0", "0.00"), ("-2.5", "-2.50")])
def test_money_has_cents_and_keeps_digits_bizuno_has(value, shown):
    assert money_text(Decimal(value)) == shown


def test_quantities_and_measures_have_no_cents():
    assert (amount_text(Decimal("1.0000")), amount_text(Decimal("0.2500")), amount_text(Decimal("2.5"))) == ("1", "0.25", "2.5")


def test_the_item_page_shows_prices_with_cents_and_says_four_places_are_kept(admin_client):
    item = Item.objects.create(sku="TEA", description_short="Tea", full_price=Decimal("6.9"), sale_price=Decimal("5.995"))
    PriceLevel.objects.create(sheet=PriceSheet.objects.create(name="Retail", is_default=True), item=item, qty=10,
                              price=Decimal("6.2"))

    page = admin_client.get(reverse("admin:books_item_change", args=[item.pk])).content.decode()
    listing = admin_client.get(reverse("admin:books_item_changelist")).content.decode()

    assert 'name="full_price" value="6.90"' in page and 'name="sale_price" value="5.995"' in page
    assert 'value="6.20"' in page and "TEA from 10: 6.20" in page
    assert "Up to 4 decimal places, as Bizuno keeps prices" in page
    assert ">6.90<" in listing and ">5.995<" in listing and "6.9000" not in listing


def test_read_only_prices_on_a_store_product_read_as_money(admin_client):
    product = make_product("MUG", price="12.5", tiers=[(6, "11")])

    page = admin_client.get(reverse("admin:store_product_change", args=[product.pk])).content.decode()

    assert "12.50" in page and "12.5000" not in page
    assert "6+ at 11.00" in page


def test_a_booked_order_shows_totals_with_cents_and_line_quantities_as_counted(admin_client):
    order = SalesOrder.objects.create(po_reference="WC1001", billing_name="Maria", total=Decimal("61.78"),
                                      sales_tax=Decimal("9.08"), freight=Decimal("4.9"))
    SalesOrderLine.objects.create(order=order, sku="MUG", description="Mug", quantity=Decimal("3"),
                                  unit_price=Decimal("12"), total=Decimal("36"))

    page = admin_client.get(reverse("admin:books_salesorder_change", args=[order.pk])).content.decode()

    assert "4.90" in page and "61.78" in page and "4.9000" not in page
    assert "3 × MUG" in page


def test_store_order_totals_have_two_places(admin_client):
    order = Order.objects.create(number="1001", total=Decimal("61.78"), shipping_total=Decimal("4.9"))

    page = admin_client.get(reverse("admin:store_order_change", args=[order.pk])).content.decode()

    assert "4.90" in page and "61.78" in page
