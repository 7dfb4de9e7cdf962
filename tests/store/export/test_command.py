"""`manage.py export_orders`: one line per order, nothing sent twice."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bizunosync.store.models import Order
from tests.support.faultserver import FaultServer, dead_url, json_reply

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    try:
        call_command("export_orders", *args, stdout=out)
        error = None
    except CommandError as exc:
        error = exc
    return out.getvalue(), error


def test_list_prints_the_unexported_orders(make_order):
    make_order("1001")
    make_order("1002", exported=True, bizuno_id="5")

    out, _ = run("--list")

    assert out.splitlines()[0].startswith("1001\t2026-11-27\tprocessing\t64.16\tMaria Keller")
    assert out.splitlines()[-1] == "1 order not yet in Bizuno."


def test_a_dead_port_prints_the_failure_class_and_exits_non_zero(connect, make_order):
    connect(dead_url())
    make_order("1001")

    out, error = run("--all-unexported")

    assert out.startswith("1001\tretrying\tconnection\tCould not connect to Bizuno (connection refused)")
    assert error is not None and error.returncode == 1


def test_exports_print_the_bizuno_id_and_a_second_run_sends_nothing(connect, make_order):
    with FaultServer(json_reply({"result": "Success", "ID": 600}), json_reply({"result": "Success", "ID": 601})) as server:
        connect(server.url)
        make_order("1001")
        make_order("1002")
        first, error = run("--all-unexported")
        second, _ = run("--all-unexported")
        named, _ = run("1001")

    assert error is None
    assert [line.split("\t")[:3] for line in first.splitlines()] == [
        ["1001", "exported", "Bizuno ID 600"], ["1002", "exported", "Bizuno ID 601"]]
    assert second == "Nothing to export.\n"
    assert named.startswith("1001\tskipped\tBizuno ID 600")
    assert len(server.requests) == 2


def test_an_unknown_number_sends_nothing(connect, make_order):
    with FaultServer() as server:
        connect(server.url)
        make_order("1001")
        _, error = run("1001", "9999")

    assert "No such order: 9999" in str(error) and server.requests == []


def test_mark_existing_exported_flags_every_order_without_sending(connect, make_order):
    with FaultServer() as server:
        connect(server.url)
        make_order("1001")
        make_order("1002")
        out, _ = run("--mark-existing-exported")

    assert out == "Flagged 2 existing orders as exported; nothing was sent to Bizuno.\n"
    assert Order.objects.filter(exported=True).count() == 2 and server.requests == []


def test_force_needs_named_orders(db):
    _, error = run("--all-unexported", "--force")

    assert "--force applies to order numbers you name" in str(error)
