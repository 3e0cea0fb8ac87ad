"""The crew gate's rules, on literal data: app.yaml's credentials and vessel read as the
operator writes them, charters built by hand, each reason as a person reads it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.config import parse_config
from services.domain.config import Config
from services.domain.credentials import MinCrew, VesselRules
from services.domain.crew_gate import Code, Verdict, expiring, judge, state
from services.domain.models import Charter, Kind
from services.domain.reconcile.gate import gate_discrepancies
from services.domain.roster import Roster
from tests.services.domain.test_reconcile import charter

LA = ZoneInfo("America/Los_Angeles")
GENE_MMC = "MMC-000123456"
ROSTER = [
    {"name": "Gene", "roles": ["captain"], "credentials": [
        {"kind": "mmc", "expires": date(2026, 6, 2), "endorsement": "oupv",
         "number": GENE_MMC},
        {"kind": "medical", "expires": date(2027, 1, 1)},
        {"kind": "drug_program", "expires": date(2026, 12, 31), "number": "DP-77"}]},
    {"name": "Marco", "roles": ["captain", "mate"], "credentials": [
        {"kind": "mmc", "expires": date(2028, 3, 1), "endorsement": "master_50"},
        {"kind": "medical", "expires": date(2027, 6, 1)},
        {"kind": "drug_program", "expires": date(2026, 12, 31)}]},
    {"name": "Ana", "roles": ["mate"], "credentials": []},
    {"name": "Bo", "roles": ["crew"], "credentials": [
        {"kind": "drug_program", "expires": date(2026, 12, 31)}]},
    {"name": "Tess", "roles": ["crew"], "credentials": [
        {"kind": "drug_program", "expires": date(2026, 12, 31)}]},
]


def settings(*, vessel: dict[str, Any] | None = None, **top: Any) -> str:
    calendar: dict[str, Any] = {"id": "jada@group.calendar.google.com"}
    if vessel is not None:
        calendar["vessel"] = vessel
    return yaml.safe_dump({
        "calendar": calendar, "crew": ROSTER,
        "pages": {"bucket": "bkt", "distribution_id": "d", "base_url": "https://a.b",
                  "waiver_url": "https://a.b/w"}, **top}, sort_keys=False)


def config_with(vessel: dict[str, Any] | None = None, **top: Any) -> Config:
    return parse_config(settings(vessel=vessel, **top))


def on(day: date, **changes: Any) -> Charter:
    """The seed's Danika charter (Gene, Ana, Bo, 12 guests) on ``day``."""
    return charter(start=datetime(day.year, day.month, day.day, 15, tzinfo=LA),
                   end=datetime(day.year, day.month, day.day, 19, tzinfo=LA), **changes)


def verdict(config: Config, c: Charter) -> Verdict:
    return judge(c, vessel=config.vessel_of(c.vessel), roster=Roster(config.roster))


def reasons(config: Config, c: Charter) -> list[str]:
    return [r.text for r in verdict(config, c).reasons]


# Every person requires only what the rule under test asks, unless the test says more.
NOTHING = {"requires": {"all": [], "captain": []}, "max_passengers": 50}


def test_no_vessel_anywhere_checks_nothing() -> None:
    config = config_with()
    assert config.vessels == {}
    found = verdict(config, on(date(2026, 6, 14), captain="Nobody", guest_count=400))
    assert found.passed and not found.gated
    assert gate_discrepancies("danika-jun14", found) == ()


def test_a_credential_valid_today_but_expired_on_the_charters_day_fails_that_charter() -> None:
    config = config_with({"max_passengers": 50})
    # Gene's MMC runs through Jun 2: his charter on that day sails, the one on Jun 14 not.
    assert reasons(config, on(date(2026, 6, 2), mate="Marco")) == []
    assert reasons(config, on(date(2026, 6, 14), mate="Marco")) == [
        "Gene's MMC expired on Jun 2; the charter is Jun 14"]
    found = verdict(config, on(date(2026, 6, 14), mate="Marco")).reasons[0]
    assert (found.code, found.person, found.role, found.kind) == (
        Code.CREDENTIAL_EXPIRED, "Gene", "captain", "mmc")


