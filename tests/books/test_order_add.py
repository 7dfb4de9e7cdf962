"""orderAdd through the portal: booking, Bizuno's answers, and every kind of bad input."""

import json
from decimal import Decimal

import pytest

from bizunosync.books.models import Customer, Item, PaymentMethodMap, SalesOrder, SalesOrderLine
from bizunosync.sync.models import InboundCall
from bizunosync.sync.touched import refs_of
from bizunosync.wire import order_add, phpform

from .conftest import address, an_order, form_body, line

pytestmark = pytest.mark.django_db


def _counts():
    return (SalesOrder.objects.count(), SalesOrderLine.objects.count(), Customer.objects.count(),
            list(Item.objects.order_by("sku").values_list("qty_on_hand", "qty_on_sales_orders")))


def _errors(data):
    return [m["text"] for m in data["messages"]["error"]]


def _cautions(data):
    """Bizuno's msgAdd($text, 'caution') files under "warning", the key the plugin shows."""
    assert "caution" not in data["messages"]
    return [m["text"] for m in data["messages"].get("warning", [])]


# ------------------------------------------------------------------ booking


def test_an_order_in_stock_is_booked_as_an_invoice_and_takes_stock_off_hand(post_order, catalog):
    status, data = post_order(an_order(lines=[line("TEA", "2"), line("MUG", "1")]))

    assert status == 200
    assert data["result"] == "Success"
    order = SalesOrder.objects.get(pk=data["ID"])
    assert order.journal == "inv"
    assert order.get_journal_display() == "Invoice"
    tea, mug = Item.objects.get(sku="TEA"), Item.objects.get(sku="MUG")
    assert (tea.qty_on_hand, tea.qty_on_sales_orders) == (98, 0)
    assert (mug.qty_on_hand, mug.qty_on_sales_orders) == (1, 1)


def test_an_order_short_of_stock_is_booked_as_a_sales_order(post_order, catalog):
    # MUG: 2 on hand, 1 already on a sales order → 1 available, 2 wanted
    status, data = post_order(an_order(lines=[line("TEA", "2"), line("MUG", "2")]))

    order = SalesOrder.objects.get(pk=data["ID"])
    assert order.journal == "so"
    tea, mug = Item.objects.get(sku="TEA"), Item.objects.get(sku="MUG")
    assert (tea.qty_on_hand, tea.qty_on_sales_orders) == (100, 2)
    assert (mug.qty_on_hand, mug.qty_on_sales_orders) == (2, 3)
    assert any("Stock short for MUG: 1 available, 2 ordered" in text for text in _cautions(data))


def test_the_same_sku_on_two_lines_counts_together_against_stock(post_order, catalog):
    status, data = post_order(an_order(lines=[line("MUG", "1"), line("MUG", "1")]))

    assert SalesOrder.objects.get(pk=data["ID"]).journal == "so"


def test_services_never_run_short(post_order, catalog):
    status, data = post_order(an_order(lines=[line("GIFTWRAP", "50")]))

    assert SalesOrder.objects.get(pk=data["ID"]).journal == "inv"
    assert Item.objects.get(sku="GIFTWRAP").qty_on_hand == 0


def test_the_booked_order_carries_the_wire_fields(post_order, catalog, api_user):
    order = an_order(
        lines=[line("TEA", "2", "6.90", "2.62")],
        shipping=order_add.Address(primary_name="Kitchen Receiving", address1="Unit 4, Suite #5"),
    )
    status, data = post_order(order)

    booked = SalesOrder.objects.get(pk=data["ID"])
    assert booked.po_reference == "WC1001"
    assert str(booked.order_date) == "2026-11-27"
    assert (booked.total, booked.sales_tax, booked.freight) == (Decimal("21.32"), Decimal("2.62"), Decimal("4.90"))
    assert booked.shipping_method == "Flat rate"
    assert (booked.payment_method, booked.payment_title, booked.transaction_id) == (
        "stripe", "Credit card (Stripe)", "ch_123")
    assert booked.notes == "Leave at the back door"
    assert (booked.billing_name, booked.billing_city, booked.billing_email) == (
        "Maria Keller", "Berlin", "maria.keller@example.com")
    # shipping: its own name and street, the rest falls back to billing
    assert (booked.shipping_name, booked.shipping_address1, booked.shipping_city) == (
        "Kitchen Receiving", "Unit 4, Suite #5", "Berlin")
    assert (booked.source, booked.booked_by) == ("portal", api_user)
    [booked_line] = booked.lines.all()
    assert (booked_line.item.sku, booked_line.sku, booked_line.quantity, booked_line.unit_price,
            booked_line.sales_tax, booked_line.total) == ("TEA", "TEA", 2, Decimal("6.90"), Decimal("2.62"), Decimal("13.80"))


