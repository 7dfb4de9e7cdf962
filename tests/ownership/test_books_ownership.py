"""Books admin: what the store owns in an order booked through orderAdd is read-only; the rest is not."""

from decimal import Decimal

import pytest
from django.urls import reverse

from bizunosync.books.models import Customer, SalesOrder, SalesOrderLine
from tests.books.conftest import an_order, line

from .conftest import form_of

pytestmark = pytest.mark.django_db

NOTE = "Owned by the store — the next export from the store overwrites edits here."
STORE_OWNED = (
    "po_reference", "order_date", "billing_name", "billing_address1", "billing_city", "billing_email",
    "shipping_name", "shipping_address1", "total", "sales_tax", "freight", "payment_method", "payment_status",
    "transaction_id",
)
BOOKS_OWN = ("journal", "post_date", "customer", "notes", "possible_duplicate")


def book(post_order, **kwargs) -> SalesOrder:
    status, data = post_order(an_order(**kwargs))
    assert status == 200 and data["result"] == "Success", data
    return SalesOrder.objects.get(pk=data["ID"])


def page(client, order) -> str:
    return client.get(reverse("admin:books_salesorder_change", args=[order.pk])).content.decode()


def test_a_store_order_shows_the_note_and_its_store_owned_fields_read_only(boss_client, post_order, catalog):
    order = book(post_order, lines=[line("TEA", "2")])
    html = page(boss_client, order)

    assert NOTE in html
    for name in STORE_OWNED:
        assert f'name="{name}"' not in html, name
    assert 'name="lines-0-quantity"' not in html and "Torstraße 12" in html  # lines shown, not editable
    for name in BOOKS_OWN:
        assert f'name="{name}"' in html, name
    assert 'name="shipments-__prefix__-carrier"' in html  # shipments can still be added


def test_posting_a_store_order_changes_only_the_books_own_fields(boss_client, post_order, catalog):
    order = book(post_order, lines=[line("TEA", "2")])
    data = form_of(boss_client.get(reverse("admin:books_salesorder_change", args=[order.pk])))
    data.update(billing_city="Hamburg", total="1.00", notes="Call before delivery")
    data.update({"shipments-TOTAL_FORMS": "1", "shipments-0-ship_date": "2026-11-28", "shipments-0-carrier": "DHL"})

    response = boss_client.post(reverse("admin:books_salesorder_change", args=[order.pk]), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    order.refresh_from_db()
    assert (order.billing_city, order.total, order.notes) == ("Berlin", Decimal("21.3200"), "Call before delivery")
    assert order.shipments.get().carrier == "DHL"


def test_an_order_entered_in_the_books_stays_fully_editable(boss_client, db):
    order = SalesOrder.objects.create(po_reference="PHONE-1", billing_name="Walk-in", total=Decimal("5"))
    SalesOrderLine.objects.create(order=order, position=1, sku="X", quantity=1, unit_price=5, total=5)
    html = page(boss_client, order)

    assert NOTE not in html
    for name in STORE_OWNED:
        assert f'name="{name}"' in html, name
    assert 'name="lines-0-quantity"' in html


def test_a_customer_created_by_a_store_order_is_read_only_and_a_manual_one_is_not(boss_client, post_order, catalog):
    order = book(post_order)
    manual = Customer.objects.create(name="Walk-in", email="walk@example.com")
    store_html = boss_client.get(reverse("admin:books_customer_change", args=[order.customer_id])).content.decode()
    manual_html = boss_client.get(reverse("admin:books_customer_change", args=[manual.pk])).content.decode()

    assert NOTE in store_html and 'name="address1"' not in store_html and 'name="email"' not in store_html
    assert NOTE not in manual_html and 'name="address1"' in manual_html and 'name="email"' in manual_html


def test_booking_keeps_what_the_store_sent(post_order, catalog):
    order = book(post_order, lines=[line("TEA", "2"), line("MUG", "1", price="12")])

    snap = order.store_snapshot
    assert (snap["po_reference"], snap["billing_city"], snap["total"]) == ("WC1001", "Berlin", "21.3200")
    assert snap["lines"] == [
        ["1", "TEA", "TEA description", "2.0000", "6.9000", "2.6200", "13.8000"],
        ["2", "MUG", "MUG description", "1.0000", "12.0000", "2.6200", "12.0000"],
    ]
    assert order.customer.store_snapshot["email"] == "maria.keller@example.com"
