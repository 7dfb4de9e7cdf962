"""What can go wrong with an outbound call, and what it means for a retry.

One error type (``SyncError``) carries the evidence — HTTP status, an excerpt
of the answer, the peer's message block — and two facts the job framework acts
on:

* ``reached_peer``: ``False`` when the request provably never reached the
  peer's PHP (nothing can have been booked, so an automatic retry is safe);
  ``True`` when PHP answered; ``None`` when nobody can tell (a read timeout
  after the body was sent). Bizuno has no idempotency key: posting an order
  twice books it twice, so anything but ``False`` goes to a human.
* ``permanent``: retrying the same request cannot help (bad credentials, the
  peer refused the data, we refused to send it).
"""

from __future__ import annotations

from bizunosync.wire.messages import MessageBlock

from .models import FailureClass


class SyncError(Exception):
    failure_class: str = FailureClass.HTTP_STATUS
    reached_peer: bool | None = None
    permanent: bool = False

    def __init__(
        self,
        failure_class: str | None = None,
        reached_peer: bool | None = ...,  # type: ignore[assignment]
        status: int | None = None,
        excerpt: str = "",
        messages: MessageBlock | None = None,
        explanation: str = "",
        permanent: bool | None = None,
    ):
        if failure_class is not None:
            self.failure_class = failure_class
        if reached_peer is not ...:
            self.reached_peer = reached_peer
        if permanent is not None:
            self.permanent = permanent
        self.status = status
        self.excerpt = excerpt or ""
        self.messages = messages if messages is not None else MessageBlock()
        self.explanation = explanation or FailureClass(self.failure_class).label
        super().__init__(self.explanation)

    @property
    def retryable(self) -> bool:
        """Safe to send again automatically: nothing reached the peer's PHP."""
        return self.reached_peer is False and not self.permanent

    @property
    def ambiguous(self) -> bool:
        """The peer may have acted on the request: a human must check."""
        return self.reached_peer is not False and not self.permanent

    def __str__(self):
        return self.explanation


# --- never reached the peer: safe to retry ---------------------------------


class ConnectionFailed(SyncError):
    """Connection refused, DNS failure, no route: no byte of the request left."""

    failure_class = FailureClass.CONNECTION
    reached_peer = False


class TlsFailed(SyncError):
    """The TLS handshake failed, so the request was never sent."""

    failure_class = FailureClass.TLS
    reached_peer = False


class ConnectTimeout(SyncError):
    failure_class = FailureClass.CONNECT_TIMEOUT
    reached_peer = False


class WafBlocked(SyncError):
    """An HTML 400/403/406 page from mod_security or a proxy, not the application's JSON."""

    failure_class = FailureClass.WAF_BLOCK
    reached_peer = False


class ProxyUnavailable(SyncError):
    """A 502/503 page from the proxy in front of PHP: PHP never answered."""

    failure_class = FailureClass.HTTP_STATUS
    reached_peer = False


# --- refused by us, before sending: permanent -------------------------------


class RefusedLocally(SyncError):
    """We would not send it: a header a WAF would reject, too many form fields, no settings."""

    failure_class = FailureClass.REFUSED_LOCALLY
    reached_peer = False
    permanent = True


# --- the peer may have acted: review (or failed when the peer said no) -----


class ReadTimeout(SyncError):
    """The request was sent and no answer came in time: the peer may have acted on it."""

    failure_class = FailureClass.READ_TIMEOUT
    reached_peer = None


class HttpStatusError(SyncError):
    failure_class = FailureClass.HTTP_STATUS
    reached_peer = True


class EmptyBody(SyncError):
    failure_class = FailureClass.EMPTY_BODY
    reached_peer = None


class NotJson(SyncError):
    failure_class = FailureClass.NOT_JSON
    reached_peer = True


class WrongShape(SyncError):
    failure_class = FailureClass.WRONG_SHAPE
    reached_peer = True


class TooLarge(SyncError):
    failure_class = FailureClass.TOO_LARGE
    reached_peer = True


class ApplicationError(SyncError):
    """The peer's PHP answered ``result: Fail`` (or only errors): it refused the data.

    Permanent: the plugin documents Fail as "nothing was done"; sending the
    same data again gets the same answer.
    """

    failure_class = FailureClass.APPLICATION
    reached_peer = True
    permanent = True
