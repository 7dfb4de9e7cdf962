"""Secrets at rest, and the `decrypt_password` quirk (PROTOCOL §4).

The encrypted form is base64 of ``<ciphertext>::<iv>``, the shape the PHP
peers store. We fill it with AES-256-GCM (authenticated) rather than the
plugin's bare CBC, and can still open a value in the PHP peers' own CBC
shape given the same key (a secret carried over from an existing install). Decryption is attempted only on a value that decodes to
that form; anything else is a legacy plain value and is returned verbatim:
blindly base64-decoding a plain token yields binary bytes, which a WAF
rejects as a malformed header before the application sees the request.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class SecretError(ValueError):
    """An encrypted value that this key cannot open."""


def _key(key_material: str) -> bytes:
    return hashlib.sha256(("bizunosync-secrets:" + key_material).encode()).digest()


def encrypt(plain: str, key_material: str) -> str:
    if plain == "":
        return ""
    iv = os.urandom(12)
    ciphertext = AESGCM(_key(key_material)).encrypt(iv, plain.encode("utf-8"), None)
    inner = base64.b64encode(ciphertext) + b"::" + base64.b64encode(iv)
    return base64.b64encode(inner).decode("ascii")


def _split(stored: str) -> tuple[str, bytes, bytes] | None:
    """(kind, ciphertext, iv) when `stored` has an encrypted shape, else None.

    Two shapes are recognised, both base64 of ``<base64 ciphertext>::<iv>``:
    ours (AES-GCM, the IV itself base64, 12 bytes) and the PHP peers' own
    (``openssl_encrypt(..., 'aes-256-cbc', $key, 0, $iv)``, which returns
    base64, joined to the *raw* 16-byte IV). Anything else is plain text.
    """
    try:
        inner = base64.b64decode(stored.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None
    # The ciphertext half is base64 and cannot hold ":", so the first "::"
    # is the separator (PHP: explode('::', $value, 2)); a raw IV may hold ":".
    ciphertext_b64, sep, iv = inner.partition(b"::")
    if not sep or not ciphertext_b64:
        return None
    try:
        ciphertext = base64.b64decode(ciphertext_b64, validate=True)
    except (binascii.Error, ValueError):
        return None
    # Ours first: a base64 12-byte IV is 16 characters long, so it would also
    # pass for a raw 16-byte CBC IV; raw random bytes are never all base64.
    try:
        iv_raw = base64.b64decode(iv, validate=True)
    except (binascii.Error, ValueError):
        iv_raw = b""
    if len(iv_raw) == 12 and len(ciphertext) >= 16:
        return "gcm", ciphertext, iv_raw
    if len(iv) == 16 and ciphertext and len(ciphertext) % 16 == 0:
        return "php-cbc", ciphertext, iv
    return None


def is_encrypted(stored: str) -> bool:
    return bool(stored) and _split(stored) is not None


def _php_key(key_material: str) -> bytes:
    # openssl_encrypt pads a short key with NUL bytes and cuts a long one.
    return key_material.encode("utf-8")[:32].ljust(32, b"\0")


def _open_php_cbc(ciphertext: bytes, iv: bytes, key_material: str) -> str:
    decryptor = Cipher(algorithms.AES(_php_key(key_material)), modes.CBC(iv)).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    plain = unpadder.update(padded) + unpadder.finalize()  # ValueError on a wrong key
    text = plain.decode("utf-8")
    if not text.isprintable():
        raise ValueError("decrypted to control characters")
    return text


def decrypt(stored: str, key_material: str) -> str:
    """The plain secret: decrypted if in an encrypted shape, else the value verbatim.

    Raises SecretError when the value is encrypted but this key cannot open
    it: guessing would send garbage as a header, which a WAF answers with 400.
    """
    if not stored:
        return ""
    parts = _split(stored)
    if parts is None:
        return stored
    kind, ciphertext, iv = parts
    try:
        if kind == "php-cbc":
            return _open_php_cbc(ciphertext, iv, key_material)
        return AESGCM(_key(key_material)).decrypt(iv, ciphertext, None).decode("utf-8")
    except (InvalidTag, ValueError) as exc:
        raise SecretError("stored secret cannot be decrypted with the configured key") from exc


def mask(plain: str) -> str:
    """What staff see in the admin: enough to recognise, not to use."""
    if not plain:
        return ""
    if len(plain) <= 8:
        return "•" * len(plain)
    return plain[:2] + "•" * 6 + plain[-2:]
