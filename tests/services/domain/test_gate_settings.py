"""The crew gate's keys in app.yaml: the defaults, and each bad value refused at load with
the key that holds it (as parse_config says it to the operator)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import yaml

from bot.config import parse_config
from common.errors import ConfigError
from services.domain.credentials import DEFAULT_ENDORSEMENTS, DEFAULT_KINDS
from tests.services.domain.test_crew_gate import config_with, settings


def refused(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    return str(caught.value)


def with_crew(*credentials: dict[str, Any], **top: Any) -> str:
    data = yaml.safe_load(settings(**top))
    data["crew"] = [{"name": "Gene", "roles": ["captain"], "credentials": list(credentials)}]
    return yaml.safe_dump(data)


def test_the_defaults() -> None:
    config = config_with({})
    assert config.credential_kinds == DEFAULT_KINDS == (
        "mmc", "medical", "drug_program", "twic", "first_aid")
    assert config.endorsements == DEFAULT_ENDORSEMENTS == (
        "oupv", "master_25", "master_50", "master_100")
    assert config.crew_gate.warn_days == 60
    rules = config.vessel_of("anything")
    assert rules is not None
    assert rules.required_of("captain") == ("drug_program", "mmc", "medical")
    assert rules.required_of("mate") == rules.required_of("crew") == ("drug_program",)
    assert rules.min_crew.needed(100) == {"captain": 1, "mate": 0, "crew": 0}
    assert (rules.inspected, rules.max_passengers, rules.captain_endorsement) == (
        False, 6, None)


def test_a_requires_key_left_out_keeps_its_default_and_an_empty_one_asks_nothing() -> None:
    rules = config_with({"requires": {"mate": ["first_aid"], "captain": []}}).vessel_of("")
    assert rules is not None
    assert rules.required_of("mate") == ("drug_program", "first_aid")
    assert rules.required_of("captain") == ("drug_program",)


def test_a_credential_reads_a_quoted_date_and_a_number_of_digits() -> None:
    config = parse_config(with_crew({"kind": "medical", "expires": "2027-03-01",
                                     "number": 123456}))
    medical = config.roster[0].credentials[0]
    assert (medical.expires, medical.number) == (date(2027, 3, 1), "123456")


@pytest.mark.parametrize(("entry", "message"), [
    ({"kind": "mcc", "expires": "2027-03-01"},
     "app.yaml: crew[0].credentials[0].kind: 'mcc' is not a credential kind; the kinds "
     "(credential_kinds): mmc, medical, drug_program, twic, first_aid"),
    ({"kind": "mmc", "expires": "2027-02-30"},
     "app.yaml: crew.0.credentials.0.expires: '2027-02-30' is not a date like 2027-03-01"),
    ({"kind": "mmc", "expires": "next spring"},
     "app.yaml: crew.0.credentials.0.expires: 'next spring' is not a date like 2027-03-01"),
    ({"kind": "mmc", "expires": 1767225600},
     "app.yaml: crew.0.credentials.0.expires: '1767225600' is not a date like 2027-03-01"),
    ({"kind": "mmc"}, "app.yaml: crew.0.credentials.0.expires: Field required"),
    ({"kind": "mmc", "expires": "2027-03-01", "endorsement": "master_500"},
     "app.yaml: crew[0].credentials[0].endorsement: 'master_500' is not an endorsement; "
     "the endorsements (endorsements, least to most): oupv, master_25, master_50, "
     "master_100"),
    ({"kind": "medical", "expires": "2027-03-01", "endorsement": "oupv"},
     "app.yaml: crew.0.credentials.0: endorsement 'oupv' on a medical: only an mmc "
     "carries an endorsement"),
    ({"kind": "mmc", "expires": "2027-03-01", "expiry": "2027-03-01"},
     "app.yaml: crew.0.credentials.0.expiry: unknown key"),
])
def test_a_bad_credentials_entry_is_refused_naming_the_key(entry: dict[str, Any],
                                                          message: str) -> None:
    assert message in refused(with_crew(entry))


@pytest.mark.parametrize(("vessel", "message"), [
    ({"min_crew": {"deckhand": 2}},
     "app.yaml: calendar.vessel.min_crew: unknown role deckhand; the roles: captain, mate, "
     "crew (and over)"),
    ({"min_crew": {"over": {20: {"deckhands": 2}}}},
     "app.yaml: calendar.vessel.min_crew.over.20: unknown role deckhands; the roles: "
     "captain, mate, crew"),
    ({"min_crew": {"over": {"lots": {"crew": 2}}}},
     "app.yaml: calendar.vessel.min_crew.over: 'lots' is not a guest count"),
    ({"min_crew": {"crew": "yes"}}, "app.yaml: calendar.vessel.min_crew.crew: Input should "
                                    "be a valid integer"),
    ({"requires": {"skipper": ["mmc"]}},
     "app.yaml: calendar.vessel.requires: unknown role skipper; the roles: captain, mate, "
     "crew (and all)"),
    ({"requires": {"all": ["drug_test"]}},
     "app.yaml: calendar.vessel.requires.all[0]: 'drug_test' is not a credential kind"),
    ({"captain_endorsement": "master_60"},
     "app.yaml: calendar.vessel.captain_endorsement: 'master_60' is not an endorsement"),
    ({"inspected": True},
     "app.yaml: calendar.vessel: an inspected vessel needs max_passengers (its Certificate "
     "of Inspection sets it)"),
    ({"max_passengers": 0}, "app.yaml: calendar.vessel.max_passengers: Input should be "
                            "greater than or equal to 1"),
])
def test_a_bad_vessel_is_refused_naming_the_key(vessel: dict[str, Any], message: str) -> None:
    assert message in refused(settings(vessel=vessel))


def test_the_operators_lists_are_checked_and_then_used() -> None:
    assert "app.yaml: credential_kinds: 'Boat Card' is not a credential kind name" in \
        refused(settings(credential_kinds=["mmc", "Boat Card"]))
    assert "app.yaml: endorsements: oupv listed twice" in refused(
        settings(endorsements=["oupv", "master_25", "oupv"]))
    # A kind the operator dropped is refused where a vessel still asks for it.
    assert ("app.yaml: calendar.vessel.requires.all[0]: 'drug_program' is not a credential "
            "kind; the kinds (credential_kinds): mmc, medical") in refused(
        with_crew({"kind": "mmc", "expires": "2027-01-01"}, vessel={},
                  credential_kinds=["mmc", "medical"]))
    config = parse_config(with_crew({"kind": "boat_card", "expires": "2027-01-01"},
                                    credential_kinds=["mmc", "medical", "drug_program",
                                                      "boat_card"]))
    assert config.roster[0].credentials[0].kind == "boat_card"


def test_one_boats_vessel_beside_a_fleet_is_refused() -> None:
    data = yaml.safe_load(settings(vessel={}))
    data["calendars"] = [{"name": "Jada", "id": "jada@cal"}]
    data["calendar"] = {"vessel": {}}
    assert "app.yaml: calendar.vessel: set beside calendars; give each boat's vessel " \
        "under its calendars entry" in refused(yaml.safe_dump(data))
    data["calendar"] = {}
    data["calendars"][0]["vessel"] = {"captain_endorsement": "bosun"}
    assert "app.yaml: calendars[0].vessel.captain_endorsement: 'bosun' is not an " \
        "endorsement" in refused(yaml.safe_dump(data))


def test_crew_gate_warn_days() -> None:
    assert config_with(crew_gate={"warn_days": 120}).crew_gate.warn_days == 120
    assert "app.yaml: crew_gate.warn_days: Input should be greater than or equal to 1" in \
        refused(settings(crew_gate={"warn_days": 0}))
