"""Images sent as base64 by product/update: checked, confined, then stored.

Everything is decoded and verified first (`prepare`), so a bad image refuses
the whole call before anything is written. Names come from the sender and are
confined to `products/` under the media folder: no `..`, no absolute path,
no NUL, no drive letter.
"""

from __future__ import annotations

import base64
import binascii
import io
import posixpath
import re
import warnings
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image as PILImage

from bizunosync.wire.fields import FieldError

ROOT = "products"
FORMATS = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}
EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".webp"}
MAX_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 60_000_000
_SAFE = re.compile(r"[^A-Za-z0-9._ -]+")


@dataclass
class PreparedImage:
    name: str  # storage name under products/
    content: bytes
    title: str = ""


def safe_name(directory: str, filename: str, dir_field: str, name_field: str) -> str:
    """`products/<directory>/<filename>`, or FieldError naming the bad field."""
    for value, field in ((directory, dir_field), (filename, name_field)):
        if "\x00" in value:
            raise FieldError(field, "contains a NUL byte")
        if value.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", value):
            raise FieldError(field, "must be relative to the media folder, not an absolute path")
        if ".." in re.split(r"[\\/]", value):
            raise FieldError(field, "must not contain '..'")
        if "\\" in value:
            raise FieldError(field, "must use / between folders")
    if "/" in filename.strip("/"):
        raise FieldError(name_field, "must be a file name, not a path")
    parts = [_SAFE.sub("-", p).strip(" .") for p in directory.split("/") if p not in ("", ".")]
    base = _SAFE.sub("-", filename.strip("/")).strip(" ")
    if not base or base.startswith("."):
        raise FieldError(name_field, "is not a usable file name")
    name = posixpath.normpath(posixpath.join(ROOT, *[p for p in parts if p], base))
    if not name.startswith(ROOT + "/"):  # belt and braces; the checks above make this unreachable
        raise FieldError(dir_field, "leaves the media folder")
    return name


def decode_image(data: str, field: str) -> tuple[bytes, str]:
    """Base64 → bytes that Pillow recognises as an image; returns (bytes, extension)."""
    # PHP's base64 survives a form body with "+" turned into " " at times (the plugin fixes it the same way)
    cleaned = re.sub(r"[\r\n\t]", "", data).replace(" ", "+")
    if len(cleaned) * 3 // 4 > MAX_BYTES:
        raise FieldError(field, f"is too large (at most {MAX_BYTES // (1024 * 1024)} MB)")
    try:
        raw = base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        raise FieldError(field, "is not valid base64") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(raw)) as probe:
                kind = probe.format
                width, height = probe.size
                probe.verify()
    except (PILImage.DecompressionBombWarning, PILImage.DecompressionBombError):
        raise FieldError(field, f"has too many pixels (at most {MAX_PIXELS:,}); send a smaller image") from None
    except Exception:  # Pillow raises many types for garbage; all mean "not an image"
        raise FieldError(field, "is not an image (JPEG, PNG, GIF or WebP)") from None
    if kind not in FORMATS:
        raise FieldError(field, f"is a {kind} image; send JPEG, PNG, GIF or WebP")
    if width * height > MAX_PIXELS:
        raise FieldError(field, f"is too large ({width}×{height} pixels)")
    return raw, FORMATS[kind]


def prepare(image, *, dir_field: str, name_field: str, data_field: str) -> PreparedImage:
    """Check one wire image (`wire.product_update.Image`) without writing anything."""
    name = safe_name(image.path or "", image.filename or "", dir_field, name_field)
    content, extension = decode_image(image.data, data_field)
    stem, ext = posixpath.splitext(name)
    if ext.lower() not in EXTENSIONS:
        name = stem + extension  # the file's real type decides how it is served
    return PreparedImage(name, content, image.title)


def save(prepared: PreparedImage, *, replace_name: str = "") -> str:
    """Write to default storage; returns the stored name."""
    if replace_name and replace_name == prepared.name and default_storage.exists(replace_name):
        default_storage.delete(replace_name)
    return default_storage.save(prepared.name, ContentFile(prepared.content))


def delete(name: str) -> None:
    if name and default_storage.exists(name):
        default_storage.delete(name)