@pytest.mark.parametrize(
    "status, expected",
    [("processing", "authorized"), ("on-hold", "authorized"), ("auth", "authorized"), ("Authorize", "authorized"),
     ("completed", "captured"), ("pending", "captured"), ("", "captured")],
)
def test_payment_is_authorized_or_captured_as_bizuno_records_it(post_order, catalog, status, expected):
    _, data = post_order(an_order(status=status))

    assert SalesOrder.objects.get(pk=data["ID"]).payment_status == expected


def test_the_customer_is_matched_by_email_in_any_case(post_order, catalog):
    known = Customer.objects.create(name="Maria K.", email="Maria.Keller@Example.com")

    _, data = post_order(an_order(billing=address(email="MARIA.KELLER@example.COM")))

    assert SalesOrder.objects.get(pk=data["ID"]).customer == known
    assert Customer.objects.count() == 1


def test_a_new_email_creates_a_store_customer(post_order, catalog):
    _, data = post_order(an_order(customer_id="C7"))

    customer = SalesOrder.objects.get(pk=data["ID"]).customer
    assert (customer.name, customer.email, customer.customer_ref, customer.source, customer.city) == (
        "Maria Keller", "maria.keller@example.com", "C7", "store", "Berlin")
    assert any("New customer" in m["text"] for m in data["messages"]["info"])


def test_the_answer_has_bizunos_shape(post_order, catalog):
    _, data = post_order(an_order())

    assert set(data) == {"result", "ID", "messages"}
    assert isinstance(data["ID"], int)
    assert data["messages"]["success"] == [{"text": f"Booked invoice #{data['ID']} for WC1001."}]


def test_a_json_body_is_read_too(post_order, catalog):
    status, data = post_order(json.dumps(order_add.build(an_order())), content_type="application/json")

    assert (status, data["result"]) == (200, "Success")


def test_a_booking_is_logged_as_an_inbound_call(post_order, catalog):
    _, data = post_order(an_order(lines=[line("TEA"), line("MUG", "1")]))

    call = InboundCall.objects.get()
    assert (call.side, call.endpoint, call.method, call.result, call.http_status) == (
        "books", "orderAdd", "POST", "success", 200)
    assert (call.caller, call.item_count, call.changed_count) == ("bizuno-api", 2, 1)
    assert refs_of(call)[0] == [f"books.salesorder:{data['ID']}"]
    assert "Booked invoice" in call.note


# ------------------------------------------------------- unknown SKUs, dupes


def test_an_unknown_sku_counts_as_short_so_the_order_is_a_sales_order_with_a_warning(post_order, catalog):
    # Real Bizuno (controllers/api/order.php getStockLevels) reads no qty_stock for an unknown SKU:
    # null < qty, so journal 10, a sales order.
    status, data = post_order(an_order(lines=[line("TEA"), line("NOPE-1", "3")]))

    assert data["result"] == "Success"
    booked = SalesOrder.objects.get(pk=data["ID"])
    unknown = booked.lines.get(sku="NOPE-1")
    assert unknown.item is None and unknown.quantity == 3
    assert "SKU NOPE-1 not found in Bizuno; booked as a non-stock line in a sales order." in _cautions(data)
    assert booked.journal == "so"
    tea = Item.objects.get(sku="TEA")
    assert (tea.qty_on_hand, tea.qty_on_sales_orders) == (100, 2)  # promised, not taken off hand


def test_any_short_line_makes_a_sales_order_even_when_the_last_line_is_in_stock(post_order, catalog):
    # Real Bizuno lets the last line decide (it would book this as an invoice); ours is safer.
    _, data = post_order(an_order(lines=[line("MUG", "2"), line("TEA", "1")]))

    assert SalesOrder.objects.get(pk=data["ID"]).journal == "so"


def test_download_as_always_sales_order_books_an_order_in_stock_as_a_sales_order(post_order, catalog, portal):
    portal.download_as = "so"
    portal.save()
    _, data = post_order(an_order(lines=[line("TEA", "2")]))

    assert SalesOrder.objects.get(pk=data["ID"]).journal == "so"
    tea = Item.objects.get(sku="TEA")
    assert (tea.qty_on_hand, tea.qty_on_sales_orders) == (100, 2)


