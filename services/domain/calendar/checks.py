"""What the calendar itself gets wrong: incomplete events, unknown crew, double bookings.

Pure. None of these has a fix: a person corrects the calendar or the roster.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from services.domain.models import Charter, DesiredCharter, Discrepancy, Kind, Severity, System
from services.domain.reconcile.discrepancy import make_discrepancy
from services.domain.roster import Roster


def calendar_discrepancies(charter: Charter, event_id: str,
                           roster: Roster) -> list[Discrepancy]:
    problems: list[tuple[str | None, str]] = []
    if not charter.captain:
        problems.append(("captain", "no Captain: line in the event description"))
    for problem in charter.problems:
        problems.append(("guestCount" if "guest" in problem.lower() else None, problem))
    if charter.guest_count is None and not any(f == "guestCount" for f, _ in problems):
        problems.append(("guestCount", "no Guests: count in the event description"))
    if charter.end <= charter.start:
        problems.append(("endTime", "the event ends before it starts"))
    attendee_problem = _attendees_disagree(charter, roster)
    if attendee_problem:
        problems.append(("crew", attendee_problem))
    return [
        make_discrepancy(Kind.CALENDAR_INCOMPLETE, event_id, System.CALENDAR, field=field,
              expected="a complete charter event", actual=text, severity=Severity.HIGH,
              summary=f"Fix the calendar event '{charter.title}': {text}")
        for field, text in problems
    ]


def _attendees_disagree(charter: Charter, roster: Roster) -> str | None:
    invited = {m.name for e in charter.attendee_emails if (m := roster.find_by_email(e))}
    if not invited:
        return None  # crew are not invited on this calendar: nothing to compare
    named = {m.name for n in (charter.captain, charter.mate, *charter.crew)
             if n and (m := roster.find(n))}
    if invited == named:
        return None
    parts = []
    if named - invited:
        parts.append("named in the description but not invited: "
                     + ", ".join(sorted(named - invited)))
    if invited - named:
        parts.append("invited but not named in the description: "
                     + ", ".join(sorted(invited - named)))
    return "description and attendees disagree (" + "; ".join(parts) + ")"


def unknown_crew(charter: Charter, event_id: str, roster: Roster) -> list[Discrepancy]:
    found = []
    roles = [("captain", charter.captain), ("mate", charter.mate)]
    roles += [("crew", name) for name in charter.crew]
    for field, name in roles:
        if name and roster.find(name) is None:
            found.append(make_discrepancy(
                Kind.UNKNOWN_CREW, event_id, System.CALENDAR, field=field,
                expected="a person in the crew roster", actual=name, severity=Severity.MEDIUM,
                summary=f"{name} ({field}) is not in the roster: no phone for the guest page",
            ))
    return found


def crew_conflicts(wanted: Sequence[DesiredCharter], roster: Roster, *,
                   fleet: bool = False) -> list[Discrepancy]:
    """``fleet``: the boats are named (and the ids of one boat's conflicts stay as they
    were before fleets)."""
    def on(want: DesiredCharter) -> str:
        return f" on {want.charter.vessel}" if fleet and want.charter.vessel else ""

    schedule: dict[str, list[DesiredCharter]] = {}
    for want in wanted:
        c = want.charter
        for name in {roster.canonical(n) for n in (c.captain, c.mate, *c.crew) if n}:
            if name:
                schedule.setdefault(name, []).append(want)
    found = []
    for person, bookings in sorted(schedule.items()):
        bookings.sort(key=lambda w: (w.charter.start, w.event_id))
        for i, first in enumerate(bookings):
            for second in bookings[i + 1:]:
                if second.charter.start >= first.charter.end:
                    break
                window = f"{_clock(second.charter.start)}–{_clock(second.charter.end)}"
                found.append(make_discrepancy(
                    Kind.CREW_CONFLICT, first.event_id, System.CALENDAR, field=None,
                    expected=f"{person} on one charter at a time",
                    actual=f"{person} also on {second.event_id}{on(second)} ({window})",
                    severity=Severity.HIGH,
                    summary=f"{person} is on {first.event_id}{on(first)} and "
                            f"{second.event_id}{on(second)}, which overlap",
                ))
    return found


def _clock(moment: datetime) -> str:
    return moment.strftime("%H:%M")
