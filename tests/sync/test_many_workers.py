"""Several task workers (real processes) drain an export backlog: each PO reaches Bizuno once.

On the default pass the workers are ``db_worker`` processes, on the RQ pass
``rqworker`` processes on the machine's Redis; both claim jobs in the
database, which is what keeps two workers from sending one order. The
1,000-order figure (orders/s by worker count) is a benchmark, in bench/.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter

import pytest
from django_tasks import task_backends

from bizunosync.store.export.service import queue_export
from bizunosync.store.models import Order
from bizunosync.sync.models import SyncJob
from tests.store.export.conftest import connect, make_order, maria  # noqa: F401  (fixtures)
from tests.support import faultserver as fs
from tests.support import workers

pytestmark = [pytest.mark.real_workers, pytest.mark.django_db(transaction=True)]

ORDERS = 60
WORKERS = 3


def booked_with_ids(latency: float):
    """Bizuno answering each orderAdd with the next ID after a short think."""
    ids = itertools.count(1)
    lock = threading.Lock()

    def behave(handler):
        time.sleep(latency)
        with lock:
            booked = next(ids)
        fs.json_reply({"result": "Success", "ID": booked, "messages": {}})(handler)

    return behave


def test_three_workers_export_a_backlog_of_60_orders_each_po_sent_once(make_order, connect, settings, tmp_path):
    settings.TASKS = workers.backend_setting()
    orders = [make_order(number=str(1001 + n)) for n in range(ORDERS)]
    with fs.FaultServer(booked_with_ids(0.03)) as bizuno:
        connect(bizuno.url)
        procs = [workers.worker(f"worker-{n}", tmp_path) for n in range(1, WORKERS + 1)]
        try:
            queued = [queue_export(order) for order in orders]
            workers.wait_for(
                lambda: not SyncJob.objects.filter(status__in=[SyncJob.Status.QUEUED, SyncJob.Status.RUNNING]).exists(),
                timeout=90, what="the backlog drained")
        finally:
            for proc in procs:
                proc.stop()

    sent = Counter(r.form["General"]["PurchaseOrderID"] for r in bizuno.requests)
    assert sent == Counter({f"WC{1001 + n}": 1 for n in range(ORDERS)})
    assert Order.objects.filter(exported=True).count() == ORDERS
    assert len(set(Order.objects.values_list("bizuno_id", flat=True))) == ORDERS
    assert set(SyncJob.objects.values_list("status", flat=True)) == {SyncJob.Status.SUCCEEDED}
    # The backlog was shared: more than one worker process ran exports.
    backend = task_backends["default"]
    ran_by = Counter(w for job in queued for w in backend.get_result(
        SyncJob.objects.get(pk=job.pk).task_result_id).worker_ids[-1:])
    assert len(ran_by) >= 2, ran_by
