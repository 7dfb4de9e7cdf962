"""Our PHP form codec against real PHP: byte for byte, structure for structure.

Every case in tests/wire/cases.py goes through php-cli once (one process per
table); max_input_vars is checked against parse_str and against a real
`$_POST` served by `php -S` on loopback.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from bizunosync.wire import phpform
from tests.phpcli import PHP, needs_php
from tests.wire.cases import DECODE_CASES, ENCODE_CASES
from tests.wire.php import as_json_shape, php_decode_many, php_encode_many

pytestmark = [needs_php, pytest.mark.php]


def ordered(value) -> str:
    """JSON text keeps key order, which dict equality would ignore."""
    return json.dumps(value, ensure_ascii=False)


@pytest.fixture(scope="module")
def php_encoded():
    return dict(zip(ENCODE_CASES, php_encode_many(list(ENCODE_CASES.values()))))


@pytest.fixture(scope="module")
def php_decoded():
    return dict(zip(DECODE_CASES, php_decode_many(list(DECODE_CASES.values()))))


def test_the_installed_php_is_the_one_the_codec_was_checked_against():
    version = subprocess.run([PHP, "-n", "-r", "echo PHP_VERSION;"], capture_output=True, text=True).stdout
    # 8.2.x on Debian bookworm; a new major/minor may move the edges noted in phpform.py
    assert version.startswith("8."), version


@pytest.mark.parametrize("name", list(ENCODE_CASES))
def test_encode_writes_what_http_build_query_writes(name, php_encoded):
    assert phpform.encode(ENCODE_CASES[name]) == php_encoded[name]


@pytest.mark.parametrize("name", list(DECODE_CASES))
def test_decode_reads_what_parse_str_reads(name, php_decoded):
    assert ordered(as_json_shape(phpform.decode(DECODE_CASES[name]))) == ordered(php_decoded[name])


def test_decode_reads_back_what_php_encoded(php_encoded):
    bodies = [php_encoded[name] for name in ENCODE_CASES]
    for name, body, expected in zip(ENCODE_CASES, bodies, php_decode_many(bodies)):
        assert ordered(as_json_shape(phpform.decode(body))) == ordered(expected), name


def test_a_body_that_is_not_utf8_is_refused_by_name():
    with pytest.raises(phpform.PhpFormError, match="UTF-8"):
        phpform.decode(b"q=%FF%FE")
    assert phpform.decode(b"q=%FF", errors="replace") == {"q": "\ufffd"}



def test_long_names_decode_as_php_reads_them_and_the_decoder_keeps_none_of_them():
    # Short names are cached (a Quick Refresh repeats them every batch); a peer may send any length.
    names = [f"data[0][{'k' * (phpform.SHORT + 1 + i)}]" for i in range(50)] + ["data[0][SKU]", "x" * 300]
    body = "&".join(f"{name}={i}" for i, name in enumerate(names))
    phpform.decode("data[0][SKU]=warm")  # the one short name is kept from here on
    kept = phpform._plain_path.cache_info().currsize, phpform._key.cache_info().currsize, len(phpform._SIBLINGS)

    assert ordered(as_json_shape(phpform.decode(body))) == ordered(php_decode_many([body])[0])
    assert (phpform._plain_path.cache_info().currsize, phpform._key.cache_info().currsize,
            len(phpform._SIBLINGS)) == kept

# ---------------------------------------------------------------- max_input_vars


def _vars(n: int, name: str = "v") -> str:
    return "&".join(f"{name}{i}={i}" for i in range(n))


def _leaves(value) -> int:
    if isinstance(value, dict):
        return sum(_leaves(v) for v in value.values())
    if isinstance(value, list):
        return sum(_leaves(v) for v in value)
    return 1


LIMIT_BODIES = {
    "999 variables": _vars(999),
    "exactly 1000": _vars(1000),
    "1001 variables": _vars(1001),
    "1500 variables": _vars(1500),
    "600 order lines, 1200 fields": phpform.encode({"Item": [{"ItemID": f"S{i}", "Quantity": "1"} for i in range(600)]}),
    "empty parts among 1001": "&&" + _vars(1001),
    "list appends past the limit": "&".join(f"a[]={i}" for i in range(1003)),
}


@pytest.fixture(scope="module")
def php_limited():
    bodies = list(LIMIT_BODIES.values())
    return dict(zip(LIMIT_BODIES, php_decode_many(bodies, ini={"max_input_vars": 1000, "display_errors": 0})))


@pytest.mark.parametrize("name", list(LIMIT_BODIES))
def test_decode_drops_what_parse_str_drops_past_max_input_vars(name, php_limited):
    ours = phpform.decode(LIMIT_BODIES[name], max_vars=1000)
    assert ordered(as_json_shape(ours)) == ordered(php_limited[name])


@pytest.mark.parametrize("name", list(LIMIT_BODIES))
def test_exceeds_input_vars_is_true_exactly_when_parse_str_loses_variables(name, php_limited):
    body = LIMIT_BODIES[name]
    lost = _leaves(php_limited[name]) < _leaves(as_json_shape(phpform.decode(body)))
    assert phpform.exceeds_input_vars(body, 1000) == lost


def test_an_order_with_many_lines_is_noticed_before_sending():
    body = phpform.encode({"General": {"PurchaseOrderID": "WC1"}, "Item": [{"ItemID": "A", "Quantity": "1"}] * 500})
    assert phpform.count_vars(body) == 1001
    assert phpform.exceeds_input_vars(body)
    assert not phpform.exceeds_input_vars(body, limit=2000)


def test_count_vars_counts_what_php_counts():
    assert phpform.count_vars("") == 0
    assert phpform.count_vars("a=1&b=2") == 2
    assert phpform.count_vars("a=1&&b=2&") == 2
    assert phpform.count_vars("a=1&&b=2&", post=True) == 3
    assert phpform.count_vars("=1&b") == 2


# ---------------------------------------------------------------- real $_POST


ROUTER = "<?php header('Content-Type: application/json'); echo json_encode($_POST);\n"


@pytest.fixture(scope="module")
def php_server(tmp_path_factory):
    folder: Path = tmp_path_factory.mktemp("phps")
    (folder / "router.php").write_text(ROUTER)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [PHP, "-n", "-d", "max_input_vars=1000", "-d", "display_errors=0", "-S", f"127.0.0.1:{port}",
         str(folder / "router.php")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    for _ in range(100):
        try:
            requests.get(url, timeout=0.2)
            break
        except requests.ConnectionError:
            time.sleep(0.02)
    yield url
    proc.terminate()
    proc.wait(timeout=5)


def _post(url: str, body: str):
    reply = requests.post(
        url, data=body.encode(), headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=5
    )
    return reply.json()


@pytest.mark.parametrize("name", list(LIMIT_BODIES))
def test_decode_in_post_mode_keeps_what_a_real_post_keeps(name, php_server):
    body = LIMIT_BODIES[name]
    ours = phpform.decode(body, max_vars=1000, post=True)
    assert ordered(as_json_shape(ours)) == ordered(_post(php_server, body))


def test_a_real_post_keeps_one_variable_more_than_parse_str(php_server):
    kept = _post(php_server, _vars(1002))
    assert len(kept) == 1001  # PHP's add_post_vars registers the 1001st, then stops
    assert len(phpform.decode(_vars(1002), max_vars=1000)) == 1000


@pytest.mark.parametrize("name", ["nested keys", "append with []", "unterminated bracket becomes underscore",
                                  "65 levels of nesting drop the variable", "bad percent escape stays literal"])
def test_a_real_post_parses_like_parse_str(name, php_server, php_decoded):
    assert ordered(_post(php_server, DECODE_CASES[name])) == ordered(php_decoded[name])
