"""The one outbound client against a real misbehaving HTTP server on loopback."""

import pytest

from bizunosync.sync import errors
from bizunosync.sync.models import FailureClass
from bizunosync.sync.transport import USER_AGENT, Transport, portal_path
from tests.support import faultserver as fs

TOKEN = "t0ken-Secret-123"


def bizuno(server_or_url, **kw):
    url = server_or_url if isinstance(server_or_url, str) else server_or_url.url
    kw.setdefault("connect_timeout", 1)
    kw.setdefault("read_timeout", 1)
    return Transport(url + "/bizuno/", {"X-Bizuno-Token": TOKEN}, peer="Bizuno", **kw)


def store(server, **kw):
    kw.setdefault("connect_timeout", 1)
    kw.setdefault("read_timeout", 1)
    return Transport(
        server.url + "/wp-json/bizuno-api/v1/", {"email": "bizuno@example.com", "pass": "pw"}, peer="the store", **kw
    )


def test_it_sends_the_token_header_and_no_authorization_header(server):
    server.then(fs.success(ID=5123))
    reply = bizuno(server).request("POST", portal_path("orderAdd"), form={"General": {"PurchaseOrderID": "WC1001"}})
    sent = server.last
    assert reply.data["ID"] == 5123
    assert sent.method == "POST"
    assert sent.path == "/bizuno/"
    assert sent.query == {"bizRt": ["portal/api/orderAdd"]}
    assert sent.headers["x-bizuno-token"] == TOKEN
    assert "authorization" not in sent.headers
    assert sent.headers["user-agent"] == USER_AGENT
    assert sent.headers["accept"] == "application/json"
    assert sent.form == {"General": {"PurchaseOrderID": "WC1001"}}


def test_it_strips_empty_query_parameters(server):
    server.then(fs.json_reply({"pkg": {}, "rates": []}))
    bizuno(server).request(
        "GET", portal_path("shipGetRates"), params={"country": "US", "state": "", "address_2": None, "postcode": "0"}
    )
    assert server.last.query == {"bizRt": ["portal/api/shipGetRates"], "country": ["US"], "postcode": ["0"]}


def test_it_refuses_a_header_with_non_printable_bytes_without_sending_or_showing_it(server):
    transport = Transport(server.url + "/", {"X-Bizuno-Token": "abc\x00\x9f-secret"}, 1, 1, peer="Bizuno")
    with pytest.raises(errors.RefusedLocally) as info:
        transport.request("POST", portal_path("orderAdd"), form={"a": "1"})
    assert "X-Bizuno-Token" in str(info.value)
    assert "secret" not in str(info.value)
    assert info.value.permanent and info.value.reached_peer is False
    assert server.requests == []


def test_it_refuses_a_form_past_phps_input_limit_before_sending(server):
    form = {"Item": [{"ItemID": f"SKU{i}", "Quantity": "1"} for i in range(600)]}
    with pytest.raises(errors.RefusedLocally) as info:
        bizuno(server).request("POST", portal_path("orderAdd"), form=form)
    assert "1200 fields" in str(info.value) and "1000" in str(info.value)
    assert server.requests == []


def test_proxy_safe_mode_sends_put_as_post_with_the_override_header(server):
    store(server, method_override=True).request("PUT", "product/refresh", form={"data": [{"SKU": "A"}]})
    assert server.last.method == "POST"
    assert server.last.path == "/wp-json/bizuno-api/v1/product/refresh"
    assert server.last.headers["x-http-method-override"] == "PUT"
    assert server.last.headers["email"] == "bizuno@example.com"


def test_without_proxy_safe_mode_put_stays_put(server):
    store(server).request("PUT", "product/refresh", form={"data": [{"SKU": "A"}]})
    assert server.last.method == "PUT"
    assert "x-http-method-override" not in server.last.headers


def test_a_waf_page_on_a_plain_put_says_to_turn_on_proxy_safe_mode(server):
    server.then(fs.html_page(403))
    with pytest.raises(errors.WafBlocked) as info:
        store(server).request("PUT", "product/refresh", form={"data": [{"SKU": "A"}]})
    assert str(info.value).startswith("blocked by a proxy/WAF (HTTP 403); turn on proxy-safe mode")
    assert info.value.reached_peer is False and info.value.retryable


@pytest.mark.parametrize("code", [400, 403, 406])
def test_an_html_error_page_is_a_waf_block_not_an_application_error(server, code):
    server.then(fs.html_page(code))
    with pytest.raises(errors.WafBlocked) as info:
        bizuno(server).request("POST", portal_path("orderAdd"), form={"a": "1"})
    assert info.value.failure_class == FailureClass.WAF_BLOCK
    assert f"HTTP {code}" in str(info.value) and "proxy-safe" not in str(info.value)
    assert "Forbidden" in info.value.excerpt or "html" in info.value.excerpt.lower()


