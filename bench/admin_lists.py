"""Admin list pages at a grown shop's size: 300,000 sync jobs, 1,000,000 attempts, 300,000 inbound calls,
100,000 orders. Time (best of 3) and queries of each page, as a superuser.

    .venv/bin/python bench/admin_lists.py                      # SQLite, /tmp/bizunosync-bench-admin/
    createdb -h 127.0.0.1 -U postgres bench_f                  # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_f .venv/bin/python bench/admin_lists.py

The data is made once with INSERT … SELECT over a recursive counter (a minute or two) and kept in
that database for the next run (--fresh makes it again). Nothing is written into the repository.
"""

import os
import sys
import time

os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/bizunosync-bench-admin/bench.sqlite3")
if os.environ["DATABASE_URL"].startswith("sqlite:////tmp/bizunosync-bench-admin/"):
    os.makedirs("/tmp/bizunosync-bench-admin", exist_ok=True)

from _setup import django_scratch  # noqa: E402

django_scratch()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bizunosync.store.models import Order  # noqa: E402
from bizunosync.sync.models import InboundCall, SyncAttempt, SyncJob, TouchedRecord  # noqa: E402

JOBS, ATTEMPTS, CALLS, ORDERS = 300_000, 1_000_000, 300_000, 100_000
PG = connection.vendor == "postgresql"


def ago(seconds_sql):
    if PG:
        return f"now() - ({seconds_sql}) * interval '1 second'"
    return f"strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || ({seconds_sql}) || ' seconds')"


def pick(expr, values):
    return "CASE " + " ".join(f"WHEN {expr} = {i} THEN '{v}'" for i, v in enumerate(values)) + " END"


def fill(model, count, overrides):
    """INSERT … SELECT count rows: overridden columns are SQL in n (1…count), the rest the field's default."""
    cols, exprs, params = [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        cols.append(connection.ops.quote_name(f.column))
        if f.column in overrides:
            exprs.append(overrides[f.column].replace("%", "%%"))  # the SQL has % (modulo, strftime); params follow
            continue
        value = None if f.null and not f.has_default() else f.get_default()
        exprs.append(f"CAST(%s AS {f.db_type(connection)})" if PG else "%s")
        params.append(None if value is None else f.get_db_prep_save(value, connection))
    table = connection.ops.quote_name(model._meta.db_table)
    sql = (f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {count}) "
           f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(exprs)} FROM s")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def make_data():
    started = time.perf_counter()
    with transaction.atomic():
        for model in (TouchedRecord, SyncAttempt, SyncJob, InboundCall, Order):
            model.objects.all()._raw_delete(connection.alias)
        kinds = ["order_export"] * 6 + ["ship_rates", "quick_refresh", "product_upload", "ship_confirm"]
        statuses = ["succeeded"] * 7 + ["failed", "needs_review", "cancelled"]
        fill(SyncJob, JOBS, {
            "kind": pick("n % 10", kinds), "status": pick("(n / 10) % 10", statuses),
            "target": "'PO WC' || (1000 + n)", "summary": "'Bizuno booked the order as ' || (1000 + n) || '.'",
            "created": ago("n * 200"), "started": ago("n * 200"), "finished": ago("n * 200 - 2"),
            "attempt_count": "1 + n % 4", "failure_class": pick("n % 20", ["connection"] + [""] * 19),
        })
        first = SyncJob.objects.order_by("pk").values_list("pk", flat=True).first()
        fill(SyncAttempt, ATTEMPTS, {
            "job_id": f"{first} + n % {JOBS}", "number": f"1 + n / {JOBS}", "started": ago(f"(n % {JOBS}) * 200"),
            "url": "'https://books.example.com/bizuno/portal/api.php'", "method": "'POST'", "http_status": "200",
            "error": "CASE WHEN n % 20 = 0 THEN 'Connection refused by books.example.com port ' || (n % 1000) ELSE '' END",
        })
        fill(InboundCall, CALLS, {
            "endpoint": pick("n % 3", ["product/refresh", "order/confirm", "product/update"]),
            "method": "'PUT'", "caller": "'bizuno@example.com'", "http_status": "200",
            "result": pick("n % 50", ["fail"] + ["success"] * 49), "note": "'Updated ' || (n % 100) || ' of 100 products.'",
            "received": ago("n * 200"), "side": "'store'",
        })
        fill(Order, ORDERS, {
            "number": "'' || (1000 + n)", "created": ago("n * 600"),
            "status": pick("n % 4", ["processing", "completed", "on-hold", "shipped"]),
            "billing_last_name": "'Customer' || n", "billing_email": "'c' || n || '@example.com'",
            "payment_title": pick("n % 3", ["Card", "Cash on delivery", "Bank transfer"]), "exported": "n % 5 <> 0",
            "total": "n % 500",
        })
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


PAGES = [
    ("sync jobs", "/admin/sync/syncjob/"),
    ("sync jobs: failed", "/admin/sync/syncjob/?status__exact=failed"),
    ("sync jobs: needs attention", "/admin/sync/syncjob/?attention=1"),
    ("sync jobs: kind", "/admin/sync/syncjob/?kind__exact=quick_refresh"),
    ("sync jobs: search PO", "/admin/sync/syncjob/?q=WC151234"),
    ("sync jobs: search error", "/admin/sync/syncjob/?q=refused"),
    ("sync jobs: page 20", "/admin/sync/syncjob/?p=20"),
    ("sync job page", None),
    ("inbound calls", "/admin/sync/inboundcall/"),
    ("inbound calls: fail", "/admin/sync/inboundcall/?result__exact=fail"),
    ("inbound calls: endpoint", "/admin/sync/inboundcall/?endpoint__exact=order%2Fconfirm"),
    ("inbound calls: search", "/admin/sync/inboundcall/?q=bizuno"),
    ("orders", "/admin/store/order/"),
    ("orders: processing", "/admin/store/order/?status__exact=processing"),
    ("orders: not exported", "/admin/store/order/?exported__exact=0"),
    ("orders: search number", "/admin/store/order/?q=51234"),
]


def main():
    if "--fresh" in sys.argv or SyncAttempt.objects.count() != ATTEMPTS:
        print(f"making data: {make_data():.0f} s", flush=True)
    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_staff": True, "is_superuser": True})
    client = Client()
    client.force_login(admin)
    job = SyncJob.objects.filter(attempt_count=4).order_by("-created").first()
    worst = 0.0
    print(f"admin lists [{connection.vendor}] {JOBS:,} jobs · {ATTEMPTS:,} attempts · {CALLS:,} calls · {ORDERS:,} orders")
    for name, url in PAGES:
        url = url or f"/admin/sync/syncjob/{job.pk}/change/"
        times = []
        for _ in range(3):
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
        worst = max(worst, min(times))
        print(f"  {name:28} {min(times) * 1000:7.1f} ms  {len(queries.captured_queries):3} queries"
              f"  slowest {float(slowest['time']) * 1000:6.1f} ms: {slowest['sql'][:110]}")
    print(f"admin lists [{connection.vendor}]: slowest page {worst * 1000:.0f} ms (target < 300 ms on PostgreSQL)")


if __name__ == "__main__":
    main()
