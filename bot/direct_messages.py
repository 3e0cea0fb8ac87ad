"""Slack direct messages that can be found again: each carries message metadata naming
its change and person, so a process unsure whether one arrived (its answer was lost, or
it died after sending) looks in that person's direct messages before sending again.

Messages are paced (Slack's chat.postMessage allows about one a second per channel, and
a large fix's burst of news must not be dropped); 429s are retried by the WebClient's
own retry handlers (bot/wiring.py: web_client).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from common.errors import MessageRefusedError, SourceUnavailableError

EVENT_TYPE = "charter_ops_notice"
# Seconds between two messages of one process: each direct message is its own channel
# (about one a second each), but a large fix's burst also counts against the workspace's
# few hundred a minute; four a second stays within it, and 429s are retried besides.
PACE_SECONDS = 0.25
# How far back a person's direct messages are searched: the newest this many.
HISTORY_LIMIT = 200
# Slack's answers that say "not now" rather than "never": the message may be retried.
_TRANSIENT = frozenset({"ratelimited", "service_unavailable", "fatal_error",
                        "internal_error", "request_timeout"})


def metadata(*, change_id: str, slack_id: str) -> dict[str, Any]:
    return {"event_type": EVENT_TYPE,
            "event_payload": {"change_id": change_id, "slack_id": slack_id}}


class SlackCourier:
    def __init__(self, client: WebClient, *, pace: float = PACE_SECONDS,
                 sleep: Callable[[float], None] = time.sleep,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        """``pace``: seconds between two messages sent by this process."""
        self._client = client
        self._pace = pace
        self._sleep = sleep
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._last: float | None = None

    def send(self, user: str, text: str, *, change_id: str) -> str:
        """The message's ts. MessageRefusedError: Slack said no; SourceUnavailableError:
        no answer (the message may have arrived)."""
        self._wait_turn()
        answer = self._call(lambda: self._client.chat_postMessage(
            channel=user, text=text, metadata=metadata(change_id=change_id, slack_id=user)))
        return str(answer.get("ts") or (answer.get("message") or {}).get("ts") or "")

    def find(self, user: str, *, change_id: str) -> str | None:
        """The ts of this change's message to ``user`` among their latest direct messages;
        None when it is not there. SourceUnavailableError when they could not be read."""
        opened = self._call(lambda: self._client.conversations_open(users=user))
        channel = (opened.get("channel") or {}).get("id")
        if not channel:  # Slack would refuse the read with channel_not_found
            raise MessageRefusedError(f"Slack opened no conversation with {user}")
        history = self._call(lambda: self._client.conversations_history(
            channel=channel, include_all_metadata=True, limit=HISTORY_LIMIT))
        wanted = metadata(change_id=change_id, slack_id=user)
        for message in history.get("messages") or []:
            if _same(message.get("metadata"), wanted):
                return str(message.get("ts"))
        return None

    def plain(self) -> Callable[[str, str], None]:
        """(user, text) for messages that need no finding again (a nudge)."""
        def send(user: str, text: str) -> None:
            self._wait_turn()
            self._call(lambda: self._client.chat_postMessage(channel=user, text=text))

        return send

    def _wait_turn(self) -> None:
        with self._lock:
            now = self._monotonic()
            if self._last is not None and now - self._last < self._pace:
                self._sleep(self._pace - (now - self._last))
            self._last = self._monotonic()

    @staticmethod
    def _call(request: Callable[[], Any]) -> Mapping[str, Any]:
        try:
            return request()
        except SlackApiError as error:
            code = str(error.response.get("error") or error.response.status_code)
            if code in _TRANSIENT or error.response.status_code >= 500:
                raise SourceUnavailableError(f"Slack answered {code}") from None
            raise MessageRefusedError(f"Slack answered {code}") from None
        except (SlackClientError, OSError) as error:
            raise SourceUnavailableError(f"no answer from Slack ({error})") from None


def _same(found: Any, wanted: Mapping[str, Any]) -> bool:
    return isinstance(found, Mapping) and found.get("event_type") == wanted["event_type"] \
        and found.get("event_payload") == wanted["event_payload"]
