"""Who a landed change affects and what each is told: the person added (the charter, the
time, the place, who else is aboard), the person removed, and for a time change everyone
aboard. Pure: what changed and the charter in; one notice per person out.

Notices are worked out when a change is recorded and kept with it, so whichever process
finishes the change (the one that started it, a retry after a crash, a second replica)
sends the same words, once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from services.domain.models import Charter
from services.domain.roster import Roster

TIME_FIELDS = ("eventDate", "startTime", "endTime")


@dataclass(frozen=True)
class Notice:
    name: str
    slack_id: str | None  # None: the roster has no Slack id, so the person cannot be told
    text: str
    mute: bool = False  # the roster entry says notify: false
    event_id: str | None = None  # the charter it is about, for the audit
    in_roster: bool = True  # False: a name the roster does not know (so no Slack id either)
    # A message naming several charters: each charter's eventId and its news, in the
    # message's order (empty for a message about one): what was told is kept per charter.
    parts: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Notice:
        return cls(name=str(data["name"]), slack_id=data.get("slack_id"),
                   text=str(data["text"]), mute=bool(data.get("mute")),
                   event_id=data.get("event_id"), in_roster=bool(data.get("in_roster", True)),
                   parts=tuple((str(e), str(t)) for e, t in data.get("parts") or ()))

    def news(self, event_id: str | None) -> tuple[tuple[str, str], ...]:
        """(charter, its news) for each charter the message names; ``event_id``: the
        change's, for a notice that does not say which charter it is about."""
        return self.parts or ((self.event_id or event_id or "", self.text),)


def crew_notices(*, kind: str, params: Mapping[str, Any], before: Charter,
                 roster: Roster, muted: frozenset[str] = frozenset()) -> list[Notice]:
    """``before``: the charter as it was planned against; ``params`` say what changed
    (a swap's role, old and new — new is None when an undo empties the role; a time
    change's start and end, HH:MM)."""
    when = f"{before.start:%a %b %-d}"
    if kind == "time":
        start, end = str(params["start"]), str(params["end"])
        text = (f"{before.guest_name}'s charter on {when} now runs {start}–{end} "
                f"(was {before.start:%H:%M}–{before.end:%H:%M}), at {before.location}.")
        return [_notice(name, text, roster, muted) for name in _aboard(before, roster)]
    if kind != "swap":
        return []
    role, old, new = str(params["role"]), params.get("old"), params.get("new")
    slot = f"{before.guest_name}'s charter on {when}, {before.start:%H:%M}–{before.end:%H:%M}"
    found = []
    if new:
        others = [f"{r} {n}" for r, n in _roles(before, roster) if n not in (old, new)]
        found.append(_notice(str(new), f"You're on {slot}, as {role}, at {before.location}. "
                                       f"Also aboard: {', '.join(others) or 'nobody else yet'}.",
                             roster, muted))
    if old:
        takes_over = f": {new} takes over." if new else "."
        found.append(_notice(str(old), f"You're no longer on {slot} ({role}){takes_over}",
                             roster, muted))
    return found


