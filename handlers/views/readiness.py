"""Readiness in Block Kit, for /charter ready and the digest's Departures section. Pure.
The sentences are the domain's (services/domain/readiness.py), so the CLI, Slack and
``ready --json`` say the same thing."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from handlers.views.blocks import (
    MAX_BLOCKS,
    Block,
    Message,
    block_key,
    button,
    context,
    section,
)
from handlers.views.ids import NUDGE
from services.domain.display import mrkdwn_text
from services.domain.fleet import grouped_by_boat
from services.domain.readiness import Departure, days_phrase, heading, item_lines

# Past this many departures (a section and a row of Nudge buttons each) a message would
# near Slack's 50 blocks: the rest is counted.
MAX_SHOWN = 22


def by_boat(departures: Sequence[Departure]) -> list[tuple[Departure, str | None]]:
    """The departures grouped by boat where they are on several (a fleet), each with the
    boat's name to head its group (on the group's first departure; None on the others),
    so grouping costs no block of its own."""
    groups = grouped_by_boat(departures, lambda d: d.charter.vessel, ())
    if len(groups) <= 1:
        return [(d, None) for d in departures]
    return [(d, f"*{mrkdwn_text(boat or 'No boat')}*" if n == 0 else None)
            for boat, leaving in groups for n, d in enumerate(leaving)]


def departure_blocks(departures: Sequence[Departure], *, days: Sequence[date]) -> list[Block]:
    if not departures:
        return [section(f":anchor: *Departures* — none {days_phrase(days)}.")]
    ready = sum(d.ready for d in departures)
    blocks = [section(f":anchor: *Departures* {days_phrase(days)} — {ready} of {len(departures)} "
                      "ready")]
    for departure, boat in by_boat(departures)[:MAX_SHOWN]:
        mark = ":white_check_mark:" if departure.ready else ":x:"
        lines = [*([boat] if boat else []), f"{mark} *{mrkdwn_text(heading(departure))}*",
                 *map(mrkdwn_text, item_lines(departure))]
        blocks.append(section("\n".join(lines), block_id=block_key("ready", departure.event_id)))
        if departure.unconfirmed:
            blocks.append({"type": "actions", "block_id": block_key("nudge", departure.event_id),
                           "elements": [button(f"Nudge {name}", NUDGE, json.dumps(
                               {"event": departure.event_id, "person": name}))
                               for name in departure.unconfirmed[:5]]})
    if len(departures) > MAX_SHOWN:
        blocks.append(context(f"…and {len(departures) - MAX_SHOWN} more: "
                              "`python -m bot ready` lists them all."))
    return blocks


def ready_message(departures: Sequence[Departure], *, days: Sequence[date]) -> Message:
    ready = sum(d.ready for d in departures)
    text = (f"Departures {days_phrase(days)}: {ready} of {len(departures)} ready" if departures
            else f"No departures {days_phrase(days)}")
    return {"text": text, "blocks": departure_blocks(departures, days=days)}


def with_departures(messages: Sequence[Message], departures: Sequence[Departure], *,
                    days: Sequence[date]) -> list[Message]:
    """The digest with its Departures section on top: in its first message when that
    stays within Slack's block limit, else as a message of its own before it."""
    top = departure_blocks(departures, days=days)
    if messages and len(top) + len(messages[0]["blocks"]) <= MAX_BLOCKS:
        first = messages[0]
        return [{**first, "blocks": [*top, *first["blocks"]]}, *messages[1:]]
    return [ready_message(departures, days=days), *messages]
