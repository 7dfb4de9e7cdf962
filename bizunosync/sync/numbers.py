"""How amounts read to staff: money with 2 places (more only when they carry digits), quantities as counted.

Prices are kept to 4 places because Bizuno keeps them so; "6.9000" reads
6.90 and "9.9950" reads 9.995 (nothing is rounded away). A quantity or a
measure has no cents: "1.0000" reads 1, "0.2500" reads 0.25.
"""

from __future__ import annotations

from decimal import Decimal

# Decimal fields that are counts or measures, not money (by name).
MEASURE_WORDS = ("quantity", "qty", "weight", "length", "width", "height")


def places(value: Decimal, minimum: int = 2) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(minimum, -exponent) if isinstance(exponent, int) else minimum


def money_text(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.{places(value)}f}"


def amount_text(value: Decimal | None) -> str:
    """A quantity or measure: no trailing zeros."""
    return "" if value is None else f"{value:.{places(value, 0)}f}"


def is_measure(field_name: str) -> bool:
    return any(word in field_name for word in MEASURE_WORDS)
