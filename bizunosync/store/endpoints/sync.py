"""POST product/sync — which SKUs Bizuno wants listed (PROTOCOL §2.5)."""

from bizunosync.wire import product_sync

from ..services import product_sync as service
from .auth import authorize
from .body import read_payload
from .http import answer
from .inbound import commit_with_log, endpoint


@endpoint("product/sync", "POST")
@authorize
def product_sync_view(request):
    sync_request = read_payload(request, product_sync.read)
    return commit_with_log(request, lambda: _answer(sync_request, service.apply(sync_request)))


def _answer(sync_request, result):
    note = (f"{len(result.extra)} store SKUs not flagged in Bizuno" if result.extra else "All products are in sync")
    if result.deleted:
        note += f"; deleted {len(result.deleted)}"
    return answer(
        "Success" if result.in_sync else "Fail",
        result.messages,
        log={"item_count": len(sync_request.skus), "changed_count": len(result.deleted), "note": note},
    )
