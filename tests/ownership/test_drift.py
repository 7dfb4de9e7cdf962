"""Drift reports: the records whose local value differs from what the owner last sent, until it sends again."""

import re

import pytest
from django.urls import reverse

from bizunosync.books.models import Customer, SalesOrder
from bizunosync.store.models import StoreSettings
from tests.books.conftest import an_order, line
from tests.store.conftest import make_product, post, put

from .conftest import form_of

pytestmark = pytest.mark.django_db

STORE_DRIFT = "/admin/store/product/drift/"
BOOKS_DRIFT = "/admin/books/salesorder/drift/"


def rows(html: str) -> list[list[str]]:
    """The drift table as text: [record, field, owner's value, local value, …] per row."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    out = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        out.append(cells)
    return out


def all_rows(html: str) -> list[list[str]]:
    out = []
    for part in html.split("<tbody>")[1:]:
        out += rows("<tbody>" + part)
    return out


def refresh(client, *items):
    response = put(client, "product/refresh", list(items))
    assert response.status_code == 200 and response.json()["result"] == "Success", response.content


def edit_product(client, product, **changes):
    url = reverse("admin:store_product_change", args=[product.pk])
    data = form_of(client.get(url))
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


# --------------------------------------------------------------- store


def test_the_store_drift_report_lists_exactly_the_edited_product_and_empties_after_quick_refresh(
    client, alice, settings_row, admin_user_with_password
):
    tea, mug = make_product("TEA-1"), make_product("MUG-1")
    refresh(client, {"SKU": "TEA-1", "Price": "12", "QtyStock": "30"}, {"SKU": "MUG-1", "Price": "5", "QtyStock": "4"})
    client.force_login(admin_user_with_password)
    assert "No drift" in client.get(STORE_DRIFT).content.decode()

    row = StoreSettings.load()
    row.allow_local_edits = True
    row.save()
    edit_product(client, tea, regular_price="9.99", stock_quantity="31")

    table = rows(client.get(STORE_DRIFT).content.decode())
    assert [r[:4] for r in table] == [
        ["TEA-1 — Product TEA-1", "Regular price", "12.0000", "9.9900"],
        ["", "Active price", "12.0000", "9.9900"],
        ["", "Stock quantity", "30", "31"],
    ]
    assert table[0][4].startswith("boss, ")  # who edited it here
    assert "MUG-1" not in client.get(STORE_DRIFT).content.decode()

    refresh(client, {"SKU": "TEA-1", "Price": "12", "QtyStock": "30"})  # Bizuno's next Quick Refresh

    html = client.get(STORE_DRIFT).content.decode()
    assert rows(html) == [] and "No drift" in html


def test_a_catalog_edit_shows_as_drift_until_the_next_product_upload(client, alice, settings_row, admin_user_with_password):
    body = {"SKU": "TEA-1", "Description": "Black Tea", "Price": "6.90", "QtyStock": "40",
            "DescriptionSales": "Strong", "Category": "Tea"}
    assert post(client, "product/update", body).json()["result"] == "Success"
    client.force_login(admin_user_with_password)
    row = StoreSettings.load()
    row.allow_local_edits = True
    row.save()
    from bizunosync.store.models import Product

    edit_product(client, Product.objects.get(sku="TEA-1"), name="Black Tea (new!)", short_description="Strong")

    assert [r[1:4] for r in rows(client.get(STORE_DRIFT).content.decode())] == [
        ["Name", "Black Tea", "Black Tea (new!)"]
    ]
    assert post(client, "product/update", body).json()["result"] == "Success"  # Bizuno uploads again
    assert rows(client.get(STORE_DRIFT).content.decode()) == []


def test_the_product_page_shows_its_own_drift_under_the_note(client, alice, settings_row, admin_user_with_password):
    tea = make_product("TEA-1")
    refresh(client, {"SKU": "TEA-1", "Price": "12"})
    type(tea).objects.filter(pk=tea.pk).update(regular_price="11.00")  # changed behind the admin's back
    client.force_login(admin_user_with_password)

    html = client.get(reverse("admin:store_product_change", args=[tea.pk])).content.decode()
    assert "Regular price: 12.0000 at Bizuno, 11.0000 here" in html


def test_the_product_list_links_the_drift_report(boss_client, settings_row):
    html = boss_client.get(reverse("admin:store_product_changelist")).content.decode()
    assert f'href="{STORE_DRIFT}"' in html and "Drift report" in html


# --------------------------------------------------------------- books


def test_the_books_drift_report_lists_exactly_the_changed_store_order_and_empties_after_re_export(
    boss_client, post_order, catalog, portal
):
    portal.refuse_duplicate_po = False  # the forced re-export below must book again, as in Bizuno
    portal.save()
    post_order(an_order(po="WC1001", lines=[line("TEA", "2")]))
    post_order(an_order(po="WC1002", lines=[line("TEA", "1")]))
    first = SalesOrder.objects.get(po_reference="WC1001")
    assert "No drift" in boss_client.get(BOOKS_DRIFT).content.decode()

    SalesOrder.objects.filter(pk=first.pk).update(billing_city="Hamburg")  # edited here, outside the form
    first.lines.filter(position=1).update(quantity=3)

    html = boss_client.get(BOOKS_DRIFT).content.decode()
    table = all_rows(html)
    assert [r[:4] for r in table] == [
        [str(first), "Bill-to city", "Berlin", "Hamburg"],
        ["", "Line 1", "#1 TEA: 2.0000 × 6.9000 = 13.8000 (tax 2.6200)", "#1 TEA: 3.0000 × 6.9000 = 13.8000 (tax 2.6200)"],
    ]
    assert "WC1002" not in html
    assert "Store orders whose re-export would change the booked order" in html

    status, data = post_order(an_order(po="WC1001", lines=[line("TEA", "2")]))  # the store exports it again
    assert status == 200

    html = boss_client.get(BOOKS_DRIFT).content.decode()
    assert "WC1001" not in html and "No drift" in html


def test_a_changed_customer_from_the_store_is_listed_in_the_books_drift_report(boss_client, post_order, catalog):
    post_order(an_order())
    Customer.objects.update(phone="+49 40 999")
    manual = Customer.objects.create(name="Walk-in", phone="1", store_snapshot={})

    html = boss_client.get(BOOKS_DRIFT).content.decode()
    table = all_rows(html)
    assert ["Maria Keller &lt;maria.keller@example.com&gt;", "Phone", "+49 30 1234567", "+49 40 999"] in [
        r[:4] for r in table
    ]
    assert manual.name not in html


def test_the_sales_order_list_links_the_drift_report(boss_client, db):
    html = boss_client.get(reverse("admin:books_salesorder_changelist")).content.decode()
    assert f'href="{BOOKS_DRIFT}"' in html


def _count_queries(client, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(100) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_store_drift_report_costs_the_same_queries_for_more_products(boss_client, settings_row,
                                                                          django_assert_max_num_queries):
    def drifted(sku):
        product = make_product(sku, tiers=[(10, "9")])
        type(product).objects.filter(pk=product.pk).update(bizuno_snapshot={"regular_price": "11.0000"})

    drifted("A-1")
    few = _count_queries(boss_client, STORE_DRIFT, django_assert_max_num_queries)
    for i in range(2, 12):
        drifted(f"A-{i}")
    assert len(rows(boss_client.get(STORE_DRIFT).content.decode())) == 11
    assert _count_queries(boss_client, STORE_DRIFT, django_assert_max_num_queries) == few


def test_the_books_drift_report_costs_the_same_queries_for_more_orders(boss_client, post_order, catalog,
                                                                        django_assert_max_num_queries):
    post_order(an_order(po="WC1"))
    SalesOrder.objects.update(freight="0")
    few = _count_queries(boss_client, BOOKS_DRIFT, django_assert_max_num_queries)
    for i in range(2, 8):
        post_order(an_order(po=f"WC{i}"))
    SalesOrder.objects.update(freight="0")
    assert len(all_rows(boss_client.get(BOOKS_DRIFT).content.decode())) == 7
    assert _count_queries(boss_client, BOOKS_DRIFT, django_assert_max_num_queries) == few


def test_the_drift_reports_need_the_view_permission(client, django_user_model, settings_row):
    clerk = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    client.force_login(clerk)
    assert client.get(STORE_DRIFT).status_code == 403
    assert client.get(BOOKS_DRIFT).status_code == 403


def test_the_store_customers_drift_empties_when_their_next_order_arrives(boss_client, post_order, catalog):
    post_order(an_order(po="WC1001"))
    Customer.objects.update(phone="+49 40 999")
    assert "+49 40 999" in boss_client.get(BOOKS_DRIFT).content.decode()

    post_order(an_order(po="WC1002"))

    assert "+49 40 999" not in boss_client.get(BOOKS_DRIFT).content.decode()
    assert Customer.objects.get().phone == "+49 30 1234567"
