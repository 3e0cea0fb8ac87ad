"""The pure reconcile engine on literal snapshots: every discrepancy kind, no I/O."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from services.domain.config import Config
from services.domain.models import (
    CalendarSnapshot,
    CancelledEvent,
    Charter,
    DeployedPage,
    EventLookup,
    Invalidation,
    Kind,
    Lookup,
    PagesSnapshot,
    Record,
    RecordSnapshot,
    Window,
)
from services.domain.pages.rendering import PageRenderer, content_md5
from services.domain.reconcile.desired import default_page_key, desired_page, desired_record
from services.domain.reconcile.engine import find_discrepancies, orphan_links
from services.domain.roster import Roster

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 5, 25, 16, 0, tzinfo=UTC)
WINDOW = Window(date(2026, 5, 25), date(2026, 6, 24))
RENDERER = PageRenderer()


def charter(**overrides: Any) -> Charter:
    base = dict(
        calendar_event_id="evtdanika", title="Danika — Afternoon Sail",
        start=datetime(2026, 5, 31, 15, 0, tzinfo=LA), end=datetime(2026, 5, 31, 19, 0, tzinfo=LA),
        location="Harbor Island West Marina, Dock B", guest_name="Danika", guest_count=12,
        captain="Gene", mate="Ana", crew=("Bo",),
    )
    base.update(overrides)
    return Charter(**base)  # type: ignore[arg-type]


def in_sync(config: Config, c: Charter, event_id: str = "danika-may31",
            **record_drift: Any) -> tuple[Record, DeployedPage]:
    """The record and page the calendar implies, with optional drift in the record."""
    roster = Roster(config.roster)
    key = default_page_key(config.pages.prefix, event_id)
    item = desired_record(c, event_id=event_id, page_key=key, roster=roster, config=config)
    item.update(record_drift)
    html = RENDERER.render(desired_page(c, event_id=event_id, roster=roster, config=config))
    page = DeployedPage(key=key, etag=content_md5(html), content_md5=content_md5(html),
                        last_modified=NOW - timedelta(days=3))
    return Record({k: v for k, v in item.items() if v is not None}), page


def run(config: Config, charters: list[Charter], records: list[Record],
        pages: list[DeployedPage], *, calendar_complete: bool = True,
        records_complete: bool = True, pages_complete: bool = True,
        cancelled: tuple[CancelledEvent, ...] = (), invalidations: tuple[Invalidation, ...] = (),
        invalidations_complete: bool = True, lookups: dict[str, EventLookup] | None = None):
    return find_discrepancies(
        calendar=CalendarSnapshot(tuple(charters), cancelled, complete=calendar_complete),
        records=RecordSnapshot(tuple(records), complete=records_complete),
        pages=PagesSnapshot({p.key: p for p in pages}, complete=pages_complete,
                            invalidations=invalidations,
                            invalidations_complete=invalidations_complete),
        config=config, window=WINDOW, now=NOW, renderer=RENDERER, lookups=lookups,
    )


def kinds(result) -> set[tuple[str, str, str | None]]:
    return {(str(d.kind), d.event_id, d.field) for d in result.discrepancies}


def test_a_charter_in_sync_everywhere_has_no_discrepancy(config: Config) -> None:
    c = charter()
    record, page = in_sync(config, c)
    result = run(config, [c], [record], [page])
    assert result.discrepancies == ()
    assert result.charters_checked == 1
    assert result.complete


def test_missing_record_and_page_are_planned_for_creation(config: Config) -> None:
    result = run(config, [charter()], [], [])
    assert kinds(result) == {("RECORD_MISSING", "danika-may31", None),
                             ("PAGE_MISSING", "danika-may31", None)}
    create = next(d for d in result.discrepancies if d.kind == Kind.RECORD_MISSING).fix[0]
    assert create.action == "create_record"
    item = create.params["item"]
    assert (item["startTime"], item["endTime"], item["captain"], item["mate"]) == (
        "15:00", "19:00", "Gene", "Ana")
    assert item["status"] == "CREW_ASSIGNED"
    assert item["pageKey"] == "charters/guests/danika-may31.html"
    assert "eventId=danika-may31" in item["waiverUrl"]


def test_wrong_time_and_mate_in_the_record_are_field_mismatches(config: Config) -> None:
    c = charter()
    record, page = in_sync(config, c, startTime="14:00", endTime="18:00", mate="Angelia")
    result = run(config, [c], [record], [page])
    by_field = {d.field: d for d in result.discrepancies}
    assert set(by_field) == {"startTime", "endTime", "mate"}
    assert (by_field["startTime"].expected, by_field["startTime"].actual) == ("15:00", "14:00")
    fix = by_field["mate"].fix[0]
    assert fix.params == {"set": {"mate": "Ana"}, "expect": {"mate": "Angelia"}}


def test_a_legacy_record_is_matched_by_the_id_rule_and_linked(config: Config) -> None:
    c = charter()
    record, page = in_sync(config, c, calendarEventId=None)
    result = run(config, [c], [record], [page])
    assert kinds(result) == {("RECORD_MISMATCH", "danika-may31", "calendarEventId")}
    link = result.discrepancies[0]
    assert link.fix[0].params["set"] == {"calendarEventId": "evtdanika"}
    assert str(link.severity) == "low"


def test_the_link_rides_along_with_another_fix(config: Config) -> None:
    c = charter()
    record, page = in_sync(config, c, calendarEventId=None, captain="Darrell")
    result = run(config, [c], [record], [page])
    assert kinds(result) == {("RECORD_MISMATCH", "danika-may31", "captain")}
    assert result.discrepancies[0].fix[0].params["set"] == {
        "captain": "Gene", "calendarEventId": "evtdanika"}


def test_a_record_linked_by_calendar_id_keeps_its_own_event_id(config: Config) -> None:
    c = charter(guest_name="Danika", title="Danika Smith — Sail")
    record, page = in_sync(config, c, event_id="danika-special")
    result = run(config, [c], [record], [page])
    assert result.discrepancies == ()
    assert list(result.desired) == ["danika-special"]


def test_two_charters_for_one_name_on_one_day_get_suffixed_ids(config: Config) -> None:
    morning = charter(calendar_event_id="a", start=datetime(2026, 5, 31, 9, tzinfo=LA),
                      end=datetime(2026, 5, 31, 12, tzinfo=LA), captain="Marco", mate="Tess",
                      crew=())
    afternoon = charter()
    result = run(config, [afternoon, morning], [], [])
    assert set(result.desired) == {"danika-may31", "danika-may31-2"}
    assert result.desired["danika-may31"].charter.calendar_event_id == "a"


def test_a_record_whose_event_was_cancelled_is_orphaned_not_deleted(config: Config) -> None:
    c = charter()
    record, _ = in_sync(config, c)
    result = run(config, [], [record], [], cancelled=(CancelledEvent("evtdanika"),))
    [orphan] = result.discrepancies
    assert orphan.kind == Kind.RECORD_ORPHANED
    assert orphan.fix[0].params["set"] == {"status": "CANCELLED"}
    assert "cancelled" in orphan.summary


def test_absence_is_not_trusted_from_a_partial_read(config: Config) -> None:
    c = charter()
    record, _ = in_sync(config, c, event_id="old-may30", calendarEventId="gone")
    result = run(config, [c], [record], [], calendar_complete=False, pages_complete=False,
                 records_complete=False)
    assert not result.complete
    found = {d.kind for d in result.discrepancies}
    assert not found & {Kind.RECORD_ORPHANED, Kind.PAGE_MISSING, Kind.RECORD_MISSING}
    assert any("not read completely" in note for note in result.notes)


def withheld(result) -> dict[str, set[str]]:
    return {w.event_id: {str(k) for k in w.kinds} for w in result.withheld}


def test_a_charter_whose_record_was_not_read_gets_no_guessed_page_key(config: Config) -> None:
    # Danika's legacy record points to danika-guest.html; it is on the Scan page not read.
    c = charter()
    result = run(config, [c], [], [], records_complete=False)
    assert result.discrepancies == ()
    assert withheld(result) == {"danika-may31": {
        "RECORD_MISSING", "RECORD_MISMATCH", "PAGE_MISSING", "PAGE_STALE", "CACHE_STALE"}}
    assert "record was not among the records read" in result.withheld[0].reason
    assert result.to_dict()["withheld"][0]["kinds"][0] == "RECORD_MISSING"


def test_a_charter_whose_record_was_read_is_still_checked_in_full(config: Config) -> None:
    c = charter()
    record, page = in_sync(config, c, mate="Angelia")
    result = run(config, [c], [record], [replace(page, content_md5="0" * 32)],
                 records_complete=False)
    assert kinds(result) == {("RECORD_MISMATCH", "danika-may31", "mate"),
                             ("PAGE_STALE", "danika-may31", None)}
    assert result.withheld == ()


def test_a_page_not_in_the_part_of_the_listing_read_is_withheld(config: Config) -> None:
    c = charter()
    record, _ = in_sync(config, c)
    result = run(config, [c], [record], [], pages_complete=False)
    assert result.discrepancies == ()
    assert withheld(result) == {"danika-may31": {"PAGE_MISSING"}}
    assert "charters/guests/danika-may31.html" in result.withheld[0].reason


def test_cache_staleness_is_withheld_when_invalidations_were_not_all_read(
        config: Config) -> None:
    c = charter()
    record, page = in_sync(config, c)
    fresh = replace(page, last_modified=NOW - timedelta(hours=1))
    result = run(config, [c], [record], [fresh], invalidations_complete=False)
    assert result.discrepancies == ()
    assert withheld(result) == {"danika-may31": {"CACHE_STALE"}}
    assert not result.complete
    # Past the TTL the cache has refreshed itself: nothing depends on the invalidations.
    old = run(config, [c], [record], [page], invalidations_complete=False)
    assert old.withheld == ()


def test_orphans_are_withheld_when_the_calendar_was_not_read_completely(
        config: Config) -> None:
    record, _ = in_sync(config, charter(), event_id="old-may30", calendarEventId="gone")
    result = run(config, [], [record], [], calendar_complete=False)
    assert result.discrepancies == ()
    assert withheld(result) == {"old-may30": {"RECORD_ORPHANED"}}


def test_a_deployed_page_that_differs_is_stale(config: Config) -> None:
    c = charter()
    record, page = in_sync(config, c)
    result = run(config, [c], [record], [replace(page, content_md5="0" * 32)])
    [stale] = result.discrepancies
    assert stale.kind == Kind.PAGE_STALE
    assert [a.action for a in stale.fix] == ["put_page", "invalidate"]
    assert stale.fix[1].target == "/charters/guests/danika-may31.html"


def test_a_page_changed_after_its_last_invalidation_is_cache_stale(config: Config) -> None:
    c = charter()
    record, page = in_sync(config, c)
    fresh = replace(page, last_modified=NOW - timedelta(hours=2))
    old_inv = Invalidation("I1", NOW - timedelta(hours=3), ("/charters/guests/*",))
    result = run(config, [c], [record], [fresh], invalidations=(old_inv,))
    assert kinds(result) == {("CACHE_STALE", "danika-may31", None)}
    covering = Invalidation("I2", NOW - timedelta(hours=1),
                            ("/charters/guests/danika-may31.html",))
    result = run(config, [c], [record], [fresh], invalidations=(old_inv, covering))
    assert result.discrepancies == ()
    # Past the TTL, every edge has refetched the page by itself.
    aged = replace(page, last_modified=NOW - timedelta(days=2))
    assert run(config, [c], [record], [aged]).discrepancies == ()


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"captain": None}, "captain", "Captain"),
        ({"guest_count": None}, "guestCount", "Guests"),
        ({"guest_count": None, "problems": ("Guests: 'twelve' is not a number",)}, "guestCount",
         "twelve"),
        ({"attendee_emails": ("gene@sailjada.com", "angelia@sailjada.com", "bo@sailjada.com")},
         "crew", "Angelia"),
    ],
)
def test_an_incomplete_calendar_event_is_for_a_human_and_blocks_writes(
        config: Config, overrides: dict[str, Any], field: str, words: str) -> None:
    result = run(config, [charter(**overrides)], [], [])
    incomplete = [d for d in result.discrepancies if d.kind == Kind.CALENDAR_INCOMPLETE]
    assert [d.field for d in incomplete] == [field]
    assert words in incomplete[0].summary
    assert incomplete[0].fix == ()
    assert not {d.kind for d in result.discrepancies} & {Kind.RECORD_MISSING, Kind.PAGE_MISSING}


def test_a_name_not_in_the_roster_is_unknown_crew(config: Config) -> None:
    c = charter(mate="Zed")
    record, page = in_sync(config, c)
    result = run(config, [c], [record], [page])
    [unknown] = result.discrepancies
    assert (unknown.kind, unknown.field, unknown.actual) == (Kind.UNKNOWN_CREW, "mate", "Zed")


def test_calendar_spelling_is_matched_to_the_roster(config: Config) -> None:
    c = charter(captain="gene", mate="ANA", crew=("bo",))
    record, page = in_sync(config, charter())
    assert run(config, [c], [record], [page]).discrepancies == ()


def test_one_person_on_overlapping_charters_is_a_crew_conflict(config: Config) -> None:
    first = charter()
    second = charter(calendar_event_id="evtquinn", title="Quinn — Sunset", guest_name="Quinn",
                     start=datetime(2026, 5, 31, 18, tzinfo=LA),
                     end=datetime(2026, 5, 31, 21, tzinfo=LA), captain="Darrell", mate="Tess",
                     crew=("Bo",))
    r1, p1 = in_sync(config, first)
    r2, p2 = in_sync(config, second, event_id="quinn-may31")
    result = run(config, [first, second], [r1, r2], [p1, p2])
    [conflict] = result.discrepancies
    assert conflict.kind == Kind.CREW_CONFLICT
    assert "Bo" in conflict.summary and "quinn-may31" in conflict.summary
    assert conflict.fix == ()


def test_ids_are_stable_for_the_same_drift_and_change_with_it(config: Config) -> None:
    c = charter()
    record, page = in_sync(config, c, startTime="14:00")
    first = run(config, [c], [record], [page]).discrepancies[0].id
    assert first == run(config, [c], [record], [page]).discrepancies[0].id
    other, _ = in_sync(config, c, startTime="13:00")
    assert run(config, [c], [other], [page]).discrepancies[0].id != first


def test_charters_outside_the_window_are_not_checked(config: Config) -> None:
    later = charter(start=datetime(2026, 7, 31, 15, tzinfo=LA),
                    end=datetime(2026, 7, 31, 19, tzinfo=LA))
    result = run(config, [later], [], [])
    assert result.charters_checked == 0
    assert result.discrepancies == ()


def test_json_shape_matches_the_design(config: Config) -> None:
    result = run(config, [charter()], [], [])
    data = result.to_dict()
    assert set(data) >= {"source", "window", "complete", "charters_checked", "discrepancies"}
    assert data["window"] == {"from": "2026-05-25", "to": "2026-06-24"}
    item = data["discrepancies"][0]
    assert set(item) >= {"id", "kind", "event_id", "system", "field", "expected", "actual",
                         "severity", "fix"}


# -- records no charter of the window claims ----------------------------------

def test_a_record_whose_event_was_not_looked_up_is_never_called_orphaned(
        config: Config) -> None:
    record, _ = in_sync(config, charter())
    result = run(config, [], [record], [])
    assert result.discrepancies == ()
    assert withheld(result) == {"danika-may31": {"RECORD_ORPHANED"}}


def test_only_records_no_listed_charter_claims_are_looked_up(config: Config) -> None:
    c = charter()
    claimed, _ = in_sync(config, c)
    moved, _ = in_sync(config, charter(calendar_event_id="evtquinn", guest_name="Quinn"),
                       event_id="quinn-may31")
    unlinked, _ = in_sync(config, charter(calendar_event_id="x", guest_name="Old"),
                          event_id="old-may31", calendarEventId=None)
    gone, _ = in_sync(config, charter(calendar_event_id="evtgone", guest_name="Gone"),
                      event_id="gone-may31")
    calendar = CalendarSnapshot((c,), (CancelledEvent("evtgone"),))
    links = orphan_links(calendar=calendar, records=RecordSnapshot(
        (claimed, moved, unlinked, gone)), window=WINDOW)
    # Claimed: nothing to ask. Cancelled in the listing itself: proven without asking.
    assert links == {"quinn-may31": "evtquinn", "old-may31": None}
    in_sync_only = orphan_links(calendar=calendar, records=RecordSnapshot((claimed,)),
                                window=WINDOW)
    assert in_sync_only == {}


def test_a_record_whose_event_moved_out_of_the_window_follows_it(config: Config) -> None:
    c = charter()
    record, page = in_sync(config, c)
    later = replace(c, start=datetime(2026, 7, 13, 11, tzinfo=LA),
                    end=datetime(2026, 7, 13, 14, tzinfo=LA))
    result = run(config, [], [record], [page], lookups={
        "danika-may31": EventLookup(Lookup.LIVE, charter=later, detail="event evtdanika is "
                                                                       "live on 2026-07-13")})
    assert kinds(result) == {("RECORD_MISMATCH", "danika-may31", "eventDate"),
                             ("RECORD_MISMATCH", "danika-may31", "startTime"),
                             ("RECORD_MISMATCH", "danika-may31", "endTime"),
                             ("PAGE_STALE", "danika-may31", None)}
    assert result.desired["danika-may31"].charter.start.date() == date(2026, 7, 13)
    assert result.charters_checked == 1
    assert any("follows the event" in note for note in result.notes)


@pytest.mark.parametrize("found", [Lookup.CANCELLED, Lookup.DELETED])
def test_a_record_whose_event_is_gone_is_orphaned(config: Config, found: Lookup) -> None:
    record, _ = in_sync(config, charter())
    result = run(config, [], [record], [], lookups={
        "danika-may31": EventLookup(found, detail="event evtdanika was cancelled")})
    [orphan] = result.discrepancies
    assert (orphan.kind, orphan.fix[0].params["set"]) == (Kind.RECORD_ORPHANED,
                                                          {"status": "CANCELLED"})
    assert result.complete


def test_a_record_whose_event_is_live_but_not_a_charter_is_left_alone(config: Config) -> None:
    record, _ = in_sync(config, charter())
    result = run(config, [], [record], [], lookups={
        "danika-may31": EventLookup(Lookup.NOT_A_CHARTER,
                                    detail="event evtdanika is now an all-day event")})
    assert (result.discrepancies, result.withheld) == ((), ())
    assert any("left alone" in note and "all-day" in note for note in result.notes)


def test_two_records_of_one_event_one_is_its_record_the_other_a_second_one(
        config: Config) -> None:
    # A move hid the first record and a second was made: the one the id rule gives the
    # charter's day is its record, the other is reported (never left in silence).
    c = charter()
    record, page = in_sync(config, c)
    duplicate, _ = in_sync(config, c, event_id="danika-may31-x")
    live = EventLookup(Lookup.LIVE, charter=c, detail="event evtdanika is live on 2026-05-31")
    for records in ([record, duplicate], [duplicate, record]):
        result = run(config, [c], records, [page],
                     lookups={"danika-may31": live, "danika-may31-x": live})
        assert list(result.desired) == ["danika-may31"]
        [second] = [d for d in result.discrepancies if d.kind == Kind.RECORD_ORPHANED]
        assert second.event_id == "danika-may31-x"
        assert "the charter of record danika-may31" in second.summary
        assert second.fix[0].params["set"] == {"status": "CANCELLED"}


@pytest.mark.parametrize(("link", "made"), [("bk-danika-4242", "bk-danika-4242"),
                                            ("../index", "danika-may31")])
def test_a_linked_charter_with_no_record_gets_it_under_its_link(
        config: Config, link: str, made: str) -> None:
    # Under the link, the record is found again wherever the event moves; a link that is
    # no plain id (a path, say) gets the id rule's.
    result = run(config, [charter(linked_event_id=link)], [], [])
    [missing] = [d for d in result.discrepancies if d.kind == Kind.RECORD_MISSING]
    assert missing.event_id == made
    assert missing.fix[0].params["item"]["calendarEventId"] == "evtdanika"


def test_two_records_following_one_postponed_event_the_second_is_reported(
        config: Config) -> None:
    moved = charter(start=datetime(2026, 7, 13, 15, 0, tzinfo=LA),
                    end=datetime(2026, 7, 13, 19, 0, tzinfo=LA))
    record, _ = in_sync(config, charter())
    duplicate, _ = in_sync(config, charter(), event_id="danika-may31-x")
    live = EventLookup(Lookup.LIVE, charter=moved, detail="event evtdanika moved")
    result = run(config, [], [record, duplicate], [],
                 lookups={"danika-may31": live, "danika-may31-x": live})
    assert list(result.desired) == ["danika-may31"]
    assert [d.event_id for d in result.discrepancies if d.kind == Kind.RECORD_ORPHANED] == [
        "danika-may31-x"]


def test_a_second_charter_of_a_linked_name_is_not_a_link_conflict(config: Config) -> None:
    # Danika's legacy record (no calendarEventId) is linked by her event; a second Danika
    # the same day has no link: the link agrees with the id rule, so she gets -2.
    first = charter(linked_event_id="danika-may31")
    second = charter(calendar_event_id="b", start=datetime(2026, 5, 31, 9, tzinfo=LA),
                     end=datetime(2026, 5, 31, 12, tzinfo=LA), captain="Marco", mate="Tess",
                     crew=())
    record, page = in_sync(config, first, calendarEventId=None)
    result = run(config, [first, second], [record], [page])
    assert not [d for d in result.discrepancies if d.kind == Kind.LINK_CONFLICT]
    assert result.desired["danika-may31"].charter.calendar_event_id == "evtdanika"
    assert "danika-may31-2" in result.desired


def test_two_events_linking_one_legacy_record_are_both_in_doubt(config: Config) -> None:
    first = charter(linked_event_id="danika-may31")
    copy = charter(calendar_event_id="copy", title="Mallory — Sail", guest_name="Mallory",
                   linked_event_id="danika-may31", start=datetime(2026, 5, 30, 9, tzinfo=LA),
                   end=datetime(2026, 5, 30, 12, tzinfo=LA))
    record, page = in_sync(config, first, calendarEventId=None, startTime="14:00")
    result = run(config, [first, copy], [record], [page])
    assert kinds(result) == {("LINK_CONFLICT", "danika-may31", "eventId")}
    assert len(result.discrepancies) == 2 and not any(d.fix for d in result.discrepancies)
    assert result.desired == {}
