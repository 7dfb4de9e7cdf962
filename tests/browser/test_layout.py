"""The back office on a phone (390 px) and a laptop (1280 px): tables fit, no list loses a column.

At 390 px every visible table is at least 90% of the viewport wide and no
wider than it, except that a wide table may scroll inside its own box; the
page itself never scrolls sideways. At 1280 px (the sidebar closed, as it
starts below 1600 px) every column heading of the order list, the sync job
list and the inbound calls is inside the list's box without scrolling.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from bizunosync.books.models import Item
from bizunosync.store.export.service import export_order
from bizunosync.store.models import Order
from bizunosync.sync import jobs
from bizunosync.sync.models import SyncJob
from tests.e2e.conftest import catalog, store_order, wired  # noqa: F401
from tests.support.browser import admin_login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}

MEASURE = """() => {
  const vw = window.innerWidth, tables = [];
  for (const t of document.querySelectorAll('table')) {
    const r = t.getBoundingClientRect();
    if (!t.offsetParent || r.width === 0) continue;  // hidden: the sidebar, a closed calendar
    let box = null;
    for (let a = t.parentElement; a && a !== document.body; a = a.parentElement) {
      const ox = getComputedStyle(a).overflowX;
      if (ox === 'auto' || ox === 'scroll') { box = a.getBoundingClientRect(); break; }
    }
    const name = t.id || (t.querySelector('caption') || {}).textContent || t.className || 'table';
    tables.push({name: name.trim().slice(0, 40), width: Math.round(r.width),
                 visible: Math.round(box ? Math.min(r.width, box.width) : r.width),
                 right: Math.round(box ? box.right : r.right)});
  }
  return {vw, page: document.documentElement.scrollWidth, tables};
}"""

COLUMNS = """() => {
  const t = document.getElementById('result_list');
  const box = t.closest('.results');
  const right = box.getBoundingClientRect().right;
  return {scrolls: box.scrollWidth > box.clientWidth + 1,
          headings: Array.from(t.querySelectorAll('thead th')).map(th => th.textContent.trim()),
          cut: Array.from(t.querySelectorAll('thead th')).filter(th => th.getBoundingClientRect().right > right + 1)
                    .map(th => th.textContent.trim())};
}"""


@pytest.fixture
def busy_log(wired, catalog, store_order):  # noqa: F811
    """An exported order, two more waiting, two Quick Refreshes (the second with changes), over real HTTP."""
    assert export_order(store_order).ok
    for number in ("1002", "1003"):
        Order.objects.create(number=number, status="processing", billing_first_name="Wei", billing_last_name="Li",
                             billing_email=f"o{number}@example.com", billing_company="O'Brien & Sons Catering",
                             total=Decimal("125.79"), payment_title="Direct bank transfer")
    for change in (None, {"full_price": Decimal("11.25"), "qty_on_hand": 31}):
        if change:
            Item.objects.filter(sku="MUG").update(**change)
        job = jobs.create_job(SyncJob.Kind.QUICK_REFRESH, target="2 items", trigger=SyncJob.Trigger.STAFF)
        jobs.run_job(job.pk)
    return SyncJob.objects.filter(kind=SyncJob.Kind.QUICK_REFRESH).latest("pk")


def walk(page, base, busy_log):
    refresh = busy_log
    return [
        ("index", "/admin/"),
        ("orders", "/admin/store/order/"),
        ("sync-jobs", "/admin/sync/syncjob/"),
        ("sync-job", f"/admin/sync/syncjob/{refresh.pk}/change/"),
        ("console", "/admin/books/item/console/"),
        ("quick-refresh-changes", f"/admin/books/item/console/job/{refresh.pk}/"),
        ("quick-refresh-preview", "/admin/books/item/console/quick-refresh/preview/"),
        ("ship-confirm", "/admin/books/item/console/ship-confirm/"),
        ("inbound-calls", "/admin/sync/inboundcall/"),
    ]


def test_at_390px_every_table_fits_the_phone_or_scrolls_in_its_own_box(
    busy_log, live_server, page, admin_user_with_password
):
    page.set_viewport_size(PHONE)
    admin_login(page, live_server.url, "boss", "boss-password")
    problems = []
    for name, url in walk(page, live_server.url, busy_log):
        page.goto(live_server.url + url)
        found = page.evaluate(MEASURE)
        screenshot(page, f"phone-{name}")
        vw = found["vw"]
        if found["page"] > vw:
            problems.append(f"{name}: the page is {found['page']} px wide on a {vw} px screen")
        for t in found["tables"]:
            if t["visible"] < 0.9 * vw:
                problems.append(f"{name}: table {t['name']!r} is {t['visible']} px, under 90% of {vw}")
            if t["right"] > vw:
                problems.append(f"{name}: table {t['name']!r} runs off the screen (right edge {t['right']})")
        assert found["tables"] or name == "sync-job", f"{name}: no table measured"
    assert not problems, "\n".join(problems)


def test_at_1280px_no_list_loses_a_column(busy_log, live_server, page, admin_user_with_password):
    page.set_viewport_size(LAPTOP)
    admin_login(page, live_server.url, "boss", "boss-password")
    assert page.locator("#main").get_attribute("class") == "main"  # the sidebar starts closed below 1600 px
    screenshot(page, "laptop-index")
    problems = []
    for name, url in [("orders", "/admin/store/order/"), ("sync-jobs", "/admin/sync/syncjob/"),
                      ("inbound-calls", "/admin/sync/inboundcall/"), ("items", "/admin/books/item/"),
                      ("products", "/admin/store/product/"), ("sales-orders", "/admin/books/salesorder/")]:
        page.goto(live_server.url + url)
        found = page.evaluate(COLUMNS)
        screenshot(page, f"laptop-{name}")
        if found["cut"] or found["scrolls"]:
            problems.append(f"{name}: columns off the right edge: {found['cut']} (of {found['headings']})")
    assert not problems, "\n".join(problems)


def test_the_quick_refresh_page_lists_what_changed_at_both_widths(busy_log, live_server, page, admin_user_with_password):
    admin_login(page, live_server.url, "boss", "boss-password")
    page.goto(f"{live_server.url}/admin/books/item/console/job/{busy_log.pk}/")

    changes = page.locator("#refresh-changes")
    assert "MUG" in changes.inner_text()
    assert "Price 12.00 → 11.25" in changes.inner_text() and "Stock 29 → 23" in changes.inner_text()
    assert "1 changed · 1 unchanged." in page.locator("#refresh-counts").inner_text()
    screenshot(page, "quick-refresh-changes")  # the phone's is phone-quick-refresh-changes, from the walk
