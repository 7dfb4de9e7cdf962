"""`product/update`: one product, created or updated by SKU (PROTOCOL §2.3).

Field names are those Bizuno's WooCommerce interface sends (``productToStore``
and ``prepVariations`` in phreesoft/bizuno) and the plugin reads
(``productImport`` in phreesoft/bizuno-api lib/product.php). Variations carry
``sku, sale_price, weight, stock, attributes`` as Bizuno sends them; the
plugin's ``regular_price``/``stock_qty`` spellings are accepted too.
Absent fields are ``None`` ("not sent"); the store decides what that means.
"""

from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from decimal import Decimal

from . import fields
from .fields import FieldError
from .product_refresh import WEIGHT_UNITS, Tier, read_tiers, read_unit

SEND_FULL = 1
SEND_KEEP_IMAGES = 2
SEND_DATA_ONLY = 3

MAX_IMAGES = 50
MAX_IMAGE_BYTES_B64 = 20 * 1024 * 1024
MAX_VARIATIONS = 1000
DIMENSION_UNITS = ("in", "ft", "yd", "m", "cm", "mm")


@dataclass(frozen=True)
class Image:
    filename: str
    data: str  # base64, as sent; decoded by whoever writes the file
    path: str = ""
    title: str = ""


@dataclass(frozen=True)
class Attribute:
    index: str
    title: str
    value: str = ""


@dataclass(frozen=True)
class OptionAttribute:
    name: str
    options: list[str]


@dataclass(frozen=True)
class Variation:
    sku: str
    attributes: dict[str, str]
    regular_price: Decimal | None = None
    sale_price: Decimal | None = None
    weight: Decimal | None = None
    stock: int | None = None


@dataclass
class ProductUpdate:
    sku: str
    type: str = "si"
    description: str | None = None
    description_sales: str | None = None
    description_long: str | None = None
    price: Decimal | None = None
    tiers: list[Tier] = dc_field(default_factory=list)
    qty_stock: int | None = None
    weight: Decimal | None = None
    weight_uom: str | None = None
    length: Decimal | None = None
    width: Decimal | None = None
    height: Decimal | None = None
    dimension_uom: str | None = None
    menu_order: int | None = None
    slug: str | None = None
    category: str | None = None
    tags: str | None = None
    attributes: list[Attribute] = dc_field(default_factory=list)
    attribute_category: str | None = None
    accessories: list[str] = dc_field(default_factory=list)
    option_attributes: list[OptionAttribute] = dc_field(default_factory=list)
    variations: list[Variation] = dc_field(default_factory=list)
    search_code: str | None = None
    meta_description: str | None = None
    image: Image | None = None
    images: list[Image] = dc_field(default_factory=list)
    send_mode: int = SEND_FULL

    @property
    def is_variable(self) -> bool:
        return self.type == "ms"

    @property
    def name(self) -> str:
        return self.description or self.sku

    @property
    def short_description(self) -> str:
        return self.description_sales or self.description or ""

    @property
    def long_description(self) -> str:
        return self.description_long or self.description_sales or ""

    @property
    def category_paths(self) -> list[list[str]]:
        """``Top|Mid|Leaf;Other|Leaf`` as breadcrumb lists (``:`` is the legacy level separator)."""
        out = []
        for crumb in (self.category or "").split(";"):
            sep = "|" if "|" in crumb else ":"
            levels = [level.strip() for level in crumb.split(sep) if level.strip()]
            if levels:
                out.append(levels)
        return out

    @property
    def tag_names(self) -> list[str]:
        """``a|b|c`` (legacy ``a;b;c``)."""
        raw = self.tags or ""
        sep = "|" if "|" in raw else ";"
        return [t.strip() for t in raw.split(sep) if t.strip()]


def _text(raw, key, limit=255):
    return fields.text(raw.get(key), key, max_length=limit)


def _unit(raw, key, allowed):
    return read_unit(raw.get(key), key, allowed)


def _image(raw, where: str, *, path_key, name_key, data_key, title_key=None) -> Image | None:
    data = fields.text(raw.get(data_key), f"{where}{data_key}", max_length=MAX_IMAGE_BYTES_B64)
    if not data:
        return None  # the plugin skips an image without data
    filename = fields.text(raw.get(name_key), f"{where}{name_key}", max_length=255, required=True)
    path = fields.text(raw.get(path_key), f"{where}{path_key}", max_length=255, default="")
    title = fields.text(raw.get(title_key), f"{where}{title_key}", max_length=255, default="") if title_key else ""
    return Image(filename, data, path, title)


