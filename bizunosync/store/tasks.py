"""Background work for the store: thumbnails, made after the product is saved.

The plugin makes thumbnails on a cron because they are slow; here a task
queued after commit does it, so product/update answers quickly.
"""

from __future__ import annotations

import io
import logging
import posixpath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tasks import task
from PIL import Image

log = logging.getLogger("bizunosync.store.tasks")

THUMB_SIZES = {"thumb": (150, 150), "medium": (600, 600)}


def thumbnail_name(name: str, size: str) -> str:
    folder, base = posixpath.split(name)
    stem, ext = posixpath.splitext(base)
    return posixpath.join(folder, "thumbs", f"{stem}-{size}{ext}")


@task()
def make_thumbnails(product_id: int) -> int:
    """Make the thumbnail sizes for a product's image and gallery; returns how many were written."""
    from .models import Product

    product = Product.objects.filter(pk=product_id).prefetch_related("gallery").first()
    if product is None:
        return 0
    names = [product.image.name] if product.image else []
    names += [g.image.name for g in product.gallery.all()]
    made = 0
    for name in names:
        try:
            with default_storage.open(name, "rb") as fh, Image.open(fh) as image:
                image.load()
                for size, box in THUMB_SIZES.items():
                    copy = image.copy()
                    copy.thumbnail(box)
                    out = io.BytesIO()
                    copy.save(out, format=image.format or "PNG")
                    target = thumbnail_name(name, size)
                    if default_storage.exists(target):
                        default_storage.delete(target)
                    default_storage.save(target, ContentFile(out.getvalue()))
                    made += 1
        except (OSError, ValueError) as exc:
            log.warning("Could not make thumbnails for %s: %s", name, exc)
    return made
