"""The booking service on its own: big orders, query cost, all-or-nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bizunosync.books.models import Customer, Item, SalesOrder, SalesOrderLine
from bizunosync.books.services.booking import book_order
from bizunosync.wire.order_add import OrderAddInvalid

from .conftest import an_order, line

pytestmark = pytest.mark.django_db


def _queries(order):
    with CaptureQueriesContext(connection) as ctx:
        book_order(order)
    return len(ctx.captured_queries)


def test_a_2000_line_order_books_every_line(catalog):
    lines = [line("TEA" if i % 2 else f"FREE-{i}", "1", "1.00", "0") for i in range(2000)]

    booking = book_order(an_order(lines=lines))

    order = SalesOrder.objects.get(pk=booking.order_id)
    assert order.lines.count() == 2000
    assert list(order.lines.order_by("position").values_list("position", flat=True)[:3]) == [1, 2, 3]
    assert order.journal == "so"  # 1000 teas, 100 on hand
    assert Item.objects.get(sku="TEA").qty_on_sales_orders == 1000


def test_booking_costs_the_same_queries_for_2_or_40_lines(catalog):
    for i in range(40):
        Item.objects.create(sku=f"S{i:02}", description_short=f"Stock {i}", qty_on_hand=10)
    Customer.objects.create(name="Maria", email="maria.keller@example.com")

    small = _queries(an_order(po="A", lines=[line("S00", "1"), line("S01", "1")]))
    large = _queries(an_order(po="B", lines=[line(f"S{i:02}", "1") for i in range(40)]))

    assert small == large
    # 10, plus the portal settings (one query), the two method maps and (PostgreSQL) the PO lock
    assert small <= 14


def test_a_failure_after_writing_starts_leaves_nothing_booked(catalog, monkeypatch):
    # The stock update is the last write: if the database fails there, the
    # order, its lines and the new customer written before it must vanish too.
    from django.db import DatabaseError
    from django.db.models.query import QuerySet

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(QuerySet, "bulk_update", broken)

    with pytest.raises(DatabaseError):
        book_order(an_order(lines=[line("TEA", "1"), line("GHOST", "1")]))

    assert (SalesOrder.objects.count(), SalesOrderLine.objects.count(), Customer.objects.count()) == (0, 0, 0)
    assert Item.objects.get(sku="TEA").qty_on_hand == 100


def test_an_order_without_lines_is_refused_by_the_service(catalog):
    with pytest.raises(OrderAddInvalid) as caught:
        book_order(an_order(lines=[]))

    assert caught.value.errors[0].field == "Item"
    assert SalesOrder.objects.count() == 0


def test_an_absurd_total_quantity_is_refused_before_touching_stock(catalog):
    lines = [line("TEA", "99999999") for _ in range(20)]

    with pytest.raises(OrderAddInvalid):
        book_order(an_order(lines=lines))

    assert Item.objects.get(sku="TEA").qty_on_sales_orders == 0