def _variation(raw, where: str) -> Variation:
    raw = fields.mapping(raw, where, required=True)
    sku = fields.sku(raw.get("sku"), f"{where}.sku")
    attrs_raw = fields.mapping(raw.get("attributes"), f"{where}.attributes")
    attributes = {
        str(k)[:128]: fields.text(v, f"{where}.attributes.{k}", max_length=255, default="") for k, v in attrs_raw.items()
    }
    regular = fields.decimal(raw.get("regular_price"), f"{where}.regular_price")
    sale = fields.decimal(raw.get("sale_price"), f"{where}.sale_price")
    weight = fields.decimal(raw.get("weight"), f"{where}.weight")
    stock_key = "stock" if raw.get("stock") is not None else "stock_qty"
    stock = fields.integer(raw.get(stock_key), f"{where}.{stock_key}", minimum=-fields.MAX_QTY)
    return Variation(sku, attributes, regular, sale, weight, stock)


def read(data) -> ProductUpdate:
    """The product in ``data``; FieldError (first bad field) if unreadable."""
    fields.shallow(data, "data", limit=8)
    raw = fields.mapping(data, "data", required=True)
    sku = fields.sku(raw.get("SKU"), "SKU")
    kind = (fields.text(raw.get("Type"), "Type", max_length=8) or "si").strip().lower()
    mode = fields.integer(raw.get("sendMode"), "sendMode", minimum=None, maximum=None)
    mode = mode if mode in (SEND_FULL, SEND_KEEP_IMAGES, SEND_DATA_ONLY) else SEND_FULL

    attributes = []
    for i, row in enumerate(fields.listing(raw.get("Attributes"), "Attributes", max_items=200)):
        where = f"Attributes[{i}]"
        row = fields.mapping(row, where, required=True)
        index = fields.text(row.get("index"), f"{where}.index", max_length=64)
        title = fields.text(row.get("title"), f"{where}.title", max_length=128)
        if not index or not title:
            continue  # the plugin skips rows without both
        attributes.append(Attribute(index, title, fields.text(row.get("value"), f"{where}.value", default="")))

    accessories = [
        s for i, v in enumerate(fields.listing(raw.get("invAccessory"), "invAccessory", max_items=500))
        if (s := fields.sku(v, f"invAccessory[{i}]", required=False))
    ]

    options = fields.mapping(raw.get("invOptions"), "invOptions")
    option_attributes = []
    for i, row in enumerate(fields.listing(options.get("attributes"), "invOptions.attributes", max_items=50)):
        where = f"invOptions.attributes[{i}]"
        row = fields.mapping(row, where, required=True)
        name = fields.text(row.get("name"), f"{where}.name", max_length=128, required=True)
        values = [
            fields.text(v, f"{where}.options[{j}]", max_length=128, default="")
            for j, v in enumerate(fields.listing(row.get("options"), f"{where}.options", max_items=500))
        ]
        option_attributes.append(OptionAttribute(name, values))
    variations = [
        _variation(row, f"invOptions.variations[{i}]")
        for i, row in enumerate(fields.listing(options.get("variations"), "invOptions.variations", max_items=MAX_VARIATIONS))
    ]

    image = _image(raw, "", path_key="ProductImageDirectory", name_key="ProductImageFilename", data_key="ProductImageData")
    images = []
    for i, row in enumerate(fields.listing(raw.get("Images"), "Images", max_items=MAX_IMAGES)):
        row = fields.mapping(row, f"Images[{i}]", required=True)
        img = _image(row, f"Images[{i}].", path_key="Path", name_key="Filename", data_key="Data", title_key="Title")
        if img is not None:
            images.append(img)

    category = _text(raw, "WooCommerceCategory", 2000)
    _check_breadcrumbs(category)

    return ProductUpdate(
        sku=sku,
        type=kind,
        description=_text(raw, "Description"),
        description_sales=_text(raw, "DescriptionSales", 5000),
        description_long=_text(raw, "DescriptionLong", 200_000),
        price=fields.decimal(raw.get("Price"), "Price"),
        tiers=read_tiers(raw.get("PriceTiers"), "PriceTiers"),
        qty_stock=fields.integer(raw.get("QtyStock"), "QtyStock", minimum=-fields.MAX_QTY),
        weight=fields.decimal(raw.get("Weight"), "Weight"),
        weight_uom=_unit(raw, "WeightUOM", WEIGHT_UNITS),
        length=fields.decimal(raw.get("ProductLength"), "ProductLength"),
        width=fields.decimal(raw.get("ProductWidth"), "ProductWidth"),
        height=fields.decimal(raw.get("ProductHeight"), "ProductHeight"),
        dimension_uom=_unit(raw, "DimensionUOM", DIMENSION_UNITS),
        menu_order=fields.integer(raw.get("MenuOrder"), "MenuOrder", minimum=-(10**6), maximum=10**6),
        slug=_text(raw, "WooCommerceSlug", 200),
        category=category,
        tags=_text(raw, "WooCommerceTags", 2000),
        attributes=attributes,
        attribute_category=_text(raw, "AttributeCategory", 128),
        accessories=accessories,
        option_attributes=option_attributes,
        variations=variations,
        search_code=_text(raw, "SearchCode", 255),
        meta_description=_text(raw, "MetaDescription", 1000),
        image=image,
        images=images,
        send_mode=mode,
    )


