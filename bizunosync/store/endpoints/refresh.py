"""PUT product/refresh — Bizuno's Quick Refresh, 100 items a call (PROTOCOL §2.4)."""

from bizunosync.sync import collector
from bizunosync.wire import fields, product_refresh

from ..services import product_refresh as service
from .auth import authorize
from .body import read_payload
from .http import fail, success
from .inbound import commit_with_log, endpoint


@endpoint("product/refresh", "PUT")
@authorize
def product_refresh_view(request):
    with collector.paused():  # ~15,000 short-lived containers, no cycles (sync/collector.py)
        items, errors, sent = read_payload(request, _read)
        return commit_with_log(request, lambda: _answer(service.apply(items, errors, sent)))


def _answer(result):
    log = {"item_count": result.item_count, "changed_count": result.changed, "touched": result.touched,
           "note": result.note}
    if not result.ok:
        return fail(result.messages, note=result.note, log=log)
    return success(result.messages, acted=result.changed, note=result.note, log=log)


def _read(data):
    items, errors = product_refresh.read_batch(data)
    return items, errors, len(fields.listing(data, "data", max_items=product_refresh.MAX_BATCH))
