"""The Home tab: the days on the water, from the Home use case. Pure.

Within Block Kit's 100 blocks for a Home view: an approver's decisions first (they are
what needs doing), then the departures in time order, two blocks each; what does not
fit is counted, with the command that lists it.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from handlers.views.blocks import Block, block_key, button, context, entry_blocks, section
from handlers.views.ids import APPROVE_ALL, SWAP, TIME
from handlers.views.readiness import by_boat
from services.domain.display import mrkdwn_text
from services.domain.readiness import Departure, heading, item_lines

if TYPE_CHECKING:
    from services.usecases.home import Home

MAX_HOME_BLOCKS = 100
# Blocks kept back for the departures' heading and the "…and N more" line.
_RESERVED = 3
MAX_DECISION_BLOCKS = 40


def home_view(home: Home, *, tz: tzinfo, note: str | None = None) -> dict[str, Any]:
    """``note``: what the person's last decision here did (mrkdwn the bot wrote)."""
    read = home.read
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text",
                                    "text": f"{home.operator} — the days on the water"[:150]}},
        context(_last_check(read.last_check, now=read.now, tz=tz))]
    if note:
        blocks.append(section(note[:2900]))
    if read.stale:
        blocks.append(section(f":warning: Not following the calendar: "
                              f"{mrkdwn_text(read.stale)}. What is shown may be out of date."))
    if not read.result.complete:
        blocks.append(context(":warning: A system was read only in part: "
                              + mrkdwn_text("; ".join(read.result.notes)[:2500])))
    if home.approver:
        blocks += _decisions(home)
    blocks += _departures(home, room=MAX_HOME_BLOCKS - len(blocks))
    return {"type": "home", "blocks": blocks[:MAX_HOME_BLOCKS]}


def _last_check(last: datetime | None, *, now: datetime, tz: tzinfo) -> str:
    if last is None:
        return "Last calendar check: none recorded yet"
    minutes = max(0, int((now - last).total_seconds() // 60))
    return f"Last calendar check: {last.astimezone(tz):%H:%M} ({minutes} min ago)"


def _decisions(home: Home) -> list[Block]:
    read = home.read
    groups: dict[str, list[Any]] = {}
    for item in home.decisions:
        groups.setdefault(item.event_id, []).append(item)
    if not groups and not read.changes:
        return [section(":white_check_mark: Nothing to decide: the calendar, DynamoDB and "
                        "the guest pages agree.")]
    out: list[Block] = []
    if groups:
        out.append(section(f":mag: *To decide* — {len(home.decisions)} open on "
                           f"{len(groups)} charter{'s' if len(groups) != 1 else ''}"))
    shown = 0
    for event_id, items in groups.items():
        entry = entry_blocks(event_id, items, read.result.desired.get(event_id),
                             read.previews.get(event_id, ""), fleet=read.result.fleet)
        if len(out) + len(entry) > MAX_DECISION_BLOCKS - 2:
            break
        out += entry
        shown += 1
    if shown < len(groups):
        out.append(context(f"…and {len(groups) - shown} more charters to decide: "
                           "`/charter sync` posts them all."))
    if any(d.fix for d in home.decisions):
        out.append({"type": "actions", "block_id": "decide:all", "elements": [
            button("Approve all", APPROVE_ALL, "all", style="primary")]})
    for change in read.changes[:5]:
        what = change.params.get("summary") or change.kind
        out.append(context(f":hourglass: Change `{mrkdwn_text(change.id)}` "
                           f"({mrkdwn_text(str(what))}): {mrkdwn_text(change.status)}"
                           + (f" — {mrkdwn_text(change.error)}" if change.error else "")))
    return out


def _departures(home: Home, *, room: int) -> list[Block]:
    read = home.read
    days = read.days
    title = (f":anchor: *Departures* {days[0]:%a %b %-d} – {days[-1]:%a %b %-d}"
             if len(days) > 1 else f":anchor: *Departures* {days[0]:%a %b %-d}")
    out: list[Block] = [section(title if read.departures else f"{title}: none.")]
    fits = max(0, (room - len(out) - _RESERVED + 2) // 2)
    ordered = by_boat(read.departures)
    for departure, boat in ordered[:fits]:
        out += _departure(departure, open_count=len(home.open_for(departure.event_id)),
                          departed=departure.charter.start <= read.now, boat=boat)
    left = [d for d, _ in ordered[fits:]]
    if left:
        first = left[0].charter.start
        out.append(context(f"…and {len(left)} more departures, from {first:%a %b %-d}: "
                           f"`/charter ready {first:%Y-%m-%d}` lists a day's."))
    return out


def _departure(departure: Departure, *, open_count: int, departed: bool,
               boat: str | None = None) -> list[Block]:
    c = departure.charter
    mark = ":white_check_mark:" if departure.ready else ":x:"
    crew = " · ".join(f"{role} {mrkdwn_text(name)}" for role, name in (
        ("Captain", c.captain), ("Mate", c.mate), *(("Crew", n) for n in c.crew)) if name)
    lines = [*([boat] if boat else []), f"{mark} *{mrkdwn_text(heading(departure))}*",
             f"{mrkdwn_text(c.location or 'no location')} · {crew or 'no crew set'}",
             *map(mrkdwn_text, item_lines(departure))]
    if open_count:
        lines.append(f":mag: {open_count} discrepanc{'y' if open_count == 1 else 'ies'} open")
    shown = section("\n".join(lines)[:2900], block_id=block_key("home", departure.event_id))
    if departed:  # nothing left to change on a boat that has sailed
        return [shown, context("Left the dock.")]
    return [shown, {"type": "actions", "block_id": block_key("homeact", departure.event_id),
                    "elements": [button("Swap crew", SWAP, departure.event_id),
                                 button("Change time", TIME, departure.event_id)]}]

