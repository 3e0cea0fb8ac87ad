"""The answer to a Nudge button, from the nudge use case."""

from __future__ import annotations

import json
from datetime import tzinfo
from typing import TYPE_CHECKING

from handlers.views.blocks import Message, plain
from services.domain.display import mrkdwn_text

if TYPE_CHECKING:
    from services.usecases.nudge import Nudged


def nudge_request(value: str) -> tuple[str, str]:
    """(event id, person) from a Nudge button's value (handlers/views/readiness.py)."""
    request = json.loads(value)
    return str(request.get("event", "")), str(request.get("person", ""))


def nudged_message(nudged: Nudged, *, tz: tzinfo) -> Message:
    who, charter = mrkdwn_text(nudged.person), mrkdwn_text(nudged.event_id)
    if nudged.earlier is None:
        return plain(f"Nudged {who} about {charter}.")
    first = nudged.earlier
    return plain(f"{who} was already nudged about {charter} at "
                 f"{first.decided_at.astimezone(tz):%H:%M} by <@{first.decided_by}>; "
                 "not sent again within the hour.")