def test_a_json_403_is_the_application_refusing_the_credentials(server):
    server.then(fs.json_reply({"code": "rest_forbidden", "message": "Invalid credentials.", "data": {"status": 401}},
                              status=401))
    with pytest.raises(errors.HttpStatusError) as info:
        store(server).request("POST", "product/update", form={"data": {"SKU": "A"}})
    assert info.value.permanent and info.value.reached_peer is True
    assert "Invalid credentials." in str(info.value)
    assert info.value.messages.texts("error") == ["Invalid credentials."]


def test_an_empty_200_is_likely_a_tls_or_connection_issue(server):
    server.then(fs.empty())
    with pytest.raises(errors.EmptyBody) as info:
        bizuno(server).request("POST", portal_path("orderAdd"), form={"a": "1"})
    assert "likely a TLS or connection issue" in str(info.value)
    assert info.value.ambiguous


def test_json_after_a_php_notice_is_recovered_with_a_warning(server):
    server.then(fs.php_notice_then_json({"result": "Success", "ID": 77, "messages": {"caution": [{"text": "Low"}]}}))
    reply = bizuno(server).request("POST", portal_path("orderAdd"), form={"a": "1"})
    assert reply.data["ID"] == 77
    assert reply.messages.texts("warning") == ["Low"]
    assert "Notice" in reply.warnings[0]


def test_garbage_that_is_not_json_is_ambiguous(server):
    server.then(fs.text_reply("Ack! Bad proxy! {not json"))
    with pytest.raises(errors.NotJson) as info:
        bizuno(server).request("POST", portal_path("orderAdd"), form={"a": "1"})
    assert "Ack! Bad proxy!" in str(info.value)
    assert info.value.ambiguous


def test_result_fail_is_an_application_error_naming_bizunos_reason(server):
    server.then(fs.fail("Customer record not found"))
    with pytest.raises(errors.ApplicationError) as info:
        bizuno(server).request("POST", portal_path("orderAdd"), form={"a": "1"})
    assert str(info.value) == "Bizuno refused the request: Customer record not found"
    assert info.value.permanent


def test_a_success_with_an_error_message_is_still_a_reply(server):
    server.then(fs.json_reply({"result": "Success", "note": "Updated 1 of 2 products.",
                               "message": {"error": [{"text": "Missing in WooCommerce: ZZ-9"}]}}))
    reply = store(server).request("PUT", "product/refresh", form={"data": [{"SKU": "A"}]})
    assert reply.messages.texts("error") == ["Missing in WooCommerce: ZZ-9"]


def test_a_500_from_php_is_ambiguous(server):
    server.then(fs.status(500, "<b>Fatal error</b>"))
    with pytest.raises(errors.HttpStatusError) as info:
        bizuno(server).request("POST", portal_path("orderAdd"), form={"a": "1"})
    assert "Received HTTP 500 from Bizuno" in str(info.value)
    assert info.value.ambiguous


@pytest.mark.parametrize("code", [502, 503])
def test_a_proxy_error_page_never_reached_php(server, code):
    server.then(fs.status(code, "<html>Bad Gateway</html>"))
    with pytest.raises(errors.ProxyUnavailable) as info:
        bizuno(server).request("POST", portal_path("orderAdd"), form={"a": "1"})
    assert info.value.retryable and info.value.status == code


def test_a_502_on_a_call_that_books_is_ambiguous_as_a_killed_php_worker_looks_the_same(server):
    server.then(fs.status(502, "<html>502 Bad Gateway</html>"))
    with pytest.raises(errors.HttpStatusError) as info:
        bizuno(server).request("POST", portal_path("orderAdd"), form={"a": "1"}, idempotent=False)
    assert info.value.ambiguous and not info.value.retryable
    assert "may have stopped after processing the request" in str(info.value)


def test_a_504_is_not_provably_unsent(server):
    server.then(fs.status(504, "<html>Gateway Timeout</html>"))
    with pytest.raises(errors.HttpStatusError) as info:
        bizuno(server).request("POST", portal_path("orderAdd"), form={"a": "1"})
    assert info.value.ambiguous


def test_a_stall_past_the_read_timeout_is_ambiguous(server):
    server.then(fs.stall(5))
    with pytest.raises(errors.ReadTimeout) as info:
        bizuno(server, read_timeout=0.3).request("POST", portal_path("orderAdd"), form={"a": "1"})
    assert info.value.failure_class == FailureClass.READ_TIMEOUT
    assert info.value.ambiguous and len(server.requests) == 1


def test_a_hang_up_without_an_answer_is_ambiguous(server):
    server.then(fs.hang_up())
    with pytest.raises(errors.EmptyBody) as info:
        bizuno(server).request("POST", portal_path("orderAdd"), form={"a": "1"})
    assert info.value.reached_peer is None
    assert "closed the connection without answering" in str(info.value)


