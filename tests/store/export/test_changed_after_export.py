"""Orders changed in the store after Bizuno booked them: recorded, listed, with what to do in Bizuno."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from bizunosync.store.export import changes
from bizunosync.store.export.service import Outcome, export_order, queue_export
from bizunosync.store.models import Order, OrderLine
from bizunosync.sync.models import SyncJob
from tests.support.faultserver import FaultServer, dead_url, json_reply

pytestmark = pytest.mark.django_db

LIST = reverse("admin:store_orderchangedafterexport_changelist")


def booked(bizuno_id=12, journal="invoice"):
    return json_reply({"result": "Success", "ID": bizuno_id,
                       "messages": {"success": [{"text": f"Booked {journal} #{bizuno_id} for WC1001."}]}})


@pytest.fixture
def exported(connect, make_order):
    """Order 1001 (2 × TEA, 3 × MUG), exported and booked as invoice #12."""
    with FaultServer(booked()) as server:
        connect(server.url)
        order = make_order()
        assert export_order(order).outcome == Outcome.EXPORTED
    order.refresh_from_db()
    return order


def report(order):
    order = Order.objects.prefetch_related("lines").get(pk=order.pk)
    found, actions = changes.report_for(order)
    return [str(c) for c in found], actions


def test_the_export_records_what_it_sent(exported):
    sent = exported.export_snapshot

    assert (sent["bizuno_id"], sent["journal"], sent["status"]) == ("12", "invoice", "processing")
    assert sent["lines"]["MUG"] == {"sku": "MUG", "name": "Stoneware mug", "quantity": 3, "total": "36.00", "tax": "6.84"}
    assert sent["totals"] == {"subtotal": "49.80", "tax_total": "9.46", "shipping_total": "4.90", "total": "64.16"}
    assert sent["billing"]["city"] == "Berlin"
    assert exported.changed_after_export is False


def test_an_untouched_exported_order_is_not_listed(exported, admin_client):
    exported.save()  # saved again, nothing changed

    exported.refresh_from_db()
    assert exported.changed_after_export is False
    assert "1001" not in admin_client.get(LIST).content.decode()


def test_a_line_quantity_lowered_after_export_says_credit_the_difference(exported):
    line = exported.lines.get(sku="MUG")
    line.quantity, line.total, line.subtotal = 2, Decimal("24.00"), Decimal("24.00")
    line.save()

    exported.refresh_from_db()
    assert exported.changed_after_export is True
    found, actions = report(exported)
    assert found == ["Line MUG: 3 × MUG = 36.00 → 2 × MUG = 24.00"]
    assert actions == ["Credit 1 × MUG on invoice #12."]


def test_a_line_removed_and_one_added_after_export(exported):
    exported.lines.get(sku="TEA").delete()
    OrderLine.objects.create(order=exported, sku="HONEY", name="Honey", quantity=1, subtotal=5, total=5)

    found, actions = report(exported)
    assert found == ["Line TEA: 2 × TEA = 13.80 → —", "Line HONEY: — → 1 × HONEY = 5.00"]
    assert actions == ["Credit 2 × TEA on invoice #12.",
                       "Invoice 1 × HONEY more (add it to invoice #12 or book a new order)."]
    exported.refresh_from_db()
    assert exported.changed_after_export is True


def test_a_cancelled_exported_order_says_void_the_invoice(exported):
    exported.status = Order.Status.CANCELLED
    exported.save()

    found, actions = report(exported)
    assert found == ["Status: Processing → Cancelled"]
    assert actions == ["Void invoice #12 (the order was cancelled in the store)."]


def test_a_refunded_exported_order_says_credit_the_whole_invoice(exported):
    exported.status = Order.Status.REFUNDED
    exported.save()

    assert report(exported)[1] == ["Credit the whole invoice #12 (the order was refunded in the store)."]


