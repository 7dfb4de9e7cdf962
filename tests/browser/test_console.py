"""The store console in Chromium: Quick Refresh's live bar, ship confirmation, the sync log after the loop.

How the bar gets to move in a test: in production the console queues the job
(``sync.jobs.submit``, after commit) and the ``db_worker`` process runs it
while the browser polls the progress endpoint. The test suite's task backend
is the ImmediateBackend, which would run the whole job inside the POST, so
the browser would only ever see 100 %. Here the test switches the task
backend to django-tasks' DummyBackend (enqueue records, runs nothing) and
plays the worker itself: a background thread takes the jobs handed to the backend and runs
them with ``run_job`` — the same call the worker's task makes — while the
threaded live server answers the page's polls. A small per-batch pause
(``BOOKS_CONSOLE_BATCH_DELAY``, test-only) keeps 250 items slow enough for
a screenshot mid-run.
"""

from __future__ import annotations

import queue
import threading
from decimal import Decimal

import pytest
from django.db import connections
from django.utils import timezone
from django_tasks.signals import task_enqueued

from bizunosync.books.models import Item, Package, SalesOrder, Shipment
from bizunosync.store.export.service import export_order
from bizunosync.store.models import Product
from bizunosync.sync.jobs import run_job, run_job_task
from bizunosync.sync.models import SyncJob
from tests.e2e.conftest import catalog, store_order, wired  # noqa: F401
from tests.support.browser import admin_login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


class Worker(threading.Thread):
    """Stands in for `manage.py db_worker`: runs the jobs handed to the task backend, as they are handed.

    Only what was enqueued, as db_worker does: an export staff run in the foreground
    (`export_order`) is a queued row no task points at, and a worker that took any
    queued row could claim it first and leave the foreground run "busy".
    """

    def __init__(self):
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.enqueued: queue.Queue[int] = queue.Queue()
        self.shared = connections["default"]
        # SQLite's in-memory test database lives in this one connection: share it,
        # as Django's live server thread does. PostgreSQL gets its own connection.
        self.share = self.shared.vendor == "sqlite" and self.shared.is_in_memory_db()
        if self.share:
            self.shared.inc_thread_sharing()
        task_enqueued.connect(self._handed, weak=False)

    def _handed(self, sender, task_result, **kwargs):
        if task_result.task.func is run_job_task.func and task_result.task.run_after is None:
            self.enqueued.put(task_result.args[0])  # a deferred retry waits for its time: not run here

    def run(self):
        if self.share:
            connections["default"] = self.shared
        try:
            while not self.stop.is_set():
                try:
                    job_id = self.enqueued.get(timeout=0.1)
                except queue.Empty:
                    continue
                run_job(job_id)
        finally:
            if not self.share:
                connections.close_all()

    def halt(self):
        task_enqueued.disconnect(self._handed)
        self.stop.set()
        self.join(10)
        if self.share:
            self.shared.dec_thread_sharing()


@pytest.fixture
def worker(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.BOOKS_CONSOLE_BATCH_DELAY = 1.2
    thread = Worker()
    thread.start()
    yield thread
    thread.halt()


@pytest.fixture
def big_catalog(catalog):  # noqa: F811
    """250 flagged items (the two of the loop and 248 more), all known to the store."""
    Item.objects.bulk_create(
        Item(sku=f"BULK-{n:03d}", description_short=f"Bulk item {n}", full_price=Decimal("4.50") + n,
             qty_on_hand=n, sync_to_store=True)
        for n in range(248)
    )
    Product.objects.bulk_create(
        Product(sku=f"BULK-{n:03d}", name=f"Bulk item {n}", slug=f"bulk-{n:03d}", regular_price=Decimal("1"),
                price=Decimal("1"))
        for n in range(248)
    )


def test_quick_refresh_ship_confirmation_and_the_sync_log(
    wired, big_catalog, store_order, worker, page, admin_user_with_password  # noqa: F811
):
    base = wired.url
    admin_login(page, base, "boss", "boss-password")

    # Quick Refresh: the bar moves while the worker sends 3 batches.
    page.goto(f"{base}/admin/books/item/console/")
    screenshot(page, "store-console")
    page.click("input[value='Run Quick Refresh']")
    bar = page.locator(".sync-progress [role=progressbar]")
    page.wait_for_function(
        "() => { const v = +document.querySelector('.sync-progress [role=progressbar]').getAttribute('aria-valuenow');"
        " return v > 0 && v < 100; }",
        timeout=15_000,
    )
    mid = int(bar.get_attribute("aria-valuenow"))
    assert 0 < mid < 100
    # The line under the bar said "queued" when the page loaded; the poll brings it up to date.
    assert " is running, " in page.locator("#job-pulse").inner_text()
    page.wait_for_timeout(500)  # let the bar's width transition (0.4 s) finish before the picture
    screenshot(page, "quick-refresh-progress")

    page.wait_for_selector("#job-summary", timeout=20_000)  # the page reloads when the job is done
    assert "Processed 250 items, updated 250." in page.locator("#job-summary").inner_text()
    assert bar.get_attribute("aria-valuenow") == "100"
    screenshot(page, "quick-refresh-done")
    assert Product.objects.get(sku="BULK-007").regular_price == Decimal("11.50")

    # The store's order reaches the books, which ship it today.
    assert export_order(store_order).ok
    booked = SalesOrder.objects.get(po_reference="WC1001")
    shipment = Shipment.objects.create(sales_order=booked, ship_date=timezone.localdate(), carrier="FedEx",
                                       service="Ground")
    Package.objects.bulk_create([Package(shipment=shipment, tracking_number="794612345678"),
                                 Package(shipment=shipment, tracking_number="794612345679")])

    # Ship confirmation: the date picker, the preview, the store's answer.
    page.goto(f"{base}/admin/books/item/console/")
    date_input = page.locator("#ship-confirm input[name=date]")
    assert date_input.input_value() == timezone.localdate().isoformat()
    page.click("#ship-confirm input[type=submit]")
    page.wait_for_selector("#ship-preview")
    assert "794612345678, 794612345679" in page.locator("#ship-preview").inner_text()
    screenshot(page, "ship-confirm-preview")

    page.click("input[value^='Confirm 1 order']")
    page.wait_for_selector("#job-summary", timeout=15_000)
    # The plugin's two spaces are in the message; HTML shows them as one.
    assert "the following 1 order(s) were updated: (WC1001)" in page.locator(".messagelist").inner_text()
    screenshot(page, "ship-confirm-done")

    # The sync log after the loop: refresh, export, confirmation, all succeeded.
    page.set_viewport_size({"width": 1680, "height": 900})  # the log's summary column needs the room
    page.goto(f"{base}/admin/sync/syncjob/")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 3
    assert page.locator("#result_list").inner_text().count("Succeeded") == 3
    screenshot(page, "sync-log-after-loop")