def test_a_reply_over_10_mb_is_cut_off(server):
    server.then(fs.huge())
    with pytest.raises(errors.TooLarge) as info:
        bizuno(server, read_timeout=5).request("GET", portal_path("shipGetRates"), params={"postcode": "1"})
    assert info.value.failure_class == FailureClass.TOO_LARGE
    assert "larger than 10 MB" in str(info.value)


def test_a_dead_port_is_connection_refused_and_safe_to_retry():
    with pytest.raises(errors.ConnectionFailed) as info:
        bizuno(fs.dead_url()).request("POST", portal_path("orderAdd"), form={"a": "1"})
    assert info.value.retryable
    assert "connection refused" in str(info.value)


def test_speaking_https_to_a_plain_http_server_is_a_tls_failure(server):
    https_url = server.url.replace("http://", "https://")
    with pytest.raises(errors.TlsFailed) as info:
        bizuno(https_url).request("POST", portal_path("orderAdd"), form={"a": "1"})
    assert info.value.retryable
    assert server.requests == []


def test_a_redirect_is_not_followed_because_it_would_turn_the_post_into_a_get(server):
    server.then(fs.json_reply({}, status=301, headers={"Location": "https://elsewhere.example/bizuno/"}))
    with pytest.raises(errors.HttpStatusError) as info:
        bizuno(server).request("POST", portal_path("orderAdd"), form={"a": "1"})
    assert "https://elsewhere.example/bizuno/" in str(info.value)
    assert info.value.permanent and len(server.requests) == 1


def test_describe_never_contains_the_credentials(server):
    summary = store(server).describe("PUT", "product/refresh", form={"data": [{"SKU": "A"}]})
    assert summary["headers"]["pass"] == "[redacted]"
    assert "pw" not in str(summary["headers"].values())


def test_a_connect_that_is_never_accepted_is_a_connect_timeout_and_safe_to_retry():
    with fs.unanswered_connects() as url:
        with pytest.raises(errors.ConnectTimeout) as info:
            bizuno(url, connect_timeout=0.3).request("POST", portal_path("orderAdd"), form={"a": "1"})
    assert info.value.failure_class == FailureClass.CONNECT_TIMEOUT and info.value.retryable
    assert "within 0.3 s; nothing was sent" in str(info.value)


def test_an_unknown_host_is_a_dns_failure_and_safe_to_retry():
    with pytest.raises(errors.ConnectionFailed) as info:
        bizuno("http://bizuno.nonexistent.invalid").request("POST", portal_path("orderAdd"), form={"a": "1"})
    assert "DNS lookup failed" in str(info.value) and info.value.retryable


def test_credentials_echoed_back_by_the_peer_are_redacted_from_the_excerpt(server):
    server.then(fs.status(500, f"headers: X-Bizuno-Token: {TOKEN}"))
    with pytest.raises(errors.HttpStatusError) as info:
        bizuno(server).request("POST", portal_path("orderAdd"), form={"a": "1"})
    assert TOKEN not in info.value.excerpt and "[redacted]" in info.value.excerpt


def test_the_request_summary_lists_the_headers_actually_sent(server):
    summary = bizuno(server).describe("GET", portal_path("shipGetRates"), params={"postcode": "10001", "city": ""})
    assert summary["headers"]["User-Agent"] == USER_AGENT
    assert summary["headers"]["X-Bizuno-Token"] == "[redacted]"
    assert summary["params"] == {"postcode": "10001"}


def test_a_fail_with_only_an_info_is_an_answer_when_the_call_says_so(server):
    # The plugin's product/sync says "out of sync" as result Fail plus an info message.
    out_of_sync = {"result": "Fail", "message": {"info": [{"text": "…Bizuno:<br />OLD-1", "title": "Information"}]}}
    server.then(fs.json_reply(out_of_sync)).then(fs.json_reply(out_of_sync))
    reply = store(server).request("POST", "product/sync", form={"data": {"syncSkus": "[]"}},
                                  fail_without_errors_is_an_answer=True)
    assert reply.result == "Fail" and reply.messages.texts("info") == ["…Bizuno:<br />OLD-1"]
    with pytest.raises(errors.ApplicationError):  # without the flag, Fail stays a refusal
        store(server).request("POST", "product/sync", form={"data": {"syncSkus": "[]"}})


@pytest.mark.parametrize("answer", [
    {"result": "Fail", "message": {"error": [{"text": "Bad SKU passed."}], "info": [{"text": "x"}]}},
    {"result": "Fail", "message": []},
])
def test_a_fail_with_an_error_or_with_nothing_stays_a_refusal_even_then(server, answer):
    server.then(fs.json_reply(answer))
    with pytest.raises(errors.ApplicationError):
        store(server).request("POST", "product/sync", form={"data": {"syncSkus": "[]"}},
                              fail_without_errors_is_an_answer=True)
