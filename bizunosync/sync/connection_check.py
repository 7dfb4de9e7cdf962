"""Test connection: one authenticated call that writes nothing, and what it proved, in plain words.

The calls, chosen from the real protocol for being harmless on a real peer:

* **Store → Bizuno**: ``GET ?bizRt=portal/api/shipGetRates`` with no
  destination. Bizuno checks ``X-Bizuno-Token`` (``validateApiToken``) before
  anything else, and without a postcode there is nothing to quote: it answers
  with no rates and writes nothing. It is also the call checkout makes.
* **Books → store**: ``PUT product/refresh`` with no items. The plugin checks
  the ``email``/``pass`` login (and we the permission) before the handler,
  whose first line answers ``Fail`` "No items provided" for an empty list and
  touches nothing. Being a PUT — sent as POST + override in proxy-safe mode —
  it meets a WAF exactly as Quick Refresh will, so "blocked by a WAF" shows
  up here rather than half-way through the first refresh.

Nothing is recorded as a sync job: there is nothing to retry, and the answer
is shown at once. Credentials never appear in the outcome.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from . import errors
from .transport import Transport, bizuno_transport, portal_path, store_transport

PASSED, FAILED, UNTRIED, NOT_USED = "passed", "failed", "untried", "not used"

BIZUNO_CALL = "GET ?bizRt=portal/api/shipGetRates with no destination (Bizuno quotes nothing and writes nothing)"
STORE_CALL = "PUT product/refresh with no items (the store answers “No items provided” and writes nothing)"


@dataclass
class Check:
    name: str
    state: str = UNTRIED
    detail: str = ""


@dataclass
class Outcome:
    peer: str
    ok: bool
    headline: str
    call: str
    checks: list[Check]
    advice: str = ""
    took_ms: int | None = None
    answer: str = ""  # the peer's own words, when it said something

    @property
    def by_name(self) -> dict[str, Check]:
        return {c.name: c for c in self.checks}


@dataclass
class _Plan:
    """What one side's test calls and how it names its checks."""

    peer: str
    call: str
    credential: str  # "API token" / "WordPress login"
    permission: str  # what "permission present" means on this side
    checks: list[Check] = field(default_factory=list)


def _checks(plan: _Plan, url: str) -> list[Check]:
    https = urlsplit(url).scheme == "https"
    return [
        Check("Reached"),
        Check("TLS", UNTRIED if https else NOT_USED,
              "" if https else "The URL is http://: the credentials travel unencrypted. Use https:// in production."),
        Check("Not blocked by a proxy/WAF"),
        Check(f"{plan.credential} accepted"),
        Check("Permission present", detail=plan.permission),
    ]


def check_bizuno(connection=None) -> Outcome:
    """The Bizuno connection page's button (store side)."""
    from .connections import BizunoConnection

    conn = connection or BizunoConnection.load()
    plan = _Plan("Bizuno", BIZUNO_CALL, "API token", "The token's API user is active in Bizuno.")
    return _run(plan, conn.url, lambda: bizuno_transport(conn),
                lambda t: t.request("GET", portal_path("shipGetRates")))


def check_store(connection=None) -> Outcome:
    """The Store connection page's button (books side)."""
    from .connections import StoreConnection

    conn = connection or StoreConnection.load()
    plan = _Plan("the store", STORE_CALL, "WordPress login",
                 "The WordPress user may manage the store sync (manage_woocommerce).")
    outcome = _run(plan, conn.url, lambda: store_transport(conn), _empty_refresh)
    if outcome.ok and not conn.method_override:
        outcome.advice = ("PUT got through, so proxy-safe mode is not needed here. If a WAF is added in front of "
                          "the store later and Quick Refresh is blocked with HTTP 403, turn proxy-safe mode on.")
    return outcome


def _empty_refresh(transport: Transport):
    try:
        return transport.request("PUT", "product/refresh", form={})
    except errors.ApplicationError as exc:
        # The answer we want: the handler ran (so login and permission passed) and refused the empty list.
        if "no items provided" in _said(exc).lower():
            return exc
        raise


