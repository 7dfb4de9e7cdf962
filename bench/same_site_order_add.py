"""Wall time of 100 orderAdd calls to this site's own portal: in-process vs over loopback HTTP.

Both go the whole way a real export goes: a sync job, its attempt row, the
PHP-form body, the portal's token check, the booking, the JSON answer read
back. Only the last hop differs: Django's handler in this process, or a
threaded WSGI server on 127.0.0.1 (Django's runserver server class).

    .venv/bin/python bench/same_site_order_add.py
"""

import threading
import time

from _setup import django_scratch

django_scratch()

from decimal import Decimal  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler  # noqa: E402

from bizunosync.books.models import Item, PortalSettings, SalesOrder  # noqa: E402
from bizunosync.sync.connections import BizunoConnection  # noqa: E402
from bizunosync.sync.inprocess import InProcessTransport  # noqa: E402
from bizunosync.sync.jobs import call, create_job  # noqa: E402
from bizunosync.sync.models import SyncJob  # noqa: E402
from bizunosync.sync.transport import Transport, bizuno_transport, portal_path  # noqa: E402
from bizunosync.wire import order_add  # noqa: E402
from tests.books.conftest import an_order as sample_order, line  # noqa: E402

CALLS = 100
TOKEN = "bench-same-site-token"


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def serve() -> tuple[ThreadedWSGIServer, str]:
    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    server.set_app(WSGIHandler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def an_order(po: str):
    return order_add.build(sample_order(po=po, lines=[line("TEA", "2")]))


RUNS = iter(range(1, 100))


def run(label: str) -> float:
    transport = bizuno_transport()
    expected = InProcessTransport if label == "in-process" else Transport
    assert type(transport) is expected, type(transport)
    run_number = next(RUNS)  # a fresh PO each call: Bizuno refuses a duplicate PO (answers, books nothing)
    started = time.perf_counter()
    for n in range(CALLS):
        po = f"{label[:2].upper()}{run_number}-{n}"
        job = create_job(SyncJob.Kind.ORDER_EXPORT, target=f"PO {po}", trigger=SyncJob.Trigger.COMMAND)
        reply = call(job, transport, "POST", portal_path("orderAdd"), form=an_order(po), idempotent=False)
        assert reply.result == "Success", reply.data
    return time.perf_counter() - started


def main():
    portal = PortalSettings.load()
    portal.set_token(TOKEN)
    portal.api_user = User.objects.create_user("bizuno-api")
    portal.save()
    Item.objects.create(sku="TEA", description_short="Tea", full_price=Decimal("6.90"), qty_on_hand=10**6)
    server, url = serve()
    conn = BizunoConnection.load()
    conn.url = f"{url}/bizuno/"
    conn.set_token(TOKEN)
    conn.save()
    rounds = 3
    http, local = [], []
    try:
        run("http")  # warm both paths once (imports, middleware, first queries)
        settings.SITE_URLS = [url]
        run("in-process")
        # Alternate, and keep each path's best round: the machine is shared, so a slow
        # moment should not decide the ratio.
        for _ in range(rounds):
            settings.SITE_URLS = []
            http.append(run("http"))
            settings.SITE_URLS = [url]
            local.append(run("in-process"))
    finally:
        server.shutdown()
    assert SalesOrder.objects.count() == (2 + 2 * rounds) * CALLS
    http, local = min(http), min(local)
    print(f"{CALLS} orderAdd calls: in-process {local:5.2f} s ({local / CALLS * 1000:5.1f} ms/call), "
          f"loopback HTTP {http:5.2f} s ({http / CALLS * 1000:5.1f} ms/call); HTTP takes {http / local:.2f}× "
          "the in-process time (best of 3 rounds each)")


if __name__ == "__main__":
    main()
