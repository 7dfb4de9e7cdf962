"""`orderAdd`: a store posts one order; we book it (PROTOCOL §3.2).

The body is a PHP form (`General[...]`, `Item[0][...]`); a JSON body is read
too when the content type says so, as WordPress's REST layer would.
A PO already booked, with *Refuse a duplicate PO* on, answers `Success` with
the existing ID and a warning, and books nothing.
Unreadable fields → `{"result": "Fail", "messages": {"error": [...]}}` naming
every one of them, with HTTP 200 as Bizuno answers; nothing is booked.
"""

from __future__ import annotations

import json

from django.core.exceptions import RequestDataTooBig

from bizunosync.wire import nul, order_add, phpform
from bizunosync.wire.messages import MessageBlock

from ..services.booking import book_order
from ..stores import store_for_po
from .auth import authorize
from .http import Reply, error, fail, messages_out


FORM_TYPES = {"", "application/x-www-form-urlencoded", "text/plain", "application/octet-stream"}


class Unsupported(Exception):
    """A body in a format orderAdd does not read (415)."""


class NulField(Exception):
    """A name or value holding a NUL: refused with 400, naming the field like any other bad field."""


def _form(request):
    """The body as a dict; ValueError with a line for the caller, Unsupported, or NulField."""
    body = request.body
    content_type = (request.content_type or "").lower()
    if content_type != "application/json" and content_type not in FORM_TYPES:
        # text/xml was read as a form and "booked" whatever its bytes happened to parse as.
        raise Unsupported(f"orderAdd takes the order as application/x-www-form-urlencoded (or JSON), "
                          f"not {nul.shown(content_type)[:60]}.")
    if not body.strip():
        raise ValueError("body: is empty (expected the order as a form)")
    data = _decode(body, content_type)
    if (b"\x00" in body or b"%00" in body or b"\\u0000" in body) and (field := nul.in_tree(data)):
        raise NulField(f"{field}: contains a NUL character.")
    return data


def _decode(body: bytes, content_type: str):
    if content_type == "application/json":
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"body: is not valid JSON ({exc.__class__.__name__})") from None
        except RecursionError:
            # json.loads recurses per level: "[[[[…" thousands deep must be a Fail, not a 500
            raise ValueError("body: is nested too deeply") from None
        if not isinstance(data, dict):
            raise ValueError("body: must be a JSON object")
        return data
    if (name := nul.in_form_names(body)) is not None:
        # PHP's parser would cut the name at the NUL and carry on; refuse it instead.
        raise NulField(f"{name}: has a NUL character in its name.")
    try:
        return phpform.decode(body)
    except (phpform.PhpFormError, UnicodeDecodeError) as exc:
        raise ValueError(f"body: is not a readable form ({exc})") from None


def _invalid(exc: order_add.OrderAddInvalid, item_count: int) -> Reply:
    block = MessageBlock()
    for problem in exc.errors:
        block.error(str(problem))
    return fail(block, item_count=item_count)


@authorize("orderAdd")
def order_add_view(request) -> Reply:
    if request.method != "POST":
        return error("orderAdd takes a POST with the order as a form body.", 405)
    try:
        form = _form(request)
    except RequestDataTooBig:
        return error("The order is larger than this Bizuno accepts.", 413)
    except Unsupported as exc:
        return error(str(exc), 415)
    except NulField as exc:
        return fail(MessageBlock().error(str(exc)), status=400)
    except ValueError as exc:
        return fail(MessageBlock().error(str(exc)))

    raw_items = form.get("Item") if isinstance(form, dict) else None
    item_count = len(raw_items) if isinstance(raw_items, (dict, list)) else 0
    try:
        order = order_add.read(form)
        # The store its own token named, else the store whose order prefix the PO carries.
        store = getattr(request, "portal_store", None) or store_for_po(order.po)
        booking = book_order(order, request.user, store=store)
    except order_add.OrderAddInvalid as exc:
        return _invalid(exc, item_count)

    return Reply(
        {"result": "Success", "ID": booking.order_id, "messages": messages_out(booking.messages)},
        item_count=booking.line_count,
        changed_count=0 if booking.duplicate else 1,
        note=(booking.messages.texts("warning" if booking.duplicate else "success") or [""])[0],
        messages=booking.messages,
        touched=booking.touched,
    )
