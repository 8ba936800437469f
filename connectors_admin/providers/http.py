"""Talking HTTP to a provider: sending, retrying safe reads, turning failures into plain words,
and describing every exchange (redacted) so that each one can be recorded on its own.

Nothing here knows a provider: a provider's client subclasses `HttpClient` (through
`base.ProviderClient`) and adds its auth, its paths and how to read its error bodies.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
import urllib3
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from requests.adapters import HTTPAdapter

from connectors_admin import __version__
from connectors_admin.core.redaction import Redactor, crash_site, curl_command
from connectors_admin.core.safety import NOT_ONE_LINE, loads_bounded

logger = logging.getLogger("connectors_admin.providers")

USER_AGENT = f"ConnectorsAdmin/{__version__} (+https://github.com/connectors-admin)"
MAY_HAVE_BEEN_APPLIED = " The request may have been applied: check before retrying."
# A write that got no answer in time. Where the background looks for what it did (a create's
# lookup, a refresh after an action), the services say so in place of "check before retrying".
UNANSWERED_WRITE = " The request may still have been applied: check before retrying."
LOOKED_FOR = (
    " The request may still have been applied: Connectors Admin will look for it at the "
    "provider and tell you."
)
# The kind of error a client raises when the provider itself says the connector does not exist
# (its API's own "not found" on it, never a proxy's page): it was deleted there.
GONE = "gone"
MAX_STORED_BODY = 64 * 1024  # characters of a response body kept on a record

_shared_pool: ContextVar[HTTPAdapter | None] = ContextVar("shared_pool", default=None)
_shared_reads: ContextVar[dict | None] = ContextVar("shared_reads", default=None)


@contextmanager
def shared_connections() -> Iterator[None]:
    """Clients made inside reuse each other's open connections to a host (a batch of
    refreshes: one TLS handshake a host, not one a connector). Only the sockets are shared:
    each client keeps its own session, auth and cookies."""
    pool = HTTPAdapter()
    token = _shared_pool.set(pool)
    try:
        yield
    finally:
        _shared_pool.reset(token)
        pool.close()


@contextmanager
def shared_reads() -> Iterator[None]:
    """GETs made inside, by clients of the same credential, of the same URL, are sent once:
    a batch of scheduled refreshes of one Mixpanel project reads its list once, not once a
    connector. Only answers that read well are kept, and any other method sent by a client
    inside forgets them all (what was read may have changed). In memory, for the batch."""
    token = _shared_reads.set({})
    try:
        yield
    finally:
        _shared_reads.reset(token)


class ProviderError(Exception):
    """Something went wrong talking to a provider, said in plain words for the user.

    `field_errors` maps our form field names to messages when the provider names a field.
    `may_have_reached` is true when a write could have been applied although we got no answer.
    `found` is what a read made to check a write found at the provider (its RemoteRecord): a
    delete read back and still there, say.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        field_errors: dict[str, str] | None = None,
        kind: str = "rejected",
        may_have_reached: bool = False,
        found: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field_errors = field_errors or {}
        self.kind = kind
        self.may_have_reached = may_have_reached
        self.found = found


@dataclass
class Call:
    """An outbound request before it is sent."""

    method: str
    url: str
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    # Multipart bodies (a key file upload, say): form fields as a list of pairs, so a name can
    # repeat, and files as {field: (filename, bytes, content type)}.
    form: list[tuple[str, str]] | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    # Secret values inside the body (a database password in a configuration, say), masked
    # wherever the call or its answer is recorded, shown or logged.
    redact: list[str] = field(default_factory=list)
    # A body sent exactly as written (Upstash's Terraform client sends a literal JSON null).
    raw: str | None = None
    # A PUT or POST that changes nothing, by the provider's contract (Kafka Connect's
    # …/config/validate): a lost answer hides no change.
    read_only: bool = False

    @property
    def writes(self) -> bool:
        """Could it change something at the provider (so a lost answer may hide a change)?"""
        return self.method not in {"GET", "HEAD"} and not self.read_only

    def prepare(self, session: requests.Session) -> requests.PreparedRequest:
        return session.prepare_request(
            requests.Request(
                self.method,
                self.url,
                json=self.json,
                data=self.raw.encode() if self.raw is not None else self.form,
                files=self.files,
                headers=self.headers,
            )
        )


