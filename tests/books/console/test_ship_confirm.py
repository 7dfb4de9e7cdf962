"""Ship Confirmation: pick a date, preview the day's shipments, confirm them to the store."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bizunosync.books.jobs import ship_confirm
from bizunosync.books.models import SalesOrder, Shipment
from bizunosync.store.models import Order
from bizunosync.sync.models import SyncJob

URL = "admin:books_console_ship_confirm"


def test_the_date_field_defaults_to_today_written_as_every_other_date(staff_client):
    page = staff_client.get(reverse(URL)).content.decode()

    assert f'name="date" value="{timezone.localdate():%Y-%m-%d}"' in page
    assert 'class="vDateField"' in page  # the admin's calendar, not the browser-locale picker


def test_the_preview_lists_orders_with_their_tracking_numbers_and_the_note(staff_client, shipped_order):
    page = staff_client.get(reverse(URL), {"date": "2026-11-27"}).content.decode()

    assert "WC1001" in page and "FedEx Ground" in page
    assert "Shipped 2026-11-27 via FedEx Ground, tracking number(s):<br>7946 1234, 7946 5678" in page
    assert "Confirm 1 order as shipped in the store" in page
    assert not SyncJob.objects.exists()


def test_an_order_without_a_store_reference_is_shown_as_skipped(staff_client, shipped_order):
    manual = SalesOrder.objects.create(billing_name="Walk-in")
    Shipment.objects.create(sales_order=manual, ship_date=dt.date(2026, 11, 27), carrier="UPS")

    sent, skipped = ship_confirm.confirmations(dt.date(2026, 11, 27))

    assert [c.ref for c in sent] == ["WC1001"] and [s.order_id for s in skipped] == [manual.pk]
    assert "none — skipped" in staff_client.get(reverse(URL), {"date": "2026-11-27"}).content.decode()


def test_a_malformed_date_is_a_form_error_not_a_500(staff_client):
    response = staff_client.get(reverse(URL), {"date": "2026-13-45"})

    assert response.status_code == 200
    assert "Enter a date as YYYY-MM-DD" in response.content.decode()


def test_a_day_without_shipments_offers_nothing_to_confirm(staff_client, shipped_order):
    page = staff_client.get(reverse(URL), {"date": "2026-11-26"}).content.decode()

    assert "No shipments on this day." in page and "as shipped in the store" not in page


@pytest.mark.django_db(transaction=True)
def test_confirming_marks_the_store_order_shipped_and_shows_the_store_answer(store_side, shipped_order, staff_client):
    Order.objects.create(number="1001", status="processing")

    response = staff_client.post(reverse(URL), {"date": "2026-11-27", "confirm": "yes"}, follow=True)

    order = Order.objects.get(number="1001")
    assert order.status == "shipped"
    assert order.notes.get().text == "Shipped 2026-11-27 via FedEx Ground, tracking number(s):\n7946 1234, 7946 5678"
    shown = [(m.level_tag, m.message) for m in response.context["messages"]]
    assert ("success", "Order status update complete, the following 1 order(s) were updated:  (WC1001)") in shown
    job = SyncJob.objects.get(kind=SyncJob.Kind.SHIP_CONFIRM)
    assert job.status == SyncJob.Status.SUCCEEDED and job.params == {"date": "2026-11-27"}


def test_the_command_sends_nothing_for_a_day_without_shipments(fault_store, capsys):
    from django.core.management import call_command

    call_command("ship_confirm", "--date", "2026-01-01")

    assert fault_store.requests == []
    assert "No shipments with a store order reference on 2026-01-01; nothing was sent." in capsys.readouterr().out


def test_the_command_posts_head_and_body_keyed_by_reference(fault_store, shipped_order):
    from django.core.management import call_command

    call_command("ship_confirm", "--date", "2026-11-27")

    assert fault_store.last.path.endswith("/order/confirm")
    assert fault_store.last.form["data"] == {
        "head": {"WC1001": "Shipped 2026-11-27 via FedEx Ground, tracking number(s):"},
        "body": {"WC1001": "7946 1234, 7946 5678"},
    }
