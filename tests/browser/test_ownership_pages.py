"""Ownership pages in Chromium: the notes on product and order pages, both drift reports (screenshots)."""

import pytest
from django.urls import reverse

from bizunosync.books.models import Customer, SalesOrder
from bizunosync.store.models import Product, StoreSettings
from tests.books.conftest import an_order, api_user, catalog, line, portal, post_order  # noqa: F401
from tests.store.conftest import post, put, settings_row  # noqa: F401
from tests.support.browser import admin_login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

TEA = {
    "SKU": "TEA-1", "Description": "Assam Black Tea, 250 g", "DescriptionSales": "Malty, strong breakfast tea.",
    "DescriptionLong": "Second-flush Assam, loose leaf.", "Price": "6.90", "QtyStock": "40", "Weight": "0.3",
    "WooCommerceCategory": "Tea|Black tea", "WooCommerceTags": "breakfast|loose leaf", "PriceTiers": [{"qty": "10", "price": "6.20"}, {"qty": "50", "price": "5.80"}],
}
MUG = {"SKU": "MUG-1", "Description": "Stoneware mug", "Price": "12", "QtyStock": "8", "WooCommerceCategory": "Mugs"}


def allow_local_edits(on):
    row = StoreSettings.load()
    row.allow_local_edits = on
    row.save()


def test_the_product_page_and_store_drift_report_show_what_bizuno_owns(
    live_server, page, client, alice, settings_row, admin_user_with_password
):
    for body in (TEA, MUG):
        assert post(client, "product/update", body).json()["result"] == "Success"
    put(client, "product/refresh", [{"SKU": "MUG-1", "QtyStock": "7"}])
    tea = Product.objects.get(sku="TEA-1")
    admin_login(page, live_server.url, "boss", "boss-password")

    # With local edits allowed, staff change the price: it is recorded.
    allow_local_edits(True)
    page.goto(live_server.url + reverse("admin:store_product_change", args=[tea.pk]))
    page.fill("#id_regular_price", "5.99")
    page.fill("#id_stock_quantity", "38")
    page.click("input[name=_continue]")
    assert "Recorded 3 local edit(s)" in page.locator(".messagelist").inner_text()

    # Back to the default: read-only, with the note and the drift it will lose.
    allow_local_edits(False)
    page.goto(live_server.url + reverse("admin:store_product_change", args=[tea.pk]))
    note = page.locator("#ownership-note")
    assert "Owned by Bizuno — change it there" in note.inner_text()
    assert "Regular price: 6.9000 at Bizuno, 5.9900 here" in note.inner_text()
    assert page.locator("#id_regular_price").count() == 0
    assert page.get_by_role("link", name="Sync history").is_visible()
    screenshot(page, "ownership-store-product")

    page.goto(live_server.url + reverse("admin:store_product_changelist"))
    page.get_by_role("link", name="Drift report").click()
    table = page.locator("table.drift").inner_text()
    assert "TEA-1" in table and "Regular price" in table and "MUG-1" not in table
    screenshot(page, "drift-store")


def test_the_books_order_page_and_drift_report_show_what_the_store_owns(
    live_server, page, post_order, catalog, admin_user_with_password
):
    post_order(an_order(po="WC1001", lines=[line("TEA", "2"), line("MUG", "1", price="12")]))
    post_order(an_order(po="WC1002", lines=[line("TEA", "1")]))
    order = SalesOrder.objects.get(po_reference="WC1001")
    # Changed here outside the order form (e.g. an import or a shell): the store's next export puts it back.
    SalesOrder.objects.filter(pk=order.pk).update(billing_city="Hamburg", billing_postal_code="20095")
    Customer.objects.filter(pk=order.customer_id).update(phone="+49 40 555 0100")
    admin_login(page, live_server.url, "boss", "boss-password")

    page.goto(live_server.url + reverse("admin:books_salesorder_change", args=[order.pk]))
    assert "Owned by the store — the next export from the store overwrites edits here" in page.locator(
        "#ownership-note").inner_text()
    assert page.locator("#id_billing_city").count() == 0 and page.locator("#id_notes").is_editable()
    screenshot(page, "ownership-books-order")

    page.goto(live_server.url + reverse("admin:books_salesorder_changelist"))
    page.get_by_role("link", name="Drift report").click()
    text = page.locator("#content-main").inner_text()
    assert "WC1001" in text and "Hamburg" in text and "WC1002" not in text and "+49 40 555 0100" in text
    screenshot(page, "drift-books")
