"""The one place that shapes what the store endpoints answer.

Errors use WordPress's REST error shape, ``{"code", "message", "data":
{"status"}}``; handled calls answer 200 with ``result`` and Bizuno's message
block in ``message`` (``[]`` when empty, as PHP encodes an empty array).
Nothing here ever answers HTML: the callers are PHP programs reading JSON.
"""

from __future__ import annotations

from django.http import JsonResponse

from bizunosync.wire.messages import MessageBlock


class ApiError(Exception):
    """Raised anywhere below a view to answer with a WordPress error."""

    def __init__(self, status: int, code: str, message: str, params: dict | None = None, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.params = params
        self.headers = headers or {}

    def response(self) -> JsonResponse:
        return wp_error(self.status, self.code, self.message, params=self.params, headers=self.headers)


def wp_error(status: int, code: str, message: str, *, params: dict | None = None, headers=None) -> JsonResponse:
    data: dict = {"status": status}
    if params:
        data["params"] = params  # WordPress names bad parameters here (rest_invalid_param)
    response = JsonResponse({"code": code, "message": message, "data": data}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    response.inbound_log = {"note": message[:500]}
    return response


def bad_field(field: str, problem: str) -> ApiError:
    return ApiError(400, "rest_invalid_param", f"Invalid parameter: {field} {problem}", params={field: problem})


def answer(result: str, messages: MessageBlock | None = None, *, log: dict | None = None, **fields) -> JsonResponse:
    """A handled call: ``{"result": …, <fields>, "message": <block or []>}``.

    ``log`` carries what the inbound-call record wants (item_count,
    changed_count, touched, note) without putting it on the wire.
    """
    # The plugin's rest_close() sends Bizuno's messageStack: info messages carry its title.
    body = {"result": result, **fields, "message": (messages or MessageBlock()).to_php_wire()}
    response = JsonResponse(body)
    response.inbound_log = {"note": str(fields.get("note", ""))[:500], **(log or {})}
    return response


def success(messages=None, *, log=None, **fields) -> JsonResponse:
    return answer("Success", messages, log=log, **fields)


def fail(messages=None, *, log=None, **fields) -> JsonResponse:
    return answer("Fail", messages, log=log, **fields)
