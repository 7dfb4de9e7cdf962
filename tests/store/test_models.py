from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bizunosync.store.models import Order, PriceTier, Product, StoreSettings

pytestmark = pytest.mark.django_db


def test_store_settings_is_one_row_whatever_is_saved():
    first = StoreSettings.load()
    StoreSettings(weight_unit="lb").save()
    assert StoreSettings.objects.count() == 1
    assert StoreSettings.load().weight_unit == "lb"
    assert first.pk == 1


def test_a_product_sold_in_dozens_has_a_pack_size_of_twelve_and_tier_prices():
    product = Product.objects.create(sku="EGG-12", name="Eggs", price=Decimal("0.50"))
    PriceTier.objects.create(product=product, qty=24, price=Decimal("0.40"))
    PriceTier.objects.create(product=product, qty=12, price=Decimal("0.45"))
    assert product.pack_size == 12
    assert [t.qty for t in product.tiers_sorted] == [12, 24]
    assert product.unit_price_for(1) == Decimal("0.50")
    assert product.unit_price_for(12) == Decimal("0.45")
    assert product.unit_price_for(30) == Decimal("0.40")


def test_a_product_without_tiers_is_sold_one_by_one():
    product = Product.objects.create(sku="A", name="A", price=Decimal("1"))
    assert product.pack_size == 1


def test_order_numbers_count_up_from_1001():
    assert Order.next_number() == "1001"
    Order.objects.create(number="1001")
    assert Order.next_number() == "1002"


def test_the_next_order_number_reads_one_counter_row_not_every_order(django_assert_num_queries):
    Order.objects.bulk_create(Order(number=str(n)) for n in range(1001, 1201))
    assert Order.next_number() == "1201"  # the first use starts the counter past what exists
    Order.objects.create(number="1201")
    with CaptureQueriesContext(connection) as captured:
        assert Order.next_number() == "1202"
    order_reads = [q["sql"] for q in captured.captured_queries if 'FROM "store_order"' in q["sql"]]
    assert order_reads and all('WHERE "store_order"."number" = ' in sql for sql in order_reads)
    # savepoint · lock the counter · is 1202 free · move the counter · release
    assert len(captured.captured_queries) == 5


def test_an_order_number_used_outside_the_counter_is_stepped_over():
    assert Order.next_number() == "1001"
    Order.objects.create(number="1002")  # e.g. an imported order
    assert Order.next_number() == "1003"


def test_the_sync_permission_exists_under_its_contract_name(alice):
    assert alice.has_perm("store.manage_store_sync")


def test_the_store_settings_list_goes_straight_to_the_one_row(admin_client):
    response = admin_client.get("/admin/store/storesettings/")
    assert response.status_code == 302
    assert response["Location"].endswith("/admin/store/storesettings/1/change/")


@pytest.mark.parametrize("page", ["product", "order", "customer", "category", "tag"])
def test_the_admin_lists_open_for_staff(admin_client, page):
    assert admin_client.get(f"/admin/store/{page}/").status_code == 200


def test_inbound_calls_are_browsable_in_the_admin(admin_client, client, alice):
    client.put("/wp-json/bizuno-api/v1/product/refresh", "", content_type="application/x-www-form-urlencoded",
               HTTP_EMAIL="alice", HTTP_PASS="alice-password")
    response = admin_client.get("/admin/sync/inboundcall/")
    assert response.status_code == 200
    assert b"product/refresh" in response.content


def test_the_order_list_shows_whether_an_order_was_exported_and_its_bizuno_id(admin_client):
    Order.objects.create(number="1001", exported=True, bizuno_id="5123", billing_email="a@example.com")
    Order.objects.create(number="1002")
    html = admin_client.get("/admin/store/order/").content.decode()
    assert ">Booked (ID 5123)</span>" in html
    # Not yet exported is a neutral mark, not a red cross.
    assert ">Not yet exported</span>" in html and "icon-no.svg" not in html
