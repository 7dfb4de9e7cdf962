"""Exporting against misbehaving loopback servers: the right class, the right decision, no false "exported"."""

import time

import pytest

from bizunosync.store.export.service import Outcome, export_order
from bizunosync.store.models import Order
from bizunosync.sync.models import SyncAttempt, SyncJob
from tests.support.faultserver import (
    FaultServer,
    dead_url,
    empty,
    fail,
    html_page,
    huge,
    json_reply,
    php_notice_then_json,
    stall,
    status,
)

pytestmark = pytest.mark.django_db

REVIEW = "Bizuno may have booked PO WC1001; check before re-exporting"


def export_against(connect, make_order, *behaviours, read_timeout=2.0):
    with FaultServer(*behaviours) as server:
        connect(server.url + "/bizuno", read_timeout=read_timeout)
        order = make_order()
        result = export_order(order)
    order.refresh_from_db()
    return result, order, server


def attempt_of(result) -> SyncAttempt:
    return result.job.attempts.get()


def assert_not_exported(order):
    assert (order.exported, order.exported_at, order.bizuno_id) == (False, None, "")


def test_a_success_with_an_id_marks_the_order_exported_and_keeps_the_bizuno_id(connect, make_order):
    answer = {"result": "Success", "ID": 5123, "messages": {"caution": [{"text": "SKU MUG short: booked as a sales order."}]}}
    result, order, server = export_against(connect, make_order, json_reply(answer))

    assert (result.outcome, result.bizuno_id) == (Outcome.EXPORTED, "5123")
    assert (order.exported, order.bizuno_id) == (True, "5123") and order.exported_at is not None
    assert result.messages == [("warning", "SKU MUG short: booked as a sales order.")]
    assert result.job.result["messages"] == [{"level": "warning", "text": "SKU MUG short: booked as a sales order."}]
    assert server.last.raw_path == "/bizuno/?bizRt=portal/api/orderAdd"
    assert server.last.form["General"]["PurchaseOrderID"] == "WC1001"


def test_connection_refused_sends_nothing_and_retries_automatically(connect, make_order):
    connect(dead_url())
    order = make_order()

    result = export_order(order)

    order.refresh_from_db()
    assert_not_exported(order)
    assert (result.outcome, result.failure_class) == (Outcome.RETRYING, "connection")
    assert result.job.status == SyncJob.Status.QUEUED and result.job.next_attempt_at is not None
    assert "connection refused" in result.summary and "retrying automatically" in result.summary
    assert attempt_of(result).reached_peer is False


def test_a_server_that_stalls_past_the_read_timeout_needs_review_naming_the_po(connect, make_order):
    started = time.monotonic()
    result, order, server = export_against(connect, make_order, stall(5), read_timeout=0.3)

    assert time.monotonic() - started < 3
    assert_not_exported(order)
    assert (result.outcome, result.failure_class) == (Outcome.NEEDS_REVIEW, "read_timeout")
    assert result.summary.startswith(REVIEW)
    assert len(server.requests) == 1  # never sent again by itself


def test_an_html_403_page_is_a_waf_block_that_is_retried_automatically(connect, make_order):
    result, order, _ = export_against(connect, make_order, html_page(403))

    assert_not_exported(order)
    assert (result.outcome, result.failure_class) == (Outcome.RETRYING, "waf_block")
    assert "blocked by a proxy/WAF (HTTP 403)" in result.summary
    assert "Forbidden" in attempt_of(result).response_excerpt


def test_an_empty_200_needs_review(connect, make_order):
    result, order, _ = export_against(connect, make_order, empty(200))

    assert_not_exported(order)
    assert (result.outcome, result.failure_class) == (Outcome.NEEDS_REVIEW, "empty_body")
    assert result.summary.startswith(REVIEW) and "likely a TLS or connection issue" in result.summary


