"""Quick Refresh of 10,000 items end to end over loopback, against its floor measured in the same run.

    .venv/bin/python bench/quick_refresh_10k.py
    createdb -h 127.0.0.1 -U postgres bench_f   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_f .venv/bin/python bench/quick_refresh_10k.py

The store side is a real gunicorn (1 sync worker) on 127.0.0.1, a separate process on the same
database; the books side is this process running the Quick Refresh job as `manage.py quick_refresh`
does (read the catalog, batch, PUT product/refresh, record progress and changes).

refresh : the job, every one of the 10,000 products changing price and stock.
floor   : as many authenticated PUTs as the job made (an empty product/refresh: authentication, the
          call log, no items) through the same transport, plus one bulk UPDATE of the same 10,000
          rows (bizunosync.sync.rows.update: executemany on SQLite, UPDATE … FROM one JSON document
          on PostgreSQL), each row's snapshot the one the job just wrote to it, with new numbers.
          Until 2026-12-07 the floor wrote a 15-byte snapshot; that floor is printed beside it
          ("tiny-snapshot floor"), for comparison with earlier figures.
"""

import os
import socket
import subprocess
import sys
import time
from decimal import Decimal

from _setup import ROOT, django_scratch, settle, sync_user

N = 10_000
work = django_scratch()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bizunosync.books.models import Item  # noqa: E402
from bizunosync.store.models import PriceTier, Product  # noqa: E402
from bizunosync.sync import rows  # noqa: E402
from bizunosync.sync.connections import StoreConnection  # noqa: E402
from bizunosync.sync.errors import ApplicationError  # noqa: E402
from bizunosync.sync.jobs import create_job, run_job  # noqa: E402
from bizunosync.sync.models import SyncAttempt, SyncJob  # noqa: E402
from bizunosync.sync.transport import store_transport  # noqa: E402

PASSWORD = "bench-password-10k"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_store(port):
    env = {**os.environ, "SECURE_SSL_REDIRECT": "false",
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "DEBUG": "false", "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
           "DJANGO_SETTINGS_MODULE": "bridge.settings"}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "bridge.wsgi:application", "-w", "1", "-b", f"127.0.0.1:{port}",
                             "--log-level", "warning", "--timeout", "120"], cwd=ROOT, env=env)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def make_catalog():
    PriceTier.objects.all().delete()
    Product.objects.all().delete()
    Item.objects.all().delete()
    Item.objects.bulk_create(Item(sku=f"Q{i:05d}", description_short=f"Item {i}", full_price=Decimal("1.00"),
                                  qty_on_hand=i % 50, sync_to_store=True) for i in range(N))
    Product.objects.bulk_create(Product(sku=f"Q{i:05d}", name=f"Item {i}") for i in range(N))


def refresh(round_no):
    Item.objects.update(full_price=Decimal(f"{round_no}.25"), qty_on_hand=round_no)  # every product changes
    job = create_job(SyncJob.Kind.QUICK_REFRESH, target=f"{N} items", params={"include_inactive": False},
                     trigger=SyncJob.Trigger.COMMAND, total=N)
    started = time.perf_counter()
    run_job(job.pk)
    took = time.perf_counter() - started
    job.refresh_from_db()
    assert job.status == SyncJob.Status.SUCCEEDED, (job.status, job.summary)
    return took, SyncAttempt.objects.filter(job=job).count()


def floor(calls, round_no):
    """(the floor, the tiny-snapshot floor) in seconds: the same round trips, then each bulk UPDATE."""
    transport = store_transport()
    started = time.perf_counter()
    for _ in range(calls):
        try:  # an empty batch: authenticated, logged, answered "Fail: No items provided"
            transport.request("PUT", "product/refresh", form={"data": ""})
        except ApplicationError as exc:
            assert "No items provided" in str(exc), exc
    trips = time.perf_counter() - started
    return trips + bulk_update(round_no), trips + bulk_update(round_no, tiny=True)


def bulk_update(round_no, tiny=False):
    now = timezone.now()
    values = [(pk, Decimal(f"{round_no}.5"), None, Decimal(f"{round_no}.5"), round_no, "instock", True, "no", None,
               {"round": round_no} if tiny else {**snap, "stock_quantity": round_no, "price": f"{round_no}.5000"}, now)
              for pk, snap in Product.objects.order_by("pk").values_list("pk", "bizuno_snapshot")]
    started = time.perf_counter()
    with transaction.atomic():
        rows.update(Product, ["regular_price", "sale_price", "price", "stock_quantity", "stock_status", "manage_stock",
                              "backorders", "weight", "bizuno_snapshot", "modified"], values)
    return time.perf_counter() - started


def main():
    sync_user(PASSWORD)
    make_catalog()
    settle()
    port = free_port()
    store = start_store(port)
    try:
        conn = StoreConnection.load()
        conn.url, conn.email = f"http://127.0.0.1:{port}", "bizuno@example.com"
        conn.set_password(PASSWORD)
        conn.save()
        refresh(1)  # warms both processes (and the credential cache)
        settle()  # again, now that the job's own tables (values last pushed, links) hold a run's rows
        best_job, best_floor, best_tiny, calls = float("inf"), float("inf"), float("inf"), 0
        for r in range(2):
            took, calls = refresh(10 + r)
            best_job = min(best_job, took)
            full, tiny = floor(calls, 20 + r)
            best_floor, best_tiny = min(best_floor, full), min(best_tiny, tiny)
    finally:
        store.terminate()
        store.wait(10)
    print(f"quick refresh {N} items [{connection.vendor}]: {best_job:.2f} s ({N / best_job:.0f} items/s, {calls} calls)"
          f" · floor {best_floor:.2f} s ({calls} empty authenticated PUTs + one bulk UPDATE of {N} rows)"
          f" · ratio {best_job / best_floor:.2f}× (target ≤ 3)"
          f" · tiny-snapshot floor {best_tiny:.2f} s, ratio {best_job / best_tiny:.2f}×")


if __name__ == "__main__":
    main()
