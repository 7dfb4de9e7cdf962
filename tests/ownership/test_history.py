"""Sync history: from a record to the jobs and calls that touched it, and from those back to the record."""

import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from bizunosync.books.models import Item, SalesOrder
from bizunosync.store.models import Order, Product
from bizunosync.sync.history import jobs_touching
from bizunosync.sync.models import InboundCall, SyncJob, TouchedRecord
from bizunosync.sync.touched import link
from tests.books.conftest import an_order
from tests.store.conftest import make_product, put

pytestmark = pytest.mark.django_db


def a_job(kind, target, touched) -> SyncJob:
    job = SyncJob.objects.create(kind=kind, target=target)
    link(job, touched)
    return job


def html(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_product_links_the_refresh_that_touched_it_and_the_call_links_back(client, alice, settings_row,
                                                                             admin_user_with_password):
    tea, other = make_product("TEA-1"), make_product("MUG-1")
    put(client, "product/refresh", [{"SKU": "TEA-1", "QtyStock": "7"}])
    call = InboundCall.objects.get()
    client.force_login(admin_user_with_password)

    history_url = reverse("admin:store_product_sync_history", args=[tea.pk])
    assert f'href="{history_url}"' in html(client, reverse("admin:store_product_change", args=[tea.pk]))
    page = html(client, history_url)
    assert f'href="{reverse("admin:sync_inboundcall_change", args=[call.pk])}"' in page
    assert "No inbound call touched this record" in html(client, reverse("admin:store_product_sync_history",
                                                                         args=[other.pk]))

    call_page = html(client, reverse("admin:sync_inboundcall_change", args=[call.pk]))
    assert f'href="{reverse("admin:store_product_change", args=[tea.pk])}"' in call_page
    assert "Product: TEA-1 — Product TEA-1" in call_page


def test_a_portal_booked_sales_order_links_its_order_add_call_and_back(boss_client, post_order, catalog):
    post_order(an_order(po="WC1001"))
    post_order(an_order(po="WC1002"))
    order = SalesOrder.objects.get(po_reference="WC1001")
    call = InboundCall.objects.get(touched_records__ref=f"books.salesorder:{order.pk}")

    page = html(boss_client, reverse("admin:books_salesorder_sync_history", args=[order.pk]))
    assert f'href="{reverse("admin:sync_inboundcall_change", args=[call.pk])}"' in page
    assert len(re.findall(r'href="/admin/sync/inboundcall/\d+/change/"', page)) == 1  # not the other order's call
    call_page = html(boss_client, reverse("admin:sync_inboundcall_change", args=[call.pk]))
    assert f'href="{reverse("admin:books_salesorder_change", args=[order.pk])}"' in call_page


def test_a_store_order_links_its_export_job_and_the_job_links_back(boss_client, db):
    order = Order.objects.create(number="1001", billing_email="m@example.com")
    job = a_job(SyncJob.Kind.ORDER_EXPORT, "PO WC1001", [f"store.order:{order.pk}"])
    a_job(SyncJob.Kind.ORDER_EXPORT, "PO WC1010", [f"store.order:{order.pk}0"])

    order_page = html(boss_client, reverse("admin:store_order_change", args=[order.pk]))
    history_url = reverse("admin:store_order_sync_history", args=[order.pk])
    assert f'href="{history_url}"' in order_page
    assert "Export to Bizuno" in order_page  # the export engineer's buttons are still there
    page = html(boss_client, history_url)
    assert f'href="{reverse("admin:sync_syncjob_change", args=[job.pk])}"' in page and "PO WC1010" not in page

    job_page = html(boss_client, reverse("admin:sync_syncjob_change", args=[job.pk]))
    assert f'href="{reverse("admin:store_order_change", args=[order.pk])}"' in job_page


def test_the_sync_log_filters_by_the_exact_record_touched(boss_client, db):
    a_job(SyncJob.Kind.QUICK_REFRESH, "one", ["store.product:1"])
    a_job(SyncJob.Kind.QUICK_REFRESH, "twelve", ["store.product:12", "x:1"])
    a_job(SyncJob.Kind.QUICK_REFRESH, "none", [])

    page = html(boss_client, reverse("admin:sync_syncjob_changelist") + "?touched=store.product:1")
    assert ">one<" in page and ">twelve<" not in page and ">none<" not in page
    page = html(boss_client, reverse("admin:sync_syncjob_changelist") + "?touched=STORE.PRODUCT:12")
    assert ">twelve<" in page and ">one<" not in page


def test_an_item_shows_the_calls_that_touched_its_store_product(client, alice, settings_row, admin_user_with_password):
    item = Item.objects.create(sku="TEA-1", description_short="Tea")
    product = make_product("TEA-1")
    put(client, "product/refresh", [{"SKU": "TEA-1", "QtyStock": "7"}])
    client.force_login(admin_user_with_password)

    item_page = html(client, reverse("admin:books_item_change", args=[item.pk]))
    history_url = reverse("admin:books_item_sync_history", args=[item.pk])
    assert f'href="{history_url}"' in item_page
    page = html(client, history_url)
    assert "product/refresh" in page and Product.objects.get(pk=product.pk).sku in page


def test_a_ref_to_a_deleted_record_is_shown_as_text(boss_client, db):
    job = a_job(SyncJob.Kind.ORDER_EXPORT, "gone", ["store.order:999", "nonsense"])
    page = html(boss_client, reverse("admin:sync_syncjob_change", args=[job.pk]))
    assert "order #999 (deleted)" in page and "nonsense" in page


def test_bad_history_input_gets_a_404_or_an_empty_list_never_a_500(boss_client, db):
    assert boss_client.get("/admin/store/product/999/sync-history/").status_code == 404
    assert boss_client.get("/admin/store/product/abc/sync-history/").status_code == 404
    a_job(SyncJob.Kind.QUICK_REFRESH, "one", ["store.product:1"])
    for value in ('"', "%", "_", "store.product:%", "x" * 300, "store.product:1\\"):
        page = html(boss_client, reverse("admin:sync_syncjob_changelist") + "?" + urlencode({"touched": value}))
        assert ">one<" not in page, value


def test_the_history_page_costs_the_same_queries_however_many_jobs(boss_client, db, django_assert_max_num_queries):
    order = Order.objects.create(number="1001")
    a_job(SyncJob.Kind.ORDER_EXPORT, "a", [f"store.order:{order.pk}"])
    url = reverse("admin:store_order_sync_history", args=[order.pk])
    with django_assert_max_num_queries(100) as few:
        html(boss_client, url)
    for i in range(10):
        a_job(SyncJob.Kind.ORDER_EXPORT, f"t{i}", [f"store.order:{order.pk}"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        html(boss_client, url)


def test_the_history_is_an_exact_lookup_in_the_touched_table_in_any_case_not_a_text_scan(boss_client, db):
    twelve = a_job(SyncJob.Kind.QUICK_REFRESH, "twelve", ["store.product:12"])
    a_job(SyncJob.Kind.QUICK_REFRESH, "one", ["store.product:1"])
    call = InboundCall.objects.create(side="store", endpoint="product/refresh", method="PUT", http_status=200,
                                      result="success", note="the call")
    link(call, ["STORE.Product:12"])

    assert list(jobs_touching("Store.Product:12")) == [twelve]
    sql = str(jobs_touching("store.product:1").query)
    assert TouchedRecord._meta.db_table in sql and "LIKE" not in sql.upper()
    assert list(TouchedRecord.objects.filter(call=call).values_list("ref", flat=True)) == ["store.product:12"]
    page = html(boss_client, reverse("admin:sync_inboundcall_changelist") + "?touched=STORE.PRODUCT:12")
    assert f'href="{reverse("admin:sync_inboundcall_change", args=[call.pk])}' in page
    page = html(boss_client, reverse("admin:sync_inboundcall_changelist") + "?touched=store.product:1")
    assert f'href="{reverse("admin:sync_inboundcall_change", args=[call.pk])}' not in page


def test_a_job_page_lists_the_first_200_records_and_counts_the_rest(boss_client, db):
    job = a_job(SyncJob.Kind.QUICK_REFRESH, "many", [f"store.order:{n}" for n in range(1, 206)])
    page = html(boss_client, reverse("admin:sync_syncjob_change", args=[job.pk]))
    assert "order #1 (deleted)" in page and "order #200 (deleted)" in page and "order #201 (deleted)" not in page
    assert "…and 5 more" in page


def test_a_ref_is_linked_once_however_often_a_job_links_it(db):
    job = a_job(SyncJob.Kind.PRODUCT_UPLOAD, "twice", ["books.item:7", "books.item:7", 42, None])
    link(job, ["books.item:8", "BOOKS.ITEM:7"])
    assert list(job.touched_records.order_by("pk").values_list("ref", flat=True)) == ["books.item:7", "books.item:8"]
