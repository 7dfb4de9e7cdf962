"""Cart Sync: tell the store which SKUs Bizuno flags (POST product/sync).

``syncSkus`` is a JSON string (wire.product_sync.build does that), so a long
list is one form field and PHP's max_input_vars cannot cut it short. With
``syncDelete`` the store deletes every product whose SKU is not in the list —
the console asks for confirmation first.

With several stores, each store gets the SKUs published to it, so its delete
removes from that store exactly the products not published there.
"""

from __future__ import annotations

from bizunosync.sync.connections import StoreConnection
from bizunosync.sync.jobs import call, progress, runner
from bizunosync.sync.models import SyncJob
from bizunosync.sync.transport import store_transport
from bizunosync.wire import product_sync

from .. import stores as store_rules
from ..models import Item
from .common import keep_messages, messages_line

PATH = "product/sync"
SYNC_TAG = "sync_to_store"  # names Bizuno's flag field, as its WooCommerce interface does


def flagged_skus(include_inactive: bool | None = None, store: StoreConnection | None = None) -> list[str]:
    if include_inactive is None:
        include_inactive = (store or StoreConnection.load()).include_inactive
    items = store_rules.published_to(Item.objects.filter(sync_to_store=True), store)
    if not include_inactive:
        items = items.filter(inactive=False)
    return list(items.order_by("sku").values_list("sku", flat=True))


@runner(SyncJob.Kind.CART_SYNC)
def run(job: SyncJob) -> None:
    store = store_rules.job_store(job)
    transport = store_transport(store)
    delete = bool(job.params.get("delete"))
    skus = flagged_skus(store_rules.include_inactive(job, store), store=store)
    progress(job, 0, total=1)
    request = product_sync.SyncRequest(tag=SYNC_TAG, skus=skus, delete=delete)
    # Out of sync, the plugin answers "Fail" with an info listing the SKUs: an answer, not a refusal.
    reply = call(job, transport, "POST", PATH, form={"data": product_sync.build(request)},
                 fail_without_errors_is_an_answer=True)
    state = {"skus": len(skus), "delete": delete}
    keep_messages(state, reply.messages)
    progress(job, 1, result=state)
    verb = "Sent" if not delete else "Sent (with delete)"
    job.summary = f"{verb} {len(skus)} flagged SKUs.{messages_line(state)}"
