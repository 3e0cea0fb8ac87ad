"""``/charter status``: one charter as each system sees it, from the status use case."""

from __future__ import annotations

from datetime import tzinfo
from typing import TYPE_CHECKING

from handlers.views.blocks import Message, Room, shrunk, status_blocks
from services.domain.display import mrkdwn_text

if TYPE_CHECKING:
    from services.usecases.status import CharterStatus


def status_message(status: CharterStatus, *, tz: tzinfo) -> Message:
    want = status.want
    if status.page == "refused":
        page_line = (f"Guest page: *refused*: the record's pageKey is not one the bot may "
                     f"write ({mrkdwn_text(want.page_key_problem)}); nothing is written "
                     "for this charter until a person corrects it")
    elif status.page == "missing":
        page_line = f"Guest page: *not deployed* (expected at `{mrkdwn_text(want.page_key)}`)"
    elif status.page == "current":
        page_line = f"Guest page: {link(status.page_url, want.page_key)} matches the calendar"
    else:
        page_line = f"Guest page: {link(status.page_url, want.page_key)} is *stale*"
    fields = {f.name: (f.calendar, "(no record)" if f.dynamodb is None else f.dynamodb,
                       f.differs) for f in status.fields}
    changes = [f"{c.kind} {c.status} ({c.created_at.astimezone(tz):%b %-d %H:%M})"
               for c in status.recent_changes]
    text = f"Status of {mrkdwn_text(status.event_id)}"
    blocks = status_blocks(want, fields=fields, page_line=page_line, changes=changes)
    # Every field is the calendar's and the record's text: within a message's bytes.
    return {"text": text, "blocks": shrunk(blocks, Room.message(text).bytes)}


def link(url: str, label: str) -> str:
    """A link the bot writes; its label is text (``|`` and ``>`` would end it)."""
    target = url.replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    return f"<{target}|{mrkdwn_text(label).replace('|', '¦')}>"
