"""POST order/confirm — Bizuno's ship confirmations (PROTOCOL §2.6)."""

from bizunosync.wire import order_confirm

from ..services import order_confirm as service
from .auth import authorize
from .body import read_payload
from .http import answer
from .inbound import commit_with_log, endpoint


@endpoint("order/confirm", "POST")
@authorize
def order_confirm_view(request):
    confirmations = read_payload(request, order_confirm.read)
    return commit_with_log(request, lambda: _answer(confirmations, service.apply(confirmations)))


def _answer(confirmations, result):
    return answer(
        "Fail" if result.nothing_sent else "Success",
        result.messages,
        log={"item_count": len(confirmations), "changed_count": len(result.updated), "touched": result.touched,
             "note": f"Shipped {len(result.updated)} of {len(confirmations)} orders"},
    )
