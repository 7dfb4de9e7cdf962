"""p50/p99 latency at a steady request rate against gunicorn with 4 worker processes.

    .venv/bin/python bench/latency_gunicorn.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_f .venv/bin/python bench/latency_gunicorn.py

Three streams, one after the other, each open-loop (requests start on a fixed schedule whatever
the answers do, from a pool of client threads):

* a 100-item Quick Refresh (PUT product/refresh, every product changing) at RATE_REFRESH per second;
* product pages (GET /product/<slug>/, 1,000 products) at RATE_PAGES per second;
* cached shipping rates (GET /shop/rates/…, the answer in the shared cache) at RATE_PAGES per second.

The cache is Redis (CACHE_URL, default redis://127.0.0.1:6379/3) so the four processes share the
credential cache and the rates, as in production. Latency is measured from each request's send.
"""

import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/3")

from _setup import ROOT, django_scratch, sync_user  # noqa: E402

django_scratch()

import requests  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402

from bizunosync.store.models import PriceTier, Product  # noqa: E402
from bizunosync.store.rates import service as rates  # noqa: E402
from bizunosync.sync.connections import BizunoConnection  # noqa: E402
from bizunosync.wire import phpform  # noqa: E402

PRODUCTS, SECONDS = 1000, 15
RATE_REFRESH, RATE_PAGES = 4, 20
PASSWORD = "bench-latency-password"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(port):
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "bench-only-secret-key-" + "x" * 40, "SECURE_SSL_REDIRECT": "false",
           "ALLOWED_HOSTS": "127.0.0.1", "DJANGO_SETTINGS_MODULE": "bridge.settings"}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "bridge.wsgi:application", "-w", "4", "-b",
                             f"127.0.0.1:{port}", "--log-level", "warning"], cwd=ROOT, env=env)
    for _ in range(300):
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=2)
            return proc
        except requests.RequestException:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def steady(rate, make_request):
    """Send rate × SECONDS requests on schedule; latencies in seconds."""
    latencies, lock = [], threading.Lock()
    local = threading.local()

    def one(i):
        session = getattr(local, "session", None) or setattr(local, "session", requests.Session()) or local.session
        started = time.perf_counter()
        response = make_request(session, i)
        took = time.perf_counter() - started
        assert response.status_code == 200, (response.status_code, response.text[:200])
        with lock:
            latencies.append(took)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=16) as pool:
        for i in range(rate * SECONDS):
            delay = t0 + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, i)
    return latencies


def pct(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main():
    headers = sync_user(PASSWORD)
    PriceTier.objects.all().delete()
    Product.objects.all().delete()
    Product.objects.bulk_create(Product(sku=f"L{i:04d}", name=f"Latency {i}", slug=f"latency-{i}", price=Decimal("2.50"),
                                        regular_price=Decimal("2.50"), stock_quantity=5, manage_stock=True)
                                for i in range(PRODUCTS))
    conn = BizunoConnection.load()
    conn.url = "https://books.example.invalid/bizuno"
    conn.set_token("bench-token")
    conn.rates_cache_seconds = 3600
    conn.save()
    destination = {"country": "US", "state": "NY", "postcode": "10001", "city": "New York"}
    key = rates.cache_key(conn, rates.read_destination(destination, "2"))
    cache.set(key, [["fedex:GND", "FedEx Ground", "12.40"]], 3600)

    port = free_port()
    server = start(port)
    base = f"http://127.0.0.1:{port}"
    auth = {"email": headers["HTTP_EMAIL"], "pass": headers["HTTP_PASS"]}
    bodies = [phpform.encode({"data": [{"SKU": f"L{(r * 100 + i) % PRODUCTS:04d}", "QtyStock": str(r % 90 + i % 7),
                                        "Price": f"{2 + r % 5}.{i % 90 + 10}"} for i in range(100)]}) for r in range(50)]
    try:
        requests.put(f"{base}/wp-json/bizuno-api/v1/product/refresh", data=bodies[0], headers=auth)  # warm the credential cache
        refresh = steady(RATE_REFRESH, lambda s, i: s.put(
            f"{base}/wp-json/bizuno-api/v1/product/refresh", data=bodies[(i + 1) % len(bodies)],
            headers={**auth, "Content-Type": "application/x-www-form-urlencoded"}))
        pages = steady(RATE_PAGES, lambda s, i: s.get(f"{base}/product/latency-{(i * 37) % PRODUCTS}/"))
        cached = steady(RATE_PAGES, lambda s, i: s.get(f"{base}/shop/rates/", params={**destination, "weight": "2"}))
        source = requests.get(f"{base}/shop/rates/", params={**destination, "weight": "2"}).json()["source"]
        assert source == "cache", source
    finally:
        server.terminate()
        server.wait(10)
    figures = " · ".join(
        f"{name} p50 {pct(v, 0.5) * 1000:.1f} ms p99 {pct(v, 0.99) * 1000:.1f} ms (n={len(v)}, {rate}/s)"
        for name, v, rate in (("refresh 100 items", refresh, RATE_REFRESH), ("product page", pages, RATE_PAGES),
                              ("cached rates", cached, RATE_PAGES)))
    print(f"gunicorn 4 processes [{connection.vendor}]: {figures}")


if __name__ == "__main__":
    main()