def test_download_as_always_invoice_books_a_short_order_as_an_invoice_and_says_so(post_order, catalog, portal):
    portal.download_as = "inv"
    portal.save()
    _, data = post_order(an_order(lines=[line("MUG", "2"), line("NOPE-1", "1")]))

    assert SalesOrder.objects.get(pk=data["ID"]).journal == "inv"
    mug = Item.objects.get(sku="MUG")
    assert (mug.qty_on_hand, mug.qty_on_sales_orders) == (0, 1)
    assert "Stock short for MUG: 1 available, 2 ordered; booked as an invoice (Download as: invoice)." in _cautions(data)
    assert ("SKU NOPE-1 not found in Bizuno; booked as a non-stock line in an invoice (Download as: invoice)."
            in _cautions(data))


def test_many_unknown_skus_are_summarised_not_listed_endlessly(post_order, catalog):
    lines = [line(f"GHOST-{i:03}", "1") for i in range(30)]
    _, data = post_order(an_order(lines=lines))

    cautions = [text for text in _cautions(data) if "GHOST" in text or "more SKUs" in text]
    assert len(cautions) == 21
    assert "10 more SKUs not found" in cautions[-1]


def test_with_refuse_duplicate_po_off_the_same_po_twice_is_booked_twice_and_both_are_flagged(post_order, catalog, portal):
    portal.refuse_duplicate_po = False
    portal.save()
    _, first = post_order(an_order(po="WC1001"))
    _, second = post_order(an_order(po="WC1001"))
    _, other = post_order(an_order(po="WC1002"))

    assert first["ID"] != second["ID"]
    assert SalesOrder.objects.filter(po_reference="WC1001").count() == 2
    assert set(SalesOrder.objects.filter(possible_duplicate=True).values_list("pk", flat=True)) == {
        first["ID"], second["ID"]}
    assert not any("already booked" in text for text in _cautions(first))
    assert any("already booked" in text and "possible duplicate" in text for text in _cautions(second))
    assert Item.objects.get(sku="TEA").qty_on_hand == 94


# -------------------------------------------------------------- bad input


def test_an_order_with_no_lines_fails_and_books_nothing(post_order, catalog):
    before = _counts()
    body = form_body(an_order(lines=[]))

    status, data = post_order(body)

    assert (status, data["result"]) == (200, "Fail")
    assert any(text.startswith("Item") for text in _errors(data))
    assert _counts() == before


@pytest.mark.parametrize(
    "field, value",
    [("Quantity", "two"), ("Quantity", ""), ("UnitPrice", "6,90"), ("TotalPrice", "NaN"), ("SalesTaxAmount", "1e999")],
)
def test_a_line_with_an_unreadable_number_fails_naming_the_field(post_order, catalog, field, value):
    before = _counts()
    form = order_add.build(an_order(lines=[line("TEA"), line("MUG", "1")]))
    form["Item"][1][field] = value

    status, data = post_order(phpform.encode(form))

    assert (status, data["result"]) == (200, "Fail")
    assert any(f"Item[1].{field}" in text for text in _errors(data))
    assert _counts() == before
    assert InboundCall.objects.get().result == "fail"


def test_every_bad_field_is_named_not_just_the_first(post_order, catalog):
    form = order_add.build(an_order(lines=[line("TEA"), line("MUG", "1")]))
    form["General"]["OrderTotal"] = "lots"
    form["General"]["OrderDate"] = "27/11/2026"
    form["Item"][0]["Quantity"] = "x"
    form["Item"][1]["UnitPrice"] = "y"

    _, data = post_order(phpform.encode(form))

    text = " ".join(_errors(data))
    for name in ("General.OrderTotal", "General.OrderDate", "Item[0].Quantity", "Item[1].UnitPrice"):
        assert name in text


def test_an_order_without_a_po_or_billing_email_fails(post_order, catalog):
    form = order_add.build(an_order())
    del form["General"]["PurchaseOrderID"]
    form["Billing"]["Email"] = ""

    _, data = post_order(phpform.encode(form))

    text = " ".join(_errors(data))
    assert "General.PurchaseOrderID" in text and "Billing.Email" in text
    assert SalesOrder.objects.count() == 0