@dataclass
class Exchange:
    """One request as sent and its answer, with everything needed to record it."""

    call: Call
    status: int | None = None
    content_type: str = ""
    text: str = ""
    duration_ms: int = 0
    error: ProviderError | None = None
    # A read made to check what an earlier call of the operation did (a delete read back): not
    # the operation's own answer, which its summary shows.
    checks: bool = False
    retry_after: str = ""

    def json(self) -> Any:
        parsed = loads_bounded(self.text)
        if UNSTORABLE_ESCAPE.search(self.text):
            return _storable(parsed)
        return parsed


# "\ud800" alone in a JSON string parses to a character no database or page can hold, and
# "\u0000" to a NUL, which PostgreSQL keeps in no text or JSON column (SQLite does).
UNSTORABLE_ESCAPE = re.compile(r"\\u(?:[dD][89a-fA-F]|0000)")
NUL = "\x00"


def _storable(value: Any) -> Any:
    """`value` with its lone surrogates and NULs replaced, as every database keeps it."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8").replace(NUL, "\ufffd")
    if isinstance(value, list):
        return [_storable(v) for v in value]
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    return value


class _NoRedirects(requests.Session):
    """A session that never looks at a redirect's Location: the app follows none (an API does
    not send its clients elsewhere), and requests would otherwise parse it even so, raising
    on one it cannot read."""

    def resolve_redirects(self, *args: Any, **kwargs: Any):
        return iter(())


class _AnswerTooSlow(Exception):
    pass


class _AnswerTooBig(Exception):
    pass


class _Unsendable(Exception):
    """A header value no HTTP request can carry. Never holds the value (a token, say)."""


class _Unbuildable(Exception):
    """A request that could not be built (an address no request can go to, a body that is not
    JSON): nothing was sent. Never holds requests' own error, which quotes the address."""


UNSENDABLE = (
    "A stored value holds a line break or another control character, which no request can "
    "carry in its headers: edit the credential and type that value again. Nothing was sent."
)


def _prepared(call: Call, session: requests.Session) -> requests.PreparedRequest:
    """The request as it will be sent, its authentication applied; `_Unsendable` when one of
    its headers cannot be sent (refused here: http.client's error quotes the whole value,
    secret included); `_Unbuildable` when requests refuses to build it at all."""
    try:
        request = call.prepare(session)
    except requests.exceptions.InvalidHeader:
        raise _Unsendable from None
    except requests.RequestException:
        raise _Unbuildable from None
    for name, value in request.headers.items():
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        if NOT_ONE_LINE.search(text) or NOT_ONE_LINE.search(str(name)):
            raise _Unsendable
    return request


# The most of a provider's error message quoted on a page and kept with the operation.
SAID_AT_MOST = 600


def _seconds(value: float) -> str:
    return f"{value:g} second{'' if value == 1 else 's'}"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# The most of an answer read: more is no API answer this app asks for.
MAX_ANSWER_BYTES = 8 * 1024 * 1024


def _decoded(body: bytes, encoding: str | None) -> str:
    """The body as text, in its declared charset; one Python does not know (charset=binary,
    a misspelling) is read as UTF-8, as JSON is, rather than failing the call. A NUL (a binary
    body, say) is replaced as an undecodable byte is: PostgreSQL keeps none in text."""
    try:
        text = body.decode(encoding or "utf-8", errors="replace")
    except LookupError:
        text = body.decode("utf-8", errors="replace")
    return text.replace(NUL, "\ufffd")


