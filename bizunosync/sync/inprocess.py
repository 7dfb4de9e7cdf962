"""Same-site calls: when the peer is this very Django site, call it without a socket.

The seed's second topology is Bizuno on the same site as the store. Then
orderAdd, shipGetRates and the console's pushes to the site's own store are
handed to Django's request handler in this process instead of going out to
loopback and back in through the web server.

Nothing else changes, so the two paths cannot drift: ``InProcessTransport``
is the ordinary ``Transport`` (same header checks, same PHP-form or JSON body,
same answer parsing and failure classes, same sync job and attempt rows); only
the last step differs. ``requests`` builds the request exactly as it would for
the wire (a ``PreparedRequest``: method, URL, headers, body bytes) and, instead
of a connection pool, the session's adapter turns those bytes into a WSGI
environ and runs it through the site's middleware, URL routing and views. So
the call is authenticated and permission-checked as over HTTP (the portal's
``X-Bizuno-Token`` bound to its API user, the plugin endpoints' ``email`` and
``pass`` headers and *Can manage store sync*), and its answer is read back
from the response's bytes.

When a connection goes in-process (the HTTP path stays the default):

* its URL has the scheme, host and port of one of ``settings.SITE_URLS``
  (this site's own public addresses), or
* it is the store's Bizuno connection and ``settings.BIZUNO_IN_THIS_SITE`` is
  on; a store connection on the same host as that Bizuno URL then counts as
  this site too (Bizuno is here, so is the store it pushes to).

The request-started and request-finished signals are not sent: their handler
(``close_old_connections``) would close the database connection the calling
job is using, in the middle of its work, just as Django's own test client
avoids.
"""

from __future__ import annotations

import io
import sys
from urllib.parse import unquote_to_bytes, urlsplit

import requests
from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest
from django.http.request import split_domain_port, validate_host
from django.urls import get_script_prefix, set_script_prefix
from requests import exceptions as rex
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from .transport import Transport

MARK = "in-process"
# What the peer sees as the caller's address (the inbound-call log and the login limiter key on it).
REMOTE_ADDR = "127.0.0.1"


# ---------------------------------------------------------------- choosing


def _origin(url: str):
    parts = urlsplit(url or "")
    if not parts.scheme or not parts.hostname:
        return None
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    return parts.scheme.lower(), parts.hostname.lower(), port


def _site_urls() -> list[str]:
    return [u for u in getattr(settings, "SITE_URLS", ()) or () if u]


def is_this_site(url: str) -> bool:
    """Whether ``url`` is one of this site's own addresses (``settings.SITE_URLS``)."""
    origin = _origin(url)
    return origin is not None and any(origin == _origin(site) for site in _site_urls())


def bizuno_in_this_site() -> bool:
    return bool(getattr(settings, "BIZUNO_IN_THIS_SITE", False))


def bizuno_is_local(url: str) -> bool:
    """The store → Bizuno connection goes in-process."""
    return bizuno_in_this_site() or is_this_site(url)


def store_is_local(url: str) -> bool:
    """A books → store connection goes in-process."""
    if is_this_site(url):
        return True
    if bizuno_in_this_site():
        from .connections import BizunoConnection

        bizuno_url = BizunoConnection.load().url
        return _origin(url) is not None and _origin(url) == _origin(bizuno_url)
    return False


# ---------------------------------------------------------------- calling


class _Handler(BaseHandler):
    """Django's request handler without the WSGI server's signals (see the module docstring)."""

    _instance = None

    @classmethod
    def get(cls) -> _Handler:
        if cls._instance is None:
            handler = cls()
            handler.load_middleware()
            cls._instance = handler
        return cls._instance


def _script_name(url_path: str) -> str:
    """The mount point of this site, from the SITE_URLS entry the URL falls under (usually '')."""
    for site in _site_urls():
        prefix = urlsplit(site).path.rstrip("/")
        if prefix and (url_path == prefix or url_path.startswith(prefix + "/")):
            return prefix
    return getattr(settings, "FORCE_SCRIPT_NAME", None) or ""


