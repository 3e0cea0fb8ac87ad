"""The reconcile engine: three snapshots in, typed discrepancies with fix plans out.

A pure function: no boto3, Google, Slack or SQLAlchemy. The calendar is the
truth, except where it is incomplete or contradicts itself; then nothing is
planned for that charter and a human is told what to fix. Absence (a missing
record or page, an orphaned record) is only trusted when the source that would
show it was read completely; a check that depends on what was not read is not
made, and is named in ``withheld`` instead, so that nothing is ever written
from a guess (a page key taken from a record that was not read, say). A record
no listed charter claims is judged in services/domain/reconcile/orphans.py from its event looked
up by link: a postponed charter's record follows its event, never cancelled.
The calendar's own problems are found in services/domain/calendar/checks.py.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.domain.calendar.checks import calendar_discrepancies, crew_conflicts, unknown_crew
from services.domain.calendar.event_ids import candidate_event_ids
from services.domain.config import Config
from services.domain.display import show_value
from services.domain.fleet import names_no_boat, record_boat
from services.domain.models import (
    OWN_STATUSES,
    CalendarSnapshot,
    Charter,
    DeployedPage,
    DesiredCharter,
    Discrepancy,
    EventLookup,
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
from services.domain.pages.rendering import PageRenderer, content_md5
from services.domain.reconcile import orphans
from services.domain.reconcile.desired import (
    default_page_key,
    desired_page,
    desired_record,
    page_key_problem,
)
from services.domain.reconcile.discrepancy import make_discrepancy
from services.domain.reconcile.links import LinkConflict, link_conflicts, own_ids
from services.domain.reconcile.rows import Row
from services.domain.roster import Roster

# Record attributes compared with the calendar, in the order a person reads them.
COMPARED_FIELDS = (
    "eventDate", "startTime", "endTime", "guestName", "guestCount",
    "captain", "mate", "crew", "location", "waiverUrl",
)
_GUEST_FACING = frozenset({"eventDate", "startTime", "endTime", "location", "captain", "mate",
                           "vessel"})


def find_discrepancies(
    *,
    calendar: CalendarSnapshot,
    records: RecordSnapshot,
    pages: PagesSnapshot,
    config: Config,
    window: Window,
    now: datetime,
    renderer: PageRenderer,
    lookups: Mapping[str, EventLookup] | None = None,
) -> ReconcileResult:
    """``lookups``: what the calendar holds, anywhere, for the records that look orphaned
    (see :func:`orphan_links`); a record without one is never called orphaned."""
    roster = Roster(config.roster)
    check = _Check(records_complete=records.complete, pages=pages, config=config, now=now,
                   renderer=renderer, roster=roster)
    charters = _in_window(calendar, window)
    found: list[Discrepancy] = []
    withheld: list[Withheld] = []
    desired: dict[str, DesiredCharter] = {}
    judged, held_back = split_by_boat_read(records.records, calendar)
    # While a boat is unread, its records (and those naming no boat) are claimed by their
    # own calendar link only: the id rule or a copied event's link might be another's.
    guarded = {r.event_id for r in held_back} if calendar.unread else set()
    left_out: list[tuple[Charter, str]] = []
    for charter, event_id, record in match_records(charters, records.records,
                                                   guarded=guarded, left_out=left_out):
        desired[event_id], more, held = check.charter(charter, event_id=event_id, record=record)
        found.extend(more)
        withheld.extend(held)
    withheld.extend(Withheld(record_id, _UNREAD_RECORD, (
        f"{_clip(charter.title)} ({charter.vessel or 'no boat'}) may be the charter of record "
        f"{record_id}, which names a boat not read or none: nothing is written for it until "
        "every boat's calendar is read"), vessel=charter.vessel or None)
        for charter, record_id in left_out)
    found.extend(crew_conflicts(list(desired.values()), roster, fleet=config.fleet))
    conflicts = link_conflicts(charters, records.records)
    found.extend(_link_conflict(c) for c in conflicts)
    claimed = {want.current_record.event_id for want in desired.values() if want.current_record}
    claimed |= {c.record_id for c in conflicts}  # in doubt: neither followed nor orphaned
    notes = (*calendar.notes, *records.notes, *pages.notes)
    if judged:
        verdicts = orphans.judge(
            judged, claimed=claimed, calendar=calendar, window=window,
            lookups=lookups or {},
            listed_events={want.charter.calendar_event_id for want in desired.values()},
            held={want.charter.calendar_event_id: want.current_record.event_id
                  for want in desired.values() if want.current_record})
        found.extend(_unless_moved_to_unread(verdicts.orphaned, calendar, withheld))
        withheld.extend(verdicts.withheld)
        notes = (*notes, *verdicts.notes)
        # A postponed charter: its record follows the event wherever it moved.
        for record, charter in verdicts.followed:
            desired[record.event_id], more, held = check.charter(
                charter, event_id=record.event_id, record=record)
            found.extend(more)
            withheld.extend(held)
    withheld.extend(Withheld(r.event_id, (Kind.RECORD_ORPHANED,), why, vessel=vessel)
                    for r, why, vessel in _unread_boat_suspects(held_back, claimed, window,
                                                                calendar))
    # A failed look-up of one record's event is a calendar read that did not complete.
    complete = (calendar.complete and records.complete and pages.complete
                and pages.invalidations_complete and not withheld)
    if not pages.invalidations_complete:
        notes = (*notes, "CloudFront's recent invalidations could not all be read.")
    if not complete:
        notes = (*notes, "A source was not read completely: what depends on the part not "
                         "read was not checked, and its fixes are withheld (listed as "
                         "withheld); nothing is planned from a guess.")
    vessels = {r.event_id: str(r.get("vessel")) for r in records.records if r.get("vessel")}
    vessels.update({event_id: want.charter.vessel for event_id, want in desired.items()
                    if want.charter.vessel})
    return ReconcileResult(
        window=window,
        source=calendar.source,
        complete=complete,
        charters_checked=len(desired),
        discrepancies=tuple(found),
        desired=desired,
        notes=notes,
        withheld=tuple(withheld),
        vessels=vessels,
        fleet=config.fleet,
        unread_boats=tuple(b.boat.name for b in calendar.unread),
    )


def orphan_links(*, calendar: CalendarSnapshot, records: RecordSnapshot,
                 window: Window) -> dict[str, str | None]:
    """The records whose calendar event must be looked up (record eventId ->
    calendarEventId, None when unlinked): those no listed charter claims. In sync, none."""
    judged, _ = split_by_boat_read(records.records, calendar)
    if not judged:
        return {}
    charters = _in_window(calendar, window)
    matched = match_records(charters, records.records)
    claimed = {record.event_id for _, _, record in matched if record is not None}
    claimed |= {c.record_id for c in link_conflicts(charters, records.records)}
    held = {charter.calendar_event_id: record.event_id
            for charter, _, record in matched if record is not None}
    return orphans.needing_look_up(judged, claimed=claimed, calendar=calendar,
                                   window=window, held=held)


def _unless_moved_to_unread(orphaned: Iterable[Discrepancy], calendar: CalendarSnapshot,
                            withheld: list[Withheld]) -> list[Discrepancy]:
    """The orphans found, none while a boat's calendar was not read: an event gone from
    one boat's calendar may have been moved to that boat's, so it is withheld instead."""
    unread = calendar.unread
    if not unread:
        return list(orphaned)
    names = ", ".join(b.boat.name for b in unread)
    withheld.extend(Withheld(d.event_id, (Kind.RECORD_ORPHANED,),
                             f"its event is gone from its boat's calendar, but it may have "
                             f"been moved to {names}, whose calendar was not read")
                    for d in orphaned)
    return []


def record_homes(records: Iterable[Record]) -> dict[str, str]:
    """Record eventId -> the calendarId it names, for the records that name one."""
    return {r.event_id: str(r.get("calendarId")) for r in records if r.get("calendarId")}


def split_by_boat_read(records: Sequence[Record], calendar: CalendarSnapshot
                       ) -> tuple[list[Record], list[Record]]:
    """The records whose absence from the calendar may be judged, and those it may not:
    every record when the calendar was read in full; none when it was read only in part;
    with one boat's calendar unread, all but that boat's records and those that name no
    boat (written before records carried one: they may be that boat's)."""
    if calendar.complete:
        return list(records), []
    unread = calendar.unread
    if not unread or len(unread) == len(calendar.boats):
        return [], list(records)
    if not all(b.complete for b in calendar.boats if b.read):
        return [], list(records)
    boats = [b.boat for b in unread]
    judged, held = [], []
    for record in records:
        if names_no_boat(record) or record_boat(record, boats) is not None:
            held.append(record)
        else:
            judged.append(record)
    return judged, held


def _unread_boat_suspects(records: Sequence[Record], claimed: set[str], window: Window,
                          calendar: CalendarSnapshot
                          ) -> list[tuple[Record, str, str | None]]:
    unread = [b.boat for b in calendar.unread]
    held = []
    for record in orphans.suspects(records, claimed, window):
        boat = record_boat(record, unread)
        if boat is not None:
            why = f"the calendar of {boat.name} was not read: its event may be there"
        elif unread and names_no_boat(record):
            names = ", ".join(sorted(b.name for b in unread))
            why = f"it names no boat, and the calendar of {names} was not read: its event " \
                  "may be there"
        else:
            why = _UNREAD_CALENDAR_REASON
        own_name = record.get("vessel")
        held.append((record, why, boat.name if boat else (str(own_name) if own_name else None)))
    return held


def _in_window(calendar: CalendarSnapshot, window: Window) -> list[Charter]:
    return sorted((c for c in calendar.charters if window.contains(c.local_date)),
                  key=lambda c: (c.start, c.calendar_event_id))


@dataclass(frozen=True)
class _Check:
    """One charter against its record and page: what the calendar implies, what differs."""

    records_complete: bool
    pages: PagesSnapshot
    config: Config
    now: datetime
    renderer: PageRenderer
    roster: Roster

    def charter(self, charter: Charter, *, event_id: str, record: Record | None
                ) -> tuple[DesiredCharter, list[Discrepancy], list[Withheld]]:
        config, roster = self.config, self.roster
        calendar_problems = calendar_discrepancies(charter, event_id, roster)
        found = [*calendar_problems, *unknown_crew(charter, event_id, roster)]
        page_key = str((record.get("pageKey") if record else None) or default_page_key(
            config.pages.prefix, event_id))
        refused = page_key_problem(page_key, config.pages.prefix)
        if refused:
            # Nothing read from the table may steer a write outside the guest pages.
            return self._refused(charter, event_id=event_id, record=record, key=page_key,
                                 why=refused, found=found)
        html = self.renderer.render(desired_page(charter, event_id=event_id, roster=roster,
                                                 config=config))
        md5 = content_md5(html)
        deployed = self.pages.pages.get(page_key)
        if deployed is not None and deployed.content_md5 == md5:
            md5 = deployed.content_md5  # in sync: one string for both, not two equal ones
        want = DesiredCharter(
            event_id=event_id,
            charter=charter,
            record=_sharing(desired_record(charter, event_id=event_id, page_key=page_key,
                                           roster=roster, config=config), record),
            page_key=page_key,
            # Kept only where an upload may follow: a window of 50,000 pages in sync would
            # otherwise hold every page's HTML at once.
            page_html=html if deployed is None or deployed.content_md5 != md5 else "",
            page_md5=md5,
            current_record=record,
            deployed_page=deployed,
            fixable=not calendar_problems,
        )
        if not want.fixable:
            return want, found, []
        if record is None and not self.records_complete:
            # Its record may be on a page not read: the record and the page key are unknown.
            return want, found, [Withheld(event_id, _UNREAD_RECORD, _UNREAD_RECORD_REASON)]
        found.extend(_record_discrepancies(want))
        page_found, page_withheld = _page_discrepancies(want, self.pages, config=config,
                                                        now=self.now)
        return want, [*found, *page_found], page_withheld


    def _refused(self, charter: Charter, *, event_id: str, record: Record | None, key: str,
                 why: str, found: list[Discrepancy]
                 ) -> tuple[DesiredCharter, list[Discrepancy], list[Withheld]]:
        """A charter whose page key may not be written: reported for a person, and nothing
        planned for it (neither its record nor its page) until the record is corrected."""
        config = self.config
        want = DesiredCharter(
            event_id=event_id, charter=charter,
            record=Row(desired_record(charter, event_id=event_id, page_key=key,
                                      roster=self.roster, config=config)),
            page_key=key, page_html="", page_md5="", current_record=record,
            fixable=False, page_key_problem=why)
        where = "the DynamoDB record's pageKey" if record and record.get("pageKey") else \
            "the page key its record id gives"
        return want, [*found, make_discrepancy(
            Kind.PAGE_KEY_UNSAFE, event_id, System.DYNAMODB, field="pageKey",
            expected=f"an .html page under {config.pages.prefix}", actual=key,
            severity=Severity.HIGH,
            summary=f"{where} {_clip(key)} is refused: {why}. Nothing is uploaded or "
                    f"invalidated for {event_id} until a person corrects the record")], []


def _clip(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _sharing(desired: dict[str, Any], record: Record | None) -> Row:
    """The desired record, holding the current record's own string wherever the two are
    equal: in a window in sync that is nearly every value, one copy instead of two."""
    if record is None:
        return Row(desired)
    shared = {}
    for name, value in desired.items():
        current = record.get(name)
        shared[name] = current if type(current) is str and current == value else value
    return Row(shared)


_UNREAD_RECORD = (Kind.RECORD_MISSING, Kind.RECORD_MISMATCH, Kind.PAGE_MISSING,
                  Kind.PAGE_STALE, Kind.CACHE_STALE)
_UNREAD_RECORD_REASON = ("its DynamoDB record was not among the records read (the read "
                         "stopped part way), so neither the record nor its page key is known")
_UNREAD_CALENDAR_REASON = ("the calendar was not read completely: its event may be in the "
                           "part not read")


def match_records(
    charters: Sequence[Charter], records: Iterable[Record], *,
    guarded: Collection[str] = (), left_out: list[tuple[Charter, str]] | None = None,
) -> list[tuple[Charter, str, Record | None]]:
    """Pair each charter with its record and settle its eventId.

    By the record's ``calendarEventId``, then the event's private ``eventId``,
    then (records from before the link existed) the id rule, which only claims
    a record that is not linked to another event. A charter whose private ``eventId``
    names no record at all has that id (its record is created under it): one charter,
    one record, whichever day it moves to. Two records naming one event: the charter
    is the one its link names, else the one the id rule gives its day; the other is a
    second record of the charter (orphans.judge reports it).

    ``guarded``: record ids only their own ``calendarEventId`` may claim (a boat not
    read may hold their charter); a charter that would take one otherwise is left
    out, and put in ``left_out`` with that record's id.
    """
    by_event_id = {r.event_id: r for r in records}
    by_calendar_id: dict[str, list[Record]] = {}
    for held in by_event_id.values():
        if held.get("calendarEventId"):
            by_calendar_id.setdefault(str(held.get("calendarEventId")), []).append(held)
    conflicts = link_conflicts(charters, by_event_id.values())
    in_doubt = {c.charter.calendar_event_id for c in conflicts}
    # A record two events claim is nobody's until a person says: no id rule lands on it.
    taken: set[str] = {c.record_id for c in conflicts if not c.owned}
    found: dict[int, tuple[str, Record | None]] = {}
    doubtful: dict[int, str] = {}
    # Links first, for every charter: an earlier charter's id rule never takes a record
    # a later charter's link names.
    for n, charter in enumerate(charters):
        if charter.calendar_event_id in in_doubt:
            continue
        record = _its_record(charter, by_calendar_id.get(charter.calendar_event_id, ()))
        link = charter.linked_event_id
        if record is None and link:
            candidate = by_event_id.get(link)
            if candidate and candidate.get("calendarEventId") is None and \
                    candidate.event_id in guarded:
                doubtful[n] = candidate.event_id
                continue
            if candidate and candidate.get("calendarEventId") in (None, charter.calendar_event_id):
                record = candidate
            elif candidate is None and link not in taken and record_id_shaped(link):
                # No record yet: it is made under the link, which follows the event to any
                # day (under the id rule a move would find none and make a second one).
                taken.add(link)
                found[n] = (link, None)
                continue
        if record is not None and record.event_id not in taken:
            taken.add(record.event_id)
            found[n] = (record.event_id, record)
    for n, charter in enumerate(charters):
        if charter.calendar_event_id in in_doubt or n in found or n in doubtful:
            continue
        for event_id in candidate_event_ids(charter.guest_name, charter.local_date):
            if event_id in taken:
                continue
            candidate = by_event_id.get(event_id)
            if candidate is not None and candidate.get("calendarEventId") is None and \
                    event_id in guarded:
                doubtful[n] = event_id
                break
            if candidate is None or candidate.get("calendarEventId") is None:
                taken.add(event_id)
                found[n] = (event_id, candidate)
                break
    if left_out is not None:
        left_out.extend((charters[n], rid) for n, rid in sorted(doubtful.items()))
    return [(charters[n], *found[n]) for n in sorted(found)]


_RECORD_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def record_id_shaped(text: str) -> bool:
    """Whether an event's private ``eventId`` may name a new record (and its page): a
    short plain id such as ``bk-katarina-4242``; anything else gets the id rule's."""
    return _RECORD_ID.fullmatch(text) is not None


def _its_record(charter: Charter, held: Sequence[Record]) -> Record | None:
    """Of the records naming ``charter``'s event, the one that is its record: the one
    its link names, then the one the id rule gives its day, then the one dated its day,
    then the first by id (the same choice on every run)."""
    if len(held) < 2:
        return held[0] if held else None
    day, own = charter.local_date.isoformat(), own_ids(charter)
    return min(held, key=lambda r: (r.event_id != charter.linked_event_id,
                                    r.event_id not in own,
                                    str(r.get("eventDate")) != day, r.event_id))


def _link_conflict(conflict: LinkConflict) -> Discrepancy:
    charter = conflict.charter
    return make_discrepancy(
        Kind.LINK_CONFLICT, conflict.record_id, System.CALENDAR, field="eventId",
        expected="one event per record",
        actual=f"{charter.calendar_event_id}: {conflict.other}", severity=Severity.HIGH,
        summary=f"{_clip(charter.title)} ({charter.start:%a %b %d %H:%M}) carries the link to "
                f"record {conflict.record_id}, {_clip(conflict.other, 300)}: nothing is "
                "written to that record for it until a person removes the wrong link "
                "(a copied event keeps its original's)")


# -- DynamoDB ------------------------------------------------------------------

def _record_discrepancies(want: DesiredCharter) -> list[Discrepancy]:
    record = want.current_record
    if record is None:
        return [make_discrepancy(
            Kind.RECORD_MISSING, want.event_id, System.DYNAMODB, expected=want.event_id,
            actual=None, severity=Severity.HIGH,
            fix=[FixAction("create_record", want.event_id, {"item": dict(want.record)})],
            summary=f"no DynamoDB record for {want.charter.title} "
                    f"({want.charter.start:%a %b %d %H:%M})",
        )]
    found = []
    fields = list(COMPARED_FIELDS)
    if "vessel" in want.record and record.get("vessel") is not None:
        fields.append("vessel")  # a charter moved to another boat's calendar
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
            found = [_with_link(d, {"calendarEventId": link},
                                {"calendarEventId": record.get("calendarEventId")})
                     for d in found]
        else:
            found.append(_mismatch(want, "calendarEventId", link, record.get("calendarEventId")))
    # The boat and its calendar, on a record from before records carried them: set along
    # with any other fix, never reported alone.
    missing = {k: want.record[k] for k in ("vessel", "calendarId")
               if k in want.record and record.get(k) is None}
    if missing and found:
        found = [_with_link(d, missing, dict.fromkeys(missing)) for d in found]
    home = want.record.get("calendarId")
    if home is not None and record.get("calendarId") not in (None, home):
        if found:
            found = [_with_link(d, {"calendarId": home},
                                {"calendarId": record.get("calendarId")}) for d in found]
        else:
            found.append(_mismatch(want, "calendarId", home, record.get("calendarId")))
    if record.get("pageKey") is None:
        found.append(_mismatch(want, "pageKey", want.page_key, None))
    return found


def _mismatch(want: DesiredCharter, field: str, expected: Any, actual: Any) -> Discrepancy:
    severity = Severity.HIGH if field in _GUEST_FACING else (
        Severity.LOW if field in ("calendarEventId", "calendarId", "pageKey")
        else Severity.MEDIUM)
    return make_discrepancy(
        Kind.RECORD_MISMATCH, want.event_id, System.DYNAMODB, field=field, expected=expected,
        actual=actual, severity=severity,
        fix=[FixAction("update_record", want.event_id,
                       {"set": {field: expected}, "expect": {field: actual}})],
        summary=f"DynamoDB {field} is {_shown(actual)}; the calendar says {_shown(expected)}",
    )


def _with_link(found: Discrepancy, link: dict[str, Any], current: dict[str, Any]
               ) -> Discrepancy:
    """``found``'s fix, setting ``link`` too (a record attribute that rides along)."""
    if not found.fix or found.fix[0].action != "update_record":
        return found
    action = found.fix[0]
    params = {"set": {**action.params["set"], **link},
              "expect": {**action.params["expect"], **current}}
    return Discrepancy(**{**found.__dict__, "fix": (FixAction(action.action, action.target,
                                                              params),)})


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
        return [make_discrepancy(Kind.PAGE_MISSING, want.event_id, System.PAGE, field=None,
                      expected=want.page_key, actual=None, severity=Severity.HIGH, fix=page_fix,
                      summary=f"no guest page at {want.page_key}")], []
    if deployed.content_md5 != want.page_md5:
        return [make_discrepancy(Kind.PAGE_STALE, want.event_id, System.PAGE, field=None,
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
        return [make_discrepancy(Kind.CACHE_STALE, want.event_id, System.CDN, field=None,
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


def _shown(value: Any) -> str:
    return show_value(value, empty="empty")
