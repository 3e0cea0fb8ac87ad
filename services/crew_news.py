"""Telling the crew a change has landed: one direct message per affected person, exactly
once even across a crash.

The notices are worked out when the change is recorded (services.domain.change.crew_notice)
and sent by whichever runner finishes its last step. Each message is claimed in the
store before it goes and its Slack ``ts`` recorded when Slack answers (store/notices.py);
the message carries metadata naming the change and the person. A claim Slack never
confirmed (the answer was lost, the process died mid-send) is taken over by the next
runner (a resumed change, the bot's retry job), which looks for the message in the
person's direct messages and sends it only if it is not there. So a second click, a
resumed change or a second replica sends nothing twice, and nobody's news is lost.

The audit says, per person, *sent*, *not confirmed* or *failed* (Slack answered an
error); the outcome's sentence names who was not told and why.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from common.errors import MessageRefusedError
from common.notices import FAILED, NOT_CONFIRMED, SENT, Delivery
from services.domain.change.crew_notice import Notice
from services.domain.display import mrkdwn_text
from services.ports import AuditStore, MessageSender

if TYPE_CHECKING:
    from store.notices import NoticeLog

logger = logging.getLogger(__name__)


Courier = MessageSender  # the port: direct messages that can be looked for again


def tell_crew(*, change_id: str, event_id: str | None, notices: Sequence[Notice],
              audit: AuditStore, send: Courier | None, source: str,
              idle_for: timedelta = timedelta(0)) -> str:
    """Send the news of a done change; the sentence for its outcome ('' when nobody is
    affected). ``idle_for``: a claim nobody confirmed is taken over only once its
    latest attempt is this old (zero when the caller holds the change's lease)."""
    from store.notices import NoticeLog  # the audit store's table of direct messages

    log = NoticeLog(audit.sessions)
    known = log.deliveries([change_id])[change_id]
    said: dict[str, list[str]] = {SENT: [], NOT_CONFIRMED: []}
    untold: dict[str, list[str]] = {}  # why -> who, so a reason shared is said once
    for notice in notices:
        if notice.mute:
            continue  # asked not to be messaged: neither told nor a failure
        if notice.slack_id is None or send is None:
            why = ("not in the roster" if not notice.in_roster else
                   "no slack_id in the roster" if notice.slack_id is None else
                   "no SLACK_BOT_TOKEN here")
            untold.setdefault(why, []).append(notice.name)
            continue
        earlier = known.get(notice.slack_id)
        if earlier is not None:
            if earlier.state != NOT_CONFIRMED or not log.take_over(earlier, idle_for=idle_for):
                continue  # settled, or being carried by another process
            state, why = _look_then_send(notice, earlier, event_id=event_id, send=send,
                                         log=log)
        elif log.claim(change_id=change_id, slack_id=notice.slack_id, text=notice.text):
            state, why = _tell(notice, change_id, event_id=event_id, send=send, log=log)
        else:
            continue  # claimed a moment ago by another process
        _audit(audit, notice, change_id=change_id, event_id=event_id, source=source,
               state=state, why=why)
        if state == FAILED:
            untold.setdefault(f"the message failed: {why}", []).append(notice.name)
        else:
            said[state].append(notice.name)
    parts = []
    if said[SENT]:
        parts.append("Told by direct message: " + ", ".join(dict.fromkeys(said[SENT])))
    if said[NOT_CONFIRMED]:
        parts.append("Not confirmed by Slack (the retry looks for it before sending "
                     "again): " + ", ".join(dict.fromkeys(said[NOT_CONFIRMED])))
    if untold:
        parts.append("Not told: " + "; ".join(
            f"{', '.join(dict.fromkeys(names))} ({why})" for why, names in untold.items()))
    return " · ".join(parts)


def _look_then_send(notice: Notice, earlier: Delivery, *, event_id: str | None,
                    send: Courier, log: NoticeLog) -> tuple[str, str]:
    """A claim nobody confirmed: the message may have arrived. Sent only if it is not
    among the person's messages; not sent at all while they cannot be read."""
    assert notice.slack_id is not None
    try:
        ts = send.find(notice.slack_id, change_id=earlier.change_id)
    except Exception as error:  # unreadable now: try again on the next retry, never blind
        logger.warning("could not look for the message to %s: %s", notice.slack_id, error)
        return NOT_CONFIRMED, f"their messages could not be read ({error})"
    if ts is not None:
        log.confirm(change_id=earlier.change_id, slack_id=notice.slack_id, ts=ts)
        return SENT, "found in their direct messages, so not sent again"
    return _tell(notice, earlier.change_id, event_id=event_id, send=send, log=log)


def _tell(notice: Notice, change_id: str, *, event_id: str | None, send: Courier,
          log: NoticeLog) -> tuple[str, str]:
    """Sent, unless another change has just told this person the very same news. Judged
    charter by charter for a message naming several (another change's message may have
    named this charter among others, or named it alone): what another told is left out,
    and nothing goes when it told it all."""
    assert notice.slack_id is not None
    untold: list[str] = []
    by: list[str] = []
    for charter, news in notice.news(event_id):
        other = log.told_by_another(change_id=change_id, slack_id=notice.slack_id,
                                    event_id=charter, text=news)
        if other is None:
            untold.append(news)
        else:
            by.append(other)
    if not untold:
        log.settle_as_told(change_id=change_id, slack_id=notice.slack_id, by=by[0])
        return SENT, f"change {by[0]} told them the same a moment ago, so not sent again"
    if by:
        notice = replace(notice, text="\n".join(untold))
    state, why = _send(notice, change_id, send=send, log=log)
    if by and state == SENT:
        why = f"without what change {by[0]} told them a moment ago"
    return state, why


def _send(notice: Notice, change_id: str, *, send: Courier,
          log: NoticeLog) -> tuple[str, str]:
    assert notice.slack_id is not None
    try:
        # The charter's words are text: escaped for mrkdwn here, stored plain.
        ts = send.send(notice.slack_id, mrkdwn_text(notice.text), change_id=change_id)
    except MessageRefusedError as error:
        logger.warning("direct message to %s refused: %s", notice.slack_id, error)
        log.fail(change_id=change_id, slack_id=notice.slack_id, error=str(error))
        return FAILED, str(error)
    except Exception as error:  # no answer: it may have arrived; the retry looks for it
        logger.warning("direct message to %s not confirmed: %s", notice.slack_id, error)
        return NOT_CONFIRMED, str(error)
    log.confirm(change_id=change_id, slack_id=notice.slack_id, ts=ts)
    return SENT, ""


def _audit(audit: AuditStore, notice: Notice, *, change_id: str, event_id: str | None,
           source: str, state: str, why: str) -> None:
    audit.log_decision(subject=f"message to {notice.name}", decision="notified",
                       decided_by="bot", source=source, event_id=notice.event_id or event_id,
                       change_id=change_id, summary=notice.text,
                       note=f"{state}: {why}" if why else state)
