"""Pushes sized to the store's PHP max_input_vars, checked against real PHP (`php -S`).

Bizuno sends 100 items per batch whatever they hold: with three tiers that is 1,500 form
fields, and PHP with its default max_input_vars of 1000 keeps the first 1,000 (72 items
arrived, the 67th without its price). Here batches are cut by field count; a batch the
store's PHP cut anyway is named on the job and sent again.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bizunosync.books.jobs import product_upload, quick_refresh, refresh_batches
from bizunosync.books.models import Item
from bizunosync.sync import jobs
from bizunosync.sync.connections import StoreConnection
from bizunosync.sync.models import SyncJob
from bizunosync.wire import phpform
from bizunosync.wire.product_refresh import RefreshItem, Tier, build_item
from tests.phpcli import needs_php
from tests.support import faultserver as fs
from tests.support.phpstore import PhpStore

from .conftest import connect

TIERS = [(1, "12.00"), (6, "11.00"), (12, "10.00")]


def run(kind, **params):
    job = jobs.create_job(kind, target="test", params=params, trigger=SyncJob.Trigger.STAFF)
    jobs.run_job(job.pk)
    job.refresh_from_db()
    return job


@pytest.fixture(scope="module")
def php_store(tmp_path_factory):
    if needs_php.args[0]:
        pytest.skip(needs_php.kwargs["reason"])
    store = PhpStore(tmp_path_factory.mktemp("php-store"), max_input_vars=1000)
    yield store
    store.close()


@pytest.fixture
def plugin_store(php_store, db):
    php_store.clear()
    connect(php_store.url)
    return php_store


@pytest.fixture
def catalog_with_tiers(make_item):
    return [make_item(f"SKU-{n:03d}", weight=Decimal("1.5"), tiers=TIERS) for n in range(150)]


def expected(items):
    return {i.sku: build_item(quick_refresh.refresh_item(Item.objects.with_default_tiers().get(pk=i.pk)))
            for i in items}


def test_quick_refresh_of_150_items_with_3_tiers_reaches_real_php_whole_in_batches_under_1000_fields(
        plugin_store, catalog_with_tiers):
    job = run(SyncJob.Kind.QUICK_REFRESH)

    batches = plugin_store.received()
    assert job.status == SyncJob.Status.SUCCEEDED, job.summary
    assert job.summary == "Processed 150 items, updated 150."
    # 15 fields an item (SKU, QtyStock, Weight, WeightUOM, Type, FullPrice, Price, RegularPrice, SalePrice, 3 × 2 tier
    # fields): 66 fit in 1,000 with the blank-SKU row that ends every batch (PHP counts it among the items).
    assert [(b["sent_vars"], b["items"]) for b in batches] == [(991, 67), (991, 67), (271, 19)]
    assert all(b["data"][-1] == {"SKU": ""} for b in batches)
    assert all(b["sent_vars"] <= 1000 and b["kept_vars"] == b["sent_vars"] for b in batches)
    arrived = {row["SKU"]: row for b in batches for row in b["data"][:-1]}
    assert arrived == expected(catalog_with_tiers)  # every item whole: price, sale price, every tier


def test_a_store_whose_php_keeps_fewer_fields_than_the_connection_says_cuts_a_batch_and_the_rest_is_sent_again(
        plugin_store, catalog_with_tiers):
    conn = StoreConnection.load()
    conn.max_input_vars = 2000  # the store's php.ini really says 1000
    conn.save()

    job = run(SyncJob.Kind.QUICK_REFRESH)

    batches = plugin_store.received()
    assert job.status == SyncJob.Status.SUCCEEDED, job.summary
    # 100 items and the end row (1,501 fields) sent; PHP kept 1,000: 66 whole items and the 67th without its
    # last 10 fields.
    assert (batches[0]["sent_vars"], batches[0]["kept_vars"], batches[0]["items"]) == (1501, 1000, 67)
    assert batches[0]["data"][66]["PriceTiers"] == [{"qty": "1"}]  # a tier without its price, the rest gone
    # Sent again from the cut item on, in batches no larger than what the store was seen to keep whole.
    assert batches[1]["data"][0]["SKU"] == "SKU-066"
    assert all(b["kept_vars"] == b["sent_vars"] <= 990 for b in batches[1:])
    last = {}
    for b in batches:
        for row in b["data"]:
            last[row["SKU"]] = row
    last.pop("")  # the rows that end the batches
    assert last == expected(catalog_with_tiers)  # in the end every item arrived whole
    assert job.processed == 150 and job.result["cut_batches"] == 1
    assert job.summary == (
        "Processed 150 items, updated 150. The store received only 67 of the 100 items in batch 1 (1501 form "
        "fields): its PHP keeps fewer form fields than the 2000 set as PHP max_input_vars on the store connection. "
        "The items it did not receive whole were sent again in batches of at most 990 fields; set PHP "
        "max_input_vars on the store connection to the store's real max_input_vars (php.ini)."
    )
    assert job.result["last_sku"] == "SKU-149"


def test_a_cut_inside_the_last_item_of_a_batch_shows_by_the_missing_end_row_and_that_item_goes_again(
        plugin_store, catalog_with_tiers):
    conn = StoreConnection.load()
    conn.max_input_vars = 1010  # php.ini says 1000: 67 items (1,005 fields) and the end row go, PHP keeps 1,000
    conn.save()

    job = run(SyncJob.Kind.QUICK_REFRESH)

    batches = plugin_store.received()
    assert job.status == SyncJob.Status.SUCCEEDED, job.summary
    # The store saw 67 rows for 67 items: without the end row that count would look whole.
    assert (batches[0]["sent_vars"], batches[0]["kept_vars"], batches[0]["items"]) == (1006, 1000, 67)
    cut = batches[0]["data"][66]
    assert cut["SKU"] == "SKU-066" and cut != expected(catalog_with_tiers)["SKU-066"]  # its last 5 fields lost
    assert batches[1]["data"][0]["SKU"] == "SKU-066"  # the cut item again, whole this time
    last = {row["SKU"]: row for b in batches for row in b["data"]}
    last.pop("")
    assert last == expected(catalog_with_tiers)
    assert job.result["cut_batches"] == 1
    assert "The end of batch 1 did not reach the store (1006 form fields; its last item was cut)" in job.summary


def test_an_item_too_large_for_any_batch_is_not_sent_and_is_named_while_the_rest_go(fault_store, make_item):
    make_item("A-1")
    make_item("HUGE", tiers=[(q, "9.00") for q in range(1, 501)])  # 1,000 tier fields alone
    make_item("Z-9")
    fault_store.then(fs.refreshed())

    job = run(SyncJob.Kind.QUICK_REFRESH)

    [sent] = fault_store.requests
    assert [row["SKU"] for row in sent.form["data"].values()] == ["A-1", "Z-9", ""]
    assert job.summary == ("Processed 3 items, updated 2. Not sent: 1 items have more form fields than the store's "
                           "PHP max_input_vars (1000) allows: HUGE (1009 fields).")
    assert (job.processed, job.failed_count) == (3, 1)


def test_a_product_upload_that_cannot_fit_the_stores_php_is_refused_by_name_and_the_others_go(fault_store, make_item):
    make_item("A-1")
    make_item("HUGE", tiers=[(q, "9.00") for q in range(1, 501)])
    fault_store.then(fs.success(ID=1))

    job = run(SyncJob.Kind.PRODUCT_UPLOAD, mode=3)

    assert [r.form["data"]["SKU"] for r in fault_store.requests] == ["A-1"]
    assert job.result["refused"] == ["HUGE"]
    [text] = [m["text"] for m in job.result["messages"] if m["level"] == "error"]
    assert text.startswith("HUGE was not sent: its product form has 1013 fields and the store's PHP keeps only the "
                           "first 1000 (PHP max_input_vars on the store connection)")
    assert job.attempts.count() == 1  # nothing was tried for HUGE


@needs_php
def test_a_product_upload_within_the_limit_reaches_real_php_whole(plugin_store, make_item):
    make_item("MUG", tiers=TIERS)

    job = run(SyncJob.Kind.PRODUCT_UPLOAD, mode=3)

    [request] = plugin_store.received()
    assert job.status == SyncJob.Status.SUCCEEDED, job.summary
    assert request["kept_vars"] == request["sent_vars"] and request["data"]["SKU"] == "MUG"


def test_a_raised_limit_on_the_connection_lets_bigger_batches_go(fault_store, make_item):
    connect(fault_store.url, max_input_vars=5000)
    for n in range(120):
        make_item(f"SKU-{n:03d}", tiers=TIERS)
    fault_store.then(fs.refreshed(), fs.refreshed())

    run(SyncJob.Kind.QUICK_REFRESH)

    assert [len(r.items) for r in fault_store.requests] == [100, 20]  # never more than Bizuno's 100


# ------------------------------------------------------------ the packing, in small


def entry(sku, fields):
    return refresh_batches.Entry(RefreshItem(sku), 0, fields)


def test_batches_fill_up_to_the_field_limit_and_never_past_100_items():
    batcher = refresh_batches.Batcher([entry(f"S{n}", 15) for n in range(150)], limit=1000)
    sizes = []
    while batch := batcher.next_batch():
        sizes.append((len(batch), sum(e.fields for e in batch)))
    assert sizes == [(66, 990), (66, 990), (18, 270)]

    small = refresh_batches.Batcher([entry(f"S{n}", 2) for n in range(150)], limit=1000)
    assert len(small.next_batch()) == 100


def test_a_cut_batch_is_known_by_the_stores_count_and_the_cut_item_is_sent_again():
    batch = [entry(f"S{n}", 15) for n in range(100)]
    assert refresh_batches.cut_at(batch, "Updated 67 of 67 products.") == 66
    assert refresh_batches.cut_at(batch, "Updated 3 of 101 products.") is None  # the 100 items and the end row
    assert refresh_batches.cut_at(batch, "Updated 3 of 100 products.") == 99  # the end row missing: the last item again
    assert refresh_batches.cut_at(batch, "") is None
    assert refresh_batches.lowered_limit(batch, 66, 2000) == 990
    assert refresh_batches.lowered_limit(batch, 0, 2000) == 14  # not even the first item: it cannot be sent


def test_the_field_count_is_what_php_counts_in_the_encoded_body():
    item = RefreshItem("A&B=C", qty_stock=3, weight=Decimal("1.5"), weight_uom="lb", price=Decimal("9"),
                       tiers=[Tier(1, Decimal("9")), Tier(5, Decimal("8"))])
    body = phpform.encode({"data": [build_item(item)] * 3})
    assert refresh_batches.Entry.of(item, 0).fields * 3 == phpform.count_vars(body) == phpform.count_fields(
        {"data": [build_item(item)] * 3})


def test_a_batch_goes_out_as_the_body_bizunos_own_encoding_of_its_items_and_end_row_would_be():
    items = [RefreshItem("A&B=C", qty_stock=3, price=Decimal("9"), tiers=[Tier(1, Decimal("9")), Tier(5, Decimal("8"))]),
             RefreshItem("mug ~ 2", weight=Decimal("0.25"), weight_uom="kg"), RefreshItem("Ünï")]
    batch = [refresh_batches.Entry.of(item, n) for n, item in enumerate(items)]

    assert refresh_batches.body(batch) == phpform.encode({"data": [*map(build_item, items), refresh_batches.END]})
    assert refresh_batches.body(batch[1:]) == phpform.encode({"data": [*map(build_item, items[1:]), refresh_batches.END]})


# -------------------------------------------------- the catalog, read batch by batch


def test_quick_refresh_reads_the_catalog_in_chunks_not_all_at_once(fault_store, make_item, monkeypatch):
    monkeypatch.setattr(refresh_batches, "CHUNK", 50)
    for n in range(250):
        make_item(f"SKU-{n:03d}", tiers=TIERS)
    fault_store.then(*(fs.refreshed() for _ in range(4)))

    with CaptureQueriesContext(connection) as queries:
        job = run(SyncJob.Kind.QUICK_REFRESH)

    assert job.summary == "Processed 250 items, updated 250."
    item_reads = [q["sql"] for q in queries if q["sql"].lstrip().startswith("SELECT") and 'FROM "books_item"' in q["sql"]
                  and "COUNT(" not in q["sql"]]
    # 250 items in chunks of 50: five full chunks and one empty read; each chunk one LIMIT query.
    assert len(item_reads) == 6 and all("LIMIT 50" in sql for sql in item_reads)


def test_reading_the_first_batch_costs_two_queries_whatever_the_catalog_size(make_item, django_assert_num_queries):
    for n in range(30):
        make_item(f"SKU-{n:03d}", tiers=TIERS)
    entries = refresh_batches.catalog(lambda last: quick_refresh.flagged_items(False, after_sku=last),
                                      quick_refresh.refresh_item, chunk=10)

    with django_assert_num_queries(2):  # ten items and their tiers, not thirty
        first = [next(entries) for _ in range(10)]

    assert [e.item.sku for e in first] == [f"SKU-{n:03d}" for n in range(10)]
    assert [t.qty for t in first[0].item.tiers] == [1, 6, 12]


def test_product_upload_reads_the_chosen_items_in_chunks(fault_store, make_item, monkeypatch):
    monkeypatch.setattr(product_upload, "CHUNK", 2)
    for n in range(5):
        make_item(f"SKU-{n}")
    fault_store.then(*(fs.success(ID=n) for n in range(5)))

    with CaptureQueriesContext(connection) as queries:
        job = run(SyncJob.Kind.PRODUCT_UPLOAD, mode=3)

    assert job.summary == "Uploaded 5 of 5 items."
    item_reads = [q["sql"] for q in queries if q["sql"].lstrip().startswith("SELECT") and 'FROM "books_item"' in q["sql"]
                  and "COUNT(" not in q["sql"] and "books_item_accessories" not in q["sql"]]
    assert len(item_reads) == 3 and all("LIMIT 2" in sql for sql in item_reads)


def test_a_sent_chunk_is_freed_at_once_not_left_for_the_garbage_collector(make_item, monkeypatch):
    # Prefetched price levels point back at their item; left as a cycle, every chunk read stays in
    # memory until the garbage collector runs, and memory grows with the catalog.
    import gc
    import weakref

    monkeypatch.setattr(refresh_batches, "CHUNK", 10)
    for n in range(30):
        make_item(f"SKU-{n:03d}", tiers=TIERS)
    seen = []

    def watched(item):
        seen.append(weakref.ref(item))
        return quick_refresh.refresh_item(item)

    entries = quick_refresh.catalog(False, to_item=watched)
    gc.disable()
    try:
        sent = [next(entries) for _ in range(21)]  # the third chunk is read: the first is no longer needed
        alive = [ref for ref in seen[:10] if ref() is not None]
    finally:
        gc.enable()
    assert len(sent) == 21 and [t.qty for t in sent[0].item.tiers] == [1, 6, 12]
    assert alive == []
