"""A person's swap or time change (services/usecases/change_request.py) carried out by the
durable change service on the fakes: what each system ends holding, who is told, and what
bad input and someone else's edit leave untouched."""

from __future__ import annotations

import pytest

from common.errors import ConflictError, InputError
from services.domain.change.plan import ChangePlan
from services.domain.pages.reading import read_page_fields
from services.usecases.change_request import ChangeRequest, carry_out, plan_change
from store.audit import CONFLICT
from tests.services.unit.conftest import NOW, TODAY, World, nothing_written

DANIKA, EVENT, PAGE = "danika-may31", "evtdanika", "charters/guests/danika-guest.html"


def ask(world: World, kind: str, *words: str, event: str = "danika"):  # type: ignore[no-untyped-def]
    return carry_out(service=world.service, read=world.read,
                     request=ChangeRequest(kind=kind, charter=event, words=words),
                     config=world.config, today=TODAY, requested_by="U0MARCO", source="cli",
                     now=NOW)


def plan(world: World, kind: str, *words: str) -> ChangePlan:
    return plan_change(world.read(), ChangeRequest(kind=kind, charter=DANIKA, words=words),
                       config=world.config, today=TODAY, now=NOW).plan


def test_a_swap_reaches_the_calendar_the_record_and_the_page_and_tells_each_person_once(
        world: World) -> None:
    outcome = ask(world, "swap", "mate", "Tess")

    assert outcome.done, outcome.error
    event = world.api.events[EVENT]
    assert "Mate: Tess" in event["description"]
    assert sorted(a["email"] for a in event["attendees"]) == [
        "bo@sailjada.com", "gene@sailjada.com", "tess@sailjada.com"]
    assert world.records.items[DANIKA]["mate"] == "Tess"
    assert world.records.items[DANIKA]["waiverCount"] == 0  # the Lambdas' attributes stay
    assert "Mate: Tess" in read_page_fields(world.pages.html[PAGE])["crew"]
    [invalidation] = world.cdn.invalidations
    assert invalidation.paths == ("/" + PAGE,)
    assert invalidation.caller_reference == f"charter-ops-change-{outcome.change_id}"
    assert [who for who, _ in world.sender.sent] == ["U0TESS", "U0ANA"]
    assert outcome.news == "Told by direct message: Tess, Ana"

    # The same words again: the same outcome, nothing written twice, nobody told twice.
    before = world.writes()
    again = ask(world, "swap", "mate", "Tess")
    assert again.repeated and again.change_id == outcome.change_id
    assert {k: v for k, v in world.writes().items() if k != "audit rows"} == {
        k: v for k, v in before.items() if k != "audit rows"}


def test_a_time_change_moves_the_event_the_record_and_the_page(world: World) -> None:
    outcome = ask(world, "time", "16:00-20:00")

    assert outcome.done, outcome.error
    event = world.api.events[EVENT]
    assert event["start"]["dateTime"].startswith("2026-05-31T16:00")
    assert event["end"]["dateTime"].startswith("2026-05-31T20:00")
    record = world.records.items[DANIKA]
    assert (record["startTime"], record["endTime"]) == ("16:00", "20:00")
    assert read_page_fields(world.pages.html[PAGE])["arrival"] == "4:00–8:00 PM"
    assert [i.paths for i in world.cdn.invalidations] == [("/" + PAGE,)]


@pytest.mark.parametrize(("kind", "words", "said"), [
    ("swap", ("mate", "Zed"), "Zed"),
    ("time", ("17:00-15:00",), "before"),
])
def test_bad_input_is_refused_and_nothing_is_written_anywhere(
        world: World, kind: str, words: tuple[str, ...], said: str) -> None:
    with pytest.raises(InputError, match=said):
        ask(world, kind, *words)
    with pytest.raises(InputError, match=said):
        plan(world, kind, *words)
    assert world.writes() == nothing_written()


def test_an_edit_after_planning_stops_the_change_as_a_conflict_and_nothing_else_is_written(
        world: World) -> None:
    planned = plan(world, "swap", "mate", "Tess")
    # The operator retitles the event in Google Calendar before the confirm lands.
    world.api.edit(EVENT, {"summary": "Danika — Afternoon Sail (deposit paid)"})
    edited = dict(world.api.events[EVENT])

    outcome = world.service.apply(planned, requested_by="U0MARCO", source="cli")

    assert outcome.status == CONFLICT
    assert "edited after this change was planned" in (outcome.error or "")
    assert world.api.events[EVENT] == edited  # their edit stands, ours did not land
    writes = world.writes()
    assert {k: v for k, v in writes.items() if k != "audit rows"} == {
        "calendar": 0, "records": 0, "pages": 0, "cdn": 0, "messages": 0}
    assert world.records.items[DANIKA]["mate"] == "Angelia"


def test_the_fake_calendar_refuses_a_stale_etag_as_the_adapter_does(world: World) -> None:
    stale = world.api.get_event(EVENT)["etag"]
    world.api.edit(EVENT, {"location": "Dock C"})
    with pytest.raises(ConflictError, match="edited meanwhile"):
        world.api.patch_event(EVENT, {"summary": "x"}, etag=stale)
    assert world.api.events[EVENT]["location"] == "Dock C"
