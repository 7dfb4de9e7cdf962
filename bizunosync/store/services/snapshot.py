"""What Bizuno last sent for the fields it owns, kept on Product.bizuno_snapshot.

A later drift report compares these with the product's current values, to
show staff where a local edit will be overwritten (or was).
"""

from __future__ import annotations

from decimal import Decimal

OWNED = ("regular_price", "sale_price", "price", "stock_quantity", "stock_status", "weight", "tiers")
# What only product/update sends (Quick Refresh leaves these alone).
# The weight unit Bizuno last named (product/update's WeightUOM): Quick Refresh converts from it.
WEIGHT_UOM = "weight_uom"
CATALOG = ("name", "short_description", "description", "length", "width", "height", "attributes",
           "categories", "tags", "image", "gallery")


_PLACES = Decimal("0.0001")


_TEXTS: dict = {}  # non-zero finite number → its text: a Quick Refresh formats 6,000 a batch, mostly repeats
_TEXTS_KEPT = 4096


def money(value: Decimal | None) -> str | None:
    """The number at four places ("10.5" → "10.5000"); None stays None.

    Equal numbers print alike, so the cache is keyed by value; zero is never kept, as 0 and -0
    are equal but print apart, and neither is a NaN or an infinity (a signalling NaN cannot
    even be looked up).
    """
    if value is None:  # before the lookup: a miss raises, and a Quick Refresh item's sale price is mostly None
        return None
    try:
        return _TEXTS[value]
    except (KeyError, TypeError):
        pass
    if type(value) is not Decimal:
        value = Decimal(value)
    text = format(value.quantize(_PLACES), "f")
    if value and value.is_finite():
        if len(_TEXTS) >= _TEXTS_KEPT:
            _TEXTS.clear()
        _TEXTS[value] = text
    return text


def tiers(pairs) -> list[list]:
    """[(qty, price), …] → [[qty, "price"], …] sorted by qty."""
    return [[int(q), money(p)] for q, p in sorted(pairs, key=lambda t: t[0])]


def of_product(product, tier_pairs) -> dict:
    """The owned fields of `product` as they are now (just after a Bizuno write)."""
    return {
        "regular_price": money(product.regular_price),
        "sale_price": money(product.sale_price),
        "price": money(product.price),
        "stock_quantity": product.stock_quantity,
        "stock_status": product.stock_status,
        "weight": money(product.weight),
        "tiers": tiers(tier_pairs),
        **of_catalog(product),
    }


def of_catalog(product) -> dict:
    """The catalog fields product/update sets; relations read through any prefetch."""
    out = {
        "name": product.name,
        "short_description": product.short_description,
        "description": product.description,
        "length": money(product.length),
        "width": money(product.width),
        "height": money(product.height),
        "attributes": product.attributes,
    }
    if product.product_type != "variation":  # variations have no categories, tags or images of their own
        out["categories"] = sorted(c.name for c in product.categories.all())
        out["tags"] = sorted(t.name for t in product.tags.all())
        out["image"] = product.image.name or ""
        out["gallery"] = [g.image.name for g in sorted(product.gallery.all(), key=lambda g: (g.position, g.pk))]
    return out
