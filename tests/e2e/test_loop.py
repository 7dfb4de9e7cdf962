"""The whole loop, both sides on one site: over real HTTP (a live server) and in-process.

books items → Quick Refresh → store catalog; a store order → orderAdd → a
books sales order; a shipment → ship confirmation for its date → the store
order is shipped, with the tracking note. Staff actions go through the admin.
"""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from bizunosync.books.models import Package, SalesOrder, Shipment
from bizunosync.store.export.service import export_order
from bizunosync.store.models import Order, Product
from bizunosync.sync.models import SyncAttempt, SyncJob

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["http", "in-process"])
def transport(request):
    """Which topology: 'http' (the live server on loopback) or 'in-process' (no server at all)."""
    request.getfixturevalue("wired" if request.param == "http" else "wired_in_process")
    return request.param


def test_items_reach_the_store_an_order_reaches_the_books_and_its_shipment_comes_back(
    transport, catalog, store_order, admin_client
):
    # 1. Quick Refresh from the console.
    refresh = admin_client.post(reverse("admin:books_console_quick_refresh"), follow=True)
    assert refresh.status_code == 200
    job = SyncJob.objects.get(kind=SyncJob.Kind.QUICK_REFRESH)
    assert (job.status, job.summary) == (SyncJob.Status.SUCCEEDED, "Processed 2 items, updated 2.")

    mug, tea = Product.objects.get(sku="MUG"), Product.objects.get(sku="TEA")
    # 32 mugs and 100 teas available in Bizuno, less the 3 and 2 in order 1001, which is not in Bizuno yet
    assert (mug.regular_price, mug.price, mug.stock_quantity, mug.stock_status) == (
        Decimal("12"), Decimal("12"), 29, "instock")
    assert [(t.qty, t.price) for t in mug.tiers_sorted] == [(1, Decimal("12")), (12, Decimal("10.5"))]
    assert (tea.regular_price, tea.sale_price, tea.price, tea.stock_quantity) == (
        Decimal("6.9"), Decimal("5.9"), Decimal("5.9"), 98)
    assert list(tea.tiers_sorted) == []  # no multi-level sheet: the stale store tier is cleared

    # 2. The store exports its order to the books (orderAdd).
    exported = export_order(store_order)
    assert exported.ok, exported.summary
    booked = SalesOrder.objects.get(po_reference="WC1001")
    assert booked.pk == int(exported.bizuno_id)
    assert [(line.sku, line.quantity, line.unit_price) for line in booked.lines.order_by("position")] == [
        ("MUG", Decimal("3"), Decimal("12")), ("TEA", Decimal("2"), Decimal("5.9"))]
    assert booked.customer.email == "maria.keller@example.com" and booked.billing_name == "Maria Keller"
    store_order.refresh_from_db()
    assert store_order.exported

    # 3. The books ship it today; ship confirmation for today's date.
    today = timezone.localdate()
    shipment = Shipment.objects.create(sales_order=booked, ship_date=today, carrier="FedEx", service="Ground")
    Package.objects.bulk_create([Package(shipment=shipment, tracking_number="794612345678"),
                                 Package(shipment=shipment, tracking_number="794612345679")])
    preview = admin_client.get(reverse("admin:books_console_ship_confirm"), {"date": today.isoformat()})
    assert "794612345678" in preview.content.decode()

    confirmed = admin_client.post(reverse("admin:books_console_ship_confirm"),
                                  {"date": today.isoformat(), "confirm": "yes"}, follow=True)

    assert ("success", "Order status update complete, the following 1 order(s) were updated:  (WC1001)") in [
        (m.level_tag, m.message) for m in confirmed.context["messages"]]
    store_order.refresh_from_db()
    assert store_order.status == "shipped"
    # The export's own note (staff only) first, then Bizuno's ship note for the customer.
    exported, note = store_order.notes.order_by("pk")
    assert exported.text.startswith(f"Exported to Bizuno as ID {store_order.bizuno_id}, sync job #")
    assert not exported.customer_visible
    assert note.customer_visible
    assert note.text == (f"Shipped {today:%Y-%m-%d} via FedEx Ground, tracking number(s):\n"
                         "794612345678, 794612345679")

    # The sync log tells the story, one job per step.
    kinds = list(SyncJob.objects.order_by("created").values_list("kind", "status"))
    assert kinds == [("quick_refresh", "succeeded"), ("order_export", "succeeded"), ("ship_confirm", "succeeded")]
    # …and says how each call went: every attempt marked in-process, or none.
    marks = {a.request_summary.get("transport", "http") for a in SyncAttempt.objects.all()}
    assert marks == {transport}
