"""Quick Refresh's changes list (old → new, against what was last sent to the store) and its per-batch bar."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bizunosync.books.jobs import quick_refresh, refresh_batches, refresh_changes
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
    assert first.changes == [] and first.result["first_push"] == 3

    Item.objects.filter(sku="APRON").update(full_price=Decimal("9.5"))
    Item.objects.filter(sku="MUG").update(qty_on_hand=7, sale_price=Decimal("8"))
    job = run_refresh()

    apron, mug = Item.objects.get(sku="APRON"), Item.objects.get(sku="MUG")
    assert job.changes == [
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
    assert run_refresh().changes[0]["changes"] == [["Price", "10.00", "11.00"]]


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


def test_the_list_keeps_500_rows_and_counts_the_rest_and_says_when_it_grew():
    state, listed = {}, []
    grew = [refresh_changes.record(state, listed, [{"sku": f"{p}{n}", "item": n, "changes": []} for n in range(count)],
                                   first) for p, count, first in (("S", 450, 0), ("T", 100, 3), ("U", 20, 0))]

    assert len(listed) == 500 and state["changed_items"] == 570 and state["first_push"] == 3
    assert grew == [True, True, False]  # full: the job's changes need not be saved again
    assert "changes" not in state


def test_a_refresh_saves_its_listed_changes_only_after_a_batch_that_added_some(store_side, make_item):
    items = [make_item(f"GROW-{n}", price="10.00") for n in range(6)]
    for item in items:
        make_product(item.sku)
    conn = StoreConnection.load()  # two items a batch: three batches
    conn.max_input_vars = 2 * refresh_batches.Entry.of(quick_refresh.refresh_item(items[0]), 0).fields + 1
    conn.save()
    run_refresh()  # the first push lists nothing
    Item.objects.filter(sku__in=["GROW-0", "GROW-1", "GROW-2", "GROW-3"]).update(full_price=Decimal("11.00"))

    with CaptureQueriesContext(connection) as queries:
        job = run_refresh()

    saves = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "sync_syncjob"') and '"changes"' in q["sql"]]
    assert [row["sku"] for row in job.changes] == ["GROW-0", "GROW-1", "GROW-2", "GROW-3"]
    assert job.result["batches_done"] == 3 and len(saves) == 2
