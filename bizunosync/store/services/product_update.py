"""`product/update`: create or update one product by SKU (PROTOCOL §2.3).

Follows the plugin's `productImport` (phreesoft/bizuno-api lib/product.php)
where it is sound, and is stricter where it is not: every value has been read
and every image decoded and verified before the first write, the write is one
transaction, and a field that is absent leaves the store's value alone
(except `PriceTiers`, whose absence means "no tiers", and `MenuOrder`, which
defaults to 99 as in the plugin).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify

from bizunosync.wire import product_update as wire
from bizunosync.wire.fields import FieldError
from bizunosync.wire.messages import MessageBlock

from ..models import Category, PriceTier, Product, ProductImage, StoreSettings, Tag
from . import description_html, held_stock, images, snapshot, units


@dataclass
class UpdateResult:
    product_id: int
    created: bool
    messages: MessageBlock
    touched: list[str] = field(default_factory=list)


def apply(update: wire.ProductUpdate) -> UpdateResult:
    """Apply one product; raises FieldError (nothing written) when something is unusable."""
    primary, gallery = _prepare_images(update)
    settings = StoreSettings.load()
    messages = MessageBlock()
    written: list[str] = []
    try:
        with transaction.atomic():
            result = _apply(update, settings, primary, gallery, messages, written)
    except BaseException:
        for name in written:  # the rows are gone with the rollback; so go their files
            images.delete(name)
        raise
    return result


def _prepare_images(update: wire.ProductUpdate):
    if update.send_mode == wire.SEND_DATA_ONLY:
        return None, []
    primary = None
    if update.image is not None:
        primary = images.prepare(
            update.image, dir_field="ProductImageDirectory",
            name_field="ProductImageFilename", data_field="ProductImageData",
        )
    gallery = [
        images.prepare(img, dir_field=f"Images[{i}].Path", name_field=f"Images[{i}].Filename",
                       data_field=f"Images[{i}].Data")
        for i, img in enumerate(update.images)
    ]
    return primary, gallery


def _apply(update, settings, primary, gallery, messages, written) -> UpdateResult:
    product = Product.objects.select_for_update().filter(sku=update.sku).first()
    created = product is None
    target = Product.Type.VARIABLE if update.is_variable else Product.Type.SIMPLE
    if created:
        product = Product(sku=update.sku)
    elif product.product_type == Product.Type.VARIABLE and target == Product.Type.SIMPLE:
        _delete_products(list(product.variations.all()))
        messages.info(f"{update.sku} is now a simple product; its variations were deleted.")

    product.product_type = target
    product.parent = None
    product.name = update.name[:255]
    # Bizuno sends HTML; made safe here, once, and rendered as HTML on the product page.
    product.short_description = description_html.clean(update.short_description)
    product.description = description_html.clean(update.long_description)
    product.slug = slugify(update.slug or update.description or update.sku, allow_unicode=True)[:255]
    product.menu_order = update.menu_order if update.menu_order is not None else 99
    product.published = True
    if update.price is not None:
        product.regular_price, product.sale_price, product.price = update.price, None, update.price
    if update.qty_stock is not None:
        held = held_stock.held_for({product.sku: product.pk}).get(product.pk) if not created else None
        _set_stock(product, update.qty_stock, held)
    if settings.manage_stock:
        product.manage_stock, product.backorders = True, settings.backorders
    if update.weight is not None:
        product.weight = units.weight(update.weight, update.weight_uom, settings.weight_unit)
    for name, value in (("length", update.length), ("width", update.width), ("height", update.height)):
        if value is not None:
            setattr(product, name, units.length(value, update.dimension_uom, settings.dimension_unit))
    if update.search_code is not None:
        product.search_code = update.search_code
    if update.meta_description is not None:
        product.meta_description = update.meta_description
    if update.attributes or update.option_attributes:
        product.attributes = _attributes(update)
    product.save()

    product.tiers.all().delete()
    PriceTier.objects.bulk_create(PriceTier(product=product, qty=t.qty, price=t.price) for t in update.tiers)

    touched = [f"store.product:{product.pk}"]
    if update.send_mode != wire.SEND_DATA_ONLY:
        _images(product, primary, gallery, replace=update.send_mode == wire.SEND_FULL, written=written)
    _related(product, update, messages)
    if update.is_variable and update.variations:
        touched += _variations(product, update, settings)
    _tags(product, update)
    _categories(product, update, messages)

    bizuno_stock = update.qty_stock if update.qty_stock is not None else product.bizuno_snapshot.get(held_stock.BIZUNO_STOCK)
    product.bizuno_snapshot = snapshot.of_product(product, [(t.qty, t.price) for t in update.tiers])
    if update.weight_uom:
        product.bizuno_snapshot[snapshot.WEIGHT_UOM] = update.weight_uom
    if bizuno_stock is not None:
        product.bizuno_snapshot[held_stock.BIZUNO_STOCK] = bizuno_stock
    product.save(update_fields=["bizuno_snapshot", "image", "modified"])

    if written:
        from ..tasks import make_thumbnails

        product_id = product.pk
        transaction.on_commit(lambda: make_thumbnails.enqueue(product_id))
    messages.success(f"Product {update.sku} {'created' if created else 'updated'}.")
    return UpdateResult(product.pk, created, messages, touched)


def _set_stock(product, qty, held=None):
    """Bizuno's figure, less what the store's orders not yet in Bizuno hold (held_stock)."""
    product.stock_quantity = held_stock.net_stock(qty, held)
    product.stock_status = (Product.StockStatus.IN_STOCK if product.stock_quantity > 0
                            else Product.StockStatus.OUT_OF_STOCK)
    product.manage_stock = True


def _attributes(update) -> list[dict]:
    out = [
        {"index": a.index, "name": a.title, "value": a.value, "group": update.attribute_category or ""}
        for a in update.attributes
    ]
    out += [{"name": a.name, "options": list(a.options), "variation": True} for a in update.option_attributes]
    return out


def _images(product, primary, gallery, *, replace, written):
    old_names = []
    if primary is not None and (replace or not product.image):
        if product.image:
            old_names.append(product.image.name)
        product.image.name = images.save(primary, replace_name=product.image.name if replace else "")
        written.append(product.image.name)
    existing = list(product.gallery.all())
    if gallery and (replace or not existing):
        old_names += [row.image.name for row in existing]
        product.gallery.all().delete()
        for position, prepared in enumerate(gallery):
            name = images.save(prepared)
            written.append(name)
            ProductImage.objects.create(product=product, image=name, title=prepared.title, position=position)
    stale = [n for n in old_names if n and n not in written]
    if stale:
        transaction.on_commit(lambda: [images.delete(n) for n in stale])


def _related(product, update, messages):
    if not update.accessories:
        return
    found = Product.objects.in_bulk(update.accessories, field_name="sku")
    missing = [s for s in update.accessories if s not in found]
    product.related.set([p for p in found.values() if p.pk != product.pk])
    if missing:
        messages.warning(f"Related SKUs not found in the store: {', '.join(missing)}")


def _variations(product, update, settings) -> list[str]:
    current = {v.sku: v for v in product.variations.all()}
    held = held_stock.held_for({sku: v.pk for sku, v in current.items()})  # one query for them all
    skus = [v.sku for v in update.variations]
    others = Product.objects.filter(sku__in=skus).exclude(parent=product)
    clash = {p.sku: p for p in others}
    touched, seen = [], set()
    for i, wanted in enumerate(update.variations):
        where = f"invOptions.variations[{i}].sku"
        if wanted.sku == product.sku or wanted.sku in clash:
            raise FieldError(where, f"{wanted.sku!r} is already used by another product")
        if wanted.sku in seen:
            raise FieldError(where, f"repeats {wanted.sku!r}")
        seen.add(wanted.sku)
        variation = current.pop(wanted.sku, None) or Product(sku=wanted.sku)
        variation.product_type = Product.Type.VARIATION
        variation.parent = product
        label = ", ".join(v for v in wanted.attributes.values() if v)
        variation.name = f"{product.name} – {label}"[:255] if label else product.name
        variation.slug = slugify(f"{product.slug}-{wanted.sku}", allow_unicode=True)[:255]
        regular = wanted.regular_price if wanted.regular_price is not None else product.regular_price
        sale = wanted.sale_price
        if regular is None:
            regular, sale = sale, None
        variation.regular_price, variation.sale_price = regular, sale
        variation.price = Product.active_price(regular, sale)
        if wanted.stock is not None:
            _set_stock(variation, wanted.stock, held.get(variation.pk))
        if settings.manage_stock:
            variation.manage_stock, variation.backorders = True, settings.backorders
        if wanted.weight is not None:
            variation.weight = units.weight(wanted.weight, update.weight_uom, settings.weight_unit)
        variation.attributes = [{"name": k, "value": v} for k, v in wanted.attributes.items()]
        variation.menu_order = i
        variation.published = True
        variation.save()
        variation.bizuno_snapshot = snapshot.of_product(variation, [])
        if update.weight_uom:
            variation.bizuno_snapshot[snapshot.WEIGHT_UOM] = update.weight_uom
        if wanted.stock is not None:
            variation.bizuno_snapshot[held_stock.BIZUNO_STOCK] = wanted.stock
        variation.save(update_fields=["bizuno_snapshot"])
        touched.append(f"store.product:{variation.pk}")
    _delete_products(list(current.values()))  # variations Bizuno no longer sends
    return touched


def _delete_products(products):
    names = []
    for p in products:
        names += [p.image.name] + [g.image.name for g in p.gallery.all()]
        p.delete()
    names = [n for n in names if n]
    if names:
        transaction.on_commit(lambda: [images.delete(n) for n in names])


def _tags(product, update):
    names = update.tag_names
    if not names:
        return
    tags = []
    for name in names:
        name = name[:200]
        tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(
            name=name, slug=slugify(name, allow_unicode=True)[:200] or "tag"
        )
        tags.append(tag)
    product.tags.add(*tags)


def _categories(product, update, messages):
    paths = update.category_paths
    if not paths:
        messages.warning(
            f"Error - the category was not passed for product: {update.sku}, it must be set manually in WooCommerce."
        )
        return
    # As the plugin does: every level of every breadcrumb is added to the product.
    for path in paths:
        parent = None
        for name in path:
            name = name[:200]
            node = Category.objects.filter(parent=parent, name=name).first()
            if node is None:
                node = Category.objects.create(parent=parent, name=name, slug=slugify(name, allow_unicode=True)[:200] or "category")
            product.categories.add(node)
            parent = node
