import base64
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bizunosync.wire import secrets
from tests.phpcli import needs_php, run_php

KEY = "test-key-material"

# Made once with: php -r '$iv=openssl_random_pseudo_bytes(16);
#   echo base64_encode(openssl_encrypt("s3cret-pass","aes-256-cbc","the-key",0,$iv)."::".$iv);'
PHP_ENCRYPTED = "c0tLM1pyTStQOG5IK3o3SUg2QStPdz09OjouEsep8JLCkrFLm1OjJNgR"


def test_an_encrypted_secret_round_trips():
    stored = secrets.encrypt("wp-pass 'quoted' €", KEY)
    assert stored != "wp-pass 'quoted' €"
    assert secrets.is_encrypted(stored)
    assert secrets.decrypt(stored, KEY) == "wp-pass 'quoted' €"


def test_encrypting_twice_gives_different_values_that_both_open():
    first, second = secrets.encrypt("token", KEY), secrets.encrypt("token", KEY)
    assert first != second
    assert secrets.decrypt(first, KEY) == secrets.decrypt(second, KEY) == "token"


def test_an_empty_secret_stays_empty():
    assert secrets.encrypt("", KEY) == ""
    assert secrets.decrypt("", KEY) == ""


@pytest.mark.parametrize(
    "plain",
    [
        "plain-legacy-token",
        "dGVzdA==",  # valid base64 of "test": still a plain token
        base64.b64encode(os.urandom(24)).decode(),  # valid base64 of binary bytes
        base64.b64encode(b"abc::def").decode(),  # decodes to "::" but the halves are no cipher
        "Zm9vOjpiYXI=",  # base64 of "foo::bar"
        "a b c::d",
    ],
)
def test_a_legacy_plain_token_comes_back_verbatim(plain):
    assert not secrets.is_encrypted(plain)
    assert secrets.decrypt(plain, KEY) == plain


@given(st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=64))
def test_a_plain_printable_value_never_comes_back_as_other_bytes(plain):
    if secrets.is_encrypted(plain):  # astronomically unlikely; the property is about the rest
        return
    result = secrets.decrypt(plain, KEY)
    assert result == plain
    assert result.isprintable()


def test_a_value_encrypted_with_another_key_is_an_error_not_garbage():
    stored = secrets.encrypt("token", "another key")
    with pytest.raises(secrets.SecretError, match="cannot be decrypted"):
        secrets.decrypt(stored, KEY)


def test_the_php_peers_openssl_shape_is_recognised_as_encrypted():
    assert secrets.is_encrypted(PHP_ENCRYPTED)
    assert secrets.decrypt(PHP_ENCRYPTED, "the-key") == "s3cret-pass"
    with pytest.raises(secrets.SecretError):
        secrets.decrypt(PHP_ENCRYPTED, "not-the-key")


@needs_php
@pytest.mark.php
def test_values_php_encrypts_today_open_with_the_same_key():
    code = (
        '$out = []; foreach (["pässword", "x", str_repeat("long-", 20)] as $p) {'
        ' $iv = openssl_random_pseudo_bytes(16);'
        ' $out[] = base64_encode(openssl_encrypt($p, "aes-256-cbc", "shared-key", 0, $iv) . "::" . $iv); }'
        " echo implode(\"\\n\", $out);"
    )
    stored = run_php(code).decode().split("\n")
    assert [secrets.decrypt(value, "shared-key") for value in stored] == ["pässword", "x", "long-" * 20]


def test_mask_shows_enough_to_recognise_and_no_more():
    assert secrets.mask("") == ""
    assert secrets.mask("short") == "•••••"
    assert secrets.mask("abcdefghijkl") == "ab••••••kl"


@given(st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=80))
def test_any_printable_secret_survives_encryption_whatever_its_length(plain):
    assert secrets.decrypt(secrets.encrypt(plain, "k"), "k") == plain
