"""In Chromium: the booked document with its mapped carrier, and the orders changed after export (screenshots).

Both sides of this project over HTTP on the live server: the store exports
two orders, our books side books them with the Shipping and Payment method
maps; then one is cancelled and one edited in the store.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from bizunosync.books.models import PaymentMethodMap, SalesOrder, ShippingMethodMap
from bizunosync.store.export.service import Outcome, export_order
from bizunosync.store.models import Order, OrderLine
from tests.e2e.conftest import catalog, store_order, wired  # noqa: F401
from tests.support.browser import admin_login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


def _second_order(first: Order) -> Order:
    lines = list(first.lines.all())
    first.pk, first.number = None, "1002"
    first.save()
    for line in lines:
        line.pk, line.order = None, first
        line.save()
    return first


def test_the_booked_document_shows_the_mapped_carrier_and_the_changed_orders_are_listed(
    wired, catalog, store_order, page, admin_user_with_password  # noqa: F811
):
    ShippingMethodMap.objects.create(store_method="FedEx Ground", bizuno_carrier="fedex:GND")
    PaymentMethodMap.objects.create(store_method="stripe", bizuno_method="creditcard")
    Order.objects.filter(pk=store_order.pk).update(shipping_method="FedEx Ground")
    first = Order.objects.get(pk=store_order.pk)
    second = _second_order(Order.objects.get(pk=store_order.pk))
    for order in (first, second):
        assert export_order(order).outcome == Outcome.EXPORTED
    booked = SalesOrder.objects.get(po_reference="WC1001")
    assert (booked.carrier_code, booked.payment_code) == ("fedex:GND", "creditcard")

    base = wired.url
    admin_login(page, base, "boss", "boss-password")
    page.goto(base + reverse("admin:books_salesorder_change", args=[booked.pk]))
    assert page.locator("#id_carrier_code").input_value() == "fedex:GND"
    assert page.locator("#id_payment_code").input_value() == "creditcard"
    screenshot(page, "books-sales-order-mapped-carrier")
    page.goto(base + reverse("admin:books_salesorder_changelist"))
    assert "FedEx Ground → fedex:GND" in page.locator("#result_list").inner_text()
    screenshot(page, "books-sales-orders-mapped-carrier")
    page.set_viewport_size(PHONE)
    page.goto(base + reverse("admin:books_salesorder_change", args=[booked.pk]))
    screenshot(page, "books-sales-order-mapped-carrier-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # In the store: 1001 is cancelled, 1002 loses a mug, after both were booked.
    first.refresh_from_db()
    first.status = Order.Status.CANCELLED
    first.save()
    mug = OrderLine.objects.get(order=second, sku="MUG")
    mug.quantity, mug.subtotal, mug.total = 2, 24, 24
    mug.save()

    page.goto(base + reverse("admin:store_orderchangedafterexport_changelist"))
    table = page.locator("#result_list").inner_text()
    first_id, second_id = first.bizuno_id, Order.objects.get(pk=second.pk).bizuno_id
    assert f"Void invoice #{first_id} (the order was cancelled in the store)." in table
    assert f"Credit 1 × MUG on invoice #{second_id}." in table
    assert "3 × MUG = 36.00 → 2 × MUG = 24.00" in table
    screenshot(page, "store-orders-changed-after-export")
    page.set_viewport_size(PHONE)
    page.reload()
    screenshot(page, "store-orders-changed-after-export-phone")


def test_the_product_page_says_why_its_stock_is_below_bizunos(live_server, page, admin_user_with_password):
    from bizunosync.store.models import Product
    from bizunosync.store.services import product_refresh
    from bizunosync.wire.product_refresh import RefreshItem

    mug = Product.objects.create(sku="MUG", name="Stoneware mug", regular_price=12, price=12, stock_quantity=14,
                                 manage_stock=True)
    for number, qty, status in (("1005", 1, "processing"), ("1006", 4, "cancelled"), ("1007", 1, "on-hold")):
        order = Order.objects.create(number=number, status=status, billing_email="maria@example.com")
        OrderLine.objects.create(order=order, product=mug, sku="MUG", name="Stoneware mug", quantity=qty)
    product_refresh.apply([RefreshItem(sku="MUG", qty_stock=14)], [])

    admin_login(page, live_server.url, "boss", "boss-password")
    page.goto(live_server.url + reverse("admin:store_product_change", args=[mug.pk]))
    text = page.locator(".field-stock_against_bizuno").inner_text()
    assert "Stock 12 (Bizuno 14, less 2 in orders not yet in Bizuno: 1005, 1007)" in text
    screenshot(page, "store-product-held-stock")
    page.set_viewport_size(PHONE)
    page.reload()
    screenshot(page, "store-product-held-stock-phone")


def test_the_bizuno_connection_page_explains_the_duplicate_po_switch(live_server, page, admin_user_with_password):
    from bizunosync.sync.connections import BizunoConnection

    admin_login(page, live_server.url, "boss", "boss-password")
    page.goto(live_server.url + reverse("admin:sync_bizunoconnection_change", args=[BizunoConnection.load().pk]))
    help_text = page.locator(".field-refuses_duplicates").inner_text()
    assert "Off by default, because a real Bizuno books the same PO twice." in help_text
    assert not page.locator("#id_refuses_duplicates").is_checked()
    screenshot(page, "admin-bizuno-connection-duplicates")
    page.set_viewport_size(PHONE)
    page.reload()
    screenshot(page, "admin-bizuno-connection-duplicates-phone")
