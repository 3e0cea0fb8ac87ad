"""The reconcile engine: three snapshots in, typed discrepancies with fix plans out.

A pure function: no boto3, Google, Slack or SQLAlchemy. The calendar is the
truth, except where it is incomplete or contradicts itself; then nothing is
planned for that charter and a human is told what to fix. Absence (a missing
record or page, an orphaned record) is only trusted when the source that would
show it was read completely; a check that depends on what was not read is not
made, and is named in ``withheld`` instead, so that nothing is ever written
from a guess (a page key taken from a record that was not read, say).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from services.config import Config
from services.desired import default_page_key, desired_page, desired_record
from services.display import show_value
from services.event_ids import candidate_event_ids
from services.guest_page import PageRenderer, content_md5
from services.models import (
    OWN_STATUSES,
    STATUS_CANCELLED,
    CalendarSnapshot,
    Charter,
    DeployedPage,
    DesiredCharter,
    Discrepancy,
    FixAction,
    Kind,
    PagesSnapshot,
    ReconcileResult,
    Record,
    RecordSnapshot,
    Severity,
    System,
    Window,
    Withheld,
)
from services.roster import Roster

# Record attributes compared with the calendar, in the order a person reads them.
COMPARED_FIELDS = (
    "eventDate", "startTime", "endTime", "guestName", "guestCount",
    "captain", "mate", "crew", "location", "waiverUrl",
)
_GUEST_FACING = frozenset({"eventDate", "startTime", "endTime", "location", "captain", "mate"})


def find_discrepancies(
    *,
    calendar: CalendarSnapshot,
    records: RecordSnapshot,
    pages: PagesSnapshot,
    config: Config,
    window: Window,
    now: datetime,
    renderer: PageRenderer,
) -> ReconcileResult:
    roster = Roster(config.roster)
    charters = sorted(
        (c for c in calendar.charters if window.contains(c.local_date)),
        key=lambda c: (c.start, c.calendar_event_id),
    )
    found: list[Discrepancy] = []
    withheld: list[Withheld] = []
    desired: dict[str, DesiredCharter] = {}
    matched = match_records(charters, records.records)
    for charter, event_id, record in matched:
        calendar_problems = _calendar_discrepancies(charter, event_id, roster)
        found.extend(calendar_problems)
        found.extend(_unknown_crew(charter, event_id, roster))
        page_key = (record.get("pageKey") if record else None) or default_page_key(
            config.pages.prefix, event_id
        )
        html = renderer.render(desired_page(charter, event_id=event_id, roster=roster,
                                            config=config))
        want = DesiredCharter(
            event_id=event_id,
            charter=charter,
            record=desired_record(charter, event_id=event_id, page_key=page_key, roster=roster,
                                  config=config),
            page_key=page_key,
            page_html=html,
            page_md5=content_md5(html),
            current_record=record,
            deployed_page=pages.pages.get(page_key),
            fixable=not calendar_problems,
        )
        desired[event_id] = want
        if not want.fixable:
            continue
        if record is None and not records.complete:
            # Its record may be on a page not read: the record and the page key are unknown.
            withheld.append(Withheld(event_id, _UNREAD_RECORD, _UNREAD_RECORD_REASON))
            continue
        found.extend(_record_discrepancies(want))
        page_found, page_withheld = _page_discrepancies(want, pages, config=config, now=now)
        found.extend(page_found)
        withheld.extend(page_withheld)
    found.extend(_crew_conflicts(list(desired.values()), roster))
    claimed = {want.current_record.event_id for want in desired.values() if want.current_record}
    if calendar.complete:
        found.extend(_orphans(records.records, claimed, calendar, window))
    else:
        withheld.extend(Withheld(r.event_id, (Kind.RECORD_ORPHANED,), _UNREAD_CALENDAR_REASON)
                        for r in _suspects(records.records, claimed, window))
    complete = (calendar.complete and records.complete and pages.complete
                and pages.invalidations_complete)
    notes = (*calendar.notes, *records.notes, *pages.notes)
    if not pages.invalidations_complete:
        notes = (*notes, "CloudFront's recent invalidations could not all be read.")
    if not complete:
        notes = (*notes, "A source was not read completely: what depends on the part not "
                         "read was not checked, and its fixes are withheld (listed as "
                         "withheld); nothing is planned from a guess.")
    return ReconcileResult(
        window=window,
        source=calendar.source,
        complete=complete,
        charters_checked=len(charters),
        discrepancies=tuple(found),
        desired=desired,
        notes=notes,
        withheld=tuple(withheld),
    )


_UNREAD_RECORD = (Kind.RECORD_MISSING, Kind.RECORD_MISMATCH, Kind.PAGE_MISSING,
                  Kind.PAGE_STALE, Kind.CACHE_STALE)
_UNREAD_RECORD_REASON = ("its DynamoDB record was not among the records read (the read "
                         "stopped part way), so neither the record nor its page key is known")
_UNREAD_CALENDAR_REASON = ("the calendar was not read completely: its event may be in the "
                           "part not read")


def match_records(
    charters: Sequence[Charter], records: Iterable[Record]
) -> list[tuple[Charter, str, Record | None]]:
    """Pair each charter with its record and settle its eventId.

    By the record's ``calendarEventId``, then the event's private ``eventId``,
    then (records from before the link existed) the id rule, which only claims
    a record that is not linked to another event.
    """
    by_event_id = {r.event_id: r for r in records}
    by_calendar_id = {r.get("calendarEventId"): r for r in by_event_id.values()
                      if r.get("calendarEventId")}
    taken: set[str] = set()
    result = []
    for charter in charters:
        record = by_calendar_id.get(charter.calendar_event_id)
        if record is None and charter.linked_event_id:
            candidate = by_event_id.get(charter.linked_event_id)
            if candidate and candidate.get("calendarEventId") in (None, charter.calendar_event_id):
                record = candidate
        if record is not None and record.event_id not in taken:
            taken.add(record.event_id)
            result.append((charter, record.event_id, record))
            continue
        for event_id in candidate_event_ids(charter.guest_name, charter.local_date):
            if event_id in taken:
                continue
            candidate = by_event_id.get(event_id)
            if candidate is None or candidate.get("calendarEventId") is None:
                taken.add(event_id)
                result.append((charter, event_id, candidate))
                break
    return result


def discrepancy_id(kind: Kind, event_id: str, field: str | None, expected: Any,
                   actual: Any) -> str:
    """Stable across runs for the same drift, different when the drift changes."""
    payload = json.dumps([str(kind), event_id, field, expected, actual], sort_keys=True,
                         default=str)
    digest = hashlib.sha256(payload.encode()).hexdigest()[:6]
    label = field or str(kind).lower().replace("_", "-")
    return f"{event_id}:{label}:{digest}"


def _make(kind: Kind, event_id: str, system: System, *, field: str | None = None,
          expected: Any = None, actual: Any = None, severity: Severity,
          fix: Sequence[FixAction] = (), summary: str) -> Discrepancy:
    return Discrepancy(
        id=discrepancy_id(kind, event_id, field, expected, actual),
        kind=kind, event_id=event_id, system=system, field=field, expected=expected,
        actual=actual, severity=severity, fix=tuple(fix), summary=summary,
    )


# -- the calendar itself -------------------------------------------------------

def _calendar_discrepancies(charter: Charter, event_id: str,
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
        _make(Kind.CALENDAR_INCOMPLETE, event_id, System.CALENDAR, field=field,
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


def _unknown_crew(charter: Charter, event_id: str, roster: Roster) -> list[Discrepancy]:
    found = []
    roles = [("captain", charter.captain), ("mate", charter.mate)]
    roles += [("crew", name) for name in charter.crew]
    for field, name in roles:
        if name and roster.find(name) is None:
            found.append(_make(
                Kind.UNKNOWN_CREW, event_id, System.CALENDAR, field=field,
                expected="a person in the crew roster", actual=name, severity=Severity.MEDIUM,
                summary=f"{name} ({field}) is not in the roster: no phone for the guest page",
            ))
    return found


def _crew_conflicts(wanted: Sequence[DesiredCharter], roster: Roster) -> list[Discrepancy]:
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
                found.append(_make(
                    Kind.CREW_CONFLICT, first.event_id, System.CALENDAR, field=None,
                    expected=f"{person} on one charter at a time",
                    actual=f"{person} also on {second.event_id} ({window})",
                    severity=Severity.HIGH,
                    summary=f"{person} is on {first.event_id} and {second.event_id}, "
                            "which overlap",
                ))
    return found


# -- DynamoDB ------------------------------------------------------------------

def _record_discrepancies(want: DesiredCharter) -> list[Discrepancy]:
    record = want.current_record
    if record is None:
        return [_make(
            Kind.RECORD_MISSING, want.event_id, System.DYNAMODB, expected=want.event_id,
            actual=None, severity=Severity.HIGH,
            fix=[FixAction("create_record", want.event_id, {"item": dict(want.record)})],
            summary=f"no DynamoDB record for {want.charter.title} "
                    f"({want.charter.start:%a %b %d %H:%M})",
        )]
    found = []
    fields = list(COMPARED_FIELDS)
    if record.get("status") in OWN_STATUSES or record.get("status") is None:
        fields.append("status")
    for field in fields:
        expected, actual = want.record[field], record.get(field)
        if _same(expected, actual):
            continue
        found.append(_mismatch(want, field, expected, actual))
    # The link is set along with any other fix; alone it is a low-severity item.
    link = want.record["calendarEventId"]
    if record.get("calendarEventId") != link:
        if found:
            found = [_with_link(d, link, record.get("calendarEventId")) for d in found]
        else:
            found.append(_mismatch(want, "calendarEventId", link, record.get("calendarEventId")))
    if record.get("pageKey") is None:
        found.append(_mismatch(want, "pageKey", want.page_key, None))
    return found


def _mismatch(want: DesiredCharter, field: str, expected: Any, actual: Any) -> Discrepancy:
    severity = Severity.HIGH if field in _GUEST_FACING else (
        Severity.LOW if field in ("calendarEventId", "pageKey") else Severity.MEDIUM)
    return _make(
        Kind.RECORD_MISMATCH, want.event_id, System.DYNAMODB, field=field, expected=expected,
        actual=actual, severity=severity,
        fix=[FixAction("update_record", want.event_id,
                       {"set": {field: expected}, "expect": {field: actual}})],
        summary=f"DynamoDB {field} is {_shown(actual)}; the calendar says {_shown(expected)}",
    )


def _with_link(found: Discrepancy, link: str, current: Any) -> Discrepancy:
    action = found.fix[0]
    params = {"set": {**action.params["set"], "calendarEventId": link},
              "expect": {**action.params["expect"], "calendarEventId": current}}
    return Discrepancy(**{**found.__dict__, "fix": (FixAction(action.action, action.target,
                                                              params),)})


def _suspects(records: Iterable[Record], claimed: set[str], window: Window) -> list[Record]:
    """Live records dated in the window that no charter of the window claimed."""
    return [
        record for record in sorted(records, key=lambda r: r.event_id)
        if record.event_id not in claimed and record.get("status") != STATUS_CANCELLED
        and window.start.isoformat() <= str(record.get("eventDate", "")) <= window.end.isoformat()
    ]


def _orphans(records: Iterable[Record], claimed: set[str], calendar: CalendarSnapshot,
             window: Window) -> list[Discrepancy]:
    cancelled = {e.calendar_event_id for e in calendar.cancelled}
    cancelled_ids = {e.linked_event_id for e in calendar.cancelled if e.linked_event_id}
    found = []
    for record in _suspects(records, claimed, window):
        day = str(record.get("eventDate", ""))
        why = ("its calendar event was cancelled"
               if record.get("calendarEventId") in cancelled or record.event_id in cancelled_ids
               else "no calendar event matches it")
        found.append(_make(
            Kind.RECORD_ORPHANED, record.event_id, System.DYNAMODB, field="status",
            expected=STATUS_CANCELLED, actual=record.get("status"), severity=Severity.MEDIUM,
            fix=[FixAction("update_record", record.event_id,
                           {"set": {"status": STATUS_CANCELLED},
                            "expect": {"status": record.get("status")}})],
            summary=f"record {record.event_id} ({day}) is live but {why}",
        ))
    return found


# -- guest pages and CloudFront -----------------------------------------------

def _page_discrepancies(want: DesiredCharter, pages: PagesSnapshot, *, config: Config,
                        now: datetime) -> tuple[list[Discrepancy], list[Withheld]]:
    path = "/" + want.page_key
    deployed = want.deployed_page
    page_fix = [FixAction("put_page", want.page_key, {"md5": want.page_md5}),
                FixAction("invalidate", path)]
    if deployed is None:
        if not pages.complete:
            return [], [Withheld(want.event_id, (Kind.PAGE_MISSING,),
                                 f"its guest page {want.page_key} was not in the part of the "
                                 "S3 listing that was read")]
        return [_make(Kind.PAGE_MISSING, want.event_id, System.PAGE, field=None,
                      expected=want.page_key, actual=None, severity=Severity.HIGH, fix=page_fix,
                      summary=f"no guest page at {want.page_key}")], []
    if deployed.content_md5 != want.page_md5:
        return [_make(Kind.PAGE_STALE, want.event_id, System.PAGE, field=None,
                      expected={"md5": want.page_md5}, actual={"md5": deployed.content_md5},
                      severity=Severity.HIGH, fix=page_fix,
                      summary=f"the guest page {want.page_key} differs from the calendar")], []
    ttl = config.pages.cache_ttl_seconds
    # Past the TTL every edge has fetched the object again on its own.
    if now - _truncate(deployed.last_modified) >= timedelta(seconds=ttl):
        return [], []
    if not pages.invalidations_complete:
        return [], [Withheld(want.event_id, (Kind.CACHE_STALE,),
                             f"{want.page_key} changed within the cache TTL and CloudFront's "
                             "recent invalidations could not all be read")]
    if _cache_stale(deployed, path, pages):
        changed = _truncate(deployed.last_modified).isoformat()
        return [_make(Kind.CACHE_STALE, want.event_id, System.CDN, field=None,
                      expected=f"invalidated after {changed}", actual="not invalidated",
                      severity=Severity.HIGH, fix=[FixAction("invalidate", path)],
                      summary=f"CloudFront may serve an old copy of {want.page_key} "
                              f"(changed {changed}, not invalidated since)")], []
    return [], []


def _cache_stale(page: DeployedPage, path: str, pages: PagesSnapshot) -> bool:
    changed = _truncate(page.last_modified)
    return not any(_truncate(inv.created) >= changed and inv.covers(path)
                   for inv in pages.invalidations)


def _truncate(moment: datetime) -> datetime:
    # S3 and CloudFront report times at different precisions; compare whole seconds.
    return moment.replace(microsecond=0)


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, list) or isinstance(actual, list):
        return list(expected or []) == list(actual or [])
    if isinstance(expected, str) and isinstance(actual, str):
        return expected.strip() == actual.strip()
    return bool(expected == actual)


def _clock(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def _shown(value: Any) -> str:
    return show_value(value, empty="empty")
