"""POST order/confirm — Bizuno's ship confirmations (PROTOCOL §2.6)."""

from bizunosync.wire import order_confirm
from bizunosync.wire.fields import FieldError

from ..services import order_confirm as service
from .auth import authorize
from .body import read_data
from .http import bad_field, success
from .inbound import endpoint


@endpoint("order/confirm", "POST")
@authorize
def order_confirm_view(request):
    data = read_data(request)
    try:
        confirmations = order_confirm.read(data)
    except FieldError as exc:
        raise bad_field(exc.field, exc.problem) from None
    result = service.apply(confirmations)
    return success(
        result.messages,
        log={"item_count": len(confirmations), "changed_count": len(result.updated), "touched": result.touched,
             "note": f"Shipped {len(result.updated)} of {len(confirmations)} orders"},
    )
