"""A real export to the books side's portal over HTTP (live_server): the order is booked with its lines and customer."""

from decimal import Decimal

import pytest

from bizunosync.books.models import Customer as BooksCustomer
from bizunosync.books.models import Item, PortalSettings, SalesOrder
from bizunosync.store.export.service import Outcome, export_order
from bizunosync.store.export.triggers import order_placed
from bizunosync.sync.models import SyncJob

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "live-portal-token-8Kd3"


@pytest.fixture
def books(live_server, django_user_model, connect):
    portal = PortalSettings.load()
    portal.set_token(TOKEN)
    portal.api_user = django_user_model.objects.create_user("bizuno-api")
    portal.save()
    Item.objects.create(sku="TEA", description_short="Tea", full_price="6.90", qty_on_hand=100)
    Item.objects.create(sku="MUG", description_short="Mug", full_price="12", qty_on_hand=50)
    return connect(f"{live_server.url}/bizuno", token=TOKEN, read_timeout=10)


def test_an_exported_order_is_booked_in_bizuno_with_its_lines_and_customer(books, make_order):
    order = make_order(billing_company="Keller Teehaus GmbH")

    result = export_order(order)

    order.refresh_from_db()
    assert result.outcome == Outcome.EXPORTED, result.summary
    booked = SalesOrder.objects.get(pk=int(order.bizuno_id))
    assert booked.po_reference == "WC1001"
    assert (booked.billing_name, booked.billing_contact, booked.billing_email) == (
        "Keller Teehaus GmbH", "Maria Keller", "maria.keller@example.com")
    assert booked.customer == BooksCustomer.objects.get(email="maria.keller@example.com")
    assert [(l.sku, l.quantity, l.unit_price, l.total) for l in booked.lines.order_by("position")] == [
        ("TEA", Decimal("2"), Decimal("6.90"), Decimal("13.80")),
        ("MUG", Decimal("3"), Decimal("12.00"), Decimal("36.00")),
    ]
    assert (booked.total, booked.sales_tax, booked.freight) == (Decimal("64.16"), Decimal("9.46"), Decimal("4.90"))
    assert booked.payment_status == SalesOrder.PaymentStatus.AUTHORIZED  # order status "processing"


def test_a_wrong_token_fails_without_marking_the_order(books, make_order, connect, live_server):
    connect(f"{live_server.url}/bizuno", token="not-the-token")
    order = make_order()

    result = export_order(order)

    order.refresh_from_db()
    assert (result.outcome, order.exported, SalesOrder.objects.count()) == (Outcome.FAILED, False, 0)
    assert "refused the credentials (HTTP 403)" in result.summary


def test_a_placed_order_exports_itself_after_commit_when_autodownload_is_on(books, make_order):
    books.autodownload = True
    books.save()
    order = make_order()

    job = order_placed(order)  # outside a transaction: on_commit runs at once; ImmediateBackend runs the job

    order.refresh_from_db()
    job.refresh_from_db()
    assert (job.trigger, job.status) == (SyncJob.Trigger.CHECKOUT, SyncJob.Status.SUCCEEDED)
    assert order.exported and SalesOrder.objects.filter(pk=int(order.bizuno_id), po_reference="WC1001").exists()
