"""An attempt's request body as the peer's PHP reads it: nested fields, not a URL-encoded blob.

The attempt keeps the first characters of the body (secrets already
redacted by the transport). A PHP form is decoded with our PHP codec, so
staff read ``General → PurchaseOrderID: WC1003`` where ``$_POST`` will have
it; a JSON body is pretty-printed. Keys that name a secret are masked again,
in case a value reached the body URL-encoded past the text redaction.
"""

from __future__ import annotations

import json
import re

from bizunosync.wire import phpform

REDACTED = "[redacted]"
_SECRET_KEY = re.compile(r"pass|token|secret|api[_-]?key", re.I)


def _mask(value):
    if isinstance(value, dict):
        return {k: (REDACTED if _SECRET_KEY.search(str(k)) and not isinstance(v, (dict, list)) else _mask(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


def decoded(summary: dict) -> tuple[object | None, bool]:
    """(the body as nested data, whether it was cut short), or (None, False) when there is no body to show."""
    excerpt = (summary or {}).get("body_excerpt") or ""
    if not excerpt:
        return None, False
    cut = int((summary or {}).get("body_bytes") or 0) > len(excerpt.encode("utf-8"))
    content_type = {k.lower(): v for k, v in ((summary or {}).get("headers") or {}).items()}.get("content-type", "")
    if "json" in content_type:
        try:
            return _mask(json.loads(excerpt)), cut
        except ValueError:
            return None, cut
    if cut and "&" in excerpt:
        excerpt = excerpt[: excerpt.rindex("&")]  # the last field was cut mid-way: leave it out
    try:
        return _mask(phpform.decode(excerpt, errors="replace")), cut
    except phpform.PhpFormError:
        return None, cut


def as_text(data, indent: int = 0) -> str:
    """Nested fields one per line, indented like print_r: ``General`` then ``  PurchaseOrderID: WC1003``."""
    pad = "  " * indent
    lines = []
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for key, value in items:
        if isinstance(value, (dict, list)):
            lines.append(f"{pad}{key}")
            lines.append(as_text(value, indent + 1) if value else f"{pad}  (empty)")
        else:
            lines.append(f"{pad}{key}: {value}")
    return "\n".join(lines)
