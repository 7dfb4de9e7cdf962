"""Peak memory of a Quick Refresh at 1,000 and at 50,000 items: the catalog is read chunk by chunk.

    .venv/bin/python bench/refresh_memory.py
    createdb -h 127.0.0.1 -U postgres bench_a   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_a .venv/bin/python bench/refresh_memory.py

Each measurement is its own process, so one size's objects cannot hide in another's figure:
a set-up process fills the database (N items, 3 price tiers each, as a shop with tiers has),
then a fresh process runs the Quick Refresh job against a trivial store peer (a separate
process that answers "Updated N of N products.") and reports

* heap: the Python heap's peak during the job (tracemalloc), what the job itself holds;
* rss:  the process's peak resident memory (ru_maxrss), interpreter and Django included.

The catalog itself is read 500 items at a time and each chunk is freed as soon as it is sent;
the job's links to the items it sent (so each item's sync history links to the job) are written
to the touched-records table batch by batch, not held by the job: the line gives how many rows
the 50,000-item job wrote there.

The 1,000-item run is the floor; the line gives 50,000 against it as ratios (target ≤ 1.5).
For scale it also measures, in its own process, reading the 50,000 items at once
(``list(flagged_items())`` and the refresh items), as the job did before.
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEER = r'''
import re, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_PUT(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        n = body.count(b"%5BSKU%5D=")
        out = ('{"result":"Success","note":"Updated %d of %d products.","message":[]}' % (n, n)).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out))); self.end_headers(); self.wfile.write(out)
    do_POST = do_PUT
s = ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
'''


def setup_django():
    sys.path.insert(0, str(HERE))
    from _setup import django_scratch

    django_scratch()


def fill(n: int) -> None:
    from decimal import Decimal

    from django.db import connection

    from bizunosync.books.models import Item, LastPushed, PriceLevel, PriceSheet

    for model in (LastPushed, PriceLevel, Item):
        model.objects.all()._raw_delete(connection.alias)
    sheet, _ = PriceSheet.objects.get_or_create(name="Retail", defaults={"is_default": True})
    for start in range(0, n, 5000):
        items = Item.objects.bulk_create(
            Item(sku=f"SKU-{i:06d}", description_short=f"Item {i}", full_price=Decimal("12.00"),
                 qty_on_hand=10 + i % 7, weight=Decimal("1.5"), sync_to_store=True)
            for i in range(start, min(n, start + 5000))
        )
        if connection.vendor != "postgresql" and items and items[0].pk is None:
            items = list(Item.objects.filter(sku__in=[i.sku for i in items]))
        PriceLevel.objects.bulk_create(
            PriceLevel(sheet=sheet, item=item, qty=q, price=Decimal(p))
            for item in items for q, p in ((1, "12.00"), (6, "11.00"), (12, "10.00"))
        )


def measure(n: int, peer_url: str) -> dict:
    from bizunosync.sync import jobs
    from bizunosync.sync.connections import StoreConnection
    from bizunosync.sync.models import SyncJob

    conn = StoreConnection.load()
    conn.url, conn.email = peer_url, "bench@example.com"
    conn.set_password("bench")
    conn.save()
    job = jobs.create_job(SyncJob.Kind.QUICK_REFRESH, target=f"{n} items", trigger=SyncJob.Trigger.COMMAND)
    tracemalloc.start()
    jobs.run_job(job.pk)
    heap = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    job.refresh_from_db()
    assert job.status == SyncJob.Status.SUCCEEDED and job.processed == n, job.summary
    # The job's links to every item it sent: rows in the table, written batch by batch, not in the job's memory.
    links = job.touched_records.count()
    assert links == n, links
    return {"heap": heap, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            "batches": job.result["batches_done"], "links": links}


def whole(n: int) -> dict:
    from bizunosync.books.jobs import quick_refresh

    tracemalloc.start()
    items = list(quick_refresh.flagged_items(False))
    todo = [quick_refresh.refresh_item(item) for item in items]
    heap = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(todo) == n
    return {"heap": heap, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}


def child(args):
    setup_django()
    what, n = args[0], int(args[1])
    if what == "fill":
        fill(n)
        print("{}")
    elif what == "run":
        print(json.dumps(measure(n, args[2])))
    else:
        print(json.dumps(whole(n)))


def run_child(env, *args) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", *map(str, args)], env=env, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    env = dict(os.environ)
    work = tempfile.mkdtemp(prefix="bizunosync-bench-mem-")
    env.setdefault("DATABASE_URL", f"sqlite:///{work}/bench.sqlite3")
    env.setdefault("LOG_LEVEL", "WARNING")
    # DEBUG keeps every query's SQL (up to 9,000) in memory: production runs without it.
    env["DEBUG"] = "false"
    env.setdefault("SECRET_KEY", "bench-" + "x" * 50)
    peer = subprocess.Popen([sys.executable, "-c", PEER], stdout=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{peer.stdout.readline().strip()}"
        figures = {}
        for n in (1000, 50000):
            run_child(env, "fill", n)
            figures[n] = run_child(env, "run", n, url)
        before = run_child(env, "whole", 50000)
    finally:
        peer.terminate()
    mib = 1024 * 1024
    small, big = figures[1000], figures[50000]
    vendor = "postgresql" if env["DATABASE_URL"].startswith("postgres") else "sqlite"
    print(
        f"quick_refresh peak memory ({vendor}, 3 tiers an item): 1,000 items heap {small['heap'] / mib:.1f} MiB, "
        f"rss {small['rss'] / mib:.1f} MiB ({small['batches']} batches); 50,000 items heap {big['heap'] / mib:.1f} MiB, "
        f"rss {big['rss'] / mib:.1f} MiB ({big['batches']} batches); ratio 50k/1k heap "
        f"{big['heap'] / small['heap']:.2f}x, rss {big['rss'] / small['rss']:.2f}x (target <= 1.5); the 50k job's links "
        f"to the items it sent are {big['links']:,} rows in the touched-records table, written batch by batch; "
        f"reading the 50,000 at once (as before) takes heap {before['heap'] / mib:.1f} MiB"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
    else:
        main()