def _read_answer(response: requests.Response, deadline: float) -> bytes:
    """The answer's body, read by the deadline: the read timeout bounds each wait for bytes,
    so a provider trickling its answer would otherwise hold the request for ever."""
    chunks, size = [], 0
    try:
        # read1: whatever has come, at once (a read of a set size waits for all of it).
        while chunk := response.raw.read1(64 * 1024, decode_content=True):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_ANSWER_BYTES:
                raise _AnswerTooBig
            if time.monotonic() > deadline:
                raise _AnswerTooSlow
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.ReadTimeout(exc) from exc
    except urllib3.exceptions.DecodeError as exc:
        raise requests.exceptions.ContentDecodingError(exc) from exc
    except urllib3.exceptions.HTTPError as exc:  # cut off mid-answer
        raise requests.exceptions.ChunkedEncodingError(exc) from exc
    return b"".join(chunks)


def is_web_page(exchange: Exchange) -> bool:
    """An HTML page where an API answer should be (a sign-in page, a proxy's, a captive
    portal's); an empty body sent as text/html, as many servers label a 204, is not one."""
    kind = exchange.content_type.split(";")[0].strip().lower()
    return kind in {"text/html", "application/xhtml+xml"} and "<" in exchange.text


def next_page(link: Any, page: str, api: str) -> str | None:
    """Where the page after `page` is, from the link its body gave (None: none, or not one we
    follow). A link relative to its page is read against it. One naming the API's own host is
    asked for at the API's own address (`api`: scheme, host, port and path prefix, as set
    here): a server behind a proxy that ends TLS names itself http:// (or with the port it
    listens on), and its page is the same one. A link to another host, or outside the API's
    path, is never followed: a body does not send us elsewhere."""
    if not isinstance(link, str) or not link.strip():
        return None
    try:
        target = urlsplit(urljoin(page, link.strip()))
        ours = urlsplit(api)
        same_host = target.hostname is not None and target.hostname == ours.hostname
    except ValueError:  # an address no parser can read leads nowhere
        return None
    if not same_host or target.scheme not in {"http", "https"}:
        return None
    if not target.path.startswith(ours.path.rstrip("/") + "/"):
        return None
    return urlunsplit((ours.scheme, ours.netloc, target.path, target.query, ""))


# Failures that happen before a request leaves: the provider cannot have seen it.
NOT_SENT = (urllib3.exceptions.NewConnectionError, ConnectionRefusedError, socket.gaierror)
TRANSIENT_KINDS = frozenset({"unreachable", "dropped", "timeout"})


