"""How the portal answers: Bizuno's JSON shapes, one error helper, and the call log.

Callers are PHP programs (the bizuno-api plugin) that expect JSON for every
answer, errors included: no HTML page ever leaves the portal.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.http import JsonResponse

from bizunosync.sync import touched
from bizunosync.sync.models import InboundCall
from bizunosync.wire.messages import MessageBlock

log = logging.getLogger("bizunosync.books.portal")


def messages_out(block: MessageBlock):
    """Bizuno's block as its messageStack writes it: ``msgAdd($text, 'caution')`` lands
    under ``warning`` (model/msg.php), the key the plugin's setNotices() shows; info
    messages carry Bizuno's default title."""
    return block.to_php_wire()


@dataclass
class Reply:
    """A handled call: the JSON to send and what to write in the call log."""

    data: dict
    status: int = 200
    result: str = InboundCall.Result.SUCCESS
    item_count: int = 0
    changed_count: int = 0
    note: str = ""
    messages: MessageBlock = field(default_factory=MessageBlock)
    touched: list[str] = field(default_factory=list)


def fail(block: MessageBlock, *, item_count: int = 0, status: int = 200) -> Reply:
    """Bizuno's `Fail` answer (HTTP 200: the plugin reads the block and shows it)."""
    first = next((text for _, text in block.items()), "")
    return Reply(
        {"result": "Fail", "messages": messages_out(block)},
        status=status,
        result=InboundCall.Result.FAIL,
        item_count=item_count,
        note=first[:500],
        messages=block,
    )


def error(text: str, status: int) -> Reply:
    """A refused call (4xx/500), before any endpoint ran.

    The block goes under ``message`` (singular), as Bizuno's portalApi answers when it
    returns early ("Illegal Access"): the plugin's cURL() merges that key into the
    screen messages; the endpoints' own answers use ``messages``.
    """
    block = MessageBlock().error(text)
    return Reply(
        {"result": "Fail", "message": messages_out(block)},
        status=status,
        result=InboundCall.Result.REJECTED,
        note=text[:500],
        messages=block,
    )


def respond(request, endpoint: str, reply: Reply, *, caller: str, duration_ms: int) -> JsonResponse:
    """Write the call log row, then send the JSON. Never records a credential."""
    try:
        logged = InboundCall.objects.create(
            side="books",
            endpoint=endpoint[:64],
            method=request.method[:8],
            caller=caller[:150],
            remote_addr=request.META.get("REMOTE_ADDR") or None,
            http_status=reply.status,
            result=reply.result,
            item_count=reply.item_count,
            changed_count=reply.changed_count,
            note=reply.note[:500],
            messages=reply.messages.to_wire(),
            duration_ms=max(0, duration_ms),
        )
        touched.link(logged, reply.touched, fresh=True)
    except Exception:  # the log must never turn an answered call into a 500
        log.exception("could not record portal call %s", endpoint)
    return JsonResponse(reply.data, status=reply.status, json_dumps_params={"ensure_ascii": False})
