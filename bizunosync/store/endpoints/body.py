"""Read the ``data`` a PHP peer sent: a PHP form body (POST and PUT) or JSON.

WordPress parses both for POST and PUT; Django parses neither bracket keys
nor PUT bodies, so every store endpoint reads its body here, once.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.core.exceptions import RequestDataTooBig

from bizunosync.wire import nul, phpform

from bizunosync.wire.fields import FieldError

from .http import ApiError, bad_field

FORM_TYPES = {"", "application/x-www-form-urlencoded", "text/plain", "application/octet-stream"}


def read_payload(request, reader):
    """The body's ``data`` read by a wire reader; its FieldError becomes a 400 naming the field."""
    data = read_data(request)
    try:
        return reader(data)
    except FieldError as exc:
        raise bad_field(exc.field, exc.problem) from None


def read_data(request):
    """The value of the body's ``data`` key (None when absent)."""
    try:
        raw = request.body
    except RequestDataTooBig:
        raise ApiError(413, "rest_body_too_large", "The request body is too large.") from None
    content_type = (request.content_type or "").lower()
    is_form = content_type in FORM_TYPES
    may_hold_nul = is_form and _may_hold_nul(raw)  # once: two scans of 324 KB for a Quick Refresh batch
    if content_type == "application/json" or content_type.endswith("+json"):
        parsed = _json(raw)
    elif is_form:
        if may_hold_nul and (name := nul.in_form_names(raw)) is not None:
            # PHP's parser would cut the name at the NUL and carry on; refuse it instead.
            raise bad_field(name, "has a NUL byte in its name")
        parsed = _form(raw)
    else:
        raise ApiError(
            415, "rest_invalid_content_type",
            f"Send the body as application/x-www-form-urlencoded or application/json, not {content_type}.",
        )
    if not isinstance(parsed, dict):
        raise ApiError(400, "rest_invalid_json", "The request body must be an object with a data key.")
    data = parsed.get("data")
    # A strictly decoded form body holds no surrogate, and a NUL only if the bytes carry one:
    # the walk over every value (8,000 of them in a Quick Refresh batch) is needed only then.
    form_clean = is_form and not may_hold_nul
    where = None if form_clean else _nul_in(data)
    if where is not None:
        # No text field has a use for NUL, and PostgreSQL refuses to store one.
        raise bad_field(where, "contains a NUL byte or an unpaired UTF-16 surrogate")
    return data


def _may_hold_nul(raw: bytes) -> bool:
    """A NUL byte or an escaped one anywhere in the body."""
    return b"\x00" in raw or b"%00" in raw


def _nul_in(value) -> str | None:
    """The path of the first key or text holding a NUL byte (named as the wire readers name fields)."""
    listish = isinstance(value, list) or (isinstance(value, dict) and value and all(str(k).isdigit() for k in value))
    stack = [(value, "data" if listish else "")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if "\x00" in item or _lone_surrogate(item):
                return path or "data"
            continue
        if not isinstance(item, (dict, list)):
            continue
        for key, child in (item.items() if isinstance(item, dict) else enumerate(item)):
            key = str(key)
            if "\x00" in key or _lone_surrogate(key):
                return path or "data"
            if key.isdigit():
                stack.append((child, f"{path}[{key}]"))
            else:
                stack.append((child, f"{path}.{key}" if path else key))
    return None


def _lone_surrogate(text: str) -> bool:
    """JSON's "\\ud800" escape decodes to a str that cannot be stored or encoded as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _form(raw: bytes) -> dict:
    try:
        return phpform.decode(raw)
    except phpform.PhpFormError:
        raise ApiError(400, "rest_invalid_body", "The form body is not valid UTF-8.") from None


def _json(raw: bytes):
    if not raw.strip():
        return {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "rest_invalid_json", "The JSON body is not valid UTF-8.") from None
    try:
        return json.loads(text, parse_float=Decimal)
    except RecursionError:
        raise ApiError(400, "rest_invalid_json", "The JSON body is nested too deeply.") from None
    except ValueError as exc:
        raise ApiError(400, "rest_invalid_json", f"The JSON body is malformed: {exc}.") from None
