"""swap, time, undo and audit through the command line, against the sandbox."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from bot.cli import main
from bot.sandbox.sandbox import Sandbox

CAL = "jada-internal@group.calendar.google.com"
WINDOW = ["--from", "2026-05-25", "--to", "2026-06-24"]


@pytest.fixture
def cli(cli_sandbox: Sandbox) -> Sandbox:
    return cli_sandbox


def audit_json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict]:
    capsys.readouterr()
    assert main(["audit", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_swap_then_undo_restores_every_system(cli: Sandbox,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    before = cli.emulator.get_event(CAL, "evtdanika") or {}
    assert main(["swap", "danika", "Ana", "Tess", *WINDOW]) == 0
    out = capsys.readouterr().out
    assert "mate Ana → Tess on danika-may31" in out and " done" in out
    assert "Mate: Tess" in (cli.emulator.get_event(CAL, "evtdanika") or {})["description"]
    [change] = audit_json(capsys)
    assert main(["undo", change["id"]]) == 0
    after = cli.emulator.get_event(CAL, "evtdanika") or {}
    assert "Mate: Ana" in after["description"]
    assert sorted(a["email"] for a in after["attendees"]) == sorted(
        a["email"] for a in before["attendees"])
    changes = audit_json(capsys)
    assert [(c["kind"], c["status"]) for c in changes] == [("undo", "done"), ("swap", "done")]
    assert changes[0]["undo_of"] == change["id"]
    record = cli.client("dynamodb").get_item(TableName="jada-charter-events",
                                             Key={"eventId": {"S": "danika-may31"}})["Item"]
    assert record["mate"] == {"S": "Angelia"}  # exactly what it held before the swap
    assert "calendarEventId" not in record


def test_a_change_that_created_a_record_cannot_be_undone(
        cli: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["swap", "quinn", "Angelia", "Tess", *WINDOW]) == 0
    [change] = audit_json(capsys)
    assert main(["undo", change["id"]]) == 1
    assert "records are never deleted" in capsys.readouterr().err


def test_undo_is_refused_when_a_later_change_touched_the_charter(
        cli: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["swap", "danika", "mate", "Tess", *WINDOW]) == 0
    assert main(["time", "danika", "3:30-7:30pm", *WINDOW]) == 0
    swap = next(c for c in audit_json(capsys) if c["kind"] == "swap")
    assert main(["undo", swap["id"]]) == 1
    assert "touched danika-may31 after" in capsys.readouterr().err
    assert len(audit_json(capsys)) == 2


def test_bad_input_exits_1_with_a_message_and_records_nothing(
        cli: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    cases = [
        (["swap", "zelda", "mate", "Tess"], "No charter matches 'zelda'"),
        (["swap", "danika", "mate", "Zed"], "'Zed' is not in the crew roster"),
        (["swap", "danika", "purser", "Tess"], "purser is not on danika-may31"),
        (["time", "danika", "25pm-7pm"], "'25pm' is not a time"),
        (["time", "danika", "7pm-3pm"], "ends before it starts"),
        (["undo", "nope"], "No change nope"),
    ]
    cli.emulator.reset_requests()
    for argv, message in cases:
        assert main([*argv, *WINDOW] if argv[0] != "undo" else argv) == 1, argv
        err = capsys.readouterr().err
        assert message in err, (argv, err)
        assert "Traceback" not in err
    assert audit_json(capsys) == []
    assert [m for m, _ in cli.emulator.requests if m not in ("GET",)] == [
        m for m, p in cli.emulator.requests if p == "/token"]


def test_the_audit_accounts_for_every_write_the_systems_received(
        cli: Sandbox, capsys: pytest.CaptureFixture[str], aws_calls: Counter[str]) -> None:
    cli.emulator.reset_requests()
    assert main(["apply", "--all", *WINDOW]) == 0
    assert main(["swap", "danika", "Ana", "Tess", *WINDOW]) == 0
    assert main(["time", "paola", "1-5pm", *WINDOW]) == 0
    swap = next(c for c in audit_json(capsys) if c["kind"] == "swap")
    assert main(["undo", swap["id"]]) == 0
    changes = audit_json(capsys)
    audited = Counter()
    for change in changes:
        for step in change["steps"]:
            assert step["status"] == "done"
            audited[step["action"]] += 1
    received = {
        "patch_event": sum(1 for m, _ in cli.emulator.requests if m == "PATCH"),
        "update_record": aws_calls["UpdateItem"],
        "create_record": aws_calls["PutItem"],
        "put_page": aws_calls["PutObject"],
        "invalidate": aws_calls["CreateInvalidation"],
    }
    assert received == {k: audited[k] for k in received}
    assert received["patch_event"] == 3  # swap, time, undo: fixes never write the calendar
    assert [c["kind"] for c in changes] == ["undo", "time", "swap", "fix"]


def test_audit_for_one_charter_by_guest_name(cli: Sandbox,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["time", "paola", "1-5pm", *WINDOW]) == 0
    assert main(["swap", "quinn", "Angelia", "Tess", *WINDOW]) == 0
    capsys.readouterr()
    assert main(["audit", "paola"]) == 0
    out = capsys.readouterr().out
    assert "paola-jun14" in out and "quinn-may30" not in out


@pytest.mark.parametrize("typed", [["4", "pm", "-", "8", "pm"], ["4pm", "-", "8pm"],
                                   ["4", "-", "8", "pm"], ["4pm", "to", "8pm"]])
def test_a_time_range_typed_with_spaces_is_the_same_range(
        cli: Sandbox, capsys: pytest.CaptureFixture[str], typed: list[str]) -> None:
    assert main(["time", "danika", "4pm-8pm", "--dry-run", *WINDOW]) == 0
    compact = capsys.readouterr().out
    assert main(["time", "danika", *typed, "--dry-run", *WINDOW]) == 0
    assert capsys.readouterr().out == compact
    assert "15:00–19:00 → 16:00–20:00" in compact


def test_a_time_change_typed_with_spaces_is_made(
        cli: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["time", "danika", "4", "pm", "-", "8", "pm", *WINDOW]) == 0
    assert " done" in capsys.readouterr().out
    event = cli.emulator.get_event(CAL, "evtdanika") or {}
    assert event["start"]["dateTime"].startswith("2026-05-31T16:00")