def test_an_edited_ship_to_and_freight_after_export(exported):
    exported.shipping_address_1, exported.shipping_city, exported.shipping_postcode = "Hafenweg 3", "Hamburg", "20457"
    exported.shipping_total, exported.total = Decimal("9.90"), Decimal("69.16")
    exported.save()

    found, actions = report(exported)
    assert found == ["Shipping: 4.90 → 9.90", "Total: 64.16 → 69.16", "Ship-to: — → Hafenweg 3, 20457 Hamburg"]
    assert actions == ["Change the freight on invoice #12: 4.90 → 9.90.", "Update the ship-to address on invoice #12."]


def test_a_change_undone_takes_the_order_off_the_list(exported):
    exported.status = Order.Status.CANCELLED
    exported.save()
    exported.status = Order.Status.PROCESSING
    exported.save()

    exported.refresh_from_db()
    assert exported.changed_after_export is False


def test_the_admin_list_shows_the_cancelled_and_the_edited_order_with_what_to_do(connect, make_order, admin_client):
    with FaultServer(booked(12), booked(13, "sales order"), booked(14)) as server:
        connect(server.url)
        cancelled, edited, untouched = make_order("1001"), make_order("1002"), make_order("1003")
        for order in (cancelled, edited, untouched):
            export_order(order)
    cancelled.refresh_from_db()
    cancelled.status = Order.Status.CANCELLED
    cancelled.save()
    line = edited.lines.get(sku="MUG")
    line.quantity = 2
    line.save()

    page = admin_client.get(LIST).content.decode()

    assert "Void invoice #12 (the order was cancelled in the store)." in page
    assert "Credit 1 × MUG on sales order #13." in page
    assert "<strong>Line MUG</strong>: 3 × MUG = 36.00 → 2 × MUG = 36.00" in page
    assert ">1003<" not in page
    assert "2 orders changed after export" in page


def test_marking_handled_empties_the_list_and_leaves_a_note(exported, admin_client):
    exported.status = Order.Status.CANCELLED
    exported.save()

    response = admin_client.post(LIST, {"action": "mark_handled", "_selected_action": [exported.pk]}, follow=True)

    assert "Marked as handled in Bizuno: 1001." in response.content.decode()
    exported.refresh_from_db()
    assert exported.changed_after_export is False
    note = exported.notes.order_by("pk").last()  # after the export's own "Exported to Bizuno as ID …"
    assert note.text == ("Changes after export handled in Bizuno by admin: Status: Processing → Cancelled. "
                         "Done: Void invoice #12 (the order was cancelled in the store).")


def test_staff_without_order_rights_cannot_open_the_list(client, django_user_model, exported):
    client.force_login(django_user_model.objects.create_user("clerk", is_staff=True))

    assert client.get(LIST).status_code == 403


# --------------------------------------------------- cancelled before export


def test_an_order_cancelled_before_export_is_never_sent(connect, make_order):
    with FaultServer(booked()) as server:
        connect(server.url)
        order = make_order(status=Order.Status.CANCELLED)
        result = export_order(order)
        forced = export_order(order, force=True)

    assert (result.outcome, result.summary) == (Outcome.FAILED, "Order 1001 is cancelled; not sent to Bizuno.")
    assert forced.outcome == Outcome.FAILED
    assert server.requests == []
    assert not Order.objects.get(pk=order.pk).exported


def test_a_pending_automatic_export_is_cancelled_when_the_order_is_cancelled(connect, make_order):
    connect(dead_url())  # nothing listens: the export waits for its automatic retry
    order = make_order()
    result = export_order(order)
    assert result.job.status == SyncJob.Status.QUEUED

    order.status = Order.Status.CANCELLED
    order.save()

    job = SyncJob.objects.get(pk=result.job.pk)
    assert job.status == SyncJob.Status.CANCELLED
    assert job.summary == "Not sent: order 1001 was cancelled in the store before its export."


