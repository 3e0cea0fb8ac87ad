"""Exactly once on a faulty wire: a proxy between the bot and moto's server / the calendar
emulator lets each write land and then drops its answer, or holds it while another
process starts. Every case must end with the change done once and all four systems
agreeing, never a false conflict."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.environment import Environment
from bot.sandbox.fault_proxy import FaultProxy
from bot.sandbox.sandbox import Sandbox, sandbox_environ, write_config
from bot.wiring import build_systems
from services.changes import ChangeService
from services.domain.change.plan import ChangePlan, plan_swap
from services.domain.pages.reading import read_page_fields
from services.domain.pages.rendering import PageRenderer
from services.reconciling import Systems, run_reconcile
from store.audit import AuditLog
from store.database import open_engine, session_factory
from tests.conftest import ROOT, SEED_WINDOW
from tests.databases import PG_URL, postgres_schema

CAL = "jada-internal@group.calendar.google.com"
TABLE = "jada-charter-events"
PAGE = "charters/guests/danika-guest.html"
WINDOW = ["--from", "2026-05-25", "--to", "2026-06-24"]


@dataclass
class Wire:
    box: Sandbox
    aws: FaultProxy
    calendar: FaultProxy
    env: Environment
    database: str

    def systems(self) -> Systems:
        return build_systems(self.box.config, self.env)

    def audit(self) -> AuditLog:
        return AuditLog(session_factory(open_engine(self.database)))

    def environ(self) -> dict[str, str]:
        """What a separate ``python -m bot`` needs to go through the proxies."""
        return {**os.environ, **sandbox_environ(self.box),
                "AWS_ENDPOINT_URL": str(self.env.aws_endpoint_url),
                "GOOGLE_CALENDAR_API_ENDPOINT": str(self.env.google_calendar_api_endpoint),
                "DATABASE_URL": self.database, "PYTHONPATH": str(ROOT)}


@pytest.fixture
def wire(seeded: Sandbox, tmp_path: Path) -> Iterator[Wire]:
    with FaultProxy(seeded.aws_endpoint) as aws, FaultProxy(seeded.emulator.url) as calendar:
        env = replace(seeded.env, aws_endpoint_url=aws.url,
                      google_calendar_api_endpoint=f"{calendar.url}/calendar/v3/")
        yield Wire(seeded, aws, calendar, env, f"sqlite:///{tmp_path / 'audit.sqlite3'}")


@pytest.fixture(params=["sqlite", "postgresql"])
def replicas(request: pytest.FixtureRequest, wire: Wire) -> Iterator[Wire]:
    """The wire, with the audit store the processes share on SQLite or on PostgreSQL."""
    if request.param == "sqlite":
        yield wire
        return
    schemas = postgres_schema()
    schema = next(schemas)
    wire.database = (PG_URL.replace("postgresql+psycopg://", "postgresql://")
                     + f"?options=-csearch_path%3D{schema}")
    yield wire
    next(schemas, None)


def swap_plan(wire: Wire, systems: Systems) -> ChangePlan:
    result = run_reconcile(systems, wire.box.config, window=SEED_WINDOW, now=datetime.now(UTC),
                           renderer=PageRenderer())
    return plan_swap(charters=result.desired, event="danika", role_or_person="mate",
                     new_person="Tess", config=wire.box.config, today=SEED_WINDOW.start)


def agreement(box: Sandbox, change_id: str = "") -> dict[str, Any]:
    """Danika as a person would find her in each system, and the invalidations made (by
    the change ``change_id``, or by any change)."""
    event = box.emulator.get_event(CAL, "evtdanika") or {}
    item = box.client("dynamodb").get_item(TableName=TABLE,
                                           Key={"eventId": {"S": "danika-may31"}})["Item"]
    html = box.client("s3").get_object(Bucket="sailjada-public", Key=PAGE)["Body"].read()
    cloudfront = box.client("cloudfront")
    distribution = box.config.pages.distribution_id
    references = [
        cloudfront.get_invalidation(DistributionId=distribution, Id=i["Id"])["Invalidation"][
            "InvalidationBatch"]["CallerReference"]
        for i in cloudfront.list_invalidations(DistributionId=distribution)[
            "InvalidationList"].get("Items", [])]
    return {
        "calendar mate": "Mate: Tess" in (event.get("description") or ""),
        "record mate": item["mate"]["S"],
        "page crew": "Tess" in read_page_fields(html.decode())["crew"],
        "our invalidations": sum(r.startswith(f"charter-ops-change-{change_id}")
                                 for r in references),
    }


AGREED = {"calendar mate": True, "record mate": "Tess", "page crew": True,
          "our invalidations": 1}

LOST_ANSWERS = {
    "calendar": ("calendar", "PATCH", {"path": "/events/evtdanika"}),
    "dynamodb": ("aws", "POST", {"operation": "UpdateItem"}),
    "page": ("aws", "PUT", {"path": f"/{PAGE}"}),
    "cdn": ("aws", "POST", {"path": "/invalidation$"}),
}


@pytest.mark.parametrize("system", list(LOST_ANSWERS))
def test_a_write_that_landed_with_its_answer_lost_is_done_not_a_conflict(
        wire: Wire, system: str) -> None:
    systems, audit = wire.systems(), wire.audit()
    plan = swap_plan(wire, systems)
    proxy_name, method, match = LOST_ANSWERS[system]
    proxy: FaultProxy = getattr(wire, proxy_name)
    proxy.drop_response(method, **match)

    outcome = ChangeService(systems=systems, config=wire.box.config, audit=audit,
                            sleep=lambda _s: None).apply(plan, requested_by="U0GENE",
                                                         source="slash")

    assert proxy.count(method, **match, done="dropped") == 1  # the fault really happened
    assert (outcome.status, outcome.error) == ("done", None)
    assert [s.status for s in outcome.steps] == ["done"] * 4
    step = next(s for s in outcome.steps if s.system == system)
    if system == "page":  # botocore sent the same bytes again itself: a PUT is idempotent
        assert proxy.count(method, **match, done="forwarded") == 1
    else:  # the retry met our own write (412, a failed condition) or was ours to make
        assert "answer was lost" in str(step.after)  # the audit says what happened
    assert agreement(wire.box) == AGREED
    if system == "calendar":  # the client's own retry met 412: still only one edit
        assert "Mate: Ana" not in (wire.box.emulator.get_event(CAL, "evtdanika") or {})[
            "description"]


def test_a_write_refused_with_a_5xx_before_landing_is_tried_again(wire: Wire) -> None:
    systems, audit = wire.systems(), wire.audit()
    plan = swap_plan(wire, systems)
    wire.calendar.answer("PATCH", 503, path="/events/evtdanika")
    wire.aws.answer("PUT", 500, path=f"/{PAGE}", times=2)  # botocore retries once itself
    outcome = ChangeService(systems=systems, config=wire.box.config, audit=audit,
                            sleep=lambda _s: None).apply(plan, requested_by="U0GENE",
                                                         source="slash")
    assert outcome.status == "done"
    assert agreement(wire.box) == AGREED


def test_someone_elses_edit_is_still_a_conflict_after_a_lost_answer(wire: Wire) -> None:
    systems, audit = wire.systems(), wire.audit()
    plan = swap_plan(wire, systems)
    # Someone sets the mate to Marco in DynamoDB; our update's answer is lost on top.
    wire.box.client("dynamodb").update_item(
        TableName=TABLE, Key={"eventId": {"S": "danika-may31"}},
        UpdateExpression="SET mate = :m", ExpressionAttributeValues={":m": {"S": "Marco"}})
    wire.aws.drop_response("POST", operation="UpdateItem")
    outcome = ChangeService(systems=systems, config=wire.box.config, audit=audit,
                            sleep=lambda _s: None).apply(plan, requested_by="U0GENE",
                                                         source="slash")
    assert outcome.status == "conflict"
    assert "Marco" in (outcome.error or "") and "nothing was overwritten" in (outcome.error or "")
    assert agreement(wire.box)["record mate"] == "Marco"


def run_cli(wire: Wire, tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "bot", "--config",
                             str(tmp_path / "app.yaml"), *args],
                            cwd=tmp_path, env=wire.environ(), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_a_held_write_and_a_second_process_end_with_one_change_and_one_answer(
        replicas: Wire, tmp_path: Path) -> None:
    wire = replicas
    write_config(wire.box.config, tmp_path / "app.yaml")
    held = wire.calendar.hold("PATCH", path="/events/evtdanika")
    first = run_cli(wire, tmp_path, "swap", "danika", "Ana", "Tess", *WINDOW)
    try:
        assert held.reached.wait(60) or first.poll() is not None, "no PATCH within 60 s"
        assert first.poll() is None, first.communicate()
        # The second process starts while the first one's PATCH is in flight: its resume
        # must leave that change alone, and the same request must wait for it.
        second = run_cli(wire, tmp_path, "swap", "danika", "Ana", "Tess", *WINDOW)
        time.sleep(3)
        assert second.poll() is None, second.communicate()
    finally:
        held.release()
    out1, err1 = first.communicate(timeout=60)
    _, err2 = second.communicate(timeout=60)
    assert (first.returncode, second.returncode) == (0, 0), (err1, err2)
    assert " done" in out1
    assert "done" in err2 and "already" in err2  # the repeat is told so, on stderr
    assert wire.calendar.count("PATCH", path="/events/evtdanika") == 1
    changes = wire.audit().recent()
    assert [(c.kind, c.status) for c in changes] == [("swap", "done")]
    assert agreement(wire.box) == AGREED


@pytest.mark.parametrize("next_command", [["swap", "danika", "Ana", "Tess"], ["apply", "--all"]])
def test_a_process_killed_mid_change_is_taken_over_at_once_by_the_next(
        wire: Wire, tmp_path: Path, next_command: list[str]) -> None:
    write_config(wire.box.config, tmp_path / "app.yaml")
    held = wire.aws.hold("PUT", path=f"/{PAGE}")
    first = run_cli(wire, tmp_path, "swap", "danika", "Ana", "Tess", *WINDOW)
    assert held.reached.wait(60) or first.poll() is not None, "no upload within 60 s"
    assert first.poll() is None, first.communicate()
    first.send_signal(signal.SIGKILL)  # kill -9 while its upload is in flight
    first.wait(30)
    held.release()

    # A read-only command leaves the change alone.
    look = run_cli(wire, tmp_path, "reconcile", *WINDOW)
    look.communicate(timeout=60)
    assert look.returncode == 2
    [(kind, status)] = [(c.kind, c.status) for c in wire.audit().recent()]
    assert (kind, status) == ("swap", "applying")

    # Its lease has not expired, but its holder is dead: the next command finishes it.
    again = run_cli(wire, tmp_path, *next_command, *WINDOW)
    _, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    assert "resumed an interrupted change" in err and "mate Ana → Tess" in err
    if next_command[0] == "swap":  # and the request itself is answered as already done
        assert "already requested" in err
    swap = next(c for c in wire.audit().recent() if c.kind == "swap")
    assert [s.status for s in swap.steps] == ["done"] * 4
    assert agreement(wire.box, swap.id) == AGREED


def listing_fails_past_page_one(box: Sandbox) -> None:
    """Short pages, and every continuation page of a listing failing (past its retries):
    the window's read falls back to the iCal feed, which has no etags."""
    box.emulator.page_limit = 2
    box.emulator.fail_next(50, status=500, match="pageToken=")


