"""Quick Refresh: what it sends, in what batches, and how it resumes."""

import threading
import time
from decimal import Decimal

import pytest
from django.core.management import call_command

from bizunosync.books.jobs import quick_refresh
from bizunosync.books.models import PriceLevel, PriceSheet
from bizunosync.store.models import Product
from bizunosync.sync import jobs
from bizunosync.sync.history import jobs_touching
from bizunosync.sync.models import SyncJob
from bizunosync.sync.touched import refs_of
from tests.store.conftest import make_product
from tests.support import faultserver as fs

from .conftest import connect


def run_refresh(**params):
    job = jobs.create_job(SyncJob.Kind.QUICK_REFRESH, target="test", params=params, trigger=SyncJob.Trigger.STAFF)
    jobs.run_job(job.pk)
    job.refresh_from_db()
    return job


def refreshed(count):
    """The store confirms the batch (it holds ``count`` items and the row that ends it)."""
    return fs.refreshed()


@pytest.mark.django_db(transaction=True)
def test_it_updates_price_available_stock_and_tiers_in_the_real_store(store_side, make_item):
    make_item("MUG", price="12.00", on_hand=10, on_so=3, allocated=1, sale="9.50",
              tiers=[(1, "12.00"), (6, "11.00"), (12, "10.00")])
    make_product("MUG", price="5", stock=0)

    job = run_refresh()

    assert job.status == SyncJob.Status.SUCCEEDED
    assert job.summary == "Processed 1 items, updated 1."
    mug = Product.objects.get(sku="MUG")
    assert mug.regular_price == Decimal("12") and mug.sale_price == Decimal("9.5") and mug.price == Decimal("9.5")
    assert mug.stock_quantity == 6 and mug.stock_status == "instock"
    assert [(t.qty, t.price) for t in mug.tiers_sorted] == [(1, Decimal("12")), (6, Decimal("11")), (12, Decimal("10"))]


@pytest.mark.django_db(transaction=True)
def test_a_second_run_updates_nothing_and_unknown_skus_are_named_in_the_summary(store_side, make_item):
    make_item("MUG")
    make_item("NOT-IN-STORE")
    make_product("MUG")

    run_refresh()
    job = run_refresh()

    assert job.summary == "Processed 2 items, updated 0. The store said: Missing in WooCommerce: NOT-IN-STORE."
    assert job.result["messages"] == [{"level": "error", "text": "Missing in WooCommerce: NOT-IN-STORE"}]


def test_tiers_come_only_from_a_default_sheet_with_two_or_more_levels(make_item, django_assert_num_queries):
    one_level = make_item("ONE", tiers=[(1, "9")])
    many = make_item("MANY", tiers=[(10, "8"), (1, "9")])
    other = PriceSheet.objects.create(name="Wholesale")
    PriceLevel.objects.create(sheet=other, item=one_level, qty=50, price=Decimal("5"))

    with django_assert_num_queries(2):  # the items and their default levels, however many there are
        sent = {i.sku: quick_refresh.refresh_item(i) for i in quick_refresh.flagged_items(False)}

    assert sent["ONE"].tiers == []
    assert [(t.qty, t.price) for t in sent["MANY"].tiers] == [(1, Decimal("9")), (10, Decimal("8"))]


def test_available_is_on_hand_less_sales_orders_less_allocated_and_services_send_no_stock(make_item):
    oversold = quick_refresh.refresh_item(make_item("OVER", on_hand=2, on_so=5, allocated=1))
    service = quick_refresh.refresh_item(make_item("FIT", item_type="sv", on_hand=0))
    no_sale = quick_refresh.refresh_item(make_item("PLAIN"))

    assert oversold.qty_stock == -4  # the store clamps to 0 and marks it out of stock
    assert service.qty_stock is None
    assert no_sale.sale_price is quick_refresh.CLEAR  # SalePrice="" clears a sale the store still shows


def test_inactive_and_unflagged_items_are_left_out_unless_the_connection_includes_inactive(make_item):
    make_item("ACTIVE")
    make_item("ASLEEP", inactive=True)
    make_item("LOCAL", sync_to_store=False)

    assert [i.sku for i in quick_refresh.flagged_items(False)] == ["ACTIVE"]
    assert [i.sku for i in quick_refresh.flagged_items(True)] == ["ACTIVE", "ASLEEP"]


