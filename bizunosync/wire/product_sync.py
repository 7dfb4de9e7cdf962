"""`product/sync`: which SKUs Bizuno wants listed (PROTOCOL §2.5).

``syncSkus`` travels as a JSON *string* inside the form body, so that a long
list is one variable and cannot be cut short by PHP's max_input_vars
(phreesoft/bizuno-api lib/product.php ``productSync``: ``json_decode($data['syncSkus'], true)``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field as dc_field

from . import fields, nul
from .fields import FieldError

MAX_SKUS = 200_000


@dataclass
class SyncRequest:
    tag: str = ""
    skus: list[str] = dc_field(default_factory=list)
    delete: bool = False


def read(data) -> SyncRequest:
    data = fields.mapping(data, "data", required=True)
    tag = fields.text(data.get("syncTag"), "syncTag", max_length=64, default="")
    raw = data.get("syncSkus")
    if raw is None or raw == "":
        raise FieldError("syncSkus", "is required")
    if isinstance(raw, str):
        try:
            decoded = json.loads(raw)
        except ValueError:
            raise FieldError("syncSkus", "must be a JSON list of SKUs") from None
        except RecursionError:
            # json.loads recurses per "[": 50,000 of them must be a 400, not a 500.
            raise FieldError("syncSkus", "is nested too deeply (a JSON list of SKUs)") from None
    else:  # a JSON request body may carry the list itself
        decoded = raw
    if isinstance(raw, str) and "\\u0000" in raw and (where := nul.in_tree(decoded, "syncSkus")):
        # A JSON escape decodes to a NUL after the body's own check: refuse it here, as there.
        raise FieldError(where, "contains a NUL byte")
    if isinstance(decoded, dict):  # PHP json_encode of a non-sequential array
        decoded = list(decoded.values())
    if not isinstance(decoded, list):
        raise FieldError("syncSkus", f"must be a JSON list of SKUs, not {fields.kind_of(decoded)}")
    if len(decoded) > MAX_SKUS:
        raise FieldError("syncSkus", f"has too many SKUs ({len(decoded)}, at most {MAX_SKUS})")
    skus: list[str] = []
    seen = set()
    for i, value in enumerate(decoded):
        if isinstance(value, bool) or value is None:
            raise FieldError(f"syncSkus[{i}]", "must be a SKU")
        sku = fields.sku(value if not isinstance(value, (int, float)) else str(value), f"syncSkus[{i}]", required=False)
        if sku is not None and sku not in seen:
            seen.add(sku)
            skus.append(sku)
    delete = fields.flag(data.get("syncDelete"), "syncDelete")
    return SyncRequest(tag or "", skus, delete)


def build(req: SyncRequest) -> dict:
    # PHP's json_encode escapes "/" and non-ASCII by default; json.dumps with
    # ensure_ascii gives the \uXXXX half of that, and PHP's json_decode reads both.
    return {
        "syncTag": req.tag,
        "syncSkus": json.dumps(list(req.skus), separators=(",", ":")),
        "syncDelete": "1" if req.delete else "0",
    }