def test_a_fractional_quantity_of_a_stock_item_fails_without_booking(post_order, catalog):
    before = _counts()
    _, data = post_order(an_order(lines=[line("TEA", "1"), line("MUG", "1.5")]))

    assert data["result"] == "Fail"
    assert any("Item[1].Quantity" in text and "whole number" in text for text in _errors(data))
    assert _counts() == before


def test_a_fractional_quantity_of_an_unknown_sku_is_booked(post_order, catalog):
    _, data = post_order(an_order(lines=[line("CONSULTING", "1.5")]))

    assert data["result"] == "Success"


@pytest.mark.parametrize(
    "body",
    [b"", b"   ", b"General%5BPurchaseOrderID%5D=%FF%FE", b"just some words", b"Item=abc&General=1&Billing=2"],
    ids=["empty", "blank", "not-utf8", "no-fields", "scalars-for-groups"],
)
def test_an_unreadable_body_fails_cleanly(post_order, catalog, body):
    before = _counts()
    status, data = post_order(body)

    assert (status, data["result"]) == (200, "Fail")
    assert _errors(data)
    assert _counts() == before


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"text"'])
def test_a_bad_json_body_fails_cleanly(post_order, catalog, body):
    status, data = post_order(body, content_type="application/json")

    assert (status, data["result"]) == (200, "Fail")
    assert SalesOrder.objects.count() == 0


def test_a_2000_line_order_books_every_line(post_order, catalog):
    lines = [line("TEA" if i % 2 else "GIFTWRAP", "1") for i in range(2000)]

    status, data = post_order(an_order(lines=lines))

    assert status == 200
    assert data["result"] == "Success"
    assert SalesOrder.objects.get(pk=data["ID"]).lines.count() == 2000
    assert Item.objects.get(sku="TEA").qty_on_sales_orders == 1000  # 100 on hand: short, a sales order


def test_an_order_past_the_line_limit_fails_cleanly(post_order, catalog):
    lines = [line("TEA", "1") for _ in range(order_add.MAX_LINES + 1)]
    before = _counts()

    status, data = post_order(an_order(lines=lines))

    assert status == 200
    assert data["result"] == "Fail"
    assert any(text.startswith("Item") for text in _errors(data))
    assert _counts() == before


def test_a_database_failure_answers_json_500_and_books_nothing(post_order, catalog, monkeypatch):
    from django.db import DatabaseError
    from django.db.models.query import QuerySet

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(QuerySet, "bulk_update", broken)
    before = _counts()

    status, data = post_order(an_order())

    assert (status, data["result"]) == (500, "Fail")
    assert "nothing was saved" in data["message"]["error"][0]["text"]
    assert _counts() == before
    assert InboundCall.objects.get().http_status == 500


@pytest.mark.parametrize("status, txid, caution", [
    ("completed", "ch_123", "WC1001 was paid at the cart; record the payment against it in Bizuno."),
    ("on-hold", "", "Payment for WC1001 is authorized but no authorization code was sent"),
])
def test_the_answer_carries_bizunos_payment_caution(post_order, catalog, status, txid, caution):
    _, data = post_order(an_order(status=status, transaction_id=txid))

    assert any(text.startswith(caution) for text in _cautions(data)), _cautions(data)


def test_an_authorized_payment_with_its_code_has_no_payment_caution(post_order, catalog):
    PaymentMethodMap.objects.create(store_method="stripe", bizuno_method="payfabric")
    _, data = post_order(an_order(status="processing", transaction_id="auth_9"))

    assert not any("payment" in text.lower() for text in _cautions(data))


def test_a_store_customer_takes_the_contact_data_of_their_latest_order(post_order, catalog):
    post_order(an_order(po="WC1001"))
    moved = address(city="Hamburg", address1="Elbchaussee 1")

    _, data = post_order(an_order(po="WC1002", billing=moved))

    customer = SalesOrder.objects.get(pk=data["ID"]).customer
    assert (customer.city, customer.address1) == ("Hamburg", "Elbchaussee 1")
    assert Customer.objects.count() == 1


def test_a_customer_the_bookkeeper_entered_keeps_their_data_when_matched(post_order, catalog):
    known = Customer.objects.create(name="Maria K.", email="maria.keller@example.com", city="Munich")

    post_order(an_order(billing=address(city="Hamburg")))

    known.refresh_from_db()
    assert (known.name, known.city) == ("Maria K.", "Munich")
