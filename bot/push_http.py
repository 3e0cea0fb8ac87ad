"""``POST /calendar/notifications``: Google's push, on the same HTTP server as /slack/events.

Every notification is answered at once (Google retries what is not acknowledged):
a malformed one with 400, a forged or stale one (wrong token, unknown channel) with
200 and nothing read, the channel's ``sync`` message with 200, and a change with 200
after asking the coalescer for one incremental read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from bot.http_guard import NOTIFICATIONS_PATH
from common.errors import InputError
from services.push import Coalescer, FleetPush, PushChannels, parse_notification

logger = logging.getLogger(__name__)

PATH = NOTIFICATIONS_PATH

Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def notifications_app(push: PushChannels | FleetPush, coalescer: Coalescer) -> Wsgi:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        def answer(status: str, text: str) -> Iterable[bytes]:
            body = text.encode()
            start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                                    ("Content-Length", str(len(body)))])
            return [body]

        if environ.get("REQUEST_METHOD") != "POST":
            return answer("405 Method Not Allowed", "POST only")
        headers = {key[5:].replace("_", "-"): str(value) for key, value in environ.items()
                   if key.startswith("HTTP_")}
        try:
            notification = parse_notification(headers)
        except InputError as error:
            return answer("400 Bad Request", str(error))
        if notification.state == "sync":
            # Google sends it as soon as the channel exists, maybe before events.watch has
            # answered and the channel is stored: acknowledged, and nothing is read anyway.
            return answer("200 OK", "ok")
        if not push.accepts(notification):
            logger.warning("calendar notification for channel %s ignored: unknown channel or "
                           "wrong token", notification.channel_id[:64])
            return answer("200 OK", "ignored")
        coalescer.poke()
        return answer("200 OK", "ok")

    return app


def with_notifications(slack: Wsgi, notifications: Wsgi) -> Wsgi:
    """One WSGI app: calendar notifications at PATH, everything else to Slack's handler."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == PATH:
            return notifications(environ, start_response)
        return slack(environ, start_response)

    return app
