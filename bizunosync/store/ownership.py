"""Which product fields Bizuno owns, and the log of local edits to them.

Bizuno's next product/update or Quick Refresh overwrites these fields
(PROTOCOL: "each resource flows one way; the owner's last write wins"), so
the admin shows them read-only unless StoreSettings.allow_local_edits is on,
and then records every edit made here (LocalEdit).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from .models import LocalEdit, Product, StoreSettings
from .services import snapshot

NOTE = "Owned by Bizuno — change it there; the next Quick Refresh or upload overwrites edits made here."

# Model fields on the product form that Bizuno writes.
OWNED_FIELDS = (
    "name", "short_description", "description",
    "regular_price", "sale_price", "price",
    "stock_quantity", "stock_status",
    "weight", "length", "width", "height",
    "categories", "tags", "attributes", "image",
)
# Inlines whose rows Bizuno writes: price tiers, gallery images, variations.
OWNED_RELATIONS = ("tiers", "gallery", "variations")

# Snapshot keys (services/snapshot.py) in the order staff read them, with labels.
LABELS = {
    "name": "Name",
    "short_description": "Short description",
    "description": "Description",
    "regular_price": "Regular price",
    "sale_price": "Sale price",
    "price": "Active price",
    "tiers": "Price tiers",
    "stock_quantity": "Stock quantity",
    "stock_status": "Stock status",
    "weight": "Weight",
    "length": "Length",
    "width": "Width",
    "height": "Height",
    "categories": "Categories",
    "tags": "Tags",
    "attributes": "Attributes",
    "image": "Image",
    "gallery": "Gallery",
}
PREFETCH = ("tiers", "categories", "tags", "gallery")


def local_edits_allowed() -> bool:
    return StoreSettings.load().allow_local_edits


def current(product: Product) -> dict:
    """The owned fields as they are here, in the snapshot's shape (reads any prefetch)."""
    return snapshot.of_product(product, [(t.qty, t.price) for t in product.tiers.all()])


def fresh(pk: int) -> Product:
    return Product.objects.prefetch_related(*PREFETCH).get(pk=pk)


def show(key: str, value) -> str:
    """A snapshot value as staff read it."""
    if value is None or value == "" or value == []:
        return "—"
    if key == "tiers":
        return "; ".join(f"{qty}+ at {price}" for qty, price in value)
    if key == "stock_status":
        return Product.StockStatus(value).label if value in Product.StockStatus.values else str(value)
    if key == "attributes":
        parts = []
        for attr in value:
            if isinstance(attr, dict):
                shown = attr.get("value") or ", ".join(attr.get("options") or [])
                parts.append(f"{attr.get('name', '?')}: {shown}")
            else:
                parts.append(str(attr))
        return "; ".join(parts)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


@dataclass
class Change:
    key: str
    old: object
    new: object

    @property
    def label(self) -> str:
        return LABELS.get(self.key, self.key)


def changes(before: dict, after: dict) -> list[Change]:
    return [Change(key, before.get(key), after.get(key)) for key in LABELS if before.get(key) != after.get(key)]


def record(product: Product, before: dict, after: dict, user) -> list[LocalEdit]:
    """Log each owned field that differs between `before` and `after` as a local edit by `user`."""
    rows = [
        LocalEdit(product=product, field=c.label, old_value=show(c.key, c.old), new_value=show(c.key, c.new),
                  user=user if getattr(user, "pk", None) else None)
        for c in changes(before, after)
    ]
    if rows:
        with transaction.atomic():
            LocalEdit.objects.bulk_create(rows)
    return rows
