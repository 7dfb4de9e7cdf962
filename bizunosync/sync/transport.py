"""The one outbound HTTP client: every call to Bizuno or to a store goes through here.

The WAF rules of PROTOCOL §5 live in this file: credentials only in their own
headers (never ``Authorization``), empty query parameters stripped, printable
ASCII header values or nothing is sent, PUT as POST + override in proxy-safe
mode. Every failure becomes a ``SyncError`` subclass (see ``errors``) whose
``reached_peer`` tells the job framework whether a retry could duplicate an
order.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import requests
from requests import exceptions as rex

import bizunosync
from bizunosync.wire import phpform
from bizunosync.wire.messages import MessageBlock

from . import errors

logger = logging.getLogger("bizunosync.sync.transport")

USER_AGENT = f"bizunosync/{bizunosync.__version__} (+https://github.com/bizunosync)"
MAX_BYTES = 10 * 1024 * 1024
EXCERPT_CHARS = 2000
REDACTED = "[redacted]"
# Header names whose values are credentials: never logged, never shown.
SECRET_HEADERS = frozenset({"x-bizuno-token", "pass", "authorization", "cookie", "proxy-authorization"})
# Statuses a proxy or WAF answers with an HTML page when it rejects a request.
WAF_STATUSES = (400, 403, 406)
# A proxy's "PHP is not there" pages: the request was not handed to PHP.
PROXY_STATUSES = (502, 503)
OVERRIDDEN_METHODS = ("PUT", "PATCH", "DELETE")


@dataclass
class Reply:
    status: int
    data: dict
    messages: MessageBlock
    duration_ms: int
    excerpt: str = ""
    # Things we tolerated, e.g. a PHP notice printed before the JSON.
    warnings: list[str] = field(default_factory=list)

    @property
    def result(self) -> str:
        return str(self.data.get("result", "")) if isinstance(self.data, dict) else ""


def _printable(value: str) -> bool:
    return all(0x20 <= ord(ch) <= 0x7E for ch in value)


def strip_empty(params: dict | None) -> dict:
    """Drop None and "" values: CRS flags empty parameters, and PHP reads "" as a value."""
    if not params:
        return {}
    return {k: v for k, v in params.items() if v is not None and v != "" and v != [] and v != ()}


def _without_userinfo(url: str) -> str:
    parts = urlsplit(url)
    if parts.username or parts.password:
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def _no_auth(request):
    # requests would otherwise add credentials from ~/.netrc as an
    # Authorization header, which the peers never use and WAFs dislike.
    request.headers.pop("Authorization", None)
    return request


class Transport:
    def __init__(
        self,
        base_url: str,
        headers: dict | None = None,
        connect_timeout: float = 5,
        read_timeout: float = 30,
        method_override: bool = False,
        max_bytes: int = MAX_BYTES,
        *,
        peer: str = "the peer",
        max_input_vars: int = phpform.MAX_INPUT_VARS,
    ):
        self.base_url = base_url
        self.headers = dict(headers or {})
        self.connect_timeout = float(connect_timeout)
        self.read_timeout = float(read_timeout)
        self.method_override = method_override
        self.max_bytes = max_bytes
        # The peer's PHP max_input_vars: a form with more fields is refused before sending.
        self.max_input_vars = int(max_input_vars)
        self.peer = peer
        self.Peer = peer[:1].upper() + peer[1:]
        self.session = requests.Session()
        self.session.auth = _no_auth
        self.session.headers.clear()
        self.session.headers.update(
            {"User-Agent": USER_AGENT, "Accept": "application/json", "Accept-Encoding": "identity"}
        )

    # ------------------------------------------------------------- building

    def url_for(self, path: str) -> str:
        base = self.base_url
        if not path:
            return base
        if path.startswith("?"):
            # Bizuno's portal: {url}/?bizRt=portal/api/orderAdd
            return (base if base.endswith("/") else base + "/") + path
        return base.rstrip("/") + "/" + path.lstrip("/")

    def _secret_values(self) -> list[str]:
        return [str(v) for k, v in self.headers.items() if k.lower() in SECRET_HEADERS and v]

    def redact(self, text: str) -> str:
        """Remove our own credentials from text a peer sent back (a debug page may echo headers)."""
        for secret in self._secret_values():
            if len(secret) >= 4:
                text = text.replace(secret, REDACTED)
        return text

    def _prepare(self, method, path, params, form, json_body, extra_headers):
        method = method.upper()
        sent_method = method
        headers = dict(self.headers)
        if extra_headers:
            headers.update(extra_headers)
        if self.method_override and method in OVERRIDDEN_METHODS:
            # OWASP CRS (rule 911100) blocks PUT; WordPress honours the override header.
            sent_method = "POST"
            headers["X-HTTP-Method-Override"] = method
        body = None
        if form is not None and json_body is not None:
            raise ValueError("send either form or json_body, not both")
        if form is not None:
            # describe() then request() prepare the same form: encode it once (8,000 fields in a batch).
            described, self._described = getattr(self, "_described", None), None
            body = described[1] if described is not None and described[0] is form else phpform.encode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body, separators=(",", ":"), ensure_ascii=False)
            headers["Content-Type"] = "application/json"
        return method, sent_method, self.url_for(path), strip_empty(params), body, headers

    def describe(self, method, path, *, params=None, form=None, json_body=None, headers=None,
                 idempotent=True, fail_without_errors_is_an_answer=False) -> dict:
        """What we are about to send, safe to store: credentials redacted."""
        method, sent_method, url, params, body, all_headers = self._prepare(
            method, path, params, form, json_body, headers
        )
        if form is not None:
            self._described = (form, body)  # for the request() that follows
        summary = {
            "method": sent_method,
            "url": _without_userinfo(url),
            "params": {k: str(v) for k, v in params.items()},
            "headers": {
                k: (REDACTED if k.lower() in SECRET_HEADERS else v)
                for k, v in {**self.session.headers, **all_headers}.items()
            },
        }
        if sent_method != method:
            summary["intended_method"] = method
        if body is not None:
            summary["body_bytes"] = len(body.encode("utf-8"))
            if form is not None:
                summary["form_fields"] = phpform.count_vars(body)
            summary["body_excerpt"] = self.redact(body[:EXCERPT_CHARS])
        return summary

    # -------------------------------------------------------------- sending

    def request(self, method, path, *, params=None, form=None, json_body=None, headers=None,
                idempotent=True, fail_without_errors_is_an_answer=False) -> Reply:
        """Send one request. ``idempotent=False`` (orderAdd: sending twice books twice) makes a
        proxy's 502 ambiguous, since a PHP worker killed after booking looks the same as one
        that never started.

        ``fail_without_errors_is_an_answer``: a ``result: Fail`` carrying no error message is
        returned as a Reply, not raised (the plugin's product/sync answers Fail with an info
        listing the SKUs out of sync; Bizuno itself reads only the messages)."""
        method, sent_method, url, params, body, all_headers = self._prepare(
            method, path, params, form, json_body, headers
        )
        for name, value in all_headers.items():
            if not _printable(str(name)) or not _printable(str(value)):
                # Never echo the value: it may be a credential.
                raise errors.RefusedLocally(
                    explanation=f"Refused to send: the {name!r} header contains a character that is not "
                    "printable ASCII (a proxy/WAF would reject the request with HTTP 400). "
                    "Check the stored credentials in the connection settings."
                )
        if form is not None and phpform.exceeds_input_vars(body, self.max_input_vars):
            raise errors.RefusedLocally(
                explanation=f"Refused to send: the form has {phpform.count_vars(body)} fields and PHP keeps "
                f"only the first {self.max_input_vars} (max_input_vars), so {self.peer} would act on "
                "half of it. Nothing was sent."
            )
        started = time.monotonic()
        try:
            response = self.session.request(
                sent_method,
                url,
                params=params or None,
                data=body.encode("utf-8") if body is not None else None,
                headers=all_headers,
                timeout=(self.connect_timeout, self.read_timeout),
                verify=True,
                stream=True,
                allow_redirects=False,
            )
        except (rex.InvalidURL, rex.MissingSchema, rex.InvalidSchema, rex.InvalidHeader) as exc:
            raise errors.RefusedLocally(explanation=f"Refused to send: {self._clean(exc)}") from exc
        except rex.SSLError as exc:
            raise errors.TlsFailed(
                explanation=f"TLS handshake with {self.peer} failed, nothing was sent: {self._clean(exc)}"
            ) from exc
        except rex.ConnectTimeout as exc:
            raise errors.ConnectTimeout(
                explanation=f"Could not connect to {self.peer} within {self.connect_timeout:g} s; nothing was sent"
            ) from exc
        except rex.ReadTimeout as exc:
            raise errors.ReadTimeout(
                explanation=f"{self.Peer} did not answer within {self.read_timeout:g} s after the request "
                "was sent"
            ) from exc
        except rex.ConnectionError as exc:
            raise self._connection_error(exc) from exc
        except rex.RequestException as exc:
            raise errors.SyncError(
                reached_peer=None, explanation=f"Request to {self.peer} failed: {self._clean(exc)}"
            ) from exc
        try:
            raw = self._read_body(response)
        finally:
            response.close()
        duration_ms = round((time.monotonic() - started) * 1000)
        return self._classify(method, sent_method, response, raw, duration_ms, idempotent=idempotent,
                              fail_without_errors_is_an_answer=fail_without_errors_is_an_answer)

    def _clean(self, exc) -> str:
        return self.redact(str(exc))[:500]

    def _connection_error(self, exc) -> errors.SyncError:
        reason = exc.args[0] if exc.args else exc
        reason = getattr(reason, "reason", reason)
        text = self._clean(exc)
        # urllib3 wraps "never connected" (refused, DNS) in NewConnectionError /
        # NameResolutionError; anything else means the connection was open
        # and the request (partly) sent before it broke.
        if type(reason).__name__ in {"NewConnectionError", "NameResolutionError"} or isinstance(
            exc, rex.ProxyError
        ):
            what = "DNS lookup failed" if type(reason).__name__ == "NameResolutionError" else "connection refused"
            if "Name or service not known" in text or "getaddrinfo" in text:
                what = "DNS lookup failed"
            return errors.ConnectionFailed(
                explanation=f"Could not connect to {self.peer} ({what}); nothing was sent"
            )
        return errors.EmptyBody(
            reached_peer=None,
            explanation=f"{self.Peer} closed the connection without answering (likely a TLS or connection "
            "issue); the request may have been received",
        )

    def _read_body(self, response) -> bytes:
        length = response.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > self.max_bytes:
            raise self._too_large(response)
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > self.max_bytes:
                    raise self._too_large(response)
                chunks.append(chunk)
        except rex.ConnectionError as exc:
            if "timed out" in str(exc):
                raise errors.ReadTimeout(
                    status=response.status_code,
                    explanation=f"{self.Peer} stopped sending its answer (no data for "
                    f"{self.read_timeout:g} s); it may have acted on the request",
                ) from exc
            raise errors.EmptyBody(
                status=response.status_code,
                explanation=f"The connection to {self.peer} broke while reading its answer "
                "(likely a TLS or connection issue)",
            ) from exc
        except rex.RequestException as exc:
            raise errors.EmptyBody(
                status=response.status_code,
                explanation=f"Could not read {self.peer}'s answer: {self._clean(exc)}",
            ) from exc
        return b"".join(chunks)

    def _too_large(self, response):
        return errors.TooLarge(
            status=response.status_code,
            explanation=f"{self.Peer}'s answer is larger than {self.max_bytes // (1024 * 1024)} MB; "
            "stopped reading it",
        )

    # ------------------------------------------------------------ answering

    def _classify(self, method, sent_method, response, raw: bytes, duration_ms: int, *, idempotent=True,
                  fail_without_errors_is_an_answer=False) -> Reply:
        status = response.status_code
        text = raw.decode("utf-8", errors="replace")
        excerpt = self.redact(text[:EXCERPT_CHARS])
        data, warnings = _parse_json(text)
        messages = _messages(data) if isinstance(data, dict) else MessageBlock()
        evidence = {"status": status, "excerpt": excerpt, "messages": messages}

        if 300 <= status < 400:
            where = response.headers.get("Location", "elsewhere")
            raise errors.HttpStatusError(
                reached_peer=False,
                permanent=True,
                explanation=f"{self.Peer} redirected the request (HTTP {status}) to {_without_userinfo(where)}; "
                "nothing was processed. Update the URL in the connection settings.",
                **evidence,
            )
        if status >= 400 or status < 200:
            raise self._status_error(method, sent_method, status, data, messages, evidence, idempotent=idempotent)
        if not text.strip():
            raise errors.EmptyBody(
                explanation=f"{self.Peer} answered HTTP {status} with an empty body (likely a TLS or "
                "connection issue)",
                **evidence,
            )
        if data is None:
            raise errors.NotJson(
                explanation=f"{self.Peer} answered HTTP {status} with something that is not JSON: "
                f"{_first_line(text)}",
                **evidence,
            )
        if not isinstance(data, dict):
            raise errors.WrongShape(
                explanation=f"{self.Peer} answered with JSON of the wrong shape (a {type(data).__name__}, "
                "not an object)",
                **evidence,
            )
        result = str(data.get("result", "")).lower()
        answered = fail_without_errors_is_an_answer and bool(messages) and not messages.has_errors
        if (result == "fail" and not answered) or (
            messages.has_errors and "result" not in data and not _has_payload(data)
        ):
            first = (messages.texts("error") or messages.texts("info") or [data.get("note") or "no reason given"])[0]
            raise errors.ApplicationError(explanation=f"{self.Peer} refused the request: {first}", **evidence)
        for warning in warnings:
            logger.warning("%s: %s", self.peer, warning)
        return Reply(status, data, messages, duration_ms, excerpt, warnings)

    def _status_error(self, method, sent_method, status, data, messages, evidence, idempotent=True):
        if status in WAF_STATUSES and data is None:
            if method == "PUT" and sent_method == "PUT":
                explanation = (
                    f"blocked by a proxy/WAF (HTTP {status}); turn on proxy-safe mode "
                    "(OWASP CRS does not allow PUT)"
                )
            else:
                explanation = (
                    f"blocked by a proxy/WAF (HTTP {status}): an HTML page came back instead of {self.peer}'s "
                    "JSON, so the request never reached the application. A web application firewall "
                    "(mod_security) rule matched the request; check its log for the rule."
                )
            return errors.WafBlocked(explanation=explanation, **evidence)
        if status == 502 and data is None and not idempotent:
            # nginx says 502 both when PHP-FPM is down (never reached) and when a worker was
            # killed mid-request (request_terminate_timeout, a crash) — possibly after booking.
            return errors.HttpStatusError(
                reached_peer=None,
                explanation=f"The proxy in front of {self.peer} answered HTTP 502 (bad gateway): {self.peer}'s "
                "PHP may have stopped after processing the request, or never started",
                **evidence,
            )
        if status in PROXY_STATUSES and data is None:
            return errors.ProxyUnavailable(
                explanation=f"The proxy in front of {self.peer} answered HTTP {status} ({_reason(status)}): "
                f"{self.peer}'s application did not receive the request",
                **evidence,
            )
        if status == 429:
            return errors.HttpStatusError(
                reached_peer=False,
                explanation=f"{self.Peer} is rate limiting (HTTP 429); the request was not processed",
                **evidence,
            )
        detail = _detail(messages, data)
        if status in (401, 403):
            # The peer's PHP answered and refused the credentials or the
            # permission: no retry can fix that, a person must.
            return errors.HttpStatusError(
                permanent=True,
                explanation=f"{self.Peer} refused the credentials (HTTP {status}){detail}. "
                "Check the connection settings.",
                **evidence,
            )
        if 400 <= status < 500:
            return errors.HttpStatusError(
                permanent=True,
                explanation=f"{self.Peer} rejected the request (HTTP {status}){detail}",
                **evidence,
            )
        if status == 504:
            # The proxy forwarded the request and gave up waiting: PHP may
            # still have finished it. Not provably unsent, so not retried.
            return errors.HttpStatusError(
                reached_peer=None,
                explanation=f"The proxy in front of {self.peer} gave up waiting (HTTP 504); "
                f"{self.peer} may still have processed the request",
                **evidence,
            )
        return errors.HttpStatusError(
            explanation=f"Received HTTP {status} from {self.peer}{detail}; it may have processed the request",
            **evidence,
        )


def _reason(status: int) -> str:
    return {502: "bad gateway", 503: "service unavailable"}.get(status, "error")


def _detail(messages: MessageBlock, data) -> str:
    texts = messages.texts("error") or messages.texts("info")
    if texts:
        # The peer's own sentence ends with a stop; ours follows it.
        return ": " + "; ".join(texts)[:300].rstrip(". ")
    return ""


def _has_payload(data: dict) -> bool:
    return any(k not in ("message", "messages", "code", "data") for k in data)


def _first_line(text: str) -> str:
    # PHP notices come as HTML ("<br />\n<b>Notice</b>: …"): show the words.
    text = " ".join(re.sub(r"<[^>]{0,200}>", " ", text).split())
    line = text
    return (line[:200] + "…") if len(line) > 200 else line


def _parse_json(text: str):
    """(data, warnings). Recovers a JSON object printed after PHP notices."""
    stripped = text.strip()
    if not stripped:
        return None, []
    try:
        return json.loads(stripped), []
    except ValueError:
        pass
    decoder = json.JSONDecoder()
    start = stripped.find("{")
    while start != -1:
        try:
            data, end = decoder.raw_decode(stripped, start)
        except ValueError:
            data, end = None, -1
        if isinstance(data, dict) and not stripped[end:].strip():
            noise = stripped[:start]
            return data, [f"ignored {len(noise)} characters printed before the JSON: {_first_line(noise)}"]
        start = stripped.find("{", start + 1)
    return None, []


def _messages(data: dict) -> MessageBlock:
    block = MessageBlock()
    if "code" in data and isinstance(data.get("message"), str) and isinstance(data.get("data"), dict):
        # WordPress's error shape: {"code", "message": "Invalid credentials.", "data": {"status"}}
        return block.error(data["message"])
    block.merge(MessageBlock.from_wire(data.get("messages")))
    block.merge(MessageBlock.from_wire(data.get("message")))
    return block


def bizuno_transport(connection=None, *, connect_timeout=None, read_timeout=None) -> Transport:
    """The store → books client, from Connections → Bizuno connection."""
    from .connections import BizunoConnection
    from bizunosync.wire.secrets import SecretError

    conn = connection or BizunoConnection.load()
    if not conn.url or not conn.token:
        raise errors.RefusedLocally(
            explanation="The Bizuno connection is not set up: enter the Bizuno URL and API token in "
            "Connections → Bizuno connection (or run manage.py bizuno_connect)."
        )
    try:
        token = conn.token_plain
    except SecretError as exc:
        raise errors.RefusedLocally(
            explanation="The stored API token cannot be decrypted with the configured key "
            "(FIELD_ENCRYPTION_KEY changed?); enter it again in Connections → Bizuno connection."
        ) from exc
    from .inprocess import transport_class

    return transport_class(conn.url, bizuno=True)(
        conn.url.rstrip("/") + "/",
        {"X-Bizuno-Token": token},
        connect_timeout=connect_timeout if connect_timeout is not None else conn.connect_timeout,
        read_timeout=read_timeout if read_timeout is not None else conn.read_timeout,
        peer="Bizuno",
    )


def portal_path(endpoint: str) -> str:
    """The path Bizuno's portal API answers on: ``?bizRt=portal/api/<endpoint>``."""
    return f"?bizRt=portal/api/{endpoint}"


