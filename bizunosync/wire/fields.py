"""Typed reads of wire strings, each failure naming its field.

PHP peers send every number as a string (`"12"`, `"9.5"`, `""`). They are
parsed here, once, at the edge; an empty string is "not given", not zero.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

MAX_MONEY = Decimal("99999999.9999")
MAX_QTY = 10**9

# PHP's trim() strips exactly these; Python's strip() also eats a no-break space.
PHP_TRIM = " \t\n\r\0\x0b"
_DIGITS = re.compile(r"-?[0-9]{1,18}\Z")  # short enough that int() is instant
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")


class FieldError(ValueError):
    def __init__(self, field: str, problem: str):
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")

    def within(self, prefix: str) -> FieldError:
        """The same error named from ``prefix``: ``SKU`` in ``data[3]`` is ``data[3].SKU``.

        Readers of many items name fields relative to the item and prefix them only when one
        fails: building every field's full name up front was a tenth of reading a batch.
        """
        if not self.field:
            return FieldError(prefix, self.problem)
        joiner = "" if self.field.startswith("[") else "."
        return FieldError(f"{prefix}{joiner}{self.field}", self.problem)


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip(PHP_TRIM) == "")


def kind_of(value) -> str:
    """What a decoded value is, in the peer's terms (JSON/PHP), for messages."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "null"
    if isinstance(value, (int, float, Decimal)):
        return "a number"
    return "text"


def text(value, field: str, *, max_length: int = 255, required: bool = False, default: str | None = None):
    if value is None or value == "":
        if required:
            raise FieldError(field, "is required")
        return default
    if isinstance(value, (dict, list)):
        raise FieldError(field, f"must be text, not {kind_of(value)}")
    value = str(value)
    if len(value) > max_length:
        raise FieldError(field, f"is too long ({len(value)} characters, at most {max_length})")
    return value


def decimal(value, field: str, *, minimum=Decimal(0), maximum=MAX_MONEY, required=False, places: int = 4):
    if type(value) is str and _NUMBER.match(value):  # the usual case, "12.50": one regex, one Decimal
        number = Decimal(value)
        if ((minimum is None or number >= minimum) and (maximum is None or number <= maximum)
                and "e" not in value and "E" not in value and _places(value) <= places):
            return number  # within bounds and places, read off the text (Decimal.as_tuple() costs a µs)
        return _bounded(number, value, field, minimum, maximum, places)
    if _is_blank(value):
        if required:
            raise FieldError(field, "is required")
        return None
    if isinstance(value, (dict, list, bool)):
        raise FieldError(field, f"must be a number, got {type(value).__name__}")
    text_value = str(value).strip(PHP_TRIM)
    try:
        number = Decimal(text_value)
    except InvalidOperation:
        raise FieldError(field, f"must be a number, got {str(value)[:40]!r}") from None
    if not number.is_finite():
        raise FieldError(field, f"must be a finite number, got {str(value)[:40]!r}")
    if not _NUMBER.match(text_value):
        # Python's Decimal also reads "1_000" and non-ASCII digits; PHP reads neither as that number.
        raise FieldError(field, f"must be a number written with ASCII digits, got {str(value)[:40]!r}")
    return _bounded(number, value, field, minimum, maximum, places)


def _places(text: str) -> int:
    """Digits after the point of a plain number's text."""
    dot = text.find(".")
    return 0 if dot < 0 else len(text) - dot - 1