def test_250_items_go_out_in_three_batches_of_at_most_100(fault_store, make_item):
    for n in range(250):
        make_item(f"SKU-{n:03d}")
    fault_store.then(refreshed(100), refreshed(100), refreshed(50))

    job = run_refresh()

    sizes = [len(r.items) for r in fault_store.requests]
    assert sizes == [100, 100, 50]
    assert all(r.method == "PUT" and r.path == "/wp-json/bizuno-api/v1/product/refresh" for r in fault_store.requests)
    assert fault_store.requests[0].form["data"]["0"]["SKU"] == "SKU-000"
    assert (job.processed, job.total, job.summary) == (250, 250, "Processed 250 items, updated 250.")


@pytest.mark.django_db(transaction=True)
def test_the_job_keeps_only_the_latest_batches_notes_so_its_result_does_not_grow_with_the_catalog(
        fault_store, make_item, monkeypatch):
    monkeypatch.setattr(quick_refresh, "KEPT_NOTES", 2)
    for n in range(250):
        make_item(f"SKU-{n:03d}")
    fault_store.then(refreshed(100), refreshed(100), refreshed(50))

    job = run_refresh()

    assert job.result["notes"] == ["Updated 100 of 101 products.", "Updated 50 of 51 products."]
    assert job.result["batches_done"] == 3


def test_proxy_safe_mode_sends_post_with_the_method_override(fault_store, make_item):
    connect(fault_store.url, method_override=True)
    make_item("MUG")

    run_refresh()

    sent = fault_store.last
    assert sent.method == "POST" and sent.headers["x-http-method-override"] == "PUT"


def test_a_retry_carries_on_from_the_batch_that_failed(fault_store, make_item, django_capture_on_commit_callbacks):
    for n in range(250):
        make_item(f"SKU-{n:03d}")
    fault_store.then(refreshed(100), fs.fail("Database is read-only"))

    failed = run_refresh()

    assert failed.status == SyncJob.Status.FAILED
    assert failed.result["last_sku"] == "SKU-099" and failed.processed == 100
    assert failed.summary == "The store refused the request: Database is read-only."

    fault_store.then(refreshed(100), refreshed(50))
    first_retry_request = len(fault_store.requests)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.retry_job(failed)  # queued after commit; the ImmediateBackend runs it at once
    failed.refresh_from_db()

    resent = fault_store.requests[first_retry_request:]
    assert [r.form["data"]["0"]["SKU"] for r in resent] == ["SKU-100", "SKU-200"]
    assert failed.status == SyncJob.Status.SUCCEEDED
    assert failed.summary == "Processed 250 items, updated 250. (Resumed after SKU-099.)"


def test_no_flagged_items_sends_nothing_and_says_so(fault_store, make_item):
    make_item("LOCAL", sync_to_store=False)

    job = run_refresh()

    assert fault_store.requests == []
    assert job.status == SyncJob.Status.SUCCEEDED and "No items are flagged" in job.summary


def test_the_command_prints_the_summary(fault_store, make_item, capsys):
    make_item("MUG")
    fault_store.then(refreshed(1))

    call_command("quick_refresh")

    assert "Processed 1 items, updated 1." in capsys.readouterr().out
    assert SyncJob.objects.get().trigger == SyncJob.Trigger.COMMAND


def test_the_dry_run_lists_batches_and_sends_nothing(fault_store, make_item, capsys):
    make_item("MUG", on_hand=7, on_so=2, tiers=[(1, "10"), (6, "9")])

    call_command("quick_refresh", "--dry-run")

    out = capsys.readouterr().out
    assert "Batch 1 of 1 (1 items):" in out
    assert "MUG: available 5, price 10.00, sale (none), tiers 1+ @ 10.00, 6+ @ 9.00" in out
    assert fault_store.requests == [] and not SyncJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_job_names_every_item_it_sent_so_each_item_links_to_it(store_side, make_item):
    mug = make_item("MUG", price="12.00", on_hand=10)
    tea = make_item("TEA", price="6.90", on_hand=5)
    make_product("MUG", price="5", stock=0)

    job = run_refresh()

    assert sorted(refs_of(job)[0]) == sorted([f"books.item:{mug.pk}", f"books.item:{tea.pk}"])
    assert list(jobs_touching(f"books.item:{mug.pk}")) == [job]


