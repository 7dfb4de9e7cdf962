"""Drift: where a product here differs from what Bizuno last sent (Product.bizuno_snapshot).

Only the fields Bizuno actually sent are compared (a product Quick Refresh
alone has kept has no name in its snapshot); Bizuno's next push of that field
overwrites the local value, and the snapshot it leaves makes the drift go away.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import LocalEdit, Product
from .ownership import LABELS, PREFETCH, current, show


@dataclass
class Drift:
    key: str
    owner: object
    local: object
    last_edit: LocalEdit | None = None

    @property
    def label(self) -> str:
        return LABELS.get(self.key, self.key)

    @property
    def owner_text(self) -> str:
        return show(self.key, self.owner)

    @property
    def local_text(self) -> str:
        return show(self.key, self.local)


def of_product(product: Product) -> list[Drift]:
    sent = product.bizuno_snapshot or {}
    if not sent:
        return []
    here = current(product)
    return [Drift(key, sent[key], here.get(key)) for key in LABELS if key in sent and sent[key] != here.get(key)]


def report() -> list[tuple[Product, list[Drift]]]:
    """Every product with drift, by SKU, each drift row with the latest local edit of that field."""
    found = []
    products = Product.objects.select_related("parent").prefetch_related(*PREFETCH).order_by("sku")
    for product in products.iterator(chunk_size=500):
        rows = of_product(product)
        if rows:
            found.append((product, rows))
    if found:
        edits = {}
        for edit in LocalEdit.objects.filter(product__in=[p for p, _ in found]).select_related("user").order_by("at", "id"):
            edits[(edit.product_id, edit.field)] = edit  # the latest wins
        for product, rows in found:
            for row in rows:
                row.last_edit = edits.get((product.pk, row.label))
    return found