def test_every_person_aboard_holds_what_the_boat_requires_of_all() -> None:
    config = config_with({"max_passengers": 50})
    assert reasons(config, on(date(2026, 5, 31))) == [
        "Ana holds no drug-testing program enrolment"]
    assert verdict(config, on(date(2026, 5, 31))).reasons[0].code == Code.CREDENTIAL_MISSING


def test_the_captain_holds_a_valid_mmc_and_medical_by_default() -> None:
    config = config_with({**NOTHING, "requires": {"all": []}})  # captain: the default
    assert reasons(config, on(date(2026, 6, 1), captain="Ana")) == [
        "Ana holds no MMC", "Ana holds no medical certificate"]
    assert reasons(config, on(date(2026, 6, 1), captain="Gene")) == []
    # The same person as a mate is asked for neither.
    assert reasons(config, on(date(2026, 6, 1), captain="Marco", mate="Ana")) == []


def test_a_renewed_credential_beside_the_old_one_is_valid() -> None:
    renewed = [{**ROSTER[0], "credentials": [
        *ROSTER[0]["credentials"],
        {"kind": "mmc", "expires": date(2031, 6, 1), "endorsement": "oupv"}]}, *ROSTER[1:]]
    config = parse_config(yaml.safe_dump(
        {**yaml.safe_load(settings(vessel={"max_passengers": 50})), "crew": renewed}))
    assert reasons(config, on(date(2026, 6, 14), mate="Marco")) == []


@pytest.mark.parametrize(("needed", "captain", "expected"), [
    ("oupv", "Gene", []),
    ("master_25", "Gene", ["Gene's MMC endorsement is OUPV; the boat needs Master 25"]),
    ("master_50", "Marco", []),
    ("master_100", "Marco",
     ["Marco's MMC endorsement is Master 50; the boat needs Master 100"]),
])
def test_the_captains_endorsement_is_at_least_the_boats_in_the_operators_order(
        needed: str, captain: str, expected: list[str]) -> None:
    config = config_with({**NOTHING, "captain_endorsement": needed})
    found = verdict(config, on(date(2026, 6, 1), captain=captain, mate="Bo"))
    assert [r.text for r in found.reasons] == expected
    assert all(r.code == Code.ENDORSEMENT_TOO_LOW for r in found.reasons)


def test_the_operators_own_order_of_endorsements_is_the_one_read() -> None:
    # An operator who ranks master_50 below oupv (their own list) is taken at their word.
    config = config_with({**NOTHING, "captain_endorsement": "oupv"},
                         endorsements=["master_25", "master_50", "oupv", "master_100"])
    assert reasons(config, on(date(2026, 6, 1), captain="Marco", mate="Bo")) == [
        "Marco's MMC endorsement is Master 50; the boat needs OUPV"]


def test_an_expired_mmc_is_said_once_not_again_as_its_endorsement() -> None:
    config = config_with({**NOTHING, "captain_endorsement": "oupv"})
    found = verdict(config, on(date(2026, 6, 14), captain="Gene", mate="Bo"))
    assert [(r.code, r.text) for r in found.reasons] == [
        (Code.CREDENTIAL_EXPIRED, "Gene's MMC expired on Jun 2; the charter is Jun 14")]


@pytest.mark.parametrize(("guests", "crew", "expected"), [
    (20, ("Bo",), []),
    (21, ("Bo",), ["the boat needs 2 deckhands for 21 guests; 1 is aboard"]),
    (25, ("Bo",), ["the boat needs 2 deckhands for 25 guests; 1 is aboard"]),
    (25, ("Bo", "Tess"), []),
    (41, ("Bo", "Tess"), ["the boat needs 3 deckhands for 41 guests; 2 are aboard",
                          "the boat needs a mate for 41 guests; none is aboard"]),
    (None, (), ["the boat needs a deckhand; none is aboard"]),
])
def test_min_crew_by_guest_count(guests: int | None, crew: tuple[str, ...],
                                 expected: list[str]) -> None:
    config = config_with({**NOTHING, "min_crew": {
        "captain": 1, "mate": 0, "crew": 1,
        "over": {20: {"crew": 2}, 40: {"crew": 3, "mate": 1}}}})
    found = verdict(config, on(date(2026, 6, 1), mate=None, crew=crew, guest_count=guests))
    assert sorted(r.text for r in found.reasons) == sorted(expected)
    assert all(r.code == Code.UNDERMANNED for r in found.reasons)