def _bounded(number: Decimal, value, field: str, minimum, maximum, places: int) -> Decimal:
    if minimum is not None and number < minimum:
        raise FieldError(field, f"must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise FieldError(field, f"must be at most {maximum}, got {number}")
    return number.quantize(Decimal(1).scaleb(-places)) if number.as_tuple().exponent < -places else number


def integer(value, field: str, *, minimum: int | None = 0, maximum: int = MAX_QTY, required=False):
    """An integer, accepting PHP's `"12.0"` but not `"12.5"`."""
    if type(value) is str and _DIGITS.match(value):  # the usual case, "12": no Decimal on the way
        number = int(value)
        if minimum is not None and number < minimum:
            raise FieldError(field, f"must be at least {minimum}, got {value[:40]!r}")
        if maximum is not None and number > maximum:
            raise FieldError(field, f"must be at most {maximum}, got {value[:40]!r}")
        return number
    number = decimal(value, field, minimum=None, maximum=None, required=required, places=12)
    if number is None:
        return None
    # Bounds before int(): "1e999999999" would otherwise build a billion-digit int and hang the worker.
    if minimum is not None and number < minimum:
        raise FieldError(field, f"must be at least {minimum}, got {str(value)[:40]!r}")
    if maximum is not None and number > maximum:
        raise FieldError(field, f"must be at most {maximum}, got {str(value)[:40]!r}")
    if number != number.to_integral_value():
        raise FieldError(field, f"must be a whole number, got {value!r}")
    number = int(number)
    if minimum is not None and number < minimum:
        raise FieldError(field, f"must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise FieldError(field, f"must be at most {maximum}, got {number}")
    return number


def flag(value, field: str, *, default: bool = False) -> bool:
    if _is_blank(value):
        return default
    lowered = str(value).strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise FieldError(field, f"must be 1 or 0, got {str(value)[:20]!r}")


MAX_SKU = 64
MAX_ITEMS = 10_000
MAX_DEPTH = 16  # deeper than any real payload; PHP itself stops at 64


def sku(value, field: str, *, required: bool = True):
    """A SKU: printable text, trimmed, at most 64 characters."""
    if isinstance(value, (dict, list)):
        raise FieldError(field, f"must be text, not {kind_of(value)}")
    value = "" if value is None else str(value).strip(PHP_TRIM)
    if not value:
        if required:
            raise FieldError(field, "is required")
        return None
    if len(value) > MAX_SKU:
        raise FieldError(field, f"is too long ({len(value)} characters, at most {MAX_SKU})")
    if not value.isprintable():
        raise FieldError(field, "contains control or invisible characters")
    return value


def listing(value, field: str, *, max_items: int = MAX_ITEMS, required: bool = False) -> list:
    """A list as PHP sends one: a JSON list or a form-decoded ``{"0": …, "1": …}``.

    Absent (``None``/``""``) is an empty list; a scalar is an error, not a
    one-item list, so a peer that sends `Item=abc` hears about it.
    """
    if value is None or value == "":
        if required:
            raise FieldError(field, "is required")
        return []
    if isinstance(value, dict):
        value = list(value.values())
    if not isinstance(value, list):
        raise FieldError(field, f"must be a list, got {type(value).__name__}")
    if len(value) > max_items:
        raise FieldError(field, f"has too many entries ({len(value)}, at most {max_items})")
    return value


def mapping(value, field: str, *, required: bool = False) -> dict:
    """A keyed group (``Billing[...]``); absent is an empty dict."""
    if value is None or value == "":
        if required:
            raise FieldError(field, "is required")
        return {}
    if isinstance(value, list):
        value = {str(i): v for i, v in enumerate(value)}
    if not isinstance(value, dict):
        raise FieldError(field, f"must be a group of fields, got {type(value).__name__}")
    return value


def depth(value, limit: int = MAX_DEPTH) -> int:
    """Nesting depth of lists/dicts, level by level (no recursion limit to hit)."""
    deepest = 0
    level = [value]
    while True:
        below, containers = [], False
        for item in level:
            if isinstance(item, dict):
                below.extend(item.values())
                containers = True
            elif isinstance(item, (list, tuple)):
                below.extend(item)
                containers = True
        if not containers:
            return deepest
        deepest += 1
        if deepest > limit:
            return deepest
        level = below


def shallow(value, field: str, limit: int = MAX_DEPTH):
    """Refuse structures nested deeper than any real payload."""
    if depth(value, limit) > limit:
        raise FieldError(field, f"is nested too deeply (more than {limit} levels)")
    return value
