"""Stock sold here but not yet in Bizuno: held back when Bizuno's figure is applied.

The shop takes stock off at checkout; Quick Refresh and Product Upload then
set stock to Bizuno's available quantity, which does not yet include an
order Bizuno has not booked. Without this, a refresh between checkout and
export would put the sold units back on sale. So the quantities of the
store's orders not yet in Bizuno (not exported, export retrying or in
review) are subtracted; once an order is booked, Bizuno's figure includes
it and it is no longer held. Cancelled, refunded and failed orders hold
nothing (their stock went back).

One query for a whole batch, whatever its size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from bizunosync.sync import rows

from ..export.changes import CLOSED
from ..models import OrderLine

# Kept in Product.bizuno_snapshot beside the net stock: Bizuno's own figure, for the product page.
BIZUNO_STOCK = "bizuno_stock_quantity"


@dataclass
class Held:
    quantity: int = 0
    orders: list[str] = field(default_factory=list)  # order numbers, oldest first


# Compiled once (sync.rows.Compiled): a Quick Refresh batch asks this every call, and Django building the
# join took longer than running it.
_HELD = rows.Compiled(
    lambda pks, skus: OrderLine.objects.filter(Q(product_id__one_of=pks) | Q(product__isnull=True, sku__one_of=skus))
    .filter(order__exported=False)
    .exclude(order__status__in=CLOSED)
    .order_by("order__created", "order_id"),
    ["product_id", "sku", "quantity", "order__number"],
)


def held_for(products: dict[str, int]) -> dict[int, Held]:
    """pk → Held for ``products`` (sku → pk); products with nothing held are left out."""
    if not products:
        return {}
    by_sku = dict(products)
    pks = set(by_sku.values())
    out: dict[int, Held] = defaultdict(Held)
    for product_id, sku, quantity, number in _HELD.read(pks=pks, skus=by_sku):
        pk = product_id if product_id in pks else by_sku.get(sku)
        if pk is None or not quantity:
            continue
        held = out[pk]
        held.quantity += quantity
        if number not in held.orders:
            held.orders.append(number)
    return dict(out)


def net_stock(bizuno_qty: int, held: Held | None) -> int:
    """What the store may still sell: Bizuno's figure less what is held, never below 0."""
    return max(bizuno_qty - (held.quantity if held else 0), 0)


def describe(stock, bizuno_qty, held: Held | None) -> str:
    """'Stock 12 (Bizuno 14, less 2 in orders not yet in Bizuno: 1005, 1007)' for the product page."""
    if stock is None:
        return "Not tracked"
    if bizuno_qty is None:
        return f"Stock {stock} (Bizuno has not sent a figure yet)"
    if not held or not held.quantity:
        return f"Stock {stock} (Bizuno {bizuno_qty}, nothing held in orders not yet in Bizuno)"
    return (f"Stock {stock} (Bizuno {bizuno_qty}, less {held.quantity} in orders not yet in Bizuno: "
            f"{', '.join(held.orders)})")