def test_a_php_notice_before_the_json_is_recovered_and_the_order_exported(connect, make_order):
    result, order, _ = export_against(connect, make_order, php_notice_then_json({"result": "Success", "ID": 77}))

    assert (result.outcome, order.exported, order.bizuno_id) == (Outcome.EXPORTED, True, "77")
    texts = [m["text"] for m in attempt_of(result).messages]
    assert any("Undefined index: Telephone" in t for t in texts)


def test_a_fail_answer_is_a_permanent_failure_with_bizunos_error_shown(connect, make_order):
    result, order, _ = export_against(connect, make_order, fail("Customer email is required."))

    assert_not_exported(order)
    assert (result.outcome, result.failure_class) == (Outcome.FAILED, "application")
    assert result.job.status == SyncJob.Status.FAILED
    assert "Bizuno refused the request: Customer email is required." in result.summary
    assert result.messages == [("error", "Customer email is required.")]


def test_a_500_needs_review(connect, make_order):
    result, order, _ = export_against(connect, make_order, status(500, "<h1>Internal Server Error</h1>"))

    assert_not_exported(order)
    assert (result.outcome, result.failure_class, attempt_of(result).http_status) == (Outcome.NEEDS_REVIEW, "http_status", 500)
    assert result.summary.startswith(REVIEW) and "HTTP 500" in result.summary


def test_a_reply_larger_than_10_mb_is_cut_off_and_needs_review(connect, make_order):
    result, order, _ = export_against(connect, make_order, huge())

    assert_not_exported(order)
    assert (result.outcome, result.failure_class) == (Outcome.NEEDS_REVIEW, "too_large")
    assert "larger than 10 MB" in result.summary


def test_a_success_without_an_id_is_not_marked_exported_and_needs_review(connect, make_order):
    result, order, _ = export_against(connect, make_order, json_reply({"result": "Success", "ID": 0, "messages": []}))

    assert_not_exported(order)
    assert (result.outcome, result.failure_class) == (Outcome.NEEDS_REVIEW, "wrong_shape")
    assert result.summary.startswith(REVIEW) and "gave no order ID" in result.summary


def test_an_order_over_phps_1000_variables_is_refused_before_sending(connect, make_order):
    lines = [(f"SKU-{i}", f"Item {i}", 1, "1.00", "0.19") for i in range(170)]
    with FaultServer() as server:
        connect(server.url)
        result = export_order(make_order(lines=lines))

    assert server.requests == []
    assert (result.outcome, result.failure_class) == (Outcome.FAILED, "refused_locally")
    assert "with 170 lines its form has 1052 fields" in result.summary
    assert "max_input_vars" in result.summary
    assert not Order.objects.get().exported


@pytest.mark.parametrize("count, sent", [(161, True), (162, False)])
def test_the_limit_is_counted_in_fields_32_for_the_order_and_6_per_line(connect, make_order, count, sent):
    lines = [(f"S{i}", "x", 1, "1.00", "0") for i in range(count)]  # 32 + 6 × 161 = 998; 32 + 6 × 162 = 1004
    with FaultServer(json_reply({"result": "Success", "ID": 3})) as server:
        connect(server.url)
        export_order(make_order(lines=lines))

    assert len(server.requests) == (1 if sent else 0)


def test_an_order_bizuno_cannot_book_is_refused_with_the_reason(connect, make_order):
    with FaultServer() as server:
        connect(server.url)
        result = export_order(make_order(billing_email=""))

    assert server.requests == []
    assert result.outcome == Outcome.FAILED
    assert "Order 1001 was not sent: it has no billing email" in result.summary


def test_an_exported_order_is_skipped_without_a_request_or_a_job(connect, make_order):
    with FaultServer() as server:
        connect(server.url)
        order = make_order(exported=True, bizuno_id="5123")
        result = export_order(order)

    assert (result.outcome, result.job, server.requests) == (Outcome.SKIPPED, None, [])
    assert "already in Bizuno (ID 5123); skipped" in result.summary