def test_an_export_job_that_finds_its_order_cancelled_sends_nothing(connect, make_order):
    from bizunosync.store.export.service import new_job
    from bizunosync.sync.jobs import run_job

    with FaultServer(booked()) as server:
        connect(server.url)
        order = make_order()
        job = new_job(order)
        Order.objects.filter(pk=order.pk).update(status=Order.Status.CANCELLED)  # no save(): the job is not cancelled
        job = run_job(job.pk)

    assert job.status == SyncJob.Status.FAILED
    assert job.summary == "Order 1001 was not sent: it was cancelled in the store before its export."
    assert server.requests == []


def test_a_queued_checkout_export_of_a_cancelled_order_sends_nothing(connect, make_order):
    with FaultServer(booked()) as server:
        connect(server.url)
        order = make_order(status=Order.Status.CANCELLED)
        assert queue_export(order) is None
    assert server.requests == []


def test_export_orders_all_unexported_leaves_cancelled_orders_alone(connect, make_order, capsys):
    with FaultServer(booked()) as server:
        connect(server.url)
        make_order("1001", status=Order.Status.CANCELLED)
        make_order("1002")
        call_command("export_orders", "--all-unexported")

    assert [r.form["General"]["PurchaseOrderID"] for r in server.requests] == ["WC1002"]


def test_the_order_page_says_it_changed_after_export_and_what_to_do(exported, admin_client):
    exported.status = Order.Status.CANCELLED
    exported.save()

    page = admin_client.get(reverse("admin:store_order_change", args=[exported.pk])).content.decode()

    assert "Status: Processing → Cancelled" in page
    assert "To do in Bizuno: Void invoice #12 (the order was cancelled in the store)." in page


def test_the_digest_gets_the_changed_orders_as_plain_data_in_fixed_queries(exported, django_assert_num_queries):
    exported.status = Order.Status.CANCELLED
    exported.save()

    with django_assert_num_queries(2):
        rows = changes.changed_orders()

    assert rows == [{"number": "1001", "bizuno_id": "12", "changes": ["Status: Processing → Cancelled"],
                     "to_do": ["Void invoice #12 (the order was cancelled in the store)."]}]


def test_the_alert_digest_lists_an_order_changed_after_export_once_with_what_to_do(exported, admin_user):
    from datetime import timedelta

    from django.core import mail
    from django.utils import timezone

    from bizunosync.sync import alerts
    from bizunosync.sync.alert_models import AlertSettings

    alert = AlertSettings.load()
    alert.recipients.add(admin_user)
    exported.status = Order.Status.CANCELLED
    exported.save()

    alerts.send_alerts(now=timezone.now())
    alerts.send_alerts(now=timezone.now() + timedelta(hours=1))  # the same change is not told twice

    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert "1 order changed after export" in digest.subject
    assert "- Order 1001 (Bizuno ID 12): Status: Processing → Cancelled" in digest.body
    assert "To do in Bizuno: Void invoice #12 (the order was cancelled in the store)." in digest.body
    assert "/admin/store/orderchangedafterexport/" in digest.body

    line = exported.lines.get(sku="MUG")
    line.quantity = 1
    line.save()
    alerts.send_alerts(now=timezone.now() + timedelta(hours=2))  # a further change is news
    assert len(mail.outbox) == 2


@pytest.mark.parametrize("status", [Order.Status.SHIPPED, Order.Status.COMPLETED, Order.Status.ON_HOLD])
def test_an_order_going_on_with_its_normal_life_after_export_is_not_listed(exported, status):
    exported.status = status
    exported.save()

    exported.refresh_from_db()
    assert exported.changed_after_export is False
    assert report(exported) == ([], [])


def test_a_ship_confirmation_from_bizuno_does_not_list_the_order(exported, client, alice):
    from tests.store.conftest import post

    head = "Shipped 11/28/2026 via UPS Ground, tracking number(s):"
    answer = post(client, "order/confirm", {"head": {"WC1001": head}, "body": {"WC1001": "1Z999"}}).json()

    exported.refresh_from_db()
    assert exported.status == Order.Status.SHIPPED, answer
    assert exported.changed_after_export is False
