"""The order list says where each order stands with Bizuno, and filters by it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bizunosync.store.export.service import export_order
from bizunosync.store.models import Order, OrderNote
from bizunosync.sync.jobs import create_job
from bizunosync.sync.models import SyncJob
from tests.support.faultserver import FaultServer, json_reply

pytestmark = pytest.mark.django_db

ORDERS = reverse("admin:store_order_changelist")


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def export_job(number, status, **fields):
    job = create_job(SyncJob.Kind.ORDER_EXPORT, target=f"PO WC{number}", trigger=SyncJob.Trigger.STAFF)
    SyncJob.objects.filter(pk=job.pk).update(status=status, **fields)
    return job


@pytest.fixture
def one_of_each(connect, make_order):
    """1001 booked as ID 2, 1002 retrying, 1003 needs review, 1004 failed, 1005 never sent, 1006 failed then booked."""
    connect("https://books.example.com/bizuno/")
    make_order(number="1001", exported=True, bizuno_id="2")
    make_order(number="1002")
    export_job("1002", SyncJob.Status.QUEUED, next_attempt_at=timezone.now() + timedelta(seconds=25), auto_retries=1)
    make_order(number="1003")
    export_job("1003", SyncJob.Status.NEEDS_REVIEW)
    make_order(number="1004")
    export_job("1004", SyncJob.Status.FAILED)
    make_order(number="1005")
    make_order(number="1006", exported=True, bizuno_id="7")
    export_job("1006", SyncJob.Status.FAILED)


def row_of(html: str, number: str) -> str:
    start = html.index(f">{number}</a>")
    return html[start:html.index("</tr>", start)]


def test_the_order_list_shows_each_orders_sync_state_in_one_query_for_all_rows(
    staff_client, one_of_each, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14):
        html = staff_client.get(ORDERS).content.decode()

    assert "Booked (ID 2)" in row_of(html, "1001")
    assert "Retrying" in row_of(html, "1002") and "next try in 25 s, retry 1 of 3" in row_of(html, "1002")
    assert "Needs review" in row_of(html, "1003")
    assert ">Failed</span>" in row_of(html, "1004")
    assert "sync-state-not_exported" in row_of(html, "1005") and "Not yet exported" in row_of(html, "1005")
    assert "Booked (ID 7)" in row_of(html, "1006")  # Bizuno's ID wins over an older failed job


def test_more_orders_do_not_mean_more_queries(staff_client, one_of_each, make_order, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        staff_client.get(ORDERS)
    for n in range(1010, 1030):
        make_order(number=str(n))
        export_job(str(n), SyncJob.Status.FAILED)
    with django_assert_num_queries(len(few.captured_queries)):
        staff_client.get(ORDERS)


@pytest.mark.parametrize("state, shown", [
    ("booked", {"1001", "1006"}), ("retrying", {"1002"}), ("needs_review", {"1003"}), ("failed", {"1004"}),
    ("not_exported", {"1005"}),
])
def test_the_sync_state_filter_lists_exactly_those_orders(staff_client, one_of_each, state, shown):
    page = staff_client.get(ORDERS, {"bizuno": state})

    assert {o.number for o in page.context["cl"].result_list} == shown


def test_the_filter_offers_every_state_by_name(staff_client, one_of_each):
    html = staff_client.get(ORDERS).content.decode()

    for label in ("Booked", "Retrying", "Needs review", "Failed", "Not yet exported"):
        assert f'?bizuno=' in html and f">{label}</a>" in html


def test_exporting_adds_an_order_note_naming_the_bizuno_id_and_the_sync_job(connect, make_order):
    with FaultServer(json_reply({"result": "Success", "ID": 2})) as server:
        connect(server.url)
        result = export_order(make_order())

    note = OrderNote.objects.get(order__number="1001")
    assert note.text == f"Exported to Bizuno as ID 2, sync job #{result.job.pk}"
    assert note.customer_visible is False


def test_the_exported_flag_and_bizuno_id_are_read_only_on_the_order_page(staff_client, connect, make_order):
    connect("https://books.example.com/bizuno/")
    order = make_order(exported=True, bizuno_id="2")
    url = reverse("admin:store_order_change", args=[order.pk])

    html = staff_client.get(url).content.decode()

    assert 'name="exported"' not in html and 'name="bizuno_id"' not in html
    assert 'class="readonly">2</div>' in html


def test_an_order_placed_on_the_fallback_rate_is_flagged_shipping_to_confirm(staff_client, connect, make_order):
    connect("https://books.example.com/bizuno/")
    make_order(number="1001", shipping_to_confirm=True)
    make_order(number="1002")

    html = staff_client.get(ORDERS).content.decode()
    flagged = staff_client.get(ORDERS, {"shipping_to_confirm__exact": "1"})

    assert "Shipping to confirm" in row_of(html, "1001") and "Shipping to confirm" not in row_of(html, "1002")
    assert [o.number for o in flagged.context["cl"].result_list] == ["1001"]
    assert Order.objects.get(number="1002").shipping_to_confirm is False