def changes_in_audit(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    capsys.readouterr()
    assert main(["audit", "--json"]) == 0
    return list(json.loads(capsys.readouterr().out))


def test_a_swap_read_from_the_feed_is_planned_on_the_apis_own_event_not_a_false_conflict(
        cli_sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    listing_fails_past_page_one(cli_sandbox)
    assert main(["swap", "danika", "Ana", "Tess", *WINDOW]) == 0
    out = capsys.readouterr().out
    assert "mate Ana → Tess on danika-may31" in out and " done" in out
    event = cli_sandbox.emulator.get_event(CAL, "evtdanika") or {}
    assert "Mate: Tess" in event["description"]
    assert [(c["kind"], c["status"]) for c in changes_in_audit(capsys)] == [("swap", "done")]


def test_a_time_change_whose_event_cannot_be_read_from_the_api_is_refused_untouched(
        cli_sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    before = cli_sandbox.emulator.get_event(CAL, "evtdanika")
    listing_fails_past_page_one(cli_sandbox)
    cli_sandbox.emulator.fail_next(50, status=503, match="/events/evtdanika")
    assert main(["time", "danika", "4pm-8pm", *WINDOW]) == 1
    err = capsys.readouterr().err
    assert "The calendar could not be read through its API" in err
    assert "nothing was changed" in err and "edited" not in err
    assert cli_sandbox.emulator.get_event(CAL, "evtdanika") == before
    assert changes_in_audit(capsys) == []  # nobody's edit recorded: no change at all