def test_a_charter_without_a_captain_is_undermanned() -> None:
    config = config_with(NOTHING)
    assert reasons(config, on(date(2026, 6, 1), captain=None)) == [
        "the boat needs a captain; none is aboard"]


def test_more_guests_than_the_boat_carries_fails_and_a_six_pack_carries_six() -> None:
    six_pack = config_with({"requires": {"all": [], "captain": []}})
    assert six_pack.vessel_of("").max_passengers == 6  # type: ignore[union-attr]
    assert reasons(six_pack, on(date(2026, 6, 1), guest_count=6)) == []
    found = verdict(six_pack, on(date(2026, 6, 1), guest_count=8))
    assert [(r.code, r.text) for r in found.reasons] == [
        (Code.OVER_CAPACITY, "8 guests booked, the boat carries 6")]
    inspected = config_with({"inspected": True, "max_passengers": 49,
                             "requires": {"all": [], "captain": []}})
    assert reasons(inspected, on(date(2026, 6, 1), guest_count=49)) == []
    assert reasons(inspected, on(date(2026, 6, 1), guest_count=50)) == [
        "50 guests booked, the boat carries 49"]


def test_a_person_not_in_the_roster_holds_nothing() -> None:
    config = config_with({"max_passengers": 50})
    found = verdict(config, on(date(2026, 6, 1), captain="Marco", mate="Bo", crew=("Zed",)))
    assert [(r.code, r.text) for r in found.reasons] == [
        (Code.NOT_IN_ROSTER, "Zed is not in the roster: no credentials on file")]


def test_a_fleet_gates_only_the_boats_with_a_vessel() -> None:
    base = yaml.safe_load(settings())
    del base["calendar"]
    base["calendars"] = [
        {"name": "Jada", "id": "jada@cal", "vessel": {"max_passengers": 6}},
        {"name": "Rum Runner", "id": "rum@cal"}]
    config = parse_config(yaml.safe_dump(base))
    assert set(config.vessels) == {"Jada"}
    crowded = on(date(2026, 6, 1), guest_count=30)
    assert "30 guests booked, the boat carries 6" in reasons(
        config, Charter(**{**_fields(crowded), "vessel": "jada"}))
    assert verdict(config, Charter(**{**_fields(crowded), "vessel": "Rum Runner"})).passed


def _fields(c: Charter) -> dict[str, Any]:
    return {name: getattr(c, name) for name in Charter.__slots__}  # type: ignore[attr-defined]


def test_no_credential_number_is_ever_in_a_reason_or_a_discrepancy() -> None:
    config = config_with({"inspected": True, "max_passengers": 6,
                          "captain_endorsement": "master_100",
                          "min_crew": {"crew": 3}, "requires": {"all": ["drug_program",
                                                                         "twic"]}})
    found = verdict(config, on(date(2026, 6, 1), guest_count=9))
    assert len(found.reasons) >= 5
    shown = " ".join([repr(found), *(repr(d.to_dict()) for d in
                                     gate_discrepancies("danika-jun1", found))])
    assert GENE_MMC not in shown and "DP-77" not in shown
    # A logged roster or settings object does not carry it either.
    assert GENE_MMC not in repr(config.roster) and GENE_MMC not in repr(config)
    assert config.roster[0].credentials[0].number == GENE_MMC  # yet it is kept


