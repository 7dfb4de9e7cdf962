"""`product/sync`: compare the store's listed SKUs with the ones Bizuno flags (PROTOCOL §2.5)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from bizunosync.wire.messages import INFO_TITLE, MessageBlock
from bizunosync.wire.product_sync import SyncRequest

from ..models import Product
from . import images

# The plugin's own words (lib/api_product.php, $locale).
MSG_MISSING = "The following SKUs are on the cart but are not flagged to be there by "
MSG_IN_SYNC = "All products are in Sync."


@dataclass
class SyncResult:
    messages: MessageBlock
    extra: list[str]
    deleted: list[str] = field(default_factory=list)

    @property
    def in_sync(self) -> bool:
        """The plugin answers ``result: Fail`` when it is not: productSync() returns msgAdd()'s null."""
        return not self.extra


def apply(request: SyncRequest) -> SyncResult:
    messages = MessageBlock()
    wanted = set(request.skus)
    listed = Product.objects.filter(
        published=True,
        product_type__in=[Product.Type.SIMPLE, Product.Type.VARIABLE, Product.Type.VARIATION],
    ).exclude(sku="")
    # In the store's order, as the plugin lists them: wc_get_products() sorts newest first
    # (orderby date DESC) and array_diff keeps that order.
    listed = listed.order_by("-created", "-pk")
    extra = list(dict.fromkeys(sku for sku in listed.values_list("sku", flat=True) if sku not in wanted))
    deleted: list[str] = []
    if request.delete and extra:
        with transaction.atomic():
            doomed = list(Product.objects.filter(sku__in=extra).prefetch_related("gallery", "variations__gallery"))
            names = []
            for product in doomed:
                for p in [product, *product.variations.all()]:
                    names += [p.image.name] + [g.image.name for g in p.gallery.all()]
            deleted = [p.sku for p in doomed]
            Product.objects.filter(pk__in=[p.pk for p in doomed]).delete()
            names = [n for n in names if n]
            transaction.on_commit(lambda: [images.delete(n) for n in names])
    if extra:
        messages.info(MSG_MISSING + "Bizuno:" + "<br />" + ", ".join(extra), INFO_TITLE)
    else:
        messages.success(MSG_IN_SYNC)
    return SyncResult(messages, extra, deleted)
