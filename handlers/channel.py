"""The ops channel (``slack.channel``) as the application's jobs and the live sync see it:
the digest, a job's failure, a charter's alert (posted, then updated in place). Each is
laid out here by the views; the Web API client is Bolt's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handlers.views.alerts import alert_message
from handlers.views.blocks import plain
from handlers.views.digest import digest_message_list
from services.domain.display import mrkdwn_text

if TYPE_CHECKING:
    from services.domain.reconcile.alerts import ChangeAlert
    from services.usecases.digest import Digest


class SlackChannel:
    def __init__(self, client: Any, channel: str, *, all_clear: bool = True) -> None:
        self._client = client
        self._channel = channel
        self._all_clear = all_clear

    def digest(self, digest: Digest) -> int:
        """Post the digest; returns how many messages it took."""
        messages = digest_message_list(digest, all_clear=self._all_clear)
        for message in messages:
            self._client.chat_postMessage(channel=self._channel, **message)
        return len(messages)

    def warn(self, text: str) -> None:
        """A job that could not run, said in words (data in them is text)."""
        self._client.chat_postMessage(channel=self._channel,
                                      **plain(f":warning: {mrkdwn_text(text)}"))


class SlackAlerts:
    """Alerts to ``slack.channel``: chat.postMessage, and chat.update of a charter's open
    alert."""

    def __init__(self, client: Any, channel: str) -> None:
        self._client = client
        self._channel = channel

    def post(self, alert: ChangeAlert) -> tuple[str, str]:
        answer = self._client.chat_postMessage(channel=self._channel, **alert_message(alert))
        return str(answer["channel"]), str(answer["ts"])

    def update(self, channel: str, ts: str, alert: ChangeAlert) -> None:
        self._client.chat_update(channel=channel, ts=ts, **alert_message(alert))
