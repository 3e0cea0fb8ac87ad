"""Telling the crew a change has landed: one direct message per affected person, once.

The notices are worked out when the change is recorded (services.domain.crew_notice)
and sent by whichever runner finishes its last step. Each message is claimed in the
store before it goes (store/notices.py), so a second click, a resumed change or a
second replica sends nothing twice; each sent message is in the audit log; a person
who cannot be told is named in the outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from services.domain.crew_notice import Notice
from services.domain.display import mrkdwn_text
from store.audit import AuditLog
from store.notices import NoticeLog

logger = logging.getLogger(__name__)

Send = Callable[[str, str], None]  # (Slack user id, text)


def tell_crew(*, change_id: str, event_id: str | None, notices: Sequence[Notice],
              audit: AuditLog, send: Send | None, source: str) -> str:
    """Send the news of a done change; the sentence for its outcome ('' when nobody is
    affected)."""
    log = NoticeLog(audit.sessions)
    told: list[str] = []
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
        if not log.claim(change_id=change_id, slack_id=notice.slack_id, text=notice.text):
            continue  # told already, by this process or another
        try:
            send(notice.slack_id, mrkdwn_text(notice.text))  # the charter's words are text
        except Exception as error:
            logger.warning("direct message to %s failed: %s", notice.slack_id, error)
            untold.setdefault(f"the message failed: {error}", []).append(notice.name)
            continue
        told.append(notice.name)
        audit.log_decision(subject=f"message to {notice.name}", decision="notified",
                           decided_by="bot", source=source,
                           event_id=notice.event_id or event_id, change_id=change_id,
                           summary=notice.text)
    parts = []
    if told:
        parts.append("Told by direct message: " + ", ".join(dict.fromkeys(told)))
    if untold:
        parts.append("Not told: " + "; ".join(
            f"{', '.join(dict.fromkeys(names))} ({why})" for why, names in untold.items()))
    return " · ".join(parts)
