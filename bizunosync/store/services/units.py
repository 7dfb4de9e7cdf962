"""Weight and length conversion into the store's units, in Decimal.

The plugin's own conversion tables have wrong factors (kg → g divides by
1000); these are the exact definitions.
"""

from decimal import Decimal

GRAMS = {"g": Decimal("1"), "kg": Decimal("1000"), "lb": Decimal("453.59237"), "oz": Decimal("28.349523125")}
MILLIMETRES = {
    "mm": Decimal("1"), "cm": Decimal("10"), "m": Decimal("1000"),
    "in": Decimal("25.4"), "ft": Decimal("304.8"), "yd": Decimal("914.4"),
}
PLACES = Decimal("0.0001")


def _convert(value: Decimal | None, source: str | None, target: str, table: dict) -> Decimal | None:
    if value is None:
        return None
    if not source or source == target or source not in table or target not in table:
        return value
    return (value * table[source] / table[target]).quantize(PLACES)


def weight(value, source, target):
    return _convert(value, source, target, GRAMS)


def length(value, source, target):
    return _convert(value, source, target, MILLIMETRES)