def test_a_forced_re_export_books_again_and_keeps_the_new_id(connect, make_order):
    with FaultServer(json_reply({"result": "Success", "ID": 9001})) as server:
        connect(server.url)
        order = make_order(exported=True, bizuno_id="5123")
        result = export_order(order, force=True)

    order.refresh_from_db()
    assert len(server.requests) == 1
    assert (order.bizuno_id, result.job.result["previous_bizuno_id"]) == ("9001", "5123")
    assert "booked in Bizuno again (it was ID 5123) as ID 9001" in result.summary


def test_exporting_an_order_waiting_for_its_retry_runs_that_job_now(connect, make_order):
    with FaultServer(json_reply({"result": "Success", "ID": 12})) as server:
        connect(dead_url())
        order = make_order()
        first = export_order(order)  # refused connection: queued for an automatic retry
        connect(server.url)
        second = export_order(order)

    assert first.outcome == Outcome.RETRYING
    assert (second.outcome, second.job.pk, second.job.attempt_count) == (Outcome.EXPORTED, first.job.pk, 2)
    assert len(server.requests) == 1 and SyncJob.objects.count() == 1


def test_an_order_whose_export_is_running_is_not_sent_a_second_time(connect, make_order):
    from bizunosync.store.export.service import new_job

    with FaultServer() as server:
        connect(server.url)
        order = make_order()
        running = new_job(order)
        SyncJob.objects.filter(pk=running.pk).update(status=SyncJob.Status.RUNNING)
        result = export_order(order)

    assert (result.outcome, server.requests) == (Outcome.BUSY, [])
    assert f"sync job #{running.pk}" in result.summary


def test_the_token_travels_in_x_bizuno_token_and_never_in_the_log(connect, make_order):
    result, _, server = export_against(connect, make_order, json_reply({"result": "Success", "ID": 1}))

    assert server.last.headers["x-bizuno-token"] == "store-side-token-Zq81"
    assert "authorization" not in server.last.headers
    assert "store-side-token-Zq81" not in str(attempt_of(result).request_summary)


def test_query_count_does_not_grow_with_the_number_of_lines(connect, make_order, django_assert_max_num_queries):
    with FaultServer(json_reply({"result": "Success", "ID": 1})) as server:
        connect(server.url)
        small = make_order("2001", lines=[("A", "A", 1, "1.00", "0")])
        big = make_order("2002", lines=[(f"S{i}", "x", 1, "1.00", "0") for i in range(40)])
        # 24: includes the order's row lock (with its savepoint) and the guard against a concurrent export;
        # +2: the order and its lines read again after booking, to flag an edit made while it was on its way;
        # +1: the job's link to the order it touched (one INSERT into its touched records)
        with django_assert_max_num_queries(27) as small_queries:
            export_order(small)
        with django_assert_max_num_queries(27) as big_queries:
            export_order(big)

    assert len(big_queries.captured_queries) == len(small_queries.captured_queries)


def test_a_502_from_the_proxy_needs_review_and_is_not_sent_again(connect, make_order):
    # A PHP-FPM worker killed by request_terminate_timeout after booking gives the same 502
    # as one that never started: for orderAdd that is not "provably unsent".
    result, order, server = export_against(connect, make_order, status(502, "<html>502 Bad Gateway</html>"))

    assert_not_exported(order)
    assert (result.outcome, result.failure_class) == (Outcome.NEEDS_REVIEW, "http_status")
    assert result.summary.startswith(REVIEW)
    assert len(server.requests) == 1 and result.job.next_attempt_at is None


def test_a_503_from_the_proxy_is_still_retried_automatically(connect, make_order):
    result, order, server = export_against(connect, make_order, status(503, "<html>Service Unavailable</html>"))

    assert (result.outcome, result.failure_class) == (Outcome.RETRYING, "http_status")
