"""`seed_demo --site-url` connects both sides of one site to each other over HTTP."""

from io import StringIO

import pytest
from django.core.management import call_command

from bizunosync.books.models import PortalSettings
from bizunosync.sync.connections import BizunoConnection, StoreConnection
from bizunosync.sync.transport import bizuno_transport, portal_path, store_transport


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_both_sides_share_a_fresh_token_that_is_not_in_the_repo():
    output = seed("--site-url", "http://127.0.0.1:8000")

    token = BizunoConnection.load().token_plain
    assert token and token == PortalSettings.load().token_plain
    assert BizunoConnection.load().url == "http://127.0.0.1:8000/bizuno/"
    assert StoreConnection.load().url == "http://127.0.0.1:8000"
    assert token not in output and StoreConnection.load().password_plain not in output


@pytest.mark.django_db
def test_a_connection_to_a_real_bizuno_is_left_alone():
    conn = BizunoConnection.load()
    conn.url = "https://books.example.com/"
    conn.set_token("the-real-one")
    conn.save()

    output = seed("--site-url", "http://127.0.0.1:8000")

    assert BizunoConnection.load().token_plain == "the-real-one"
    assert "left alone" in output


@pytest.mark.django_db
def test_a_bad_site_url_is_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--site-url"):
        seed("--site-url", "127.0.0.1:8000")


@pytest.mark.django_db(transaction=True)
def test_the_wired_sides_talk_to_each_other_over_http(live_server):
    seed("--site-url", live_server.url)

    rates = bizuno_transport().request("GET", portal_path("shipGetRates"), params={
        "country": "US", "state": "CA", "postcode": "94105", "totalWeight": "1"})
    assert [rate["id"] for rate in rates.data["rates"]]

    # Nothing to confirm: the store answers as the plugin does, Fail with its info.
    confirm = store_transport().request("POST", "order/confirm", form={"data": {}},
                                        fail_without_errors_is_an_answer=True)
    assert confirm.status == 200 and confirm.messages.texts("info") == ["No orders were sent to confirm!"]


@pytest.mark.django_db
def test_the_order_the_demo_books_already_hold_is_not_exported_twice():
    from bizunosync.books.models import SalesOrder
    from bizunosync.store.models import Order

    seed()
    seed()

    booked = SalesOrder.objects.get(po_reference="WC1001")
    assert Order.objects.get(number="1001").bizuno_id == str(booked.pk)
    assert Order.objects.filter(exported=False).count() == 3
