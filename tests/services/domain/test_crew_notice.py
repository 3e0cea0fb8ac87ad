"""Who a fix tells, and what: people compared as the roster knows them, a role change said
as one, one message per person per change. Pure, on literal data."""

from __future__ import annotations

from services.domain.change.crew_notice import Notice, fix_notices, one_per_person, with_event
from services.domain.config import Config
from services.domain.roster import Roster
from tests.services.domain.test_reconcile import charter


def told(config: Config, before: dict, after: dict, **calendar: object) -> dict[str, str]:
    notices = fix_notices(charter=charter(**calendar), before=before, after=after,
                          roster=Roster(config.roster))
    return {n.name: n.text for n in notices}


def test_the_mate_the_records_named_is_off_and_the_calendars_is_on(config: Config) -> None:
    assert told(config, {"mate": "Angelia"}, {"mate": "Ana"}) == {
        "Ana": "You're on Danika's charter on Sun May 31, 15:00–19:00, as mate, at Harbor "
               "Island West Marina, Dock B. Also aboard: captain Gene, crew Bo.",
        "Angelia": "You're no longer on Danika's charter on Sun May 31, 15:00–19:00 (mate)."}


def test_a_name_spelled_another_way_is_no_change_and_tells_nobody(config: Config) -> None:
    assert told(config, {"captain": "gene "}, {"captain": "Gene"}) == {}


def test_a_role_change_aboard_is_said_as_one_not_as_leaving(config: Config) -> None:
    # The records had Bo as mate and Ana as crew; the calendar has them the other way.
    notices = told(config, {"mate": "Bo", "crew": ["Ana"]}, {"mate": "Ana", "crew": ["Bo"]})
    assert notices == {
        "Ana": "On Danika's charter on Sun May 31, 15:00–19:00 you're now mate (was crew).",
        "Bo": "On Danika's charter on Sun May 31, 15:00–19:00 you're now crew (was mate)."}


def test_two_charters_in_one_fix_make_one_message_per_person(config: Config) -> None:
    gene = Notice("Gene", "U0GENE", "First.")
    merged = one_per_person([*with_event([gene], "a"), *with_event([gene], "b"),
                             Notice("Ana", "U0ANA", "Other.")])
    assert [(n.name, n.text, n.event_id) for n in merged] == [
        ("Gene", "First.\nFirst.", None), ("Ana", "Other.", None)]


def test_a_name_the_roster_does_not_know_is_marked_so(config: Config) -> None:
    [zed] = [n for n in fix_notices(charter=charter(), before={"mate": "Zed"},
                                    after={"mate": "Ana"}, roster=Roster(config.roster))
             if n.name == "Zed"]
    assert (zed.slack_id, zed.in_roster) == (None, False)
    assert Notice.from_dict(zed.to_dict()) == zed


def test_a_charter_moved_to_another_boat_tells_everyone_aboard_which(config: Config) -> None:
    boat = "Danika's charter on Sun May 31, 15:00–19:00 is now aboard Sea Wolf (was Queen of " \
           "San Diego)."
    assert told(config, {"vessel": "Queen of San Diego"}, {"vessel": "Sea Wolf"}) == {
        "Gene": boat, "Ana": boat, "Bo": boat}
    # A record from before boats were written gets its boat set: nobody is told anything.
    assert told(config, {"vessel": None}, {"vessel": "Queen of San Diego"}) == {}
