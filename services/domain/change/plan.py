"""Planning a crew swap or a time change: validate, then describe every write. Pure.

A plan is data: the calendar patch (and the etag it was planned against), the
record fields before and after, the page and the path to invalidate. Bad input
raises InputError here, before anything is recorded or written.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from common.errors import InputError
from services.domain.calendar.description_edit import set_people
from services.domain.change.resolve import resolve_event
from services.domain.change.timeparse import parse_time_range
from services.domain.config import Config
from services.domain.models import Charter, DesiredCharter
from services.domain.reconcile.desired import desired_record
from services.domain.roster import Roster

ROLES = ("captain", "mate", "crew")


@dataclass(frozen=True)
class ChangePlan:
    kind: str  # swap | time
    event_id: str
    calendar_event_id: str
    etag: str
    calendar_before: Mapping[str, Any]
    calendar_patch: Mapping[str, Any]
    record_before: Mapping[str, Any]  # the fields as DynamoDB holds them now
    record_after: Mapping[str, Any]
    create_record: Mapping[str, Any] | None
    page_key: str
    summary: str
    params: Mapping[str, Any] = field(default_factory=dict)
    page_md5: str | None = None  # the deployed page's MD5 when planned (None: no page)
    charter: Charter | None = None  # the charter as planned against: who to tell, and what

    def idempotency_key(self) -> str:
        """The same request against the same calendar version: the same key."""
        text = json.dumps([self.kind, self.event_id, dict(self.params), self.etag],
                          sort_keys=True)
        return "plan-" + hashlib.sha256(text.encode()).hexdigest()[:24]


def _people(charter: Charter, roster: Roster) -> dict[str, list[str]]:
    return {
        "captain": [roster.canonical(charter.captain) or ""] if charter.captain else [],
        "mate": [roster.canonical(charter.mate) or ""] if charter.mate else [],
        "crew": [roster.canonical(n) or n for n in charter.crew],
    }


def _who(people: Mapping[str, list[str]]) -> str:
    parts = [f"{role} {', '.join(names)}" for role, names in people.items() if names]
    return ", ".join(parts) or "nobody"


def plan_swap(*, charters: Mapping[str, DesiredCharter], event: str, role_or_person: str,
              new_person: str, config: Config, today: date) -> ChangePlan:
    roster = Roster(config.roster)
    event_id = resolve_event(event, charters, today=today)
    want = charters[event_id]
    charter = want.charter
    people = _people(charter, roster)
    newcomer = roster.find(new_person)
    if newcomer is None:
        names = ", ".join(m.name for m in roster.members)
        raise InputError(f"'{new_person}' is not in the crew roster ({names}).")
    wanted = role_or_person.strip().lower()
    if wanted in ROLES:
        role = wanted
        old = people[role][0] if role != "crew" and people[role] else None
        if role == "crew":
            raise InputError("Name the deckhand to replace: swap EVENT OLD_PERSON NEW_PERSON.")
    else:
        old_member = roster.find(role_or_person)
        old = old_member.name if old_member else role_or_person.strip()
        role = next((r for r, names in people.items() if old in names), "")
        if not role:
            raise InputError(f"{old} is not on {event_id} ({_who(people)}).")
    if role not in newcomer.roles and not (role == "crew" and newcomer.roles):
        raise InputError(f"{newcomer.name} is not listed as a {role} in the roster "
                         f"(roles: {', '.join(newcomer.roles) or 'none'}).")
    if newcomer.name in people[role]:
        raise InputError(f"{newcomer.name} is already the {role} on {event_id}.")
    clash = _overlapping(charters, newcomer.name, charter, roster, exclude=event_id)
    if clash:
        raise InputError(f"{newcomer.name} is already on {clash} at the same time.")
    after_people = {r: list(names) for r, names in people.items()}
    if old and old in after_people[role]:
        after_people[role][after_people[role].index(old)] = newcomer.name
    else:
        after_people[role] = [newcomer.name, *after_people[role][1:]]
    if newcomer.name in {n for r, ns in after_people.items() if r != role for n in ns}:
        raise InputError(f"{newcomer.name} is already on {event_id} as another role.")
    # The charter holds the description as read (entities decoded): escaped again, it is
    # read (by set_people, and by the calendar's next read after an undo writes it back)
    # as the calendar holds it, so '&lt;!here&gt;' is not taken for a tag and dropped.
    held = html.escape(charter.description, quote=False)
    description = set_people(held, role=role, names=after_people[role])
    emails = _attendees(charter, roster, old=old, new=newcomer.email)
    patch: dict[str, Any] = {"description": description}
    if emails is not None:
        patch["attendees"] = [{"email": e} for e in emails]
    before_cal = {"description": held,
                  "attendees": [{"email": e} for e in charter.attendee_emails]}
    new_charter = _replace_people(charter, role, after_people[role])
    summary = (f"{role} {old or '(none)'} → {newcomer.name} on {event_id} "
               f"({charter.start:%a %b %d %H:%M})")
    params = {"role": role, "old": old, "new": newcomer.name}
    return _finish(want, config, roster, "swap", new_charter, before_cal, patch, summary, params,
                   fields=("captain", "mate", "crew", "status"))


def plan_time(*, charters: Mapping[str, DesiredCharter], event: str, time_range: str,
              config: Config, today: date) -> ChangePlan:
    roster = Roster(config.roster)
    start, end = parse_time_range(time_range)
    event_id = resolve_event(event, charters, today=today)
    want = charters[event_id]
    charter = want.charter
    day = charter.start.date()
    new_start = datetime.combine(day, start, config.tz)
    new_end = datetime.combine(day, end, config.tz)
    if (new_start, new_end) == (charter.start, charter.end):
        raise InputError(f"{event_id} already runs {start:%H:%M}–{end:%H:%M}.")
    new_charter = _with_times(charter, new_start, new_end)
    for person in {n for names in _people(charter, roster).values() for n in names}:
        clash = _overlapping(charters, person, new_charter, roster, exclude=event_id)
        if clash:
            raise InputError(f"{person} is on {clash}, which would overlap {start:%H:%M}–"
                             f"{end:%H:%M}.")
    zone = config.timezone
    patch = {"start": {"dateTime": new_start.replace(tzinfo=None).isoformat(), "timeZone": zone},
             "end": {"dateTime": new_end.replace(tzinfo=None).isoformat(), "timeZone": zone}}
    before_cal = {"start": {"dateTime": charter.start.isoformat()},
                  "end": {"dateTime": charter.end.isoformat()}}
    summary = (f"{event_id} on {day:%a %b %d}: {charter.start:%H:%M}–{charter.end:%H:%M} → "
               f"{start:%H:%M}–{end:%H:%M}")
    params = {"start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}
    return _finish(want, config, roster, "time", new_charter, before_cal, patch, summary, params,
                   fields=("startTime", "endTime"))


def _finish(want: DesiredCharter, config: Config, roster: Roster, kind: str,
            new_charter: Charter, before_cal: Mapping[str, Any], patch: Mapping[str, Any],
            summary: str, params: Mapping[str, Any], *, fields: Sequence[str]) -> ChangePlan:
    if want.page_key_problem:
        raise InputError(f"{want.event_id}'s record has the page key {want.page_key[:120]}, "
                         f"which is refused ({want.page_key_problem}): correct the record's "
                         "pageKey in DynamoDB first; nothing was changed.")
    after_item = desired_record(new_charter, event_id=want.event_id, page_key=want.page_key,
                                roster=roster, config=config)
    record = want.current_record
    if record is None:
        record_before: dict[str, Any] = {}
        record_after: dict[str, Any] = {}
        create = {k: v for k, v in after_item.items() if v is not None}
    else:
        names = list(fields)
        if record.get("calendarEventId") != want.charter.calendar_event_id:
            names.append("calendarEventId")
        record_before = {f: record.get(f) for f in names}
        record_after = {f: after_item[f] for f in names}
        create = None
    return ChangePlan(
        kind=kind, event_id=want.event_id, calendar_event_id=want.charter.calendar_event_id,
        etag=want.charter.etag or "", calendar_before=before_cal, calendar_patch=patch,
        record_before=record_before, record_after=record_after, create_record=create,
        page_key=want.page_key, summary=summary, params=params,
        page_md5=want.deployed_page.content_md5 if want.deployed_page else None,
        charter=want.charter,
    )


def _replace_people(charter: Charter, role: str, names: list[str]) -> Charter:
    if role == "crew":
        return replace(charter, crew=tuple(names))
    first = names[0] if names else None
    if role == "captain":
        return replace(charter, captain=first)
    if role == "mate":
        return replace(charter, mate=first)
    raise ValueError(f"not a role: {role!r}")


def _with_times(charter: Charter, start: datetime, end: datetime) -> Charter:
    return replace(charter, start=start, end=end)


def _attendees(charter: Charter, roster: Roster, *, old: str | None,
               new: str) -> list[str] | None:
    """The invitation list after a swap; None when crew are not invited on this calendar."""
    current = list(charter.attendee_emails)
    if not any(roster.find_by_email(e) for e in current):
        return None
    old_member = roster.find(old) if old else None
    kept = [e for e in current if not (old_member and e == old_member.email.lower())]
    if new and new.lower() not in kept:
        kept.append(new.lower())
    return kept


def _overlapping(charters: Mapping[str, DesiredCharter], person: str, charter: Charter,
                 roster: Roster, *, exclude: str) -> str | None:
    for event_id, other in sorted(charters.items()):
        if event_id == exclude:
            continue
        c = other.charter
        names = {roster.canonical(n) for n in (c.captain, c.mate, *c.crew) if n}
        if person in names and c.start < charter.end and charter.start < c.end:
            boat = f" on {c.vessel}" if c.vessel and c.vessel != charter.vessel else ""
            return f"{event_id}{boat} ({c.start:%a %b %d %H:%M}–{c.end:%H:%M})"
    return None


def request_key(kind: str, event_id: str, words: Sequence[str]) -> str:
    """The same words about the same charter: the same key, whatever the calendar says now.

    A plan's own key names the calendar version it was planned against; this one lets
    the same request, typed again after it was carried out, find that change.
    """
    normalized = [w.strip().lower() for w in words]
    if kind == "time" and len(words) == 1:
        try:
            start, end = parse_time_range(words[0])
            normalized = [f"{start:%H:%M}-{end:%H:%M}"]
        except InputError:
            pass
    text = json.dumps([kind, event_id, normalized])
    return "request-" + hashlib.sha256(text.encode()).hexdigest()[:24]


def outcome_holds(*, kind: str, params: Mapping[str, Any], charter: Charter,
                  roster: Roster) -> bool:
    """Whether what a finished swap or time change asked for is what the calendar says now."""
    if kind == "swap":
        people = _people(charter, roster)
        return str(params.get("new")) in people.get(str(params.get("role")), [])
    if kind == "time":
        return (f"{charter.start:%H:%M}", f"{charter.end:%H:%M}") == (
            params.get("start"), params.get("end"))
    return False