MAX_CATEGORY_DEPTH = 10  # one update with a 400-level breadcrumb created 400 categories
MAX_CATEGORY_PATHS = 50


def _check_breadcrumbs(category: str | None) -> None:
    """Refuse a breadcrumb deeper than any shop's tree, before a single category is created."""
    paths = ProductUpdate(sku="", category=category).category_paths
    if len(paths) > MAX_CATEGORY_PATHS:
        raise FieldError("WooCommerceCategory", f"has {len(paths)} breadcrumbs (at most {MAX_CATEGORY_PATHS})")
    for path in paths:
        if len(path) > MAX_CATEGORY_DEPTH:
            raise FieldError("WooCommerceCategory",
                             f"has a breadcrumb {len(path)} levels deep (at most {MAX_CATEGORY_DEPTH})")


def _num(value):
    return None if value is None else format(value, "f")


def build(p: ProductUpdate) -> dict:
    """The value of ``data`` as Bizuno posts it; None values vanish in encode()."""
    out = {
        "SKU": p.sku,
        "Type": p.type,
        "Description": p.description,
        "DescriptionSales": p.description_sales,
        "DescriptionLong": p.description_long,
        "Price": _num(p.price),
        "QtyStock": None if p.qty_stock is None else str(p.qty_stock),
        "Weight": _num(p.weight),
        "WeightUOM": p.weight_uom,
        "ProductLength": _num(p.length),
        "ProductWidth": _num(p.width),
        "ProductHeight": _num(p.height),
        "DimensionUOM": p.dimension_uom,
        "MenuOrder": None if p.menu_order is None else str(p.menu_order),
        "WooCommerceSlug": p.slug,
        "WooCommerceCategory": p.category,
        "WooCommerceTags": p.tags,
        "SearchCode": p.search_code,
        "MetaDescription": p.meta_description,
        "AttributeCategory": p.attribute_category,
        "sendMode": str(p.send_mode),
    }
    if p.tiers:
        out["PriceTiers"] = [{"qty": str(t.qty), "price": _num(t.price)} for t in sorted(p.tiers, key=lambda t: t.qty)]
    if p.attributes:
        out["Attributes"] = [{"index": a.index, "title": a.title, "value": a.value} for a in p.attributes]
    if p.accessories:
        out["invAccessory"] = list(p.accessories)
    if p.option_attributes or p.variations:
        out["invOptions"] = {
            "attributes": [{"name": a.name, "options": list(a.options)} for a in p.option_attributes],
            "variations": [
                {
                    "sku": v.sku,
                    **({"regular_price": _num(v.regular_price)} if v.regular_price is not None else {}),
                    "sale_price": _num(v.sale_price),
                    "weight": _num(v.weight),
                    "stock": None if v.stock is None else str(v.stock),
                    "attributes": dict(v.attributes),
                }
                for v in p.variations
            ],
        }
    if p.image is not None:
        out["ProductImageDirectory"] = p.image.path
        out["ProductImageFilename"] = p.image.filename
        out["ProductImageData"] = p.image.data
    if p.images:
        out["Images"] = [{"Title": i.title, "Path": i.path, "Filename": i.filename, "Data": i.data} for i in p.images]
    return {k: v for k, v in out.items() if v is not None}
