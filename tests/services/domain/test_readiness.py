"""Departure readiness on literal data: every item, each way it can go, and every
"not tracked" or "not checked" case. Pure: no I/O."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.domain.config import Config, ReadinessSettings
from services.domain.models import ServedPage
from services.domain.readiness import (
    crew_confirmed,
    crew_set,
    departures,
    sent,
    unconfirmed,
    waivers,
)
from services.domain.roster import Roster
from tests.services.domain.test_reconcile import charter, in_sync, run

SUNDAY = date(2026, 5, 31)
SETTINGS = ReadinessSettings()
GENE, ANA, BO = "gene@sailjada.com", "ana@sailjada.com", "bo@sailjada.com"


def invited(**answers: str) -> dict[str, Any]:
    emails = {"gene": GENE, "ana": ANA, "bo": BO}
    return dict(attendee_emails=tuple(sorted(emails.values())),
                attendee_responses=tuple(sorted((emails[k], v) for k, v in answers.items())))


def by_name(departure: Any) -> dict[str, tuple[bool | None, str]]:
    return {i.name: (i.ok, i.detail) for i in departure.items}


def test_a_charter_with_everything_done_is_ready(config: Config) -> None:
    c = charter(**invited(gene="accepted", ana="accepted", bo="accepted"))
    record, page = in_sync(config, c, waiversSigned=12,
                           boardingEmailSentAt="2026-05-29T17:00:00Z", smsDispatched=True)
    result = run(config, [c], [record], [page])
    [departure] = departures(result=result, days=[SUNDAY], roster=Roster(config.roster),
                             settings=SETTINGS, records=[record.attributes],
                             served={"danika-may31": ServedPage(True, "Served as rendered.")})
    items = by_name(departure)
    assert departure.ready
    assert list(items) == ["crew_set", "crew_confirmed", "crew_told", "waivers",
                           "boarding_email", "crew_sms", "page_served", "in_agreement"]
    assert items["crew_set"] == (True, "Captain Gene, mate Ana, crew Bo, all in the roster.")
    assert items["waivers"] == (True, "12 of 12 guests signed.")
    # The Lambda's UTC timestamp, in the marina's time.
    assert items["boarding_email"] == (True, "Boarding e-mail sent to the guests May 29 "
                                             "10:00 PDT.")
    assert items["crew_sms"] == (True, "Crew SMS dispatched.")
    assert items["in_agreement"][0] is True
    assert departure.to_dict()["start"] == "2026-05-31T15:00:00-07:00"


def test_attributes_no_record_carries_are_not_tracked_and_do_not_block(config: Config) -> None:
    c = charter(**invited(gene="accepted", ana="accepted", bo="accepted"))
    record, page = in_sync(config, c)
    result = run(config, [c], [record], [page])
    [departure] = departures(result=result, days=[SUNDAY], roster=Roster(config.roster),
                             settings=SETTINGS, records=[record.attributes], served={})
    items = by_name(departure)
    assert items["waivers"] == (None, "Not tracked: no record carries waiversSigned.")
    assert items["boarding_email"] == (None, "Not tracked: no record carries "
                                             "boardingEmailSentAt.")
    assert items["crew_sms"] == (None, "Not tracked: no record carries smsDispatched.")
    assert items["page_served"][0] is None and "Not checked" in items["page_served"][1]
    assert departure.ready  # None is "cannot say", never "not ready"


def test_an_attribute_other_records_carry_is_not_done_when_absent(config: Config) -> None:
    c = charter(**invited(gene="accepted", ana="accepted", bo="accepted"))
    record, page = in_sync(config, c)
    other = {"eventId": "quinn-may30", "waiversSigned": ["a"], "smsDispatched": True,
             "boardingEmailSentAt": "2026-05-28T10:00:00Z"}
    result = run(config, [c], [record], [page])
    [departure] = departures(result=result, days=[SUNDAY], roster=Roster(config.roster),
                             settings=SETTINGS, records=[record.attributes, other], served={})
    items = by_name(departure)
    assert items["waivers"] == (False, "No waiver recorded (waiversSigned is not on the "
                                       "record).")
    assert items["boarding_email"] == (False, "Boarding e-mail not sent to the guests yet "
                                              "(boardingEmailSentAt is absent).")
    assert items["crew_sms"][0] is False
    assert not departure.ready


def test_a_charter_without_a_record_is_not_done_where_the_attribute_is_tracked() -> None:
    item = waivers(None, guest_count=12, attribute="waiversSigned", carried={"waiversSigned"})
    assert (item.ok, item.detail) == (False, "No DynamoDB record, so no waiver is recorded.")
    item = sent(None, name="crew_sms", attribute="smsDispatched", carried={"smsDispatched"},
                what="crew SMS", done="dispatched")
    assert item.ok is False and "No DynamoDB record" in item.detail


def test_waivers_count_a_number_or_a_list_against_the_guests() -> None:
    def check(value: Any, guests: int | None = 3) -> tuple[bool | None, str]:
        item = waivers({"w": value}, guest_count=guests, attribute="w", carried={"w"})
        return item.ok, item.detail

    assert check(3) == (True, "3 of 3 guests signed.")
    assert check(["ann", "bob"]) == (False, "2 of 3 guests signed.")
    assert check(0) == (False, "0 of 3 guests signed.")
    assert check(2, guests=None) == (
        None, "2 signed; the calendar gives no guest count to compare with.")
    assert check(True)[0] is False and "neither a count nor a list" in check(True)[1]
    assert check("lots") == (False, "w holds 'lots', neither a count nor a list of signers.")


def test_sent_reads_false_empty_and_timestamps() -> None:
    def check(value: Any) -> bool | None:
        return sent({"s": value}, name="crew_sms", attribute="s", carried={"s"},
                    what="crew SMS", done="dispatched").ok

    assert [check(v) for v in (False, "", None, True, "2026-05-30T08:00:00Z")] == [
        False, False, False, True, True]


def test_crew_set_names_what_is_missing_and_who_is_unknown(config: Config) -> None:
    roster = Roster(config.roster)
    item = crew_set(charter(mate=None, crew=("Zed",)), roster=roster, conflicts=())
    assert (item.ok, item.detail) == (False, "No mate; Zed (crew) is not in the roster.")


def test_crew_set_restates_a_double_booking(config: Config) -> None:
    c = charter(**invited(gene="accepted", ana="accepted", bo="accepted"))
    other = charter(calendar_event_id="evtpaola", title="Paola — Sail", guest_name="Paola",
                    captain="Darrell", crew=())
    record, page = in_sync(config, c)
    result = run(config, [c, other], [record], [page])
    found = {d.event_id: d for d in departures(
        result=result, days=[SUNDAY], roster=Roster(config.roster), settings=SETTINGS,
        records=[], served={})}
    for event_id in ("danika-may31", "paola-may31"):
        ok, detail = by_name(found[event_id])["crew_set"]
        assert ok is False and "Ana is on" in detail and "which overlap" in detail


def test_crew_confirmed_names_each_answer(config: Config) -> None:
    roster = Roster(config.roster)
    item = crew_confirmed(charter(**invited(gene="accepted", ana="tentative",
                                            bo="declined")), roster=roster)
    assert (item.ok, item.detail) == (False, "Ana is tentative; Bo declined.")
    assert unconfirmed(charter(**invited(gene="accepted", ana="tentative", bo="declined")),
                       roster=roster) == ("Ana", "Bo")
    assert unconfirmed(charter(), roster=roster) == ()  # nobody answered anything: unknown
    item = crew_confirmed(charter(**invited(gene="needsAction", ana="accepted",
                                            bo="accepted")), roster=roster)
    assert item.detail == "Gene has not answered the invitation (needsAction)."
    item = crew_confirmed(charter(attendee_emails=(GENE, ANA),
                                  attendee_responses=((GENE, "accepted"), (ANA, "accepted"))),
                          roster=roster)
    assert (item.ok, item.detail) == (False, "Bo is not invited.")


def test_crew_confirmed_is_not_tracked_without_invitations_or_answers(config: Config) -> None:
    roster = Roster(config.roster)
    item = crew_confirmed(charter(), roster=roster)
    assert item.ok is None and "not invited to the calendar event" in item.detail
    item = crew_confirmed(charter(attendee_emails=(ANA, BO, GENE)), roster=roster)
    assert item.ok is None and "does not say who accepted" in item.detail


def test_a_page_that_could_not_be_fetched_is_not_checked_and_does_not_block(
        config: Config) -> None:
    c = charter(**invited(gene="accepted", ana="accepted", bo="accepted"))
    record, page = in_sync(config, c)
    result = run(config, [c], [record], [page])
    [departure] = departures(
        result=result, days=[SUNDAY], roster=Roster(config.roster), settings=SETTINGS,
        records=[], served={"danika-may31": ServedPage(None, "Not checked: timed out.")})
    assert by_name(departure)["page_served"] == (None, "Not checked: timed out.")
    assert departure.ready


def test_open_discrepancies_are_not_in_agreement(config: Config) -> None:
    c = charter(**invited(gene="accepted", ana="accepted", bo="accepted"))
    record, page = in_sync(config, c, startTime="14:00")
    result = run(config, [c], [record], [page])
    [departure] = departures(result=result, days=[SUNDAY], roster=Roster(config.roster),
                             settings=SETTINGS, records=[], served={})
    assert by_name(departure)["in_agreement"] == (
        False, "1 open discrepancy: RECORD_MISMATCH startTime.")
    assert not departure.ready
    assert departure.to_dict()["ready"] is False


def test_only_the_days_asked_for_in_order(config: Config) -> None:
    sunday = charter()
    monday = charter(calendar_event_id="evtm", title="Mo — Sail", guest_name="Mo",
                     start=charter().start.replace(day=1, month=6),
                     end=charter().end.replace(day=1, month=6))
    result = run(config, [monday, sunday], [], [])
    found = departures(result=result, days=[SUNDAY], roster=Roster(config.roster),
                       settings=SETTINGS, records=[], served={})
    assert [d.event_id for d in found] == ["danika-may31"]
    both = departures(result=result, days=[SUNDAY, date(2026, 6, 1)],
                      roster=Roster(config.roster), settings=SETTINGS, records=[], served={})
    assert [d.charter.guest_name for d in both] == ["Danika", "Mo"]