def _causes(exc: BaseException):
    """The exception and everything it wraps (requests wraps urllib3, which wraps the socket)."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack += [getattr(current, "reason", None), current.__cause__, current.__context__]
        stack += [a for a in current.args if isinstance(a, BaseException)]


class HttpClient:
    """HTTP access to one provider with one credential, for one operation.

    `send` never raises for transport problems: it records them on the exchange. Every exchange,
    retries included, is kept in `exchanges` and handed to `on_exchange` as soon as it ends, so
    the caller can record each one. `redactor` knows every secret of the operation.
    """

    label: ClassVar[str] = "The provider"
    # Headers that carry this provider's credential besides the standard ones (X-API-Key, say).
    secret_headers: ClassVar[tuple[str, ...]] = ()

    def __init__(self, public: dict[str, Any], secrets: dict[str, str]) -> None:
        self.public = public
        self.secrets = secrets
        self.session = _NoRedirects()
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        self.session.auth = self.auth()
        if pool := _shared_pool.get():
            self.session.mount("https://", pool)
            self.session.mount("http://", pool)
        self.redactor = Redactor(values=secrets.values(), headers=self.secret_headers)
        if isinstance(self.session.auth, tuple) and all(self.session.auth):
            # The Authorization header's own spelling, should a provider echo it back.
            pair = ":".join(self.session.auth).encode()
            self.redactor.add(values=[base64.b64encode(pair).decode()])
        self.exchanges: list[Exchange] = []
        self.on_exchange: Callable[[Exchange], None] | None = None
        # The last call described, with what the redactor knew then: a create's call is
        # described for its submission and again for its attempt, the same both times.
        self._described: tuple[Call, tuple[Any, ...], dict[str, Any]] | None = None

    def auth(self) -> requests.auth.AuthBase | tuple[str, str] | Callable | None:
        return None

    def error_details(self, exchange: Exchange) -> tuple[str, dict[str, str]]:
        """The provider's own message and field errors from an error body ("" if none)."""
        return "", {}

    def curl_user(self) -> str | None:
        """The `--user` value for the redacted curl command, if the provider uses Basic auth."""
        return None

    def curl_auth_header(self) -> str | None:
        """An auth header for the curl command, with a `$VARIABLE` in place of the secret."""
        return None

    @property
    def last_exchange(self) -> Exchange | None:
        return self.exchanges[-1] if self.exchanges else None

    @property
    def answering_exchange(self) -> Exchange | None:
        """The exchange that answered the operation: its last one, leaving out the reads made
        only to check what it did (a delete read back)."""
        answering = [exchange for exchange in self.exchanges if not exchange.checks]
        return answering[-1] if answering else self.last_exchange

    @staticmethod
    def base_url(setting_name: str) -> str:
        url = getattr(settings, setting_name, "")
        if url:
            return url.rstrip("/")
        if settings.SANDBOX:
            return settings.SANDBOX_URL.rstrip("/") + "/sandbox"
        raise ImproperlyConfigured(f"{setting_name} is not set and the sandbox is off.")

    @property
    def timeout(self) -> tuple[float, float]:
        return (settings.PROVIDER_CONNECT_TIMEOUT, settings.PROVIDER_READ_TIMEOUT)

    # --- sending -------------------------------------------------------------------------------
    def send(self, call: Call) -> Exchange:
        self.redactor.add(values=call.redact)
        if call.method != "GET" and (reads := _shared_reads.get()):
            reads.clear()  # what was read may have changed
        exchange = Exchange(call=call)
        started = time.monotonic()
        writes = call.writes
        try:
            request = _prepared(call, self.session)
            response = self.session.send(
                request, timeout=self.timeout, allow_redirects=False, stream=True
            )
            try:
                body = _read_answer(response, started + sum(self.timeout))
            except BaseException:
                response.close()  # cut off: the connection is not used again
                raise
            response.raw.release_conn()  # read in full: kept alive in its pool for the next call
        except _Unsendable:
            exchange.error = ProviderError(UNSENDABLE, kind="credential")
        except _Unbuildable:
            exchange.error = ProviderError(
                f"The request to {self.label} could not be built from its settings (an address "
                "or a body no request can carry). Nothing was sent.",
                kind="internal",
            )
        except _AnswerTooSlow:
            exchange.error = self._timed_out(
                writes,
                f"{self.label} was still sending its answer after {_seconds(sum(self.timeout))}.",
            )
        except _AnswerTooBig:
            exchange.error = ProviderError(
                f"{self.label} answered with more than {MAX_ANSWER_BYTES // 2**20} MB, more than "
                "any answer this asks for." + (MAY_HAVE_BEEN_APPLIED if writes else ""),
                kind="bad_response",
                may_have_reached=writes,
            )
        except requests.ConnectTimeout:
            exchange.error = ProviderError(
                f"Could not connect to {self.label} in time. Nothing was sent; "
                "try again in a moment.",
                kind="unreachable",
            )
        except requests.ReadTimeout:
            exchange.error = self._timed_out(writes)
        except requests.ConnectionError as exc:
            causes = list(_causes(exc))
            if any(isinstance(c, urllib3.exceptions.ReadTimeoutError) for c in causes):
                exchange.error = self._timed_out(writes)  # stalled while the answer arrived
            elif any(isinstance(c, NOT_SENT) for c in causes):
                exchange.error = ProviderError(
                    f"Could not reach {self.label} (connection refused or host not found). "
                    "Nothing was sent.",
                    kind="unreachable",
                )
            else:
                exchange.error = ProviderError(
                    f"{self.label} closed the connection without answering."
                    + (MAY_HAVE_BEEN_APPLIED if writes else ""),
                    kind="dropped",
                    may_have_reached=writes,
                )
        except requests.RequestException:
            exchange.error = ProviderError(
                f"The connection to {self.label} failed mid-answer.",
                kind="dropped",
                may_have_reached=writes,
            )
        else:
            exchange.status = response.status_code
            exchange.content_type = response.headers.get("Content-Type", "")
            exchange.text = _decoded(body, response.encoding)
            exchange.retry_after = response.headers.get("Retry-After", "")
            if response.status_code >= 400:
                exchange.error = self.error_for_status(exchange)
            elif response.is_redirect:
                exchange.error = self._redirected(exchange, response.headers.get("Location", ""))
        exchange.duration_ms = round((time.monotonic() - started) * 1000)
        self.exchanges.append(exchange)
        logger.info(
            "%s %s -> %s in %d ms",
            call.method,
            self.redactor.text(call.url),
            exchange.status or (exchange.error and exchange.error.kind),
            exchange.duration_ms,
        )
        if self.on_exchange is not None:
            self.on_exchange(exchange)
        return exchange

    def _redirected(self, exchange: Exchange, location: str) -> ProviderError:
        """An API does not send its clients elsewhere: a redirect is a proxy, a sign-in page or
        a base URL that is not the API's."""
        try:
            host = urlsplit(location).hostname or ""
        except ValueError:  # a Location we cannot read is said without its host
            host = ""
        writes = exchange.call.writes
        return ProviderError(
            f"{self.label} answered with a redirect (HTTP {exchange.status}"
            + (f" to {self.redactor.text(host)}" if host else "")
            + ") instead of an answer: check the address it is reached at."
            + (MAY_HAVE_BEEN_APPLIED if writes else ""),
            status=exchange.status,
            kind="bad_response",
            may_have_reached=writes,
        )

    def _timed_out(self, writes: bool, how: str = "") -> ProviderError:
        return ProviderError(
            (
                how
                or f"{self.label} did not answer within {_seconds(settings.PROVIDER_READ_TIMEOUT)}."
            )
            + (UNANSWERED_WRITE if writes else ""),
            kind="timeout",
            may_have_reached=writes,
        )

    def get(self, url: str, attempts: int = 3) -> Exchange:
        """GETs are safe to repeat: retry connection failures and 5xx with a short backoff.
        Inside `shared_reads`, one already read with this credential is read again from it."""
        reads = _shared_reads.get()
        if reads is None:
            return self.send_retrying(Call("GET", url), attempts)
        key = (self._identity(), url)
        if key in reads:
            return self._read_again(reads[key])
        exchange = self.send_retrying(Call("GET", url), attempts)
        if exchange.error is None:
            reads[key] = exchange
        return exchange

    def _identity(self) -> str:
        """Which credential this client calls with, as a digest (`shared_reads`' key)."""
        if not hasattr(self, "_identity_digest"):
            said = json.dumps(
                [type(self).__qualname__, self.public, sorted(self.secrets.items())],
                sort_keys=True,
                default=str,
            )
            self._identity_digest = hashlib.sha256(said.encode()).hexdigest()
        return self._identity_digest

    def _read_again(self, exchange: Exchange) -> Exchange:
        """An answer this batch already read, recorded as this operation's exchange too."""
        self.exchanges.append(exchange)
        logger.info(
            "%s %s -> %s (read earlier in this batch)",
            exchange.call.method,
            self.redactor.text(exchange.call.url),
            exchange.status,
        )
        if self.on_exchange is not None:
            self.on_exchange(exchange)
        return exchange

    # A provider with its own words for "no such connector" (`says_not_found`): its `refresh`
    # raises a ProviderError of kind GONE on them, so a refresh records the connector deleted
    # there, and a delete whose answer was lost can be settled by the refresh that follows it.
    # Any other 404 (a wrong address, a proxy) says nothing of the connector.
    says_gone: ClassVar[bool] = False

    def says_not_found(self, exchange: Exchange) -> bool:
        return False

    def send_delete(self, url: str) -> Exchange:
        """A DELETE; the API's 404 is returned (already gone), any other failure raised. A 404
        web page is not the API's: a wrong address or a proxy, which says nothing of the
        connector; nor, where the provider has its own words for it, a 404 without them."""
        exchange = self.send(Call("DELETE", url))
        not_its_404 = is_web_page(exchange) or (
            self.says_gone and not self.says_not_found(exchange)
        )
        if exchange.error and (exchange.status != 404 or not_its_404):
            raise exchange.error
        return exchange if exchange.error else self.accepted(exchange)

    def accepted(self, exchange: Exchange) -> Exchange:
        """A change whose answer's body is not read (a pause, a restart: 202 and no body): the
        exchange if its status says it was accepted; its error otherwise. A web page is refused
        whatever its status: a sign-in page or a proxy's said nothing of the change."""
        if exchange.error:
            raise exchange.error
        if is_web_page(exchange):
            raise self.web_page(exchange)
        return exchange

    def send_retrying(self, call: Call, attempts: int = 3) -> Exchange:
        """Send a call that is safe to repeat, retrying transient failures with backoff."""
        for attempt in range(attempts):
            exchange = self.send(call)
            error = exchange.error
            transient = error is not None and (
                error.kind in TRANSIENT_KINDS or (error.status or 0) >= 500
            )
            if not transient:
                return exchange
            if attempt < attempts - 1:
                time.sleep(settings.PROVIDER_RETRY_BACKOFF * 2**attempt)
        return exchange

    # --- reading answers -----------------------------------------------------------------------
    def error_for_status(self, exchange: Exchange) -> ProviderError:
        status = exchange.status or 0
        try:
            message, field_errors = self.error_details(exchange)
        except Exception as exc:  # an error body its reader trips over: the status still says
            logger.error("could not read %s's error body: %s", self.label, crash_site(exc))
            message, field_errors = "", {}
        # Masked, then cut: a page quotes a provider's words, not a 200,000-character essay.
        message = _cut(self.redactor.text(message), SAID_AT_MOST)
        field_errors = {
            name: _cut(self.redactor.text(str(said)), SAID_AT_MOST // 2)
            for name, said in field_errors.items()
        }
        said = f" {self.label} said: “{message.rstrip('.')}.”" if message else ""
        if status == 401:
            text = f"{self.label} did not accept the credential (HTTP 401).{said}"
        elif status == 403:
            text = f"{self.label} refused access (HTTP 403).{said}"
        elif status == 404:
            text = f"{self.label} has no such resource (HTTP 404).{said}"
        elif status == 429:
            wait = exchange.retry_after
            text = f"{self.label} is rate limiting requests (HTTP 429)." + (
                f" Try again in {wait} seconds." if wait.isdigit() else " Try again in a minute."
            )
        elif status >= 500:
            text = (
                f"{self.label} had a server error (HTTP {status}).{said} "
                "This is on their side; try again later."
            )
        else:
            text = f"{self.label} rejected the request (HTTP {status}).{said}"
        return ProviderError(
            self.redactor.text(text),
            status=status,
            field_errors={name: self.redactor.text(msg) for name, msg in field_errors.items()},
            may_have_reached=status >= 500 and exchange.call.writes,
        )

    def expect_json(self, exchange: Exchange) -> Any:
        """The parsed body of a successful exchange, or a ProviderError in plain words."""
        if exchange.error:
            raise exchange.error
        try:
            return exchange.json()
        except ValueError:
            kind = exchange.content_type.split(";")[0] or "no content type"
            raise self.unreadable(exchange, f"with something that is not JSON ({kind})") from None

    def unexpected_shape(self, exchange: Exchange, what: str) -> ProviderError:
        return self.unreadable(exchange, f"but the answer does not look like {what}")

    def gone(self, exchange: Exchange, what: str) -> ProviderError:
        """The provider's own word that `what` (a connector) does not exist (any more)."""
        return ProviderError(
            f"{self.label} no longer has {what}: it was deleted there.",
            status=exchange.status,
            kind=GONE,
        )

    def web_page(self, exchange: Exchange) -> ProviderError:
        return self.unreadable(
            exchange, "with a web page, not the API's answer (a proxy or a sign-in page?)"
        )

    def unreadable(self, exchange: Exchange, how: str) -> ProviderError:
        writes = exchange.call.writes
        return ProviderError(
            f"{self.label} answered HTTP {exchange.status} {how}."
            + (MAY_HAVE_BEEN_APPLIED if writes else ""),
            status=exchange.status,
            kind="bad_response",
            may_have_reached=writes,
        )

    def plain_text_said(self, exchange: Exchange) -> str:
        """What a provider said in an error body that is not JSON: its text, masked and cut
        short; nothing for a web page (its markup is no message)."""
        if is_web_page(exchange):
            return ""
        return self.redactor.text(exchange.text.strip())[:200]

    # --- what we store and show of an exchange --------------------------------------------------
    def redacted_request(self, call: Call) -> dict[str, Any]:
        redactor = self.redactor
        redactor.add(values=call.redact)
        # A redactor only learns more: the same counts mean it masks what it masked then. The
        # session's cookies are sent with the call: one an answer set since (a load balancer's
        # sticky session) is in the next description, as in what is sent.
        known = (
            len(redactor.values),
            len(redactor.keys),
            len(redactor.headers),
            tuple((c.domain, c.path, c.name, c.value) for c in self.session.cookies),
        )
        if self._described and self._described[0] is call and self._described[1] == known:
            return self._described[2]
        described = self._describe(call)
        self._described = (call, known, described)
        return described

    def _describe(self, call: Call) -> dict[str, Any]:
        redactor = self.redactor
        headers = redactor.header_values(call.prepare(self.session).headers)
        body: Any = None
        if call.json is not None:
            body = redactor.data(call.json)
        elif call.form is not None or call.files:
            # Files are described, never copied: a key file is a secret in itself.
            body = {
                "form": redactor.data([list(pair) for pair in call.form or []]),
                "files": {
                    name: f"<{filename}: {len(content)} bytes, {kind}>"
                    for name, (filename, content, kind) in (call.files or {}).items()
                },
            }
        raw = redactor.text(call.raw) if call.raw is not None else None
        return {
            "method": call.method,
            "url": redactor.text(call.url),
            "headers": headers,
            "body": body if raw is None else raw,
            "curl": curl_command(
                call.method,
                redactor.text(call.url),
                headers,
                body,
                raw=raw,
                user=self.curl_user(),
                auth_header=self.curl_auth_header(),
                form=body["form"] if call.json is None and body else None,
                files={name: (f, kind) for name, (f, _, kind) in (call.files or {}).items()},
                sensitive_headers=redactor.headers,
            ),
        }

    def redacted_response(self, exchange: Exchange) -> str:
        self.redactor.add(values=exchange.call.redact)
        # Masked first, then cut: a cut through a secret would leave its start unmasked.
        return self.redactor.text(exchange.text)[:MAX_STORED_BODY]

    def exchange_record(self, exchange: Exchange) -> dict[str, Any]:
        """One exchange as it is stored: the request and answer redacted, and its outcome."""
        error = exchange.error
        return {
            "request": self.redacted_request(exchange.call),
            "response_status": exchange.status,
            "response_body": self.redacted_response(exchange),
            "duration_ms": exchange.duration_ms,
            "error_kind": error.kind if error else "",
            "error_message": error.message if error else "",
        }