def environ_for(prepared: requests.PreparedRequest) -> dict:
    """The WSGI environ a web server would build from these request bytes."""
    parts = urlsplit(prepared.url)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    port = parts.port or (443 if scheme == "https" else 80)
    raw_path = parts.path or "/"
    script_name = _script_name(raw_path)
    path_info = raw_path[len(script_name):] or "/"
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    environ = {
        "REQUEST_METHOD": prepared.method.upper(),
        "SCRIPT_NAME": script_name,
        # WSGI: the percent-decoded path as latin-1 text, as a server hands it over.
        "PATH_INFO": unquote_to_bytes(path_info).decode("iso-8859-1"),
        "QUERY_STRING": parts.query,
        "SERVER_NAME": host,
        "SERVER_PORT": str(port),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": REMOTE_ADDR,
        "HTTP_HOST": parts.netloc.rsplit("@", 1)[-1],
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)),
    }
    if scheme == "https":
        environ["HTTPS"] = "on"
    for name, value in prepared.headers.items():
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if key == "CONTENT_TYPE":
                environ[key] = value
            continue
        # A web server drops header names with underscores (nginx, Apache): so do we.
        if "_" in name:
            continue
        environ["HTTP_" + key] = value
    return environ


class InProcessAdapter(BaseAdapter):
    """A ``requests`` adapter that answers from this site's own request handler."""

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        environ = environ_for(request)
        domain, _port = split_domain_port(environ["HTTP_HOST"])
        allowed = settings.ALLOWED_HOSTS or (["localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
        if not domain or not validate_host(domain, allowed):
            # Django would answer 400 "Bad Request" (an HTML page, read as a WAF block): say why instead.
            raise rex.InvalidURL(
                f"{environ['HTTP_HOST']} is this site's address but not in ALLOWED_HOSTS, so this site would "
                "refuse its own in-process call; add it to ALLOWED_HOSTS"
            )
        previous_prefix = get_script_prefix()
        set_script_prefix(environ["SCRIPT_NAME"] or "/")
        try:
            response = _Handler.get().get_response(WSGIRequest(environ))
            content = b"".join(response) if response.streaming else response.content
            # Close what the response holds (files), but not through response.close(): that
            # sends request_finished, whose handler closes the caller's database connection.
            for closer in getattr(response, "_resource_closers", ()):
                closer()
        finally:
            set_script_prefix(previous_prefix)
        return self._build(request, response, content)

    @staticmethod
    def _build(request, django_response, content: bytes) -> requests.Response:
        reply = requests.Response()
        reply.status_code = django_response.status_code
        reply.reason = django_response.reason_phrase
        reply.headers = CaseInsensitiveDict(dict(django_response.items()))
        if request.method.upper() == "HEAD":
            content = b""
        reply.headers["Content-Length"] = str(len(content))
        reply._content = content
        reply._content_consumed = True
        reply.url = request.url
        reply.request = request
        reply.encoding = requests.utils.get_encoding_from_headers(reply.headers)
        return reply

    def close(self):
        pass


class InProcessTransport(Transport):
    """The ordinary Transport, answered by this site itself; its attempts say "in-process"."""

    in_process = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        adapter = InProcessAdapter()
        # Every URL this session is asked for goes to this site: never a socket.
        self.session.adapters.clear()
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def describe(self, method, path, **kw) -> dict:
        summary = super().describe(method, path, **kw)
        summary["transport"] = MARK
        return summary


def transport_class(url: str, *, bizuno: bool) -> type[Transport]:
    """The client class for a connection to ``url`` (``bizuno``: the store → Bizuno one)."""
    local = bizuno_is_local(url) if bizuno else store_is_local(url)
    return InProcessTransport if local else Transport