@pytest.mark.django_db(transaction=True)
def test_each_batch_links_its_items_once_the_store_has_them_so_a_cancelled_run_names_exactly_those(make_item):
    items = [make_item(f"SKU-{n:03d}") for n in range(250)]
    job = jobs.create_job(SyncJob.Kind.QUICK_REFRESH, target="test", trigger=SyncJob.Trigger.STAFF)

    linked_while_second_batch_was_sent = []

    def cancel_then_answer(handler):
        # The job records the first batch while the store works on the second: give it time to.
        deadline = time.monotonic() + 10
        while job.touched_records.count() < 100 and time.monotonic() < deadline:
            time.sleep(0.01)
        linked_while_second_batch_was_sent.append(job.touched_records.count())
        jobs.request_cancel(job)  # staff press Cancel while the second batch is on its way
        refreshed(100)(handler)

    with fs.FaultServer() as server:
        connect(server.url)
        server.then(refreshed(100), cancel_then_answer)
        jobs.run_job(job.pk)
        assert len(server.requests) == 2
    job.refresh_from_db()

    assert linked_while_second_batch_was_sent == [100]  # the first batch's items, linked before the run ends
    assert job.status == SyncJob.Status.CANCELLED and job.processed == 200
    assert refs_of(job, limit=500) == ([f"books.item:{item.pk}" for item in items[:200]], 200)


@pytest.mark.django_db(transaction=True)
def test_the_next_batch_is_on_its_way_while_the_job_records_the_one_before(make_item, monkeypatch):
    for n in range(250):
        make_item(f"SKU-{n:03d}")
    second_batch_arrived = threading.Event()
    arrived_while_recording = []
    remember = quick_refresh.refresh_changes.remember

    def remember_once_the_second_batch_is_out(store_id, sent):
        # A job that recorded a batch first and sent the next after would wait here in vain.
        arrived_while_recording.append(second_batch_arrived.wait(5))
        return remember(store_id, sent)

    def arrive_then_answer(handler):
        second_batch_arrived.set()
        fs.refreshed()(handler)

    monkeypatch.setattr(quick_refresh.refresh_changes, "remember", remember_once_the_second_batch_is_out)
    with fs.FaultServer() as server:
        connect(server.url)
        server.then(fs.refreshed(), arrive_then_answer, fs.refreshed())
        started = time.monotonic()
        job = run_refresh()
        took = time.monotonic() - started

    assert job.status == SyncJob.Status.SUCCEEDED and job.processed == 250 and len(server.requests) == 3
    assert arrived_while_recording[0] is True and took < 5  # batch 1 was recorded while batch 2 was with the store
    assert job.result["last_sku"] == "SKU-249"


@pytest.mark.django_db(transaction=True)
def test_a_long_missing_list_is_folded_in_the_summary_and_kept_whole_in_the_result(store_side, make_item):
    for n in range(250):
        make_item(f"GONE-{n:03d}")

    job = run_refresh()

    assert job.summary == ("Processed 250 items, updated 0. Missing in WooCommerce: 250 SKUs "
                           "(GONE-000, GONE-001, GONE-002, GONE-003, GONE-004, …; all in the job's result).")
    listed = [sku for m in job.result["messages"] for sku in m["text"].split(": ", 1)[1].split(", ")]
    assert len(listed) == 250 and listed[-1] == "GONE-249"


@pytest.mark.django_db(transaction=True)
def test_a_batch_whose_records_cannot_be_saved_keeps_the_stores_answer_and_none_of_its_half_records(make_item, monkeypatch):
    from django.db import DatabaseError

    from bizunosync.books.models import LastPushed
    from bizunosync.sync.models import SyncAttempt

    for n in range(150):
        make_item(f"SKU-{n:03d}")

    def link_fails(owner, refs, **kw):
        raise DatabaseError("disk full")

    job = jobs.create_job(SyncJob.Kind.QUICK_REFRESH, target="test", trigger=SyncJob.Trigger.STAFF)
    monkeypatch.setattr(quick_refresh.touched, "link", link_fails)
    with fs.FaultServer() as server:
        connect(server.url)
        server.then(fs.refreshed())
        jobs.run_job(job.pk)
    job.refresh_from_db()

    assert job.status != SyncJob.Status.SUCCEEDED
    first = SyncAttempt.objects.filter(job=job).order_by("number").first()
    assert first.http_status == 200 and "Updated 100 of 101" in first.response_excerpt  # the answer is on record
    assert not LastPushed.objects.exists() and job.processed == 0  # the batch's own records: none of them
