"""The WAF proxy shows PROTOCOL §5's facts against a trivial echo upstream."""

import json
import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
import requests

from tests.support.modsec import waf_proxy

REFRESH = "/wp-json/bizuno-api/v1/product/refresh"
FORM = {"data[0][SKU]": "WIDGET-1", "data[0][QtyStock]": "5", "data[0][Price]": "10.00"}


class Echo(BaseHTTPRequestHandler):
    """Answers any method with 200 JSON describing what reached it."""

    seen: list = []

    def _answer(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.seen.append(self.command)
        out = json.dumps(
            {
                "method": self.command,
                "path": self.path,
                "override": self.headers.get("X-HTTP-Method-Override"),
                "body": body.decode("latin-1"),
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def upstream():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def proxy(upstream):
    with waf_proxy(upstream, paranoia=1) as url:
        yield url


@pytest.fixture(autouse=True)
def fresh_log():
    Echo.seen = []


def raw_get(proxy_url, header_value: bytes) -> bytes:
    """Send bytes requests/http.client would not let through; return the status line."""
    parts = urlsplit(proxy_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as s:
        s.sendall(
            b"GET / HTTP/1.1\r\nHost: " + parts.netloc.encode() + b"\r\n"
            b"X-Bizuno-Token: " + header_value + b"\r\nConnection: close\r\n\r\n"
        )
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return data.split(b"\r\n", 1)[0]


def test_a_plain_put_with_a_form_body_is_refused_with_the_proxys_403_html_page(proxy):
    response = requests.put(proxy + REFRESH, data=FORM, timeout=5)

    assert response.status_code == 403
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<title>403 Forbidden</title>" in response.text
    assert Echo.seen == []  # the store never saw it
    assert "911100" in proxy.rule_ids()  # "Method is not allowed by policy"


def test_a_post_carrying_method_override_put_reaches_the_upstream_intact(proxy):
    response = requests.post(proxy + REFRESH, data=FORM, headers={"X-HTTP-Method-Override": "PUT"}, timeout=5)

    assert response.status_code == 200
    echoed = response.json()
    assert echoed["method"] == "POST"
    assert echoed["override"] == "PUT"
    assert echoed["path"] == REFRESH
    assert "data%5B0%5D%5BSKU%5D=WIDGET-1" in echoed["body"]


def test_a_plain_get_passes(proxy):
    assert requests.get(proxy + "/", timeout=5).status_code == 200
    assert Echo.seen == ["GET"]


@pytest.mark.parametrize("byte", [b"\x01", b"\x1b", b"\x7f", b"\x00"], ids=["SOH", "ESC", "DEL", "NUL"])
def test_a_header_with_a_non_printable_byte_is_refused_with_400(proxy, byte):
    rules_before = proxy.rule_ids()
    assert raw_get(proxy, b"token" + byte + b"value") == b"HTTP/1.1 400 Bad Request"
    assert Echo.seen == []
    assert proxy.rule_ids() == rules_before  # Apache's own parser refused it, not a CRS rule


def test_a_printable_token_header_passes(proxy):
    assert raw_get(proxy, b"token-value") == b"HTTP/1.1 200 OK"


@pytest.mark.parametrize("value", ["O'Brien & Sons", "Suite #5"])
def test_ordinary_names_pass_at_paranoia_1(proxy, value):
    response = requests.post(proxy + "/", data={"Billing[PrimaryName]": value}, timeout=5)
    assert response.status_code == 200


BROWSER_UA = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64)"}


def test_paranoia_2_blocks_cart_syncs_json_sku_list_and_scripting_user_agents(upstream):
    sku_list = json.dumps([f"SKU-{i}" for i in range(20)])
    with waf_proxy(upstream, paranoia=2) as strict:
        json_list = requests.post(strict + "/", data={"syncSkus": sku_list}, headers=BROWSER_UA, timeout=5)
        json_rules = strict.error_log()
        scripted = requests.get(strict + "/", timeout=5)  # python-requests' own User-Agent
        # Observed with CRS 3.3.4: PROTOCOL §5's "O'Brien & Sons" / "Suite #5" do not
        # trip PL2 (942430 needs 12 special characters; 942431 is PL3, 942432 PL4).
        name = requests.post(
            strict + "/", data={"Billing[PrimaryName]": "O'Brien & Sons", "Billing[Address2]": "Suite #5"},
            headers=BROWSER_UA, timeout=5,
        )
        log = strict.error_log()  # the log goes with the proxy's temporary folder

    assert json_list.status_code == 403
    assert '[id "942430"]' in json_rules  # restricted SQL character anomaly
    assert scripted.status_code == 403
    assert '[id "913101"]' in log  # scripting/generic HTTP client user agent
    assert name.status_code == 200
    assert Echo.seen == ["POST"]


def test_the_proxy_is_gone_after_its_block_ends(upstream):
    with waf_proxy(upstream) as url:
        port = urlsplit(url).port
        group = url.pid
        assert requests.get(url + "/", timeout=5).status_code == 200

    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    with pytest.raises(ProcessLookupError):
        os.killpg(group, 0)  # nothing left of Apache's process group


@pytest.mark.django_db(transaction=True)
def test_django_behind_the_proxy_serves_a_login_with_its_csrf_check_intact(live_server, admin_user_with_password):
    with waf_proxy(live_server.url) as proxy_url:
        session = requests.Session()
        form = session.get(proxy_url + "/admin/login/", timeout=5)
        assert form.status_code == 200
        response = session.post(
            proxy_url + "/admin/login/?next=/admin/",
            data={
                "csrfmiddlewaretoken": session.cookies["csrftoken"],
                "username": "boss",
                "password": "boss-password",
                "next": "/admin/",
            },
            headers={"Referer": proxy_url + "/admin/login/"},
            allow_redirects=False,
            timeout=5,
        )
    # ProxyPreserveHost: Django builds its redirect and checks CSRF against the proxy's host.
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
