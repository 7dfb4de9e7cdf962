"""PUT product/refresh — Bizuno's Quick Refresh, 100 items a call (PROTOCOL §2.4)."""

from django.db import transaction

from bizunosync.sync import collector
from bizunosync.wire import fields, product_refresh

from ..services import product_refresh as service
from .auth import authorize
from .body import read_payload
from .http import fail, success
from .inbound import endpoint, record_now


@endpoint("product/refresh", "PUT")
@authorize
def product_refresh_view(request):
    with collector.paused():  # ~15,000 short-lived containers, no cycles (sync/collector.py)
        items, errors, sent = read_payload(request, _read)
        # The batch and its log row in one transaction, one commit (the body is read before: the
        # write lock is not held while it is decoded).
        with transaction.atomic():
            result = service.apply(items, errors, sent)
            log = {"item_count": result.item_count, "changed_count": result.changed, "touched": result.touched,
                   "note": result.note}
            if result.ok:
                response = success(result.messages, acted=result.changed, note=result.note, log=log)
            else:
                response = fail(result.messages, note=result.note, log=log)
            record_now(request, response)
    return response


def _read(data):
    items, errors = product_refresh.read_batch(data)
    return items, errors, len(fields.listing(data, "data", max_items=product_refresh.MAX_BATCH))
