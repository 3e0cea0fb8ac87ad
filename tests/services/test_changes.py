"""Durable changes against moto's server and the calendar emulator: crashes at every step
boundary, conflicts, repeated requests, and bad input that changes nothing."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.sandbox import Sandbox
from bot.wiring import build_systems
from common.errors import InputError, UnknownCharterError
from services.changes import LEASE_TTL, ChangeService
from services.domain.change.plan import ChangePlan, plan_swap, plan_time
from services.domain.pages.reading import read_page_fields
from services.domain.pages.rendering import PageRenderer
from services.reconciling import Systems, run_reconcile
from store.audit import AuditLog
from store.database import open_engine, session_factory
from tests.conftest import SEED_WINDOW

CAL = "jada-internal@group.calendar.google.com"
TABLE = "jada-charter-events"


class SimulatedCrash(BaseException):
    """A kill -9 between two steps: nothing after it runs, no handler sees it."""


def world(box: Sandbox, tmp_path: Path, *,
          later: timedelta = timedelta(0)) -> tuple[Systems, AuditLog]:
    """The systems and the audit log as a process sees them, ``later`` from now."""
    audit = AuditLog(session_factory(open_engine(f"sqlite:///{tmp_path / 'audit.sqlite3'}")),
                     clock=lambda: datetime.now(UTC) + later)
    return build_systems(box.config, box.env), audit


def charters(box: Sandbox, systems: Systems) -> dict[str, Any]:
    result = run_reconcile(systems, box.config, window=SEED_WINDOW, now=datetime.now(UTC),
                           renderer=PageRenderer())
    return dict(result.desired)


def swap_plan(box: Sandbox, systems: Systems, event: str = "danika", role: str = "mate",
              person: str = "Tess") -> ChangePlan:
    return plan_swap(charters=charters(box, systems), event=event, role_or_person=role,
                     new_person=person, config=box.config, today=SEED_WINDOW.start)


def state(box: Sandbox) -> dict[str, Any]:
    """What a person would see in the four systems for Danika."""
    event = box.emulator.get_event(CAL, "evtdanika") or {}
    item = box.client("dynamodb").get_item(TableName=TABLE,
                                           Key={"eventId": {"S": "danika-may31"}})["Item"]
    html = box.client("s3").get_object(Bucket="sailjada-public",
                                       Key="charters/guests/danika-guest.html")["Body"].read()
    cloudfront = box.client("cloudfront")
    distribution = box.config.pages.distribution_id
    batches = sorted(
        tuple(cloudfront.get_invalidation(DistributionId=distribution, Id=i["Id"])[
            "Invalidation"]["InvalidationBatch"]["Paths"]["Items"])
        for i in cloudfront.list_invalidations(DistributionId=distribution)[
            "InvalidationList"].get("Items", []))
    return {
        "description": event.get("description"),
        "attendees": sorted(a["email"] for a in event.get("attendees", [])),
        "record": {k: item.get(k) for k in ("mate", "captain", "status", "calendarEventId")},
        "page": read_page_fields(html.decode()),
        "invalidations": batches,
    }


def writes(box: Sandbox, aws_calls: Counter[str]) -> dict[str, int]:
    return {
        "calendar PATCH": sum(1 for m, _ in box.emulator.requests if m == "PATCH"),
        "UpdateItem": aws_calls["UpdateItem"], "PutItem": aws_calls["PutItem"],
        "PutObject": aws_calls["PutObject"],
        "CreateInvalidation": aws_calls["CreateInvalidation"],
    }


ONCE = {"calendar PATCH": 1, "UpdateItem": 1, "PutItem": 0, "PutObject": 1,
        "CreateInvalidation": 1}


def test_a_swap_reaches_all_four_systems_in_order(seeded: Sandbox, tmp_path: Path,
                                                  aws_calls: Counter[str]) -> None:
    systems, audit = world(seeded, tmp_path)
    outcome = ChangeService(systems=systems, config=seeded.config, audit=audit).apply(
        swap_plan(seeded, systems), requested_by="U0GENE", source="slash")
    assert outcome.status == "done"
    assert [s.system for s in outcome.steps] == ["calendar", "dynamodb", "page", "cdn"]
    after = state(seeded)
    assert "Mate: Tess" in after["description"] and "Angelia" not in after["description"]
    assert "tess@sailjada.com" in after["attendees"]
    assert "ana@sailjada.com" not in after["attendees"]
    assert after["record"]["mate"] == {"S": "Tess"}
    assert after["record"]["calendarEventId"] == {"S": "evtdanika"}
    assert "Mate: Tess" in after["page"]["crew"]
    assert ("/charters/guests/danika-guest.html",) in after["invalidations"]
    assert writes(seeded, aws_calls) == ONCE
    [change] = audit.recent()
    assert (change.kind, change.requested_by, change.source, change.status) == (
        "swap", "U0GENE", "slash", "done")
    assert change.steps[1].before == {"mate": "Angelia", "status": "CREW_ASSIGNED",
                                      "calendarEventId": None, "captain": "Gene",
                                      "crew": ["Bo"]}


@pytest.mark.parametrize("crash_after", [1, 2, 3, 4])
def test_a_crash_after_any_step_is_finished_on_restart_without_repeating_a_write(
        seeded: Sandbox, tmp_path: Path, aws_calls: Counter[str], crash_after: int) -> None:
    systems, audit = world(seeded, tmp_path)
    plan = swap_plan(seeded, systems)

    def crash(seq: int, system: str) -> None:
        if seq == crash_after:
            raise SimulatedCrash(system)

    with pytest.raises(SimulatedCrash):
        ChangeService(systems=systems, config=seeded.config, audit=audit, fault=crash).apply(
            plan, requested_by="U0GENE", source="slash")
    [stuck] = audit.unfinished()
    assert [s.status for s in stuck.steps][crash_after - 1:] == ["pending"] * (5 - crash_after)

    # A new process, once the dead one's lease has run out (a crash in another process
    # is taken over at once: see test_change_faults).
    restarted_systems, restarted_audit = world(seeded, tmp_path, later=LEASE_TTL)
    [outcome] = ChangeService(systems=restarted_systems, config=seeded.config,
                              audit=restarted_audit).resume()
    assert outcome.status == "done"
    assert writes(seeded, aws_calls) == ONCE
    assert [c.status for c in restarted_audit.recent()] == ["done"]
    final = state(seeded)
    assert final["record"]["mate"] == {"S": "Tess"}
    assert "Mate: Tess" in final["page"]["crew"]
    assert final["invalidations"].count(("/charters/guests/danika-guest.html",)) == 1


def test_the_same_request_twice_is_applied_once(seeded: Sandbox, tmp_path: Path,
                                                aws_calls: Counter[str]) -> None:
    systems, audit = world(seeded, tmp_path)
    service = ChangeService(systems=systems, config=seeded.config, audit=audit)
    plan = swap_plan(seeded, systems)
    first = service.apply(plan, requested_by="U0GENE", source="slash", idempotency_key="k1")
    second = service.apply(plan, requested_by="U0GENE", source="slash", idempotency_key="k1")
    assert (first.status, second.status, second.repeated) == ("done", "done", True)
    assert second.change_id == first.change_id
    assert writes(seeded, aws_calls) == ONCE


def test_a_calendar_edited_after_planning_is_a_conflict(seeded: Sandbox, tmp_path: Path,
                                                        aws_calls: Counter[str]) -> None:
    systems, audit = world(seeded, tmp_path)
    plan = swap_plan(seeded, systems)
    seeded.emulator.patch_event(CAL, "evtdanika", {"location": "Shelter Island, Dock C"})
    outcome = ChangeService(systems=systems, config=seeded.config, audit=audit).apply(
        plan, requested_by="U0GENE", source="slash")
    assert outcome.status == "conflict"
    assert "edited after this change was planned" in (outcome.error or "")
    assert "Mate: Ana" in (seeded.emulator.get_event(CAL, "evtdanika") or {})["description"]
    assert sum(1 for m, _ in seeded.emulator.requests if m == "PATCH") == 0
    assert aws_calls["UpdateItem"] == 0


def test_an_etag_that_goes_stale_at_the_last_moment_is_a_412_conflict(
        seeded: Sandbox, tmp_path: Path) -> None:
    systems, audit = world(seeded, tmp_path)
    plan = swap_plan(seeded, systems)
    api = systems.calendar.api
    real_get = api.get_event

    def get_then_someone_edits(event_id: str) -> dict[str, Any]:
        event = real_get(event_id)
        seeded.emulator.patch_event(CAL, event_id, {"location": "Dock C"})
        return event

    api.get_event = get_then_someone_edits  # type: ignore[method-assign]
    outcome = ChangeService(systems=systems, config=seeded.config, audit=audit).apply(
        plan, requested_by="U0GENE", source="slash")
    assert outcome.status == "conflict"
    assert "was edited" in (outcome.error or "")
    assert "nothing was overwritten" in (outcome.error or "")
    assert "Mate: Ana" in (seeded.emulator.get_event(CAL, "evtdanika") or {})["description"]
    assert (seeded.emulator.get_event(CAL, "evtdanika") or {})["location"] == "Dock C"


def test_a_record_changed_under_us_is_a_conflict_and_is_not_overwritten(
        seeded: Sandbox, tmp_path: Path) -> None:
    systems, audit = world(seeded, tmp_path)
    plan = swap_plan(seeded, systems)
    seeded.client("dynamodb").update_item(
        TableName=TABLE, Key={"eventId": {"S": "danika-may31"}},
        UpdateExpression="SET mate = :m", ExpressionAttributeValues={":m": {"S": "Marco"}})
    outcome = ChangeService(systems=systems, config=seeded.config, audit=audit).apply(
        plan, requested_by="U0GENE", source="slash")
    assert outcome.status == "conflict"
    assert [s.status for s in outcome.steps] == ["done", "conflict", "pending", "pending"]
    assert "Marco" in (outcome.error or "")
    assert state(seeded)["record"]["mate"] == {"S": "Marco"}
    assert audit.unfinished() == []  # a conflict waits for a person, not for a retry


def test_a_time_change_moves_the_calendar_the_record_and_the_page(
        seeded: Sandbox, tmp_path: Path) -> None:
    systems, audit = world(seeded, tmp_path)
    plan = plan_time(charters=charters(seeded, systems), event="paola", time_range="1-5pm",
                     config=seeded.config, today=SEED_WINDOW.start)
    outcome = ChangeService(systems=systems, config=seeded.config, audit=audit).apply(
        plan, requested_by="U0ANA", source="cli")
    assert outcome.status == "done"
    event = seeded.emulator.get_event(CAL, "evtpaola") or {}
    assert event["start"]["dateTime"].startswith("2026-06-14T13:00")
    item = seeded.client("dynamodb").get_item(TableName=TABLE,
                                              Key={"eventId": {"S": "paola-jun14"}})["Item"]
    assert (item["startTime"]["S"], item["endTime"]["S"]) == ("13:00", "17:00")
    assert item["captain"]["S"] == "Darrell"  # drift in other fields is not touched here
    html = seeded.client("s3").get_object(Bucket="sailjada-public",
                                          Key="charters/guests/paola-jun14.html")["Body"].read()
    assert read_page_fields(html.decode())["arrival"] == "1:00–5:00 PM"


def test_a_swap_for_a_charter_without_a_record_creates_it(seeded: Sandbox,
                                                          tmp_path: Path) -> None:
    systems, audit = world(seeded, tmp_path)
    plan = swap_plan(seeded, systems, event="quinn", role="captain", person="Gene")
    outcome = ChangeService(systems=systems, config=seeded.config, audit=audit).apply(
        plan, requested_by="U0GENE", source="slash")
    assert outcome.status == "done"
    assert outcome.steps[1].action == "create_record"
    item = seeded.client("dynamodb").get_item(TableName=TABLE,
                                              Key={"eventId": {"S": "quinn-may30"}})["Item"]
    assert item["captain"]["S"] == "Gene"


@pytest.mark.parametrize(
    ("kind", "args", "error", "message"),
    [
        ("swap", ("zelda", "mate", "Tess"), UnknownCharterError, "No charter matches 'zelda'"),
        ("swap", ("may31", "mate", "Tess"), UnknownCharterError, "danika-may31, jonathan-may31"),
        ("swap", ("danika", "mate", "Zed"), InputError, "'Zed' is not in the crew roster"),
        ("swap", ("danika", "bosun", "Tess"), InputError, "bosun is not on danika-may31"),
        ("swap", ("danika", "captain", "Bo"), InputError, "Bo is not listed as a captain"),
        ("swap", ("danika", "mate", "Ana"), InputError, "Ana is already the mate"),
        ("swap", ("danika", "mate", "Tess"), None, None),  # the control: this one is fine
        ("swap", ("jonathan", "captain", "Gene"), InputError, "Gene is already on danika"),
        ("time", ("danika", "25pm-7pm"), InputError, "'25pm' is not a time"),
        ("time", ("danika", "7pm-3pm"), InputError, "ends before it starts"),
        ("time", ("danika", "soon"), InputError, "is not a time range"),
        ("time", ("danika", "11am-4pm"), InputError, "Bo is on"),
    ],
)
def test_bad_input_is_refused_before_anything_is_recorded_or_written(
        seeded: Sandbox, tmp_path: Path, aws_calls: Counter[str], kind: str,
        args: tuple[str, ...], error: type[Exception] | None, message: str | None) -> None:
    systems, audit = world(seeded, tmp_path)
    desired = charters(seeded, systems)
    if kind == "swap" and args[0] == "jonathan":
        # Gene captains Danika from 15:00; move Jonathan's charter to overlap it first.
        seeded.emulator.patch_event(CAL, "evtjonathan", {
            "start": {"dateTime": "2026-05-31T14:00:00", "timeZone": "America/Los_Angeles"},
            "end": {"dateTime": "2026-05-31T16:00:00", "timeZone": "America/Los_Angeles"}})
        desired = charters(seeded, systems)
    if kind == "time" and args[1] == "11am-4pm":
        # Bo crews Danika; put him on Jonathan's late morning charter too.
        seeded.emulator.patch_event(CAL, "evtjonathan", {
            "description": "Captain: Marco\nMate: Tess\nCrew: Bo\nGuests: 6"})
        desired = charters(seeded, systems)
    aws_calls.clear()
    seeded.emulator.reset_requests()

    def plan() -> ChangePlan:
        if kind == "swap":
            return plan_swap(charters=desired, event=args[0], role_or_person=args[1],
                             new_person=args[2], config=seeded.config, today=SEED_WINDOW.start)
        return plan_time(charters=desired, event=args[0], time_range=args[1],
                         config=seeded.config, today=SEED_WINDOW.start)

    if error is None:
        assert plan().event_id == "danika-may31"
        return
    with pytest.raises(error) as raised:
        plan()
    assert message in str(raised.value)
    assert audit.recent() == []
    assert [m for m, _ in seeded.emulator.requests if m != "GET"] == []
    assert sum(aws_calls.values()) == 0


def test_a_swap_keeps_the_rsvps_of_everyone_who_stays(seeded: Sandbox, tmp_path: Path) -> None:
    seeded.emulator.patch_event(CAL, "evtdanika", {"attendees": [
        {"email": "gene@sailjada.com", "responseStatus": "accepted", "comment": "aye"},
        {"email": "ana@sailjada.com", "responseStatus": "accepted"},
        {"email": "bo@sailjada.com", "responseStatus": "tentative", "optional": True},
        {"email": "dock-b@resource.calendar.google.com", "resource": True,
         "responseStatus": "accepted"},
    ]})
    systems, audit = world(seeded, tmp_path)
    service = ChangeService(systems=systems, config=seeded.config, audit=audit)
    outcome = service.apply(swap_plan(seeded, systems, role="Ana", person="Tess"),
                            requested_by="U0GENE", source="slash")
    assert outcome.status == "done"
    people = {a["email"]: a for a in (seeded.emulator.get_event(CAL, "evtdanika") or {})[
        "attendees"]}
    assert set(people) == {"gene@sailjada.com", "bo@sailjada.com", "tess@sailjada.com",
                           "dock-b@resource.calendar.google.com"}
    assert people["gene@sailjada.com"] == {"email": "gene@sailjada.com",
                                           "responseStatus": "accepted", "comment": "aye"}
    assert people["bo@sailjada.com"]["responseStatus"] == "tentative"
    assert people["bo@sailjada.com"]["optional"] is True
    assert people["dock-b@resource.calendar.google.com"]["resource"] is True
    assert people["tess@sailjada.com"].get("responseStatus", "needsAction") == "needsAction"

    undone = service.undo(outcome.change_id, requested_by="U0GENE", source="cli")
    assert undone.status == "done"
    people = {a["email"]: a for a in (seeded.emulator.get_event(CAL, "evtdanika") or {})[
        "attendees"]}
    assert "tess@sailjada.com" not in people and "ana@sailjada.com" in people
    assert people["gene@sailjada.com"]["responseStatus"] == "accepted"
    assert people["bo@sailjada.com"]["responseStatus"] == "tentative"


def test_a_swap_and_its_undo_keep_text_that_looks_like_markup(seeded: Sandbox,
                                                               tmp_path: Path) -> None:
    # Typed in Google's editor, '<!here>' arrives as '&lt;!here&gt;': written back as the
    # calendar held it, by the swap and by its undo, so the next read still says it.
    seeded.emulator.patch_event(CAL, "evtdanika", {"description": (
        "<b>Captain:</b> Gene<br>Mate: Ana<br>Crew: Bo<br>Guest: Danika &lt;!here&gt; &amp; co")})
    systems, audit = world(seeded, tmp_path)
    service = ChangeService(systems=systems, config=seeded.config, audit=audit)
    outcome = service.apply(swap_plan(seeded, systems), requested_by="U0GENE", source="slash")
    assert outcome.status == "done"
    assert charters(seeded, systems)["danika-may31"].charter.guest_name == "Danika <!here> & co"
    assert service.undo(outcome.change_id, requested_by="U0GENE", source="cli").status == "done"
    charter = charters(seeded, systems)["danika-may31"].charter
    assert (charter.guest_name, charter.mate) == ("Danika <!here> & co", "Ana")
