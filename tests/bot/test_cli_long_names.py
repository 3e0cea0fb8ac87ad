"""Calendar text of any length makes bounded ids, keys and block ids, and breaks nothing
else: charters whose guest is a 2,000- and a 3,000-character name, added to the seed's
weekend in the calendar emulator, through ``python -m bot`` on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.cli import main
from bot.environment import read_environment
from bot.sandbox.sandbox import Sandbox
from bot.wiring import build_systems
from handlers.views.approvals import request_of
from handlers.views.blocks import digest_messages
from services.domain.pages.rendering import PageRenderer
from services.reconciling import run_reconcile
from tests.conftest import SEED_WINDOW

CAL = "jada-internal@group.calendar.google.com"
WINDOW = ["--from", "2026-05-25", "--to", "2026-06-24"]
TABLE, BUCKET = "jada-charter-events", "sailjada-public"
LONG = {"evtlong2k": ("A" * 2000, "2026-06-02"), "evtlong3k": ("B" * 3000, "2026-06-03"),
        # Two long names that differ only past any cut: still two ids.
        "evtlong2kb": ("A" * 1999 + "Z", "2026-06-02")}


def add_long_charters(box: Sandbox) -> None:
    for calendar_id, (guest, day) in LONG.items():
        hour = "10" if not calendar_id.endswith("b") else "14"
        box.emulator.add_event(CAL, {
            "id": calendar_id, "summary": f"{guest} — Sail", "location": "Dock B",
            "description": f"Captain: Marco\nMate: Tess\nGuests: 4\nGuest: {guest}",
            "start": {"dateTime": f"{day}T{hour}:00:00", "timeZone": "America/Los_Angeles"},
            "end": {"dateTime": f"{day}T{int(hour) + 2}:00:00",
                    "timeZone": "America/Los_Angeles"}})


def s3_keys(box: Sandbox) -> list[str]:
    return [o["Key"] for o in box.client("s3").list_objects_v2(Bucket=BUCKET)["Contents"]]


def event_ids(box: Sandbox) -> list[str]:
    items = box.client("dynamodb").scan(TableName=TABLE)["Items"]
    return [i["eventId"]["S"] for i in items]


@pytest.fixture(params=["sqlite", "postgresql"])
def long_names(request: pytest.FixtureRequest, cli_sandbox: Sandbox,
               monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    if request.param == "postgresql":
        monkeypatch.setenv("DATABASE_URL", request.getfixturevalue("postgres_url"))
    add_long_charters(cli_sandbox)
    return cli_sandbox


def test_long_names_give_bounded_keys_and_every_fix_is_applied(
        long_names: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apply", "--all", *WINDOW]) == 0
    out = capsys.readouterr().out
    # The seed's 9 fixes and the three new charters' record and page each.
    assert "15 of 15 applied" in out
    assert "DynamoDB: 7 of 7 records written · S3: 6 of 6 pages uploaded" in out
    assert all(len(key.encode()) <= 1024 for key in s3_keys(long_names))
    ids = event_ids(long_names)
    assert all(len(i) <= 64 for i in ids)
    assert len([i for i in ids if i.startswith("a" * 32)]) == 2  # cut, still distinct
    assert main(["reconcile", "--json", *WINDOW]) == 0
    assert json.loads(capsys.readouterr().out)["discrepancies"] == []

    # A swap and a time change on a long-named charter: the audit store keeps them.
    [long_id] = [i for i in ids if i.startswith("b" * 32)]
    assert main(["swap", long_id, "Tess", "Ana", *WINDOW]) == 0
    assert main(["time", long_id, "11am-1pm", *WINDOW]) == 0
    capsys.readouterr()
    assert main(["audit", "--json"]) == 0
    changes = json.loads(capsys.readouterr().out)
    assert [c["status"] for c in changes][:2] == ["done", "done"]


def test_long_names_give_digest_block_ids_within_slacks_limit_that_route_each_click(
        long_names: Sandbox) -> None:
    systems = build_systems(long_names.config, read_environment())
    result = run_reconcile(systems, long_names.config, window=SEED_WINDOW,
                           now=datetime.now(UTC), renderer=PageRenderer())
    blocks = [b for m in digest_messages(result) for b in m["blocks"]]
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert all(len(b) <= 255 for b in block_ids)
    assert len(block_ids) == len(set(block_ids))
    routed = {request_of(e["value"]).event_id for b in blocks if b["type"] == "actions"
              for e in b["elements"] if e.get("value", "").startswith("{")}
    long_ids = {w.event_id for w in result.desired.values() if len(w.charter.guest_name) > 100}
    assert len(long_ids) == 3 and long_ids <= routed


def test_a_records_own_long_id_fits_the_audit_store(
        long_names: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    # Another Lambda wrote a record whose id is 300 characters, linked to its event: the
    # bot keeps a record's id, so the audit store must hold it (varchar(120) did not).
    long_id = "x" * 300
    long_names.emulator.add_event(CAL, {
        "id": "evtlongrec", "summary": "Xavier — Sail", "location": "Dock B",
        "description": "Captain: Marco\nMate: Tess\nGuests: 4\nGuest: Xavier",
        "start": {"dateTime": "2026-06-04T10:00:00", "timeZone": "America/Los_Angeles"},
        "end": {"dateTime": "2026-06-04T12:00:00", "timeZone": "America/Los_Angeles"}})
    long_names.client("dynamodb").put_item(TableName=TABLE, Item={
        "eventId": {"S": long_id}, "eventDate": {"S": "2026-06-04"},
        "calendarEventId": {"S": "evtlongrec"}, "status": {"S": "SCHEDULED"}})
    assert main(["apply", "--all", *WINDOW]) == 0
    assert main(["swap", long_id, "Tess", "Ana", *WINDOW]) == 0
    capsys.readouterr()
    assert main(["audit", "--json"]) == 0
    [swap] = [c for c in json.loads(capsys.readouterr().out) if c["kind"] == "swap"]
    assert swap["status"] == "done" and swap["event_id"] == long_id
