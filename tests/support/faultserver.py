"""A tiny fault-injecting HTTP server for outbound-call tests.

Runs on 127.0.0.1:<free port> in a thread. Each request gets the next
behaviour from a queue (the last one repeats), and every request that parsed
is recorded (method, path, query, headers, body) so tests can assert what was
sent::

    with FaultServer(html_page(403), json_reply({"result": "Success", "ID": 7})) as server:
        transport = Transport(server.url + "/", …)
        …
        assert server.requests[0].headers["x-bizuno-token"] == "t0k3n"

Behaviours are plain callables ``fn(handler)``; the helpers below cover the
shapes a misbehaving PHP peer or proxy produces.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MOD_SECURITY_403 = (
    "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>403 Forbidden</title>\n"
    "</head><body>\n<h1>Forbidden</h1>\n<p>You don't have permission to access this resource.</p>\n"
    "<hr>\n<address>Apache/2.4.62 (Debian) Server at 127.0.0.1 Port 80</address>\n</body></html>\n"
)
PHP_NOTICE = (
    "<br />\n<b>Notice</b>:  Undefined index: Telephone in <b>/var/www/bizuno/portal/api.php</b> "
    "on line <b>212</b><br />\n"
)


@dataclass
class Recorded:
    method: str
    path: str
    query: dict  # name -> list of values, as parse_qs gives them
    headers: dict  # lower-cased names
    body: bytes
    raw_path: str = ""

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def form(self) -> dict:
        """The body as PHP would parse it ($_POST)."""
        from bizunosync.wire import phpform

        return phpform.decode(self.body)

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def items(self) -> list[dict]:
        """A product/refresh body's items, without the blank-SKU row that ends every batch."""
        rows = self.form.get("data") or {}
        rows = rows.values() if isinstance(rows, dict) else rows
        return [row for row in rows if isinstance(row, dict) and str(row.get("SKU", "")).strip()]


# ------------------------------------------------------------------ behaviours


def _send(handler, status, body: bytes, content_type="application/json", headers=None):
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def json_reply(data, status=200, headers=None):
    """Reply with JSON (a dict, or a str sent as is)."""
    body = (data if isinstance(data, str) else json.dumps(data)).encode()

    def behave(handler):
        _send(handler, status, body, headers=headers)

    behave.label = f"json {status}"
    return behave


def refreshed(delay: float = 0):
    """product/refresh answered as the plugin answers it: "Updated N of M products.", M counting every
    row received (count($items), blank SKUs included), N the rows with a SKU (every one changed)."""

    def behave(handler):
        if delay:
            time.sleep(delay)
        last = handler.server.owner.last
        rows, items = len(last.form.get("data") or {}), len(last.items)
        json_reply({"result": "Success", "acted": items, "note": f"Updated {items} of {rows} products.",
                    "message": []})(handler)

    behave.label = "refreshed"
    return behave


def success(**extra):
    return json_reply({"result": "Success", "messages": [], **extra})


def html_page(status=403, body=MOD_SECURITY_403):
    def behave(handler):
        _send(handler, status, body.encode(), "text/html; charset=iso-8859-1")

    return behave


def empty(status=200):
    def behave(handler):
        _send(handler, status, b"", "text/html; charset=UTF-8")

    return behave


def php_notice_then_json(data, notice=PHP_NOTICE):
    def behave(handler):
        _send(handler, 200, notice.encode() + json.dumps(data).encode(), "text/html; charset=UTF-8")

    return behave


def text_reply(text, status=200, content_type="text/html; charset=UTF-8"):
    def behave(handler):
        _send(handler, status, text.encode(), content_type)

    return behave


def fail(*errors, key="messages", **extra):
    """Bizuno's refusal: {"result": "Fail", "<key>": {"error": [{"text": …}]}}."""
    block = {"error": [{"text": e} for e in errors]} if errors else []
    return json_reply({"result": "Fail", key: block, **extra})


def status(code, body="", content_type="text/html; charset=iso-8859-1"):
    """Any status with an (HTML by default) body: 500, 502, 503, 504…"""

    def behave(handler):
        _send(handler, code, body.encode(), content_type)

    return behave


def stall(seconds, then=None):
    """Read the request, then say nothing for `seconds` (past the client's read timeout)."""

    def behave(handler):
        handler.server.release.wait(seconds)
        if then is not None:
            try:
                then(handler)
            except OSError:
                pass

    return behave


def hang_up():
    """Read the request and close the connection without a byte of answer."""

    def behave(handler):
        handler.close_connection = True
        handler.skip_flush = True
        try:
            handler.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    return behave


def huge(size=11 * 1024 * 1024, chunk=64 * 1024):
    """A 200 whose body is larger than the client's limit, streamed in chunks."""

    def behave(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        piece = b"x" * chunk
        sent = 0
        try:
            handler.wfile.write(b'c\r\n{"padding":"\r\n')
            while sent < size:
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                sent += len(piece)
            handler.wfile.write(b"0\r\n\r\n")
        except OSError:
            handler.close_connection = True

    return behave


def raw(data: bytes):
    """Write bytes as they are (a broken status line, half a response…) and close."""

    def behave(handler):
        handler.close_connection = True
        handler.wfile.write(data)

    return behave


# ---------------------------------------------------------------------- server


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FaultServer/1"

    def log_message(self, *args):  # keep pytest output clean
        pass

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        record = Recorded(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            raw_path=self.path,
        )
        self.server.owner._record(record)
        self.skip_flush = False
        self.server.owner._next()(self)

    def finish(self):
        if getattr(self, "skip_flush", False):
            return
        try:
            super().finish()
        except OSError:
            pass

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # clients hang up on purpose in these tests


class FaultServer:
    def __init__(self, *behaviours, port=0, host="127.0.0.1"):
        self.requests: list[Recorded] = []
        self._queue = list(behaviours) or [success()]
        self._lock = threading.Lock()
        self._server = _Server((host, port), _Handler)
        self._server.owner = self
        self._server.release = threading.Event()
        self._thread = None

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def then(self, *behaviours) -> "FaultServer":
        """Replace what comes next (the last behaviour repeats)."""
        with self._lock:
            self._queue = list(behaviours)
        return self

    def _next(self):
        with self._lock:
            return self._queue.pop(0) if len(self._queue) > 1 else self._queue[0]

    def _record(self, record):
        with self._lock:
            self.requests.append(record)

    @property
    def last(self) -> Recorded:
        return self.requests[-1]

    def start(self) -> "FaultServer":
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.release.set()  # wake stalled handlers
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def dead_port() -> int:
    """A loopback port nobody listens on: bind, note the port, close."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dead_url() -> str:
    return f"http://127.0.0.1:{dead_port()}"


def serve_on(port: int, *behaviours) -> FaultServer:
    """A started FaultServer on a given port (e.g. a dead one, once it should come up)."""
    return FaultServer(*behaviours, port=port).start()


@contextmanager
def unanswered_connects():
    """A loopback URL whose connects hang (a full listen backlog drops the SYN): a connect timeout."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        filler.setblocking(False)
        try:
            filler.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(filler)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        for sock in [*fillers, listener]:
            sock.close()
