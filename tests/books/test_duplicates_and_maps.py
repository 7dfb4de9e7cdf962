"""orderAdd on our books side: a PO is booked once, and methods are mapped, not guessed."""

import pytest

from bizunosync.books.models import Item, PaymentMethodMap, PortalSettings, SalesOrder, ShippingMethodMap
from bizunosync.sync.models import InboundCall

from .conftest import an_order, line

pytestmark = pytest.mark.django_db


def _warnings(data):
    # Bizuno spells the level "caution"; read either spelling.
    block = data["messages"] or {}
    return [m["text"] for level in ("warning", "caution") for m in block.get(level, [])]


# ------------------------------------------------------- refuse a duplicate PO


def test_refuse_a_duplicate_po_is_on_by_default():
    assert PortalSettings.load().refuse_duplicate_po is True


def test_a_second_order_add_for_a_booked_po_books_nothing_and_answers_the_first_id(post_order, catalog):
    _, first = post_order(an_order(po="WC1001"))
    stock = Item.objects.get(sku="TEA").qty_on_hand

    status, second = post_order(an_order(po="WC1001"))

    assert status == 200
    assert (second["result"], second["ID"]) == ("Success", first["ID"])
    assert _warnings(second) == [f"PO WC1001 was already booked as #{first['ID']}; not booked again."]
    assert "success" not in second["messages"]
    assert SalesOrder.objects.filter(po_reference="WC1001").count() == 1
    assert not SalesOrder.objects.filter(possible_duplicate=True).exists()
    assert Item.objects.get(sku="TEA").qty_on_hand == stock  # no stock moved twice
    call = InboundCall.objects.order_by("-pk").first()
    assert call.note == f"PO WC1001 was already booked as #{first['ID']}; not booked again."


def test_a_different_po_is_still_booked(post_order, catalog):
    _, first = post_order(an_order(po="WC1001"))
    _, other = post_order(an_order(po="WC1002"))

    assert other["ID"] != first["ID"]
    assert SalesOrder.objects.count() == 2


def test_with_duplicates_booked_earlier_the_answer_is_the_first_booking(post_order, catalog, portal):
    portal.refuse_duplicate_po = False
    portal.save()
    _, first = post_order(an_order(po="WC1001"))
    _, second = post_order(an_order(po="WC1001"))
    portal.refuse_duplicate_po = True
    portal.save()

    _, third = post_order(an_order(po="WC1001"))

    assert third["ID"] == first["ID"]
    assert _warnings(third) == [
        f"PO WC1001 was already booked as #{first['ID']} (also as #{second['ID']}); not booked again."]
    assert SalesOrder.objects.filter(po_reference="WC1001").count() == 2


def test_a_refused_duplicate_that_is_also_invalid_still_fails_naming_the_field(post_order, catalog):
    post_order(an_order(po="WC1001"))

    status, data = post_order(an_order(po="WC1001", lines=[]))

    assert data["result"] == "Fail"
    assert SalesOrder.objects.count() == 1


# ---------------------------------------------------------------- method maps


@pytest.fixture
def maps(db):
    ShippingMethodMap.objects.create(store_method="FedEx Ground", bizuno_carrier="fedex:GND")
    PaymentMethodMap.objects.create(store_method="stripe", bizuno_method="payfabric")


def test_a_mapped_carrier_and_payment_method_are_booked_with_bizunos_codes(post_order, catalog, maps):
    _, data = post_order(an_order(shipping_carrier="fedex ground ", payment_method="Stripe"))

    order = SalesOrder.objects.get(pk=data["ID"])
    assert (order.shipping_method, order.carrier_code) == ("fedex ground ", "fedex:GND")  # kept as sent
    assert (order.payment_method, order.payment_code) == ("Stripe", "payfabric")
    assert not any("method map" in text for text in _warnings(data))


def test_a_payment_method_is_mapped_by_its_title_when_its_id_is_not(post_order, catalog):
    PaymentMethodMap.objects.create(store_method="Credit card (Stripe)", bizuno_method="creditcard")

    _, data = post_order(an_order(payment_method="stripe", payment_title="Credit card (Stripe)"))

    assert SalesOrder.objects.get(pk=data["ID"]).payment_code == "creditcard"


def test_an_unmapped_method_is_booked_as_sent_with_a_warning_naming_it(post_order, catalog, maps):
    _, data = post_order(an_order(shipping_carrier="Flat rate", payment_method="cod", payment_title="Cash on delivery"))

    order = SalesOrder.objects.get(pk=data["ID"])
    assert (order.shipping_method, order.carrier_code) == ("Flat rate", "")
    assert (order.payment_method, order.payment_code) == ("cod", "")
    warnings = _warnings(data)
    assert "Shipping method “Flat rate” is not in the Shipping method map; booked as sent, with no Bizuno carrier." in warnings
    assert ("Payment method “Cash on delivery (cod)” is not in the Payment method map; booked as sent, with no "
            "Bizuno payment method.") in warnings


def test_an_order_without_a_shipping_method_gets_no_shipping_warning(post_order, catalog):
    _, data = post_order(an_order(shipping_carrier=""))

    assert not any("Shipping method" in text for text in _warnings(data))


def test_two_map_entries_for_one_method_in_different_case_are_refused(db):
    from django.db import IntegrityError, transaction

    ShippingMethodMap.objects.create(store_method="Flat rate", bizuno_carrier="flat:std")
    with pytest.raises(IntegrityError), transaction.atomic():
        ShippingMethodMap.objects.create(store_method="FLAT RATE", bizuno_carrier="ups:GND")


def test_booking_with_maps_costs_the_same_queries_for_2_or_40_lines(catalog, maps, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bizunosync.books.services.booking import book_order

    for i in range(40):
        Item.objects.create(sku=f"S{i:02}", description_short=f"Stock {i}", qty_on_hand=10)
    counts = []
    for po, n in (("A", 2), ("B", 40)):
        with CaptureQueriesContext(connection) as ctx:
            book_order(an_order(po=po, shipping_carrier="FedEx Ground", lines=[line(f"S{i:02}", "1") for i in range(n)]))
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(__import__("django.db").db.connection.vendor != "postgresql",
                    reason="needs PostgreSQL locks and concurrent connections")
def test_two_sends_of_one_po_at_the_same_moment_book_it_once(catalog):
    import threading

    from django.db import connections

    from bizunosync.books.services.booking import book_order

    barrier, results = threading.Barrier(2), []

    def send():
        try:
            barrier.wait()
            results.append(book_order(an_order(po="WC1001")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert SalesOrder.objects.filter(po_reference="WC1001").count() == 1
    assert sorted(r.duplicate for r in results) == [False, True]
    assert len({r.order_id for r in results}) == 1
