"""POST product/update — one product from Bizuno (PROTOCOL §2.3)."""

from bizunosync.wire import product_update
from bizunosync.wire.fields import FieldError
from bizunosync.wire.messages import MessageBlock

from ..services import product_update as service
from .auth import authorize
from .body import read_data
from .http import bad_field, fail, success
from .inbound import commit_with_log, endpoint

BAD_SKU = "Bad SKU passed. Needs to be the inventory field id tag name (SKU)."


@endpoint("product/update", "POST")
@authorize
def product_update_view(request):
    data = read_data(request)
    if not isinstance(data, dict) or not str(data.get("SKU") or "").strip():
        return fail(MessageBlock().error(BAD_SKU), ID=0, log={"note": BAD_SKU, "item_count": 1})
    try:
        update = product_update.read(data)
        return commit_with_log(request, lambda: _answer(update, service.apply(update)))
    except FieldError as exc:
        raise bad_field(exc.field, exc.problem) from None


def _answer(update, result):
    return success(
        result.messages, ID=result.product_id,
        log={"item_count": 1, "changed_count": 1, "touched": result.touched,
             "note": f"{'Created' if result.created else 'Updated'} {update.sku}"},
    )