def _run(plan: _Plan, url: str, make_transport, send) -> Outcome:
    checks = _checks(plan, url or "")
    by = {c.name: c for c in checks}
    cred, perm = by[f"{plan.credential} accepted"], by["Permission present"]
    peer, Peer = plan.peer, plan.peer[:1].upper() + plan.peer[1:]

    def outcome(ok, headline, advice="", took=None, answer=""):
        return Outcome(plan.peer, ok, headline, plan.call, checks, advice, took, answer)

    try:
        transport = make_transport()
    except errors.RefusedLocally as exc:
        return outcome(False, exc.explanation)
    inprocess = getattr(transport, "in_process", False)

    def reached(tls_too=True):
        by["Reached"].state = PASSED
        by["Reached"].detail = "In this site (no network)" if inprocess else f"Connected to {_host(url)}"
        if tls_too and by["TLS"].state == UNTRIED:
            by["TLS"].state, by["TLS"].detail = PASSED, "Handshake and certificate accepted"

    def not_blocked():
        waf = by["Not blocked by a proxy/WAF"]
        waf.state, waf.detail = PASSED, f"{Peer}'s own JSON answer came back, not a firewall's page"

    try:
        reply = send(transport)
    except errors.RefusedLocally as exc:
        return outcome(False, exc.explanation)
    except (errors.ConnectionFailed, errors.ConnectTimeout) as exc:
        by["Reached"].state, by["Reached"].detail = FAILED, exc.explanation
        return outcome(False, f"Could not reach {peer}.",
                       "Check the URL (host name and port) and that the server is up and allows connections "
                       "from this machine.")
    except errors.TlsFailed as exc:
        by["Reached"].state, by["Reached"].detail = PASSED, f"Connected to {_host(url)}"
        by["TLS"].state, by["TLS"].detail = FAILED, exc.explanation
        return outcome(False, f"Reached {peer}, but the TLS handshake failed.",
                       "The certificate is not trusted by this machine (expired, self-signed or for another "
                       "host name). Fix the certificate; do not switch to http://.")
    except errors.WafBlocked as exc:
        reached()
        by["Not blocked by a proxy/WAF"].state = FAILED
        by["Not blocked by a proxy/WAF"].detail = f"HTTP {exc.status}: an HTML page, not {peer}'s JSON"
        advice = ("Turn on proxy-safe mode on this page: PUT calls then go as POST with "
                  "'X-HTTP-Method-Override: PUT', which OWASP CRS lets through (it blocks PUT by default, "
                  "rule 911100)." if "proxy-safe" in exc.explanation else
                  "A web application firewall (mod_security) rule matched the request before it reached "
                  f"{peer}. Check the firewall's log for the rule id and allow this call.")
        return outcome(False, f"Reached the server, but a proxy/WAF blocked the call before {peer} saw it.",
                       advice)
    except errors.ProxyUnavailable as exc:
        reached()
        not_blocked()
        return outcome(False, exc.explanation + ".", f"{Peer}'s web server is up but its PHP is not: try again "
                       "later, or ask its host.")
    except errors.HttpStatusError as exc:
        reached()
        said = _said(exc)
        if exc.status in (401, 403) and exc.excerpt and not _looks_html(exc.excerpt):
            not_blocked()
            return _refused(plan, cred, perm, exc.status, said, outcome)
        if exc.status == 429:
            not_blocked()
            return outcome(False, f"{Peer} is refusing logins for a while after too many failed ones (HTTP 429).",
                           "Wait five minutes, check the password, then test again.", answer=said)
        return outcome(False, exc.explanation + ".", answer=said)
    except errors.ApplicationError as exc:
        reached()
        not_blocked()
        said = _said(exc)
        if "token" in said.lower() or "access" in said.lower():
            cred.state, cred.detail = FAILED, said
            return outcome(False, f"Reached {peer}, which refused the {plan.credential}.",
                           f"Enter the {plan.credential} again: it must match the one set in {peer}.", answer=said)
        cred.state = perm.state = PASSED
        return outcome(False, f"Reached {peer} and logged in, but it refused the test call: {said}", answer=said)
    except errors.SyncError as exc:
        reached()
        return outcome(False, exc.explanation + ".")

    reached()
    not_blocked()
    cred.state = PASSED
    perm.state = PASSED
    took = getattr(reply, "duration_ms", None)
    return outcome(True, f"Connected: {peer} accepted the {plan.credential} and answered the test call"
                   + (f" in {took} ms." if took is not None else "."), took=took, answer=_said(reply))


def _refused(plan, cred, perm, status, said, outcome) -> Outcome:
    """A 401/403 in the peer's own JSON: which of login and permission failed."""
    text = said.lower()
    peer = plan.peer
    if plan.peer == "Bizuno":
        if "inactive" in text or "missing or inactive" in text:
            cred.state, perm.state, perm.detail = PASSED, FAILED, said
            return outcome(False, "Bizuno accepted the API token, but its API user is missing or inactive.",
                           "In Bizuno, open the portal settings and choose an active API user for the token.",
                           answer=said)
        cred.state, cred.detail = FAILED, said
        return outcome(False, "Reached Bizuno, which refused the API token.",
                       "Enter the API token again: it must be the token set in Bizuno's portal settings.",
                       answer=said)
    if status == 403:
        cred.state, perm.state, perm.detail = PASSED, FAILED, said
        return outcome(False, "The store accepted the WordPress login, but that user may not manage the store sync.",
                       "In the store, give this user the shop-manager rights (manage_woocommerce; here: "
                       "“Can manage store sync”).", answer=said)
    cred.state, cred.detail = FAILED, said
    return outcome(False, f"Reached {peer}, which refused the WordPress login (HTTP {status}).",
                   "Check the WordPress user (e-mail or user name) and enter the password again.", answer=said)


def _said(obj) -> str:
    """The peer's own sentence: its error/info messages, else its note."""
    messages = getattr(obj, "messages", None)
    if messages is not None:
        texts = messages.texts("error") or messages.texts("warning") or messages.texts("info")
        if texts:
            return "; ".join(texts)[:300]
    data = getattr(obj, "data", None)
    if data is None and getattr(obj, "excerpt", ""):
        try:
            data = json.loads(obj.excerpt)
        except ValueError:
            data = None
    if isinstance(data, dict):
        for key in ("note", "message"):
            if isinstance(data.get(key), str) and data[key]:
                return data[key][:300]
    return ""


def _looks_html(text: str) -> bool:
    return text.lstrip()[:1] == "<"


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc.rsplit("@", 1)[-1] or url