def test_the_two_kinds_have_stable_ids_that_follow_the_reasons() -> None:
    config = config_with({"max_passengers": 6})
    crowded = on(date(2026, 6, 14), guest_count=8)
    first = gate_discrepancies("danika-jun14", verdict(config, crowded), title="Danika")
    again = gate_discrepancies("danika-jun14", verdict(config, crowded), title="Danika")
    assert [d.kind for d in first] == [Kind.CREW_NOT_QUALIFIED, Kind.OVER_CAPACITY]
    assert [d.id for d in first] == [d.id for d in again]
    assert first[0].id.startswith("danika-jun14:crew-not-qualified:")
    assert first[1].to_dict() | {"id": ""} == {
        "id": "", "kind": "OVER_CAPACITY", "event_id": "danika-jun14", "system": "calendar",
        "field": None, "expected": 6, "actual": 8, "severity": "high", "fix": [],
        "summary": "'Danika' is over capacity: 8 guests booked, the boat carries 6."}
    assert first[0].actual == ["Gene's MMC expired on Jun 2; the charter is Jun 14",
                               "Ana holds no drug-testing program enrolment"]
    assert first[0].fix == ()
    fixed = gate_discrepancies("danika-jun14", verdict(config, on(
        date(2026, 6, 14), guest_count=8, captain="Marco", mate="Bo")))
    assert [d.kind for d in fixed] == [Kind.OVER_CAPACITY]
    assert fixed[0].id == first[1].id
    assert gate_discrepancies("danika-jun14", verdict(config, on(
        date(2026, 6, 14), guest_count=6, captain="Marco", mate="Bo"))) == ()


def test_expiring_lists_credentials_within_warn_days_with_the_departures_they_fail() -> None:
    config = config_with({"max_passengers": 50})
    roster = Roster(config.roster)
    charters = [on(date(2026, 6, 1), calendar_event_id="a"),
                on(date(2026, 6, 2), calendar_event_id="b"),
                on(date(2026, 6, 14), calendar_event_id="c"),
                on(date(2026, 6, 20), calendar_event_id="d", captain="Marco")]
    found = expiring(roster, charters, today=date(2026, 5, 20), warn_days=60,
                     vessel_of=lambda c: config.vessel_of(c.vessel))
    assert [(e.person, e.kind, e.expires, e.days_left) for e in found] == [
        ("Gene", "mmc", date(2026, 6, 2), 13)]
    assert [c.calendar_event_id for c in found[0].departures] == ["c"]
    assert found[0].text == ("Gene's MMC expires on Jun 2, in 13 days; 1 departure "
                             "after it")
    assert GENE_MMC not in repr(found)
    # Dec 31 is 225 days on: the drug programs are within 225 days, Gene's medical
    # (Jan 1) is not.
    later = expiring(roster, charters, today=date(2026, 5, 20), warn_days=225,
                     vessel_of=lambda c: config.vessel_of(c.vessel))
    assert [(e.person, e.kind) for e in later] == [
        ("Gene", "mmc"), ("Bo", "drug_program"), ("Gene", "drug_program"),
        ("Marco", "drug_program"), ("Tess", "drug_program")]
    # An expiry already past is not "expiring"; nor is anything on an ungated fleet.
    assert expiring(roster, charters, today=date(2026, 6, 3), warn_days=13,
                    vessel_of=lambda c: None) == ()


def test_a_credential_state_for_the_crew_view() -> None:
    mmc = Roster(config_with().roster).find("Gene").credentials[0]  # type: ignore[union-attr]
    assert state(mmc, today=date(2026, 3, 1), warn_days=60) == ("valid", 93)
    assert state(mmc, today=date(2026, 5, 1), warn_days=60) == ("expiring", 32)
    assert state(mmc, today=date(2026, 6, 2), warn_days=60) == ("expiring", 0)
    assert state(mmc, today=date(2026, 6, 3), warn_days=60) == ("expired", -1)


def test_rules_built_by_hand_read_the_same() -> None:
    rules = VesselRules(max_passengers=6, min_crew=MinCrew({"captain": 1}),
                        requires_all=(), requires_by_role={})
    assert judge(on(date(2026, 6, 1), guest_count=7), vessel=rules,
                 roster=Roster(())).reasons[-1].text == "7 guests booked, the boat carries 6"
