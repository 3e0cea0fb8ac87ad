"""The Home tab: the days on the water, from the Home use case. Pure.

Within Block Kit's 100 blocks and Slack's 250 kB for a Home view: an approver's
decisions first (they are what needs doing: up to 40 blocks and as large a part of the
bytes), then the departures in time order, two blocks each; what does not fit is
counted, with the command that lists it.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from handlers.views.blocks import (
    CLOSING,
    Block,
    Room,
    block_key,
    button,
    context,
    entry_blocks,
    section,
)
from handlers.views.ids import APPROVE_ALL, SWAP, TIME
from handlers.views.readiness import by_boat
from services.domain.display import mrkdwn_text
from services.domain.readiness import Departure, heading, item_lines

if TYPE_CHECKING:
    from services.usecases.home import Home

MAX_HOME_BLOCKS = 100
MAX_DECISION_BLOCKS = 40
DECISIONS_PART = 0.4  # of the bytes left, as of the blocks: the departures keep the rest


def home_view(home: Home, *, tz: tzinfo, note: str | None = None) -> dict[str, Any]:
    """``note``: what the person's last decision here did (mrkdwn the bot wrote)."""
    read = home.read
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text",
                                    "text": f"{home.operator} — the days on the water"[:150]}}]
    if read.failed:  # first: nothing below is newer than the last check that worked
        blocks.append(section(f":warning: *The calendar could not be checked*: "
                              f"{mrkdwn_text(read.failed)}. What is shown may be out of "
                              "date until a check succeeds."))
    blocks.append(context(_last_check(read.last_check, now=read.now, tz=tz)))
    if note:
        blocks.append(section(note[:2900]))
    if read.stale:
        blocks.append(section(f":warning: Not following the calendar: "
                              f"{mrkdwn_text(read.stale)}. What is shown may be out of date."))
    if not read.result.complete:
        blocks.append(context(":warning: A system was read only in part: "
                              + mrkdwn_text("; ".join(read.result.notes)[:2500])))
    room = Room.view("home", blocks=MAX_HOME_BLOCKS)
    room.spend(blocks)  # each of their texts is cut to its block's limit: they fit
    if home.approver:
        decisions = _decisions(home, room=room.share(blocks=MAX_DECISION_BLOCKS,
                                                     part=DECISIONS_PART))
        room.spend(decisions)
        blocks += decisions
    blocks += _departures(home, room=room)
    return {"type": "home", "blocks": blocks}


def _last_check(last: datetime | None, *, now: datetime, tz: tzinfo) -> str:
    if last is None:
        return "Last calendar check: none recorded yet"
    minutes = max(0, int((now - last).total_seconds() // 60))
    return f"Last calendar check: {last.astimezone(tz):%H:%M} ({minutes} min ago)"


def _decisions(home: Home, *, room: Room) -> list[Block]:
    read = home.read
    groups: dict[str, list[Any]] = {}
    for item in home.decisions:
        groups.setdefault(item.event_id, []).append(item)
    if not groups and not read.changes:
        return [section(":white_check_mark: Nothing to decide: the calendar, DynamoDB and "
                        "the guest pages agree.")]
    out: list[Block] = []
    approve_all = [{"type": "actions", "block_id": "decide:all", "elements": [
        button("Approve all", APPROVE_ALL, "all", style="primary")]}] \
        if any(d.fix for d in home.decisions) else []
    if groups:
        out.append(section(f":mag: *To decide* — {len(home.decisions)} open on "
                           f"{len(groups)} charter{'s' if len(groups) != 1 else ''}"))
    # Kept back: the closing line and Approve all, then the changes' lines.
    keep = (CLOSING[0] + len(approve_all) + 1, CLOSING[1] + 2 * CLOSING[1])
    room.spend([*out, *approve_all])
    shown = 0
    for event_id, items in groups.items():
        entry = entry_blocks(event_id, items, read.result.desired.get(event_id),
                             read.previews.get(event_id, ""), fleet=read.result.fleet)
        if not room.take(entry, keep=keep):
            break
        out += entry
        shown += 1
    if shown < len(groups):
        out.append(context(f"…and {len(groups) - shown} more charters to decide: "
                           "`/charter sync` posts them all."))
    out += approve_all
    lines = [context(f":hourglass: Change `{mrkdwn_text(change.id)}` "
                     f"({mrkdwn_text(str(change.params.get('summary') or change.kind))}): "
                     f"{mrkdwn_text(change.status)}"
                     + (f" — {mrkdwn_text(change.error)}" if change.error else ""))
             for change in read.changes[:5]]
    taken = [line for line in lines if room.take([line], keep=CLOSING)]
    out += taken
    if len(taken) < len(read.changes):
        out.append(context(f"…and {len(read.changes) - len(taken)} more running or failed "
                           "changes: `/charter audit` lists them."))
    return out


def _departures(home: Home, *, room: Room) -> list[Block]:
    read = home.read
    days = read.days
    title = (f":anchor: *Departures* {days[0]:%a %b %-d} – {days[-1]:%a %b %-d}"
             if len(days) > 1 else f":anchor: *Departures* {days[0]:%a %b %-d}")
    out: list[Block] = [section(title if read.departures else f"{title}: none.")]
    room.spend(out)
    ordered = by_boat(read.departures)
    shown = 0
    for departure, boat in ordered:
        blocks = _departure(departure, open_count=len(home.open_for(departure.event_id)),
                            departed=departure.charter.start <= read.now, boat=boat)
        if not room.take(blocks, keep=CLOSING):
            break
        out += blocks
        shown += 1
    left = [d for d, _ in ordered[shown:]]
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

