"""Connection settings: secrets encrypted at rest, the decrypt quirk, the connect commands."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bizunosync.sync import errors
from bizunosync.sync.connections import BizunoConnection, StoreConnection
from bizunosync.sync.transport import bizuno_transport, portal_path, store_transport
from bizunosync.wire import secrets

pytestmark = pytest.mark.django_db


def test_the_token_is_stored_encrypted_and_read_back_plain():
    conn = BizunoConnection.load()
    conn.set_token("s3cret-Token")
    conn.save()
    stored = BizunoConnection.objects.values_list("token", flat=True).get()
    assert "s3cret" not in stored and secrets.is_encrypted(stored)
    assert BizunoConnection.load().token_plain == "s3cret-Token"


def test_a_legacy_plain_token_is_used_verbatim_even_when_it_looks_like_base64(server):
    legacy = "QUJDRA=="  # valid base64 of "ABCD": must NOT be decoded
    BizunoConnection.objects.update_or_create(pk=1, defaults={"url": server.url + "/bizuno", "token": legacy})
    assert BizunoConnection.load().token_plain == legacy
    bizuno_transport().request("POST", portal_path("orderAdd"), form={"a": "1"})
    assert server.last.headers["x-bizuno-token"] == legacy


def test_the_encryption_key_falls_back_to_secret_key(settings):
    settings.FIELD_ENCRYPTION_KEY = ""
    conn = BizunoConnection.load()
    conn.set_token("abc12345")
    assert secrets.decrypt(conn.token, settings.SECRET_KEY) == "abc12345"


def test_a_token_encrypted_under_another_key_is_refused_with_a_clear_message(settings):
    conn = BizunoConnection.load()
    conn.url = "https://books.example.com"
    conn.token = secrets.encrypt("abc", "some-other-key")
    conn.save()
    with pytest.raises(errors.RefusedLocally, match="cannot be decrypted"):
        bizuno_transport()


def test_an_unconfigured_connection_refuses_to_build_a_transport():
    with pytest.raises(errors.RefusedLocally, match="Connections → Bizuno connection"):
        bizuno_transport()
    with pytest.raises(errors.RefusedLocally, match="Connections → Store connections"):
        store_transport()


def test_the_store_transport_logs_in_with_email_and_pass_headers_and_honours_proxy_safe_mode(server):
    call_command("store_connect", "--url", server.url, "--email", "bizuno@example.com", "--password", "wp-Pass",
                 "--method-override", stdout=StringIO())
    store_transport().request("PUT", "product/refresh", form={"data": [{"SKU": "A"}]})
    sent = server.last
    assert (sent.method, sent.path) == ("POST", "/wp-json/bizuno-api/v1/product/refresh")
    assert sent.headers["email"] == "bizuno@example.com" and sent.headers["pass"] == "wp-Pass"
    assert sent.headers["x-http-method-override"] == "PUT" and "authorization" not in sent.headers


def test_bizuno_connect_saves_everything_and_never_prints_the_token():
    out = StringIO()
    call_command("bizuno_connect", "--url", "https://books.example.com/bizuno", "--token", "Very-Secret-Token-1",
                 "--order-prefix", "SHOP", "--customer-prefix", "C", "--autodownload", stdout=out)
    conn = BizunoConnection.load()
    assert (conn.url, conn.order_prefix, conn.customer_prefix, conn.autodownload) == (
        "https://books.example.com/bizuno", "SHOP", "C", True)
    assert conn.token_plain == "Very-Secret-Token-1" and secrets.is_encrypted(conn.token)
    assert "Very-Secret-Token-1" not in out.getvalue()
    assert "Bizuno connection saved: https://books.example.com/bizuno" in out.getvalue()
    call_command("bizuno_connect", "--url", "https://books.example.com/bizuno", "--token", "x" * 10,
                 "--no-autodownload", stdout=StringIO())
    assert BizunoConnection.load().autodownload is False
    assert BizunoConnection.load().order_prefix == "SHOP"  # untouched when not given


@pytest.mark.parametrize("url", ["books.example.com", "ftp://books.example.com", "http://", "javascript:alert(1)"])
def test_bizuno_connect_rejects_a_bad_url(url):
    with pytest.raises(CommandError, match="not a valid http"):
        call_command("bizuno_connect", "--url", url, "--token", "abc", stdout=StringIO())
    assert not BizunoConnection.load().url


def test_connect_commands_reject_a_secret_that_cannot_go_in_a_header():
    with pytest.raises(CommandError, match="printable ASCII"):
        call_command("bizuno_connect", "--url", "https://b.example.com", "--token", "tök", stdout=StringIO())
    with pytest.raises(CommandError, match="printable ASCII"):
        call_command("store_connect", "--url", "https://s.example.com", "--email", "a@b.c", "--password", "p\tw",
                     stdout=StringIO())


def test_store_connect_prints_a_confirmation_without_the_password():
    out = StringIO()
    call_command("store_connect", "--url", "https://shop.example.com", "--email", "bizuno", "--password",
                 "Pa55-word!", stdout=out)
    assert "Pa55-word!" not in out.getvalue()
    assert "proxy-safe mode off" in out.getvalue()
    conn = StoreConnection.load()
    assert conn.password_plain == "Pa55-word!" and conn.password != "Pa55-word!"


def test_the_connections_are_singletons():
    BizunoConnection.load().save()
    BizunoConnection.load().save()
    assert BizunoConnection.objects.count() == 1
    BizunoConnection.load().delete()
    assert BizunoConnection.objects.count() == 1


def test_store_connect_sets_the_stores_php_max_input_vars_and_the_transport_refuses_past_it(server):
    out = StringIO()
    call_command("store_connect", "--url", server.url, "--email", "bizuno", "--password", "pw",
                 "--max-input-vars", "300", stdout=out)
    assert StoreConnection.load().max_input_vars == 300
    assert "PHP max_input_vars 300" in out.getvalue()

    with pytest.raises(errors.RefusedLocally) as info:
        store_transport().request("PUT", "product/refresh", form={"data": [{"SKU": f"S{n}"} for n in range(301)]})
    assert "the form has 301 fields and PHP keeps only the first 300" in str(info.value)
    assert server.requests == []


def test_a_php_max_input_vars_below_20_is_refused_naming_the_setting():
    with pytest.raises(CommandError, match="max_input_vars"):
        call_command("store_connect", "--url", "https://s.example.com", "--email", "a", "--password", "p",
                     "--max-input-vars", "5", stdout=StringIO())


def test_a_new_store_connection_assumes_phps_default_of_1000():
    assert StoreConnection.load().max_input_vars == 1000
