"""Quick Refresh's changes list (old → new, against what was last sent to the store) and its per-batch bar."""

from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from bizunosync.books.jobs import refresh_changes
from bizunosync.books.models import Item, LastPushed
from bizunosync.sync import jobs
from bizunosync.sync.connections import StoreConnection
from bizunosync.sync.models import SyncJob
from bizunosync.wire.product_refresh import CLEAR, RefreshItem, Tier
from tests.store.conftest import make_product
from tests.support import faultserver as fs

from .test_quick_refresh import refreshed, run_refresh


@pytest.mark.django_db(transaction=True)
def test_the_second_refresh_lists_each_changed_item_with_its_old_and_new_price_and_stock(store_side, make_item):
    for sku in ("APRON", "MUG", "TEA"):
        make_item(sku, price="10.00", on_hand=10)
        make_product(sku)
    first = run_refresh()
    assert first.result["changes"] == [] and first.result["first_push"] == 3

    Item.objects.filter(sku="APRON").update(full_price=Decimal("9.5"))
    Item.objects.filter(sku="MUG").update(qty_on_hand=7, sale_price=Decimal("8"))
    job = run_refresh()

    apron, mug = Item.objects.get(sku="APRON"), Item.objects.get(sku="MUG")
    assert job.result["changes"] == [
        {"sku": "APRON", "item": apron.pk, "changes": [["Price", "10.00", "9.50"]]},
        {"sku": "MUG", "item": mug.pk, "changes": [["Sale price", "—", "8.00"], ["Stock", "10", "7"]]},
    ]
    assert (job.result["changed_items"], job.result["first_push"]) == (2, 0)


@pytest.mark.django_db(transaction=True)
def test_the_job_page_shows_the_changes_and_counts_the_rest(store_side, make_item, admin_client):
    make_item("APRON", price="10.00")
    make_item("MUG", price="4.00")
    run_refresh()
    Item.objects.filter(sku="APRON").update(full_price=Decimal("12.25"))
    job = run_refresh()

    page = admin_client.get(reverse("admin:books_console_job", args=[job.pk])).content.decode()

    assert "compared with what the books last sent to this store" in page
    assert "Price <del>10.00</del> → <ins>12.25</ins>" in page
    assert "1 changed · 1 unchanged." in page


@pytest.mark.django_db(transaction=True)
def test_items_sent_to_a_store_for_the_first_time_are_counted_not_listed(store_side, make_item, admin_client):
    make_item("APRON")

    job = run_refresh()
    page = admin_client.get(reverse("admin:books_console_job", args=[job.pk])).content.decode()

    assert "No item changed since the last refresh to this store." in page
    assert "1 sent to this store for the first time" in page


def test_a_batch_the_store_refused_is_not_remembered_so_the_next_run_still_shows_the_change(fault_store, make_item):
    make_item("APRON", price="10.00")
    fault_store.then(refreshed(1))
    run_refresh()
    Item.objects.filter(sku="APRON").update(full_price=Decimal("11"))
    fault_store.then(fs.fail("Database is read-only"))

    failed = run_refresh()

    assert failed.status == SyncJob.Status.FAILED
    assert LastPushed.objects.get().sent["price"] == "10.0000"  # still what the store last accepted
    fault_store.then(refreshed(1))
    assert run_refresh().result["changes"][0]["changes"] == [["Price", "10.00", "11.00"]]


def test_tiers_and_bizunos_extra_decimals_show_as_read(make_item):
    item = make_item("TEA", price="10.00")
    store = StoreConnection.load()
    before = RefreshItem(sku="TEA", qty_stock=5, weight=Decimal("0.5"), price=Decimal("10"), sale_price=CLEAR,
                         tiers=[Tier(1, Decimal("10")), Tier(6, Decimal("9"))])
    after = RefreshItem(sku="TEA", qty_stock=5, weight=Decimal("0.5"), price=Decimal("9.9950"), sale_price=CLEAR,
                        tiers=[Tier(1, Decimal("10")), Tier(6, Decimal("8.5"))])
    refresh_changes.remember(store.pk, refresh_changes.compare(store.pk, [before], {"TEA": item.pk})[2])

    changes, first, _ = refresh_changes.compare(store.pk, [after], {"TEA": item.pk})

    assert first == 0
    assert changes[0]["changes"] == [["Price", "10.00", "9.995"], ["Tiers", "1+ @ 10.00, 6+ @ 9.00", "1+ @ 10.00, 6+ @ 8.50"]]


def test_comparing_and_remembering_a_batch_cost_one_query_each_whatever_its_size(make_item, django_assert_num_queries):
    store = StoreConnection.load()
    items = [make_item(f"SKU-{n:03d}") for n in range(100)]
    batch = [RefreshItem(sku=i.sku, qty_stock=3, price=Decimal("5"), sale_price=CLEAR) for i in items]
    pks = {i.sku: i.pk for i in items}

    with django_assert_num_queries(1):
        _, _, sent = refresh_changes.compare(store.pk, batch, pks)
    with django_assert_num_queries(1):
        refresh_changes.remember(store.pk, sent)
    with django_assert_num_queries(1):
        refresh_changes.remember(store.pk, sent)  # the second time it updates the same rows

    assert LastPushed.objects.count() == 100


def test_the_list_keeps_500_rows_and_counts_the_rest():
    state = {}
    refresh_changes.record(state, [{"sku": f"S{n}", "item": n, "changes": []} for n in range(450)], 0)
    refresh_changes.record(state, [{"sku": f"T{n}", "item": n, "changes": []} for n in range(100)], 3)

    assert len(state["changes"]) == 500 and state["changed_items"] == 550 and state["first_push"] == 3


@pytest.mark.django_db(transaction=True)
def test_the_progress_bar_advances_after_every_batch(make_item):
    """What the bar polls (the job's processed count), read by the store as each batch arrives."""
    seen = []

    def answer_and_note_progress(count):
        reply = refreshed(count)

        def behave(handler):
            seen.append(SyncJob.objects.values_list("processed", "total").get())
            connection.close()  # this runs in the store's thread: its own connection
            reply(handler)

        return behave

    for n in range(250):
        make_item(f"SKU-{n:03d}")
    with fs.FaultServer() as server:
        from .conftest import connect

        connect(server.url)
        server.then(answer_and_note_progress(100), answer_and_note_progress(100), answer_and_note_progress(50))
        job = run_refresh()

    assert seen == [(0, 250), (100, 250), (200, 250)]
    assert (job.processed, job.total) == (250, 250)


@pytest.mark.django_db(transaction=True)
def test_a_product_upload_counts_as_sent_so_the_next_refresh_compares_with_it(store_side, make_item):
    make_item("APRON", price="10.00", on_hand=10, sale="8.00")
    upload = jobs.create_job(SyncJob.Kind.PRODUCT_UPLOAD, target="t", params={"skus": ["APRON"], "mode": 3},
                             trigger=SyncJob.Trigger.STAFF)
    jobs.run_job(upload.pk)
    Item.objects.filter(sku="APRON").update(full_price=Decimal("11"))

    job = run_refresh()

    # The upload sent 10.00 and cleared the sale price (product/update does): the refresh sets both.
    assert job.result["first_push"] == 0
    assert job.result["changes"][0]["changes"] == [["Price", "10.00", "11.00"], ["Sale price", "—", "8.00"]]