def fix_notices(*, charter: Charter, before: Mapping[str, Any], after: Mapping[str, Any],
                roster: Roster, muted: frozenset[str] = frozenset()) -> list[Notice]:
    """A fix that brings a DynamoDB record's crew or times in line with the calendar: what
    the crew's texts and the boarding e-mail read from changes, so those it affects are
    told. ``before``/``after``: the record fields the fix writes, old and new values;
    ``charter``: the calendar's charter, which the record now follows. People are
    compared as the roster knows them, so a name spelled another way is no change."""
    slot = (f"{charter.guest_name}'s charter on {charter.start:%a %b %-d}, "
            f"{charter.start:%H:%M}–{charter.end:%H:%M}")
    old_roles = _roles_of(charter, before, after, roster, side="before")
    new_roles = _roles_of(charter, before, after, roster, side="after")
    texts: dict[str, list[str]] = {}
    placed: set[str] = set()  # told their new place, which gives the time too
    for name in dict.fromkeys([*new_roles, *old_roles]):
        was, now = old_roles.get(name, set()), new_roles.get(name, set())
        if was == now:
            continue
        if not was:
            others = [f"{r} {n}" for r, n in _roles(charter, roster) if n != name]
            texts.setdefault(name, []).append(
                f"You're on {slot}, as {_join(now)}, at {charter.location}. Also aboard: "
                f"{', '.join(others) or 'nobody else yet'}.")
            placed.add(name)
        elif not now:
            texts.setdefault(name, []).append(f"You're no longer on {slot} ({_join(was)}).")
        else:
            texts.setdefault(name, []).append(
                f"On {slot} you're now {_join(now)} (was {_join(was)}).")
            placed.add(name)
    # Another boat (the event was moved to its calendar): everyone aboard is told which,
    # unless they were only just placed (their message says where they are).
    reboated = "vessel" in after and before.get("vessel") is not None and \
        after.get("vessel") != before.get("vessel")
    if reboated:
        for name in _aboard(charter, roster):
            if name not in placed:
                texts.setdefault(name, []).append(
                    f"{slot} is now aboard {after['vessel']} (was {before['vessel']}).")
    moved = any(f in after and after.get(f) != before.get(f) for f in TIME_FIELDS)
    if moved:
        was_time = _was(before, charter)
        for name in _aboard(charter, roster):
            if name not in placed:
                texts.setdefault(name, []).append(
                    f"{charter.guest_name}'s charter on {charter.start:%a %b %-d} now runs "
                    f"{charter.start:%H:%M}–{charter.end:%H:%M}{was_time}, at "
                    f"{charter.location}.")
    return [_notice(name, " ".join(lines), roster, muted) for name, lines in texts.items()]


def one_per_person(notices: Sequence[Notice]) -> list[Notice]:
    """One message per person for one change (a fix may touch two of their charters):
    the store tells each person once per change, so their news must be one message. A
    message naming several charters keeps each one's news (``parts``), so a later change
    carrying one charter's same news finds it told."""
    merged: dict[str, Notice] = {}
    for notice in notices:
        key = notice.slack_id or f"name:{notice.name}"
        earlier = merged.get(key)
        if earlier is None:
            merged[key] = notice
            continue
        same = earlier.event_id == notice.event_id
        parts = dict(earlier.parts or ((earlier.event_id or "", earlier.text),))
        part = notice.event_id or ""
        parts[part] = f"{parts[part]}\n{notice.text}" if part in parts else notice.text
        merged[key] = replace(earlier, text="\n".join(parts.values()),
                              event_id=earlier.event_id if same else None,
                              parts=() if same else tuple(parts.items()))
    return list(merged.values())


def _roles_of(charter: Charter, before: Mapping[str, Any], after: Mapping[str, Any],
              roster: Roster, *, side: str) -> dict[str, set[str]]:
    """Each person's roles in the record, before or after the fix. A role the fix does
    not write holds what the calendar says on both sides."""
    found: dict[str, set[str]] = {}
    calendar = {"captain": charter.captain, "mate": charter.mate, "crew": charter.crew}
    for role in ("captain", "mate", "crew"):
        if role in after:
            value = after.get(role) if side == "after" else before.get(role)
        else:
            value = calendar[role]
        for name in _names(value):
            found.setdefault(roster.canonical(name) or name, set()).add(role)
    return found


def _join(roles: set[str]) -> str:
    return " and ".join(r for r in ("captain", "mate", "crew") if r in roles)


def with_event(notices: Iterable[Notice], event_id: str) -> list[Notice]:
    return [replace(n, event_id=event_id) for n in notices]


def _names(value: Any) -> set[str]:
    if not value:
        return set()
    if isinstance(value, str):
        return {value}
    return {str(v) for v in value if v}


def _was(before: Mapping[str, Any], charter: Charter) -> str:
    start = before.get("startTime") or f"{charter.start:%H:%M}"
    end = before.get("endTime") or f"{charter.end:%H:%M}"
    day = before.get("eventDate")
    on = f" on {day}" if day and day != charter.start.date().isoformat() else ""
    return f" (was {start}–{end}{on})"


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
                  mute=shown in muted, in_roster=member is not None)
