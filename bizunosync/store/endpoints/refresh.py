"""PUT product/refresh — Bizuno's Quick Refresh, 100 items a call (PROTOCOL §2.4)."""

from bizunosync.wire import product_refresh
from bizunosync.wire.fields import FieldError

from ..services import product_refresh as service
from .auth import authorize
from .body import read_data
from .http import bad_field, fail, success
from .inbound import endpoint


@endpoint("product/refresh", "PUT")
@authorize
def product_refresh_view(request):
    data = read_data(request)
    try:
        items, errors = product_refresh.read_batch(data)
    except FieldError as exc:
        raise bad_field(exc.field, exc.problem) from None
    result = service.apply(items, errors)
    log = {"item_count": result.item_count, "changed_count": result.changed, "touched": result.touched,
           "note": result.note}
    if not result.ok:
        return fail(result.messages, note=result.note, log=log)
    return success(result.messages, acted=result.changed, note=result.note, log=log)
