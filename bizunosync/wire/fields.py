"""Typed reads of wire strings, each failure naming its field.

PHP peers send every number as a string (`"12"`, `"9.5"`, `""`). They are
parsed here, once, at the edge; an empty string is "not given", not zero.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

MAX_MONEY = Decimal("99999999.9999")
MAX_QTY = 10**9


class FieldError(ValueError):
    def __init__(self, field: str, problem: str):
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def text(value, field: str, *, max_length: int = 255, required: bool = False, default: str | None = None):
    if value is None or value == "":
        if required:
            raise FieldError(field, "is required")
        return default
    if isinstance(value, (dict, list)):
        raise FieldError(field, "must be text, not a list")
    value = str(value)
    if len(value) > max_length:
        raise FieldError(field, f"is too long ({len(value)} characters, at most {max_length})")
    return value


def decimal(value, field: str, *, minimum=Decimal(0), maximum=MAX_MONEY, required=False, places: int = 4):
    if _is_blank(value):
        if required:
            raise FieldError(field, "is required")
        return None
    if isinstance(value, (dict, list, bool)):
        raise FieldError(field, f"must be a number, got {type(value).__name__}")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise FieldError(field, f"must be a number, got {str(value)[:40]!r}") from None
    if not number.is_finite():
        raise FieldError(field, f"must be a finite number, got {str(value)[:40]!r}")
    if minimum is not None and number < minimum:
        raise FieldError(field, f"must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise FieldError(field, f"must be at most {maximum}, got {number}")
    return number.quantize(Decimal(1).scaleb(-places)) if number.as_tuple().exponent < -places else number


def integer(value, field: str, *, minimum: int | None = 0, maximum: int = MAX_QTY, required=False):
    """An integer, accepting PHP's `"12.0"` but not `"12.5"`."""
    number = decimal(value, field, minimum=None, maximum=None, required=required, places=12)
    if number is None:
        return None
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
