"""`shipGetRates`: checkout destination out, rate quotes back (PROTOCOL §3.3).

A GET with a query string; empty parameters are stripped before the URL is
built (a WAF at paranoia 2+ dislikes `a=&b=`, and Bizuno treats absent and
empty alike). The answer is ``{"pkg": {"destination": …}, "rates": [{id, title, quote}]}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from . import fields
from .fields import FieldError

MAX_RATES = 100

# RateQuery attribute -> query parameter
PARAMS = (
    ("country", "country"),
    ("state", "state"),
    ("postcode", "postcode"),
    ("city", "city"),
    ("address", "address"),
    ("address_1", "address_1"),
    ("address_2", "address_2"),
    ("total_weight", "totalWeight"),
)


@dataclass(frozen=True)
class RateQuery:
    country: str = ""
    state: str = ""
    postcode: str = ""
    city: str = ""
    address: str = ""
    address_1: str = ""
    address_2: str = ""
    total_weight: Decimal = Decimal(0)

    @property
    def can_quote(self) -> bool:
        """No postcode, no rates: Bizuno's carriers cannot rate without one."""
        return bool(self.postcode.strip())

    def destination(self) -> dict:
        return {param: getattr(self, attr) for attr, param in PARAMS if attr != "total_weight"}


@dataclass(frozen=True)
class Rate:
    id: str
    title: str
    quote: Decimal


def to_params(q: RateQuery) -> dict:
    out = {}
    for attr, param in PARAMS:
        value = getattr(q, attr)
        if isinstance(value, Decimal):
            value = format(value.normalize(), "f") if value else ""
        value = (value or "").strip()
        if value:
            out[param] = value
    return out


def read_query(params) -> RateQuery:
    """A RateQuery from GET parameters (a dict or Django QueryDict)."""
    get = params.get
    values = {}
    for attr, param in PARAMS:
        if attr == "total_weight":
            continue
        limit = 16 if attr in {"country", "postcode"} else 128
        values[attr] = (fields.text(get(param), param, max_length=limit, default="") or "").strip()
    weight = fields.decimal(get("totalWeight"), "totalWeight", maximum=Decimal(100000))
    return RateQuery(**values, total_weight=weight if weight is not None else Decimal(0))


def read_answer(data) -> list[Rate]:
    """The rates in Bizuno's answer; FieldError when its shape is wrong."""
    if isinstance(data, list) and not data:
        return []  # PHP's empty array: no rates
    if not isinstance(data, dict):
        raise FieldError("answer", f"must be a JSON object, got {type(data).__name__}")
    fields.shallow(data, "answer", limit=8)
    rows = fields.listing(data.get("rates"), "rates", max_items=MAX_RATES)
    rates = []
    for i, row in enumerate(rows):
        where = f"rates[{i}]"
        row = fields.mapping(row, where, required=True)
        rate_id = fields.text(row.get("id"), f"{where}.id", max_length=128, required=True)
        title = fields.text(row.get("title"), f"{where}.title", max_length=255, default=rate_id)
        if isinstance(row.get("quote"), bool):
            raise FieldError(f"{where}.quote", "must be a number, got bool")
        quote = fields.decimal(row.get("quote"), f"{where}.quote", required=True)
        rates.append(Rate(rate_id, title, quote))
    return rates


def build_answer(destination: dict, rates: list[Rate]) -> dict:
    return {
        "pkg": {"destination": dict(destination)},
        "rates": [{"id": r.id, "title": r.title, "quote": format(r.quote, "f")} for r in rates],
    }
