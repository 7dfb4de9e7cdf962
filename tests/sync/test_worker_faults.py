"""kill -9 with real processes: the workers die mid Quick Refresh and mid export, a new one heals it all.

Real parts throughout: task workers and the scheduler are ``manage.py``
subprocesses (db_worker, or rqworker on the RQ pass), the store and Bizuno are
loopback HTTP servers, and the kill is SIGKILL to each worker's process group.
A short heartbeat window (SYNC_HEARTBEAT_TIMEOUT=2) keeps it quick.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from decimal import Decimal

import pytest

from bizunosync.books.models import Item, PriceSheet
from bizunosync.store.export.service import queue_export
from bizunosync.sync import jobs
from bizunosync.sync.connections import BizunoConnection
from bizunosync.sync.models import SyncJob
from tests.books.console.conftest import connect as connect_store
from tests.support import faultserver as fs
from tests.store.export.conftest import make_order, maria  # noqa: F401  (fixtures)
from tests.support import rq, workers

pytestmark = [pytest.mark.real_workers, pytest.mark.django_db(transaction=True)]

WINDOW = 2  # seconds of heartbeat silence before a job counts as orphaned
ITEMS = 3000


def refreshed_slowly(seconds):
    """A store that takes its time over each batch and confirms every item in it."""

    return fs.refreshed(delay=seconds)


def connect_bizuno(url):
    conn = BizunoConnection.load()
    conn.url = url
    conn.set_token("store-side-token-Zq81")
    conn.connect_timeout = 1
    conn.read_timeout = 120  # the stalled Bizuno outlasts the test: the kill cuts the request off
    conn.save()


@pytest.fixture
def catalog(db):
    PriceSheet.objects.create(name="Retail", is_default=True)
    Item.objects.bulk_create(
        Item(sku=f"SKU-{n:05d}", description_short=f"Item {n}", full_price=Decimal("10.00"), qty_on_hand=5,
             sync_to_store=True)
        for n in range(ITEMS)
    )


def sent_skus(server) -> list[str]:
    return [entry["SKU"] for r in list(server.requests) for entry in r.items]


def test_kill_9_mid_quick_refresh_and_mid_export_heals_by_itself(catalog, make_order, settings, tmp_path, capsys):
    settings.TASKS = workers.backend_setting()
    settings.SYNC_HEARTBEAT_TIMEOUT = WINDOW
    order = make_order()
    timings = {}
    with fs.FaultServer(refreshed_slowly(0.15)) as store, fs.FaultServer(fs.stall(300)) as bizuno:
        connect_store(store.url)
        connect_bizuno(bizuno.url)
        env = {"SYNC_HEARTBEAT_TIMEOUT": WINDOW}
        first = [workers.worker("worker-1", tmp_path, **env), workers.worker("worker-2", tmp_path, **env)]
        try:
            refresh = jobs.create_job(SyncJob.Kind.QUICK_REFRESH, target=f"{ITEMS} items", params={},
                                      trigger=SyncJob.Trigger.STAFF, total=ITEMS)
            jobs.submit(refresh)
            export = queue_export(order)
            def mid_batch():  # a third through, a batch on the wire, and the export waiting on Bizuno
                job = SyncJob.objects.get(pk=refresh.pk)
                return (len(bizuno.requests) == 1 and job.processed >= 1000
                        and len(store.requests) > job.result.get("batches_done", 0))

            workers.wait_for(mid_batch, timeout=60, every=0.02, what="the refresh mid batch and the export in flight")
            for proc in first:
                proc.kill9()
            killed_at = time.monotonic()
        finally:
            for proc in first:
                proc.stop()
        at_kill = SyncJob.objects.get(pk=refresh.pk)
        confirmed = at_kill.result["last_sku"]
        sent_before = len(store.requests)

        healers = [workers.worker("worker-3", tmp_path, **env), workers.scheduler(tmp_path, interval=0.5, **env)]
        try:
            workers.wait_for(lambda: SyncJob.objects.get(pk=export.pk).status == SyncJob.Status.NEEDS_REVIEW,
                             timeout=WINDOW + 15, what="the export in review")
            workers.wait_for(lambda: len(store.requests) > sent_before, timeout=WINDOW + 15,
                             what="the refresh resumed")
            timings["resumed_after_kill_s"] = time.monotonic() - killed_at
            workers.wait_for(lambda: SyncJob.objects.get(pk=refresh.pk).status == SyncJob.Status.SUCCEEDED,
                             timeout=60, what="the refresh finished")
            timings["finished_after_kill_s"] = time.monotonic() - killed_at
            _close_rq_rows_as_time_would()
        finally:
            for proc in healers:
                proc.stop()
        logs = {proc.name: proc.output() for proc in first + healers}

    refresh.refresh_from_db()
    export.refresh_from_db()
    skus = sent_skus(store)
    resent = sorted(sku for sku, times in Counter(skus).items() if times > 1)
    batch = max(len(r.items) for r in store.requests)
    # Every item reached the store; only the batch in flight at the kill went twice (absolute values: harmless).
    assert sorted(set(skus)) == [f"SKU-{n:05d}" for n in range(ITEMS)]
    assert len(resent) <= batch and all(sku > confirmed for sku in resent)
    assert refresh.summary.startswith(f"Processed {ITEMS} items, updated {ITEMS}.")
    assert f"(Resumed after {confirmed}.)" in refresh.summary
    assert [e["event"] for e in refresh.history] == ["recovered"]
    # The export: in review, and Bizuno saw its PO exactly once.
    assert export.status == SyncJob.Status.NEEDS_REVIEW
    assert "worker stopped" in export.summary and "Check before retrying" in export.summary
    assert [r.form["General"]["PurchaseOrderID"] for r in bizuno.requests] == ["WC1001"]
    assert export.attempt_count == 1
    # The task backend's own records of the killed runs are not left running.
    assert _backend_rows_still_running([refresh, export]) == []
    assert "Recovered job" in logs["scheduler"]

    with capsys.disabled():
        print(f"\nkill -9 fault test ({'rq' if rq.active() else 'database'} backend, window {WINDOW} s): "
              f"refresh killed after {confirmed} ({sent_before} batches sent), resumed "
              f"{timings['resumed_after_kill_s']:.1f} s after the kill, finished "
              f"{timings['finished_after_kill_s']:.1f} s after it; {len(resent)} SKUs sent twice "
              f"(the batch in flight); export {export.get_status_display().lower()}, Bizuno received "
              f"PO WC1001 {len(bizuno.requests)}×; refresh summary: {refresh.summary!r}")


def _close_rq_rows_as_time_would():
    """RQ marks a dead horse's job failed once its 90 s registry lease lapses; move the clock past it."""
    if not rq.active():
        return
    from rq.registry import StartedJobRegistry

    from bizunosync.sync.recovery import close_abandoned_rq_jobs

    registry = StartedJobRegistry(queue=rq.queue())
    for key in registry.connection.zrange(registry.key, 0, -1):
        registry.connection.zadd(registry.key, {key: 1})
    close_abandoned_rq_jobs()


def _backend_rows_still_running(killed_jobs) -> list[str]:
    if rq.active():
        from rq.registry import StartedJobRegistry

        return [str(j) for j in StartedJobRegistry(queue=rq.queue()).get_job_ids()]
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(status="RUNNING").values_list("args_kwargs", flat=True)
    return [json.dumps(r) for r in rows]
