"""The HTTP port's guard, in front of Bolt and the calendar's push.

A request body is at most MAX_BODY_BYTES: a longer announced length is answered 413
without reading a byte of it, and a body without one (chunked) is read only up to the
limit. A POST to /slack/events that Slack did not sign is answered 401 before anything
parses it: Bolt reads the body (JSON, form, payload) before it checks the signature, and
a malformed one was a 500 and a traceback in the log. A signed one Bolt could not read
is answered 400.
"""

from __future__ import annotations

import hashlib
import hmac
import io
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt.request.internals import parse_body
from slack_sdk.signature import Clock, SignatureVerifier

# Slack's payloads are a few KB (a modal's submission at most tens); Google's push has
# no body at all.
MAX_BODY_BYTES = 1024 * 1024
SLACK_PATH = "/slack/events"
# Google's push notifications of calendar changes (bot/push_http.py).
NOTIFICATIONS_PATH = "/calendar/notifications"

Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _answer(start_response: Callable[..., Any], status: str, text: str) -> Iterable[bytes]:
    body = text.encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                            ("Content-Length", str(len(body)))])
    return [body]


def limit_body(app: Wsgi, *, limit: int = MAX_BODY_BYTES) -> Wsgi:
    """``app`` given each body read in full, once it is known to be at most ``limit``."""

    def guard(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        announced = environ.get("CONTENT_LENGTH") or ""
        if announced and not (announced.isascii() and announced.isdigit()):
            return _answer(start_response, "400 Bad Request", "Content-Length is no number")
        if announced and int(announced) > limit:
            return _answer(start_response, "413 Content Too Large",
                           f"a request body is at most {limit} bytes")
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        stream = environ.get("wsgi.input")
        if stream is None or not (announced or chunked):
            return app(environ, start_response)  # no body to read
        body = stream.read(int(announced) if announced else limit + 1)
        if len(body) > limit:
            return _answer(start_response, "413 Content Too Large",
                           f"a request body is at most {limit} bytes")
        return app({**environ, "wsgi.input": io.BytesIO(body),
                    "CONTENT_LENGTH": str(len(body))}, start_response)

    return guard


def slack_signed(app: Wsgi, *, signing_secret: str, path: str = SLACK_PATH) -> Wsgi:
    """``app``, reached at ``path`` only by a POST Slack signed; any other 401 or 400.
    Bolt checks the signature again: this one only keeps unsigned bodies from its parser."""
    SignatureVerifier(signing_secret)  # refuses an empty secret, as Bolt would
    secret, clock = signing_secret.encode(), Clock()

    def guard(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != path or environ.get("REQUEST_METHOD") != "POST":
            return app(environ, start_response)
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
        # A Unix time in seconds, as Slack sends it: at most 12 digits keeps int() cheap.
        # isdigit() alone takes '²' (a digit to Unicode, not to int()).
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
            return _answer(start_response, "401 Unauthorized",
                           "X-Slack-Request-Timestamp is not a Unix time")
        if not _signed(secret, body=body, timestamp=timestamp,
                       signature=environ.get("HTTP_X_SLACK_SIGNATURE", ""), now=clock.now()):
            return _answer(start_response, "401 Unauthorized", "invalid request")
        try:
            # Read as Bolt will read it: what it could not read would be a 500 there
            # (Bolt's own signature check decodes the body as UTF-8 first).
            parsed = parse_body(body.decode("utf-8"), environ.get("CONTENT_TYPE"))
        except ValueError:  # not UTF-8, not JSON
            parsed = None
        if not isinstance(parsed, dict):
            return _answer(start_response, "400 Bad Request",
                           "the body is not a Slack request (a form, or a JSON object)")
        return app({**environ, "wsgi.input": io.BytesIO(body)}, start_response)

    return guard


# How far a request's timestamp may be from now, as Slack's own verifier allows.
SIGNATURE_MAX_AGE_SECONDS = 5 * 60


def _signed(secret: bytes, *, body: bytes, timestamp: str, signature: str,
            now: float) -> bool:
    """Slack's v0 signature of the body's bytes, as sent: slack_sdk's SignatureVerifier
    decodes them as UTF-8 first, and a body that is not was an exception (a 500)."""
    if abs(now - int(timestamp)) > SIGNATURE_MAX_AGE_SECONDS:
        return False
    expected = "v0=" + hmac.new(secret, b"v0:" + timestamp.encode() + b":" + body,
                                hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))
