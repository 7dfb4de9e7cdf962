"""Find a NUL character where a request's names and values enter, to refuse it naming the field.

No field here has a use for NUL, PostgreSQL refuses to store or compare one
("A string literal cannot contain NUL"), and PHP's parser cuts a *name* at
it silently. So every edge refuses it with a 400 that names the field:
query strings and Django-parsed forms (`bridge.middleware`), the store
endpoints' bodies (`store/endpoints/body.py`), the portal's bodies
(`books/portal`). Names are shown with the NUL written as ``\\0``, so the
message (and the call log that keeps it) holds none.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

NUL = "\x00"
MAX_SHOWN = 80


def shown(name: str) -> str:
    """A field name fit for a message and a log row: NUL as ``\\0``, cut to a readable length."""
    text = str(name).replace(NUL, "\\0")
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def in_pairs(mapping) -> str | None:
    """The first name in a QueryDict (or any mapping of lists) whose name or a value holds a NUL."""
    lists = mapping.lists() if hasattr(mapping, "lists") else ((k, v if isinstance(v, list) else [v])
                                                               for k, v in mapping.items())
    for name, values in lists:
        if NUL in name or any(isinstance(v, str) and NUL in v for v in values):
            return shown(name)
    return None


def in_form_names(raw: bytes) -> str | None:
    """The first name in a raw form body that holds a NUL (PHP's parser would cut it there unseen).

    Cheap when there is none: the body is scanned only if its bytes carry a NUL or ``%00``.
    """
    if b"\x00" not in raw and b"%00" not in raw:
        return None
    for part in raw.split(b"&"):
        name = part.partition(b"=")[0].replace(b"+", b" ")
        if b"\x00" in name or b"%00" in name:
            decoded = unquote_to_bytes(name).decode("utf-8", "replace")
            if NUL in decoded:
                return shown(decoded)
    return None


def in_tree(value, root: str = "") -> str | None:
    """The path (``Item[2].Description``) of the first name or text in decoded data holding a NUL."""
    stack = [(value, root)]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return shown(path or "body")
            continue
        if not isinstance(item, (dict, list)):
            continue
        for key, child in (item.items() if isinstance(item, dict) else enumerate(item)):
            key = str(key)
            if NUL in key:
                return shown(f"{path}.{key}" if path else key)
            stack.append((child, f"{path}[{key}]" if key.isdigit() else (f"{path}.{key}" if path else key)))
    return None
