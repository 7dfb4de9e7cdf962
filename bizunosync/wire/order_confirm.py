"""`order/confirm`: ship confirmations keyed by order reference (PROTOCOL §2.6).

``head[REF]`` is a text line, ``body[REF]`` the tracking numbers. REF is the
``PurchaseOrderID`` the store sent with the order (order prefix + number).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import fields
from .fields import FieldError

MAX_ORDERS = 5000


@dataclass(frozen=True)
class Confirmation:
    ref: str
    head: str
    body: str = ""

    @property
    def note(self) -> str:
        """The customer-visible note: head, line break, tracking numbers."""
        return f"{self.head}\n{self.body}" if self.body else self.head


def read(data) -> list[Confirmation]:
    """Confirmations in the order sent; no ``head`` at all is an empty list."""
    data = fields.mapping(data, "data")
    heads = fields.mapping(data.get("head"), "head")
    bodies = fields.mapping(data.get("body"), "body")
    if len(heads) > MAX_ORDERS:
        raise FieldError("head", f"has too many orders ({len(heads)}, at most {MAX_ORDERS})")
    out = []
    for ref, head in heads.items():
        ref = fields.text(str(ref).strip(), "head", max_length=64)
        if not ref:
            continue
        head_text = fields.text(head, f"head[{ref}]", max_length=1000, default="")
        body_text = fields.text(bodies.get(ref), f"body[{ref}]", max_length=4000, default="")
        out.append(Confirmation(ref, head_text, body_text))
    return out


def build(confirmations: list[Confirmation]) -> dict:
    return {
        "head": {c.ref: c.head for c in confirmations},
        "body": {c.ref: c.body for c in confirmations},
    }