def store_transport(connection=None, *, connect_timeout=None, read_timeout=None) -> Transport:
    """The books → store client, from Connections → Store connections (paths like ``product/refresh``)."""
    from .connections import StoreConnection
    from bizunosync.wire.secrets import SecretError

    conn = connection or StoreConnection.load()
    if not conn.url or not conn.email or not conn.password:
        raise errors.RefusedLocally(
            explanation="The store connection is not set up: enter the store URL, WordPress user and "
            "password in Connections → Store connections (or run manage.py store_connect)."
        )
    try:
        password = conn.password_plain
    except SecretError as exc:
        raise errors.RefusedLocally(
            explanation="The stored WordPress password cannot be decrypted with the configured key "
            "(FIELD_ENCRYPTION_KEY changed?); enter it again in Connections → Store connections."
        ) from exc
    from .inprocess import transport_class

    return transport_class(conn.url, bizuno=False)(
        conn.url.rstrip("/") + "/wp-json/bizuno-api/v1/",
        {"email": conn.email, "pass": password},
        connect_timeout=connect_timeout if connect_timeout is not None else conn.connect_timeout,
        read_timeout=read_timeout if read_timeout is not None else conn.read_timeout,
        method_override=conn.method_override,
        peer="the store",
        max_input_vars=conn.max_input_vars,
    )
