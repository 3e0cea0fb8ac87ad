"""Who a landed change affects and what each is told: the person added (the charter, the
time, the place, who else is aboard), the person removed, and for a time change everyone
aboard. Pure: the change's parameters and the charter in; one notice per person out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.domain.models import Charter
from services.domain.roster import Roster


@dataclass(frozen=True)
class Notice:
    name: str
    slack_id: str | None  # None: the roster has no Slack id, so the person cannot be told
    text: str
    mute: bool = False  # the roster entry says notify: false


def crew_notices(*, kind: str, params: Mapping[str, Any], before: Charter,
                 roster: Roster, muted: frozenset[str] = frozenset()) -> list[Notice]:
    """``before``: the charter as it was planned against; ``params`` say what changed
    (a swap's role, old and new; a time change's start and end, HH:MM)."""
    when = f"{before.start:%a %b %-d}"
    if kind == "time":
        start, end = str(params["start"]), str(params["end"])
        text = (f"{before.guest_name}'s charter on {when} now runs {start}–{end} "
                f"(was {before.start:%H:%M}–{before.end:%H:%M}), at {before.location}.")
        return [_notice(name, text, roster, muted) for name in _aboard(before, roster)]
    if kind != "swap":
        return []
    role, old, new = str(params["role"]), params.get("old"), str(params["new"])
    others = [f"{r} {n}" for r, n in _roles(before, roster) if n not in (old, new)]
    slot = f"{before.guest_name}'s charter on {when}, {before.start:%H:%M}–{before.end:%H:%M}"
    found = [_notice(new, f"You're on {slot}, as {role}, at {before.location}. Also aboard: "
                          f"{', '.join(others) or 'nobody else yet'}.", roster, muted)]
    if old:
        found.append(_notice(str(old), f"You're no longer on {slot} ({role}): {new} takes "
                                       "over.", roster, muted))
    return found


def _roles(charter: Charter, roster: Roster) -> list[tuple[str, str]]:
    found = [("captain", charter.captain), ("mate", charter.mate)]
    found += [("crew", n) for n in charter.crew]
    return [(role, roster.canonical(name) or name) for role, name in found if name]


def _aboard(charter: Charter, roster: Roster) -> list[str]:
    return list(dict.fromkeys(name for _, name in _roles(charter, roster)))


def _notice(name: str, text: str, roster: Roster, muted: frozenset[str]) -> Notice:
    member = roster.find(name)
    shown = member.name if member else name
    return Notice(name=shown, slack_id=member.slack_id if member else None, text=text,
                  mute=shown in muted)
