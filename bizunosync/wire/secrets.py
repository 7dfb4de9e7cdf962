"""Secrets at rest, and the `decrypt_password` quirk (PROTOCOL §4).

The encrypted form is base64 of ``<ciphertext>::<iv>``, the shape the PHP
peers store. We fill it with AES-256-GCM (authenticated) rather than the
plugin's bare CBC. Decryption is attempted only on a value that decodes to
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


def _split(stored: str) -> tuple[bytes, bytes] | None:
    try:
        inner = base64.b64decode(stored.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None
    if b"::" not in inner:
        return None
    ciphertext_b64, _, iv_b64 = inner.partition(b"::")
    try:
        return base64.b64decode(ciphertext_b64, validate=True), base64.b64decode(iv_b64, validate=True)
    except (binascii.Error, ValueError):
        return None


def is_encrypted(stored: str) -> bool:
    return bool(stored) and _split(stored) is not None


def decrypt(stored: str, key_material: str) -> str:
    """The plain secret: decrypted if in the `::` form, else the value verbatim."""
    if not stored:
        return ""
    parts = _split(stored)
    if parts is None:
        return stored
    ciphertext, iv = parts
    try:
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
