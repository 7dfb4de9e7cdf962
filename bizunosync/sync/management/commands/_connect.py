"""Shared bits of the connection commands."""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.core.validators import URLValidator


def valid_url(url: str) -> str:
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise CommandError(f"--url {url!r} is not a valid http(s) URL") from None
    return url


def save_valid(conn) -> None:
    """Save a connection after the model's own validation, its errors as one command error."""
    try:
        conn.full_clean()
    except ValidationError as exc:
        raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
    conn.save()


def printable_secret(name: str, value: str) -> str:
    if not value:
        raise CommandError(f"{name} must not be empty")
    if not all(0x20 <= ord(ch) <= 0x7E for ch in value):
        raise CommandError(f"{name} must be printable ASCII: it is sent in an HTTP header")
    return value
