"""An export backlog of 1,000 orders drained by 1, 2 and 4 task workers (real db_worker processes).

    .venv/bin/python bench/export_backlog.py
    createdb -h 127.0.0.1 -U postgres bench_f_export   # once (its own database: the orders are wiped each round)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_f_export .venv/bin/python bench/export_backlog.py

Bizuno is the loopback fault server of tests/support answering each orderAdd with the next ID
after PEER_MS of think time (a real Bizuno takes longer: the peer, not the workers, is the limit
sooner there). Each round queues the 1,000 exports first, then starts the workers; the figure is
orders / (last job finished − first job started), so worker start-up is not counted. Each PO must
reach the peer exactly once.
"""

import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("TASKS_BACKEND", "database")

from _setup import ROOT, django_scratch  # noqa: E402

django_scratch()
sys.path.insert(0, str(ROOT))

from django.db.models import Max, Min  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from bizunosync.store.export.service import queue_export  # noqa: E402
from bizunosync.store.models import Customer, Order, OrderLine  # noqa: E402
from bizunosync.sync.connections import BizunoConnection  # noqa: E402
from bizunosync.sync.models import SyncAttempt, SyncJob  # noqa: E402
from tests.support import faultserver as fs  # noqa: E402
from tests.support import workers  # noqa: E402
from tests.sync.test_many_workers import booked_with_ids  # noqa: E402

ORDERS, PEER_MS = 1000, 20


def fresh_orders():
    SyncAttempt.objects.all().delete()
    SyncJob.objects.all().delete()
    DBTaskResult.objects.all().delete()
    OrderLine.objects.all().delete()
    Order.objects.all().delete()
    maria, _ = Customer.objects.get_or_create(email="maria.keller@example.com",
                                              defaults={"first_name": "Maria", "last_name": "Keller"})
    orders = Order.objects.bulk_create(Order(
        number=str(100001 + n), created=timezone.now(), status="processing", customer=maria,
        billing_first_name="Maria", billing_last_name="Keller", billing_address_1="Torstraße 12",
        billing_city="Berlin", billing_postcode="10119", billing_country="DE", billing_email="maria.keller@example.com",
        payment_method="stripe", payment_title="Card", payment_status="completed", total="13.80", subtotal="13.80",
    ) for n in range(ORDERS))
    OrderLine.objects.bulk_create(OrderLine(order=o, sku="TEA", name="Earl Grey tea", quantity=2, subtotal="13.80",
                                            total="13.80") for o in orders)
    return list(Order.objects.order_by("pk"))


def run(count, url, logs):
    orders = fresh_orders()
    for order in orders:
        queue_export(order)
    # The same settings as this process (the same key decrypts the stored token).
    procs = [workers.worker(f"bench-worker-{n}", logs, DJANGO_SETTINGS_MODULE="bridge.settings") for n in range(1, count + 1)]
    try:
        deadline = time.monotonic() + 900
        while SyncJob.objects.filter(status__in=[SyncJob.Status.QUEUED, SyncJob.Status.RUNNING]).exists():
            if time.monotonic() > deadline:
                raise SystemExit(f"{count} workers did not drain the backlog in 15 minutes")
            time.sleep(0.5)
    finally:
        for proc in procs:
            proc.stop()
    span = SyncJob.objects.aggregate(first=Min("started"), last=Max("finished"))
    statuses = Counter(SyncJob.objects.values_list("status", flat=True))
    assert set(statuses) == {SyncJob.Status.SUCCEEDED}, (statuses, SyncJob.objects.exclude(status="succeeded").values_list("summary", flat=True)[:3], [p.output()[-2000:] for p in procs])
    return ORDERS / (span["last"] - span["first"]).total_seconds()


def main():
    logs = Path(tempfile.mkdtemp(prefix="bizunosync-bench-workers-"))
    figures = {}
    with fs.FaultServer(booked_with_ids(PEER_MS / 1000)) as bizuno:
        conn = BizunoConnection.load()
        conn.url, conn.order_prefix, conn.customer_prefix = bizuno.url, "WC", "C"
        conn.set_token("bench-token")
        conn.save()
        for count in (1, 2, 4):
            before = len(bizuno.requests)
            figures[count] = run(count, bizuno.url, logs)
            sent = Counter(r.form["General"]["PurchaseOrderID"] for r in bizuno.requests[before:])
            assert sent == Counter({f"WC{100001 + n}": 1 for n in range(ORDERS)}), "a PO was sent twice or not at all"
    from django.db import connection

    print(f"export backlog {ORDERS} orders [{connection.vendor}, peer {PEER_MS} ms]: "
          + " · ".join(f"{n} worker{'s' if n > 1 else ''} {v:.1f} orders/s" for n, v in figures.items())
          + f" · 2 workers / 1 = {figures[2] / figures[1]:.2f}× (target ≥ 1.7) · 4 / 1 = {figures[4] / figures[1]:.2f}×"
          + " · each PO sent once")


if __name__ == "__main__":
    main()
