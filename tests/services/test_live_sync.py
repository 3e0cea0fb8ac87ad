"""Live sync against the calendar emulator and moto's server: a calendar edit reaches
DynamoDB and the guest page (auto-fix) or the ops channel (an alert), at one calendar
request and no AWS request when nothing changed."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.sandbox.sandbox import Sandbox, sandbox_environ, write_config
from bot.wiring import build_systems
from handlers.actions.digest_buttons import decided
from handlers.views.alerts import alert_message
from handlers.views.blocks import APPROVE, DISMISS, Message
from services.changes import ChangeService
from services.deps import Deps
from services.domain.config import Config
from services.domain.pages.reading import read_page_fields
from services.domain.pages.rendering import PageRenderer
from services.domain.reconcile.alerts import ChangeAlert
from services.live_sync import LEASE_TTL, AlertSink, LiveSync
from services.reconciling import run_reconcile
from services.runner import runner_is_dead
from store.audit import AuditLog
from store.database import open_engine, session_factory
from store.sync_state import SyncState
from tests.conftest import ROOT, SEED_WINDOW
from tests.databases import PG_URL, postgres_schema

CAL = "jada-internal@group.calendar.google.com"
TABLE = "jada-charter-events"
PAGE = "charters/guests/danika-guest.html"
TZ = ZoneInfo("America/Los_Angeles")
# Saturday morning of the seed's weekend: Danika (Sunday 15:00) leaves tomorrow.
NOW = datetime(2026, 5, 30, 9, 0, tzinfo=TZ)


@dataclass
class Channel:
    """The ops channel as a person reads it: every message, and every edit of one."""

    posted: list[Message] = field(default_factory=list)
    updates: list[tuple[str, Message]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def post(self, alert: ChangeAlert) -> tuple[str, str]:
        with self.lock:
            self.posted.append(alert_message(alert))
            return "C0OPS", f"1700000000.{len(self.posted):06d}"

    def update(self, channel: str, ts: str, alert: ChangeAlert) -> None:
        with self.lock:
            self.updates.append((ts, alert_message(alert)))


def with_sync(config: Config, **changes: Any) -> Config:
    return config.model_copy(update={"sync": config.sync.model_copy(update=changes)})


@dataclass
class Bot:
    box: Sandbox
    config: Config
    database: str
    channel: Channel = field(default_factory=Channel)

    def live(self, *, runner_id: str | None = None, clock: Callable[[], datetime] = lambda: NOW,
             owner_is_dead: Callable[[str], bool] = lambda _o: False,
             alerts: AlertSink | None = None, lease_ttl: timedelta = LEASE_TTL,
             store_clock: Callable[[], datetime] | None = None,
             heartbeat: Callable[[str], None] = lambda _what: None) -> LiveSync:
        """One process's live sync; ``store_clock``: the time its store sees (real by
        default, as the leases' expiry is), ``alerts``: else the test's channel."""
        systems = build_systems(self.config, self.box.env)
        sessions = session_factory(open_engine(self.database))
        state = SyncState(sessions, **({"clock": store_clock} if store_clock else {}))
        return LiveSync(systems=systems, config=self.config, state=state,
                        changes=ChangeService(systems=systems, config=self.config,
                                              audit=AuditLog(sessions)),
                        alerts=alerts or self.channel, clock=clock, runner_id=runner_id,
                        owner_is_dead=owner_is_dead, lease_ttl=lease_ttl,
                        heartbeat=heartbeat)


def in_sync(box: Sandbox, config: Config) -> None:
    """The first reconcile and apply, as the demo does before following the calendar."""
    systems = build_systems(config, box.env)
    result = run_reconcile(systems, config, window=SEED_WINDOW, now=NOW, renderer=PageRenderer())
    audit = AuditLog(session_factory(open_engine("sqlite://")))
    ChangeService(systems=systems, config=config, audit=audit).apply_fixes(
        result, [d.id for d in result.discrepancies if d.fix], requested_by="test", source="cli")


def make_bot(box: Sandbox, tmp_path: Path, **sync: Any) -> Bot:
    config = with_sync(box.config, **sync)
    in_sync(box, config)
    return Bot(box, config, f"sqlite:///{tmp_path / 'audit.sqlite3'}")


def danika(box: Sandbox) -> tuple[dict[str, Any], dict[str, str]]:
    item = box.client("dynamodb").get_item(TableName=TABLE,
                                           Key={"eventId": {"S": "danika-may31"}})["Item"]
    html = box.client("s3").get_object(Bucket="sailjada-public", Key=PAGE)["Body"].read()
    return {k: next(iter(v.values())) for k, v in item.items()}, read_page_fields(html.decode())


def move_danika(box: Sandbox, start: str = "16:00", end: str = "20:00",
                day: str = "2026-05-31") -> None:
    box.emulator.patch_event(CAL, "evtdanika", {
        "start": {"dateTime": f"{day}T{start}:00-07:00", "timeZone": "America/Los_Angeles"},
        "end": {"dateTime": f"{day}T{end}:00-07:00", "timeZone": "America/Los_Angeles"}})


def calendar_reads(box: Sandbox) -> int:
    return sum(1 for _, path in box.emulator.requests if path.startswith("/calendar/"))


@pytest.fixture
def bot(seeded: Sandbox, tmp_path: Path) -> Bot:
    made = make_bot(seeded, tmp_path)
    assert made.live().check().read == "first"
    return made


def test_an_edit_near_departure_is_one_incremental_read_and_one_alert(bot: Bot) -> None:
    move_danika(bot.box)
    bot.box.emulator.reset_requests()
    report = bot.live().check()
    assert calendar_reads(bot.box) == 1
    assert report.read == "incremental" and report.changed == 1
    assert len(bot.channel.posted) == 1
    alert = bot.channel.posted[0]
    assert "Danika, tomorrow: the calendar moved 15:00–19:00 to 16:00–20:00" in alert["text"]
    assert "DynamoDB and the guest page still say 15:00–19:00" in alert["text"]
    actions = [e["action_id"] for b in alert["blocks"] if b["type"] == "actions"
               for e in b["elements"]]
    assert actions == [APPROVE, DISMISS]
    record, page = danika(bot.box)
    # Nothing written without a person: DynamoDB and the page still say 15:00.
    assert record["startTime"] == "15:00" and page["arrival"] == "3:00–7:00 PM"
    assert report.left_for_people == 1


def test_an_edit_is_fixed_in_dynamodb_and_the_page_when_auto_fix_allows(
        seeded: Sandbox, tmp_path: Path) -> None:
    bot = make_bot(seeded, tmp_path, auto_fix=("RECORD_MISMATCH", "PAGE_STALE"))
    assert bot.live().check().read == "first"
    move_danika(bot.box)
    report = bot.live().check()
    record, page = danika(bot.box)
    assert (record["startTime"], record["endTime"]) == ("16:00", "20:00")
    assert page["arrival"] == "4:00–8:00 PM"
    assert report.left_for_people == 0
    # Tomorrow's charter: the channel is told what was done, without buttons.
    assert len(bot.channel.posted) == 1
    assert "Applied" in str(bot.channel.posted[0]["blocks"])
    assert not [b for b in bot.channel.posted[0]["blocks"] if b["type"] == "actions"]


def test_nothing_changed_costs_one_calendar_request_and_no_aws_request(
        bot: Bot, aws_calls: Counter[str]) -> None:
    live = bot.live()
    bot.box.emulator.reset_requests()
    for _ in range(10):
        report = live.check()
        assert report.read == "incremental" and report.changed == 0
    assert calendar_reads(bot.box) == 10
    assert sum(aws_calls.values()) == 0
    assert bot.channel.posted == []


def test_the_same_discrepancy_again_updates_its_alert(bot: Bot) -> None:
    move_danika(bot.box)
    bot.live().check()
    # Someone touches the event again without changing its times: the same drift.
    bot.box.emulator.patch_event(CAL, "evtdanika", {"colorId": "5"})
    report = bot.live().check()
    assert len(bot.channel.posted) == 1
    assert len(bot.channel.updates) == 1 and report.alerts[0].updated
    assert bot.channel.updates[0][0] == "1700000000.000001"


def test_a_cancelled_event_marks_the_record_cancelled_when_auto_fix_allows(
        seeded: Sandbox, tmp_path: Path) -> None:
    bot = make_bot(seeded, tmp_path, auto_fix=("RECORD_ORPHANED",))
    bot.live().check()
    seeded.emulator.delete_event(CAL, "evtdanika")
    report = bot.live().check()
    record, _ = danika(seeded)
    assert record["status"] == "CANCELLED"
    assert any("CANCELLED" in line for line in report.fixed)


def test_a_cancelled_event_is_an_alert_without_auto_fix(bot: Bot) -> None:
    bot.box.emulator.delete_event(CAL, "evtdanika")
    bot.live().check()
    record, _ = danika(bot.box)
    assert record["status"] != "CANCELLED"
    assert len(bot.channel.posted) == 1
    assert "cancelled" in bot.channel.posted[0]["text"]


def test_an_event_moved_out_of_the_window_is_not_cancelled(
        seeded: Sandbox, tmp_path: Path) -> None:
    bot = make_bot(seeded, tmp_path, auto_fix=("RECORD_ORPHANED", "RECORD_MISMATCH"))
    bot.live().check()
    paola = next(e for e in seeded.emulator.events(CAL) if "Paola" in e["summary"])
    later = {"start": {"dateTime": "2026-09-12T12:00:00-07:00"},
             "end": {"dateTime": "2026-09-12T16:00:00-07:00"}}
    seeded.emulator.patch_event(CAL, paola["id"], later)
    bot.live().check()
    link = paola["extendedProperties"]["private"]["eventId"]
    item = seeded.client("dynamodb").get_item(TableName=TABLE, Key={"eventId": {"S": link}})
    assert item["Item"]["status"]["S"] != "CANCELLED"
    assert item["Item"]["eventDate"]["S"] == "2026-09-12"  # the record followed its event


def test_an_expired_sync_token_is_one_full_read_and_a_fresh_token(
        bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    bot.box.emulator.invalidate_sync_tokens()
    move_danika(bot.box)
    report = bot.live().check()
    assert report.read == "full"
    assert "410" in caplog.text
    assert len(bot.channel.posted) == 1 and "16:00–20:00" in bot.channel.posted[0]["text"]
    bot.box.emulator.reset_requests()
    assert bot.live().check().read == "incremental"
    assert calendar_reads(bot.box) == 1


def test_a_burst_of_edits_is_one_read(bot: Bot) -> None:
    for minute in range(20):
        move_danika(bot.box, start=f"16:{minute:02d}", end="20:00")
    bot.box.emulator.reset_requests()
    report = bot.live().check()
    assert calendar_reads(bot.box) == 1 and report.changed == 1
    assert len(bot.channel.posted) == 1 and "16:19–20:00" in bot.channel.posted[0]["text"]


def morales(box: Sandbox) -> tuple[str, dict[str, Any]]:
    """The Morales charter's calendar id and its record (linked: the event names it)."""
    event = next(e for e in box.emulator.events(CAL) if "Morales" in e["summary"])
    link = event["extendedProperties"]["private"]["eventId"]
    item = box.client("dynamodb").get_item(TableName=TABLE, Key={"eventId": {"S": link}})
    return event["id"], {k: next(iter(v.values())) for k, v in item["Item"].items()}


def test_no_automatic_fix_within_the_freeze_window_of_the_old_start(
        seeded: Sandbox, tmp_path: Path) -> None:
    # Morales leaves Sat Jun 6 09:00, 168 hours after NOW; moved to Mon Jun 8 it would
    # leave 216 hours after. With a 170-hour freeze the earlier of the two decides.
    bot = make_bot(seeded, tmp_path, auto_fix=("RECORD_MISMATCH", "PAGE_STALE"),
                   freeze_hours=170)
    bot.live().check()
    event_id, before = morales(seeded)
    seeded.emulator.patch_event(CAL, event_id, {
        "start": {"dateTime": "2026-06-08T09:00:00-07:00"},
        "end": {"dateTime": "2026-06-08T12:00:00-07:00"}})
    report = bot.live().check()
    assert morales(seeded)[1]["eventDate"] == before["eventDate"] == "2026-06-06"
    assert report.fixed == [] and report.left_for_people == 1
    assert len(bot.channel.posted) == 1
    assert "moved Sat Jun 6 09:00–12:00 to Mon Jun 8 09:00–12:00" in bot.channel.posted[0]["text"]


def test_outside_the_freeze_window_the_same_move_is_fixed(seeded: Sandbox,
                                                          tmp_path: Path) -> None:
    bot = make_bot(seeded, tmp_path, auto_fix=("RECORD_MISMATCH", "PAGE_STALE"),
                   freeze_hours=2)
    bot.live().check()
    event_id, _ = morales(seeded)
    seeded.emulator.patch_event(CAL, event_id, {
        "start": {"dateTime": "2026-06-08T09:00:00-07:00"},
        "end": {"dateTime": "2026-06-08T12:00:00-07:00"}})
    report = bot.live().check()
    assert morales(seeded)[1]["eventDate"] == "2026-06-08"
    assert report.left_for_people == 0
    assert bot.channel.posted == []  # not leaving within alert_hours: nobody needs telling


def test_an_unlinked_event_moved_to_another_day_creates_no_second_record(
        seeded: Sandbox, tmp_path: Path) -> None:
    # Danika's event does not name its record, and the id rule looks under the new date:
    # the record under the old date is found by its calendarEventId in the window's
    # records, so the move is the one record's (an alert: RECORD_MISMATCH is not in
    # auto_fix), never a second record.
    bot = make_bot(seeded, tmp_path, auto_fix=("RECORD_MISSING", "PAGE_MISSING"))
    bot.live().check()
    move_danika(bot.box, day="2026-06-01", start="15:00", end="19:00")
    report = bot.live().check()
    scan = seeded.client("dynamodb").scan(TableName=TABLE)["Items"]
    assert not [i for i in scan if i["eventId"]["S"].startswith("danika-jun")]
    assert report.fixed == [] and report.left_for_people == 1
    assert "to Mon Jun 1 15:00–19:00" in bot.channel.posted[0]["text"]


@pytest.mark.parametrize("auto_fix", [("RECORD_MISMATCH", "PAGE_STALE"), ()])
def test_a_charter_postponed_past_the_window_is_followed_at_once(
        seeded: Sandbox, tmp_path: Path, auto_fix: tuple[str, ...]) -> None:
    # The window ends Jun 29; Danika (unlinked) is moved to Jul 20. Followed by the check
    # that reads the move (fixed, or an alert for a person), not by the nightly sync.
    bot = make_bot(seeded, tmp_path, auto_fix=auto_fix)
    bot.live().check()
    move_danika(bot.box, day="2026-07-20", start="15:00", end="19:00")
    report = bot.live().check()
    record, page = danika(bot.box)
    scan = seeded.client("dynamodb").scan(TableName=TABLE)["Items"]
    assert not [i for i in scan if i["eventId"]["S"].startswith("danika-jul")]
    if auto_fix:
        assert record["eventDate"] == "2026-07-20" and "July 20" in page["date"]
        assert report.left_for_people == 0
    else:
        assert record["eventDate"] == "2026-05-31"
        assert report.left_for_people == 1
        assert "to Mon Jul 20 15:00–19:00" in bot.channel.posted[0]["text"]


def test_a_process_killed_between_reading_and_handling_handles_it_after_restart(
        bot: Bot) -> None:
    move_danika(bot.box)
    crashing = bot.live(runner_id="crashed")

    def killed(_changes: object) -> None:
        raise KeyboardInterrupt  # the process dies with the changes read, none handled

    crashing.after_read = killed
    with pytest.raises(KeyboardInterrupt):
        crashing.check()
    assert bot.channel.posted == []
    report = bot.live(owner_is_dead=lambda owner: owner == "crashed").check()
    assert report.changed == 1
    assert len(bot.channel.posted) == 1


def test_a_lease_held_by_a_live_process_keeps_a_second_one_out(bot: Bot) -> None:
    move_danika(bot.box)
    first = bot.live(runner_id="first")
    seen: list[str] = []
    first.after_read = lambda _c: seen.append(bot.live(runner_id="second").check().read)
    first.check()
    assert seen == ["busy"]
    assert len(bot.channel.posted) == 1


@pytest.fixture
def postgres_bot(seeded: Sandbox) -> Iterator[Bot]:
    schemas = postgres_schema()
    schema = next(schemas)
    url = (PG_URL.replace("postgresql+psycopg://", "postgresql://")
           + f"?options=-csearch_path%3D{schema}")
    config = with_sync(seeded.config, auto_fix=("RECORD_MISMATCH", "PAGE_STALE"))
    in_sync(seeded, config)
    yield Bot(seeded, config, url)
    next(schemas, None)


def test_two_processes_on_postgresql_handle_each_change_once(postgres_bot: Bot) -> None:
    bot = postgres_bot
    bot.live().check()
    move_danika(bot.box)
    replicas = [bot.live(runner_id=f"replica-{n}") for n in range(2)]
    start = threading.Barrier(2)
    reports: list[Any] = []

    def run(live: LiveSync) -> None:
        start.wait()
        reports.append(live.check())

    threads = [threading.Thread(target=run, args=(r,)) for r in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.changed for r in reports) == 1
    # One of the two read and fixed the edit (the record's times, the page); the other
    # found the lease taken or nothing new after the token.
    assert [bool(r.fixed) for r in reports].count(True) == 1
    assert [r.read for r in reports if not r.fixed] in (["busy"], ["incremental"])
    assert len(bot.channel.posted) == 1
    record, _ = danika(bot.box)
    assert record["startTime"] == "16:00"


def click(bot: Bot, message: dict[str, Any], action_id: str) -> dict[str, Any]:
    """An approver clicks one of the alert's buttons, as the Slack app hands it on."""
    button = next(e for b in message["blocks"] if b["type"] == "actions"
                  for e in b["elements"] if e["action_id"] == action_id)
    systems = build_systems(bot.config, bot.box.env)
    audit = AuditLog(session_factory(open_engine(bot.database)))
    ops = Deps(systems=systems, config=bot.config, audit=audit,
                     changes=ChangeService(systems=systems, config=bot.config, audit=audit),
                     window=lambda: SEED_WINDOW, clock=lambda: NOW)
    updated = decided(ops, action_id=action_id, value=button["value"],
                      user_id=bot.config.slack.approvers[0], message=message)
    assert updated is not None
    return updated


def test_approve_on_an_alert_applies_it_as_on_a_digest_entry(bot: Bot) -> None:
    move_danika(bot.box)
    bot.live().check()
    alert = bot.channel.posted[0]
    approver = bot.config.slack.approvers[0]
    rewritten = click(bot, alert, APPROVE)
    record, page = danika(bot.box)
    assert (record["startTime"], page["arrival"]) == ("16:00", "4:00–8:00 PM")
    assert f"Approved by <@{approver}>" in str(rewritten["blocks"])
    assert rewritten["blocks"][0]["block_id"] == "alert:danika-may31"  # the headline stays


def test_the_poll_and_a_push_in_one_process_read_one_after_the_other(bot: Bot) -> None:
    move_danika(bot.box)
    live = bot.live()
    start = threading.Barrier(2)
    reports: list[Any] = []

    def run() -> None:
        start.wait()
        reports.append(live.check())

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.changed for r in reports) == [0, 1]
    assert len(bot.channel.posted) == 1 and bot.channel.updates == []


KILLED_AFTER_READING = """
import os, sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo
from bot.config import load_config
from bot.environment import read_environment
from bot.wiring import build_change_service, build_systems
from services.live_sync import LEASE_TTL, AlertSink, LiveSync
from store.audit import AuditLog
from store.database import open_engine, session_factory
from store.sync_state import SyncState

config = load_config(sys.argv[1])
env = read_environment()
systems = build_systems(config, env)
sessions = session_factory(open_engine(env.database_url))
live = LiveSync(systems=systems, config=config, state=SyncState(sessions), alerts=None,
                changes=build_change_service(systems, config, AuditLog(sessions)),
                clock=lambda: datetime(2026, 5, 30, 9, tzinfo=ZoneInfo("America/Los_Angeles")))
# Read, then die at once: no cleanup, the lease left held, nothing handled.
live.after_read = lambda changes: (print(changes.count, flush=True), os._exit(9))
live.check()
"""


def test_a_process_killed_for_real_after_reading_leaves_the_change_to_the_next(
        bot: Bot, tmp_path: Path) -> None:
    move_danika(bot.box)
    write_config(bot.config, tmp_path / "app.yaml")
    env = {**os.environ, **sandbox_environ(bot.box), "DATABASE_URL": bot.database,
           "PYTHONPATH": str(ROOT)}
    died = subprocess.run([sys.executable, "-c", KILLED_AFTER_READING, str(tmp_path / "app.yaml")],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert (died.returncode, died.stdout.strip()) == (9, "1"), died.stderr
    record, _ = danika(bot.box)
    assert record["startTime"] == "15:00" and bot.channel.posted == []
    # Restarted: its lease is taken over at once (its process is gone), the change read again.
    report = bot.live(owner_is_dead=runner_is_dead).check()
    assert report.read == "incremental" and report.changed == 1
    assert len(bot.channel.posted) == 1 and "to 16:00–20:00" in bot.channel.posted[0]["text"]


def test_the_first_check_on_a_fresh_store_handles_the_edit_it_read(
        seeded: Sandbox, tmp_path: Path) -> None:
    # The bot started (a new audit database: no token yet), then the calendar was edited
    # before its first check: that check takes the starting point and fixes the edit.
    bot = make_bot(seeded, tmp_path, auto_fix=("RECORD_MISMATCH", "PAGE_STALE"))
    move_danika(bot.box)
    report = bot.live().check()
    assert report.read == "first"
    record, page = danika(bot.box)
    assert (record["startTime"], record["endTime"]) == ("16:00", "20:00")
    assert page["arrival"] == "4:00–8:00 PM"
    bot.box.emulator.reset_requests()
    assert bot.live().check().read == "incremental"  # the starting point was kept
    assert calendar_reads(bot.box) == 1


def test_the_first_check_alerts_on_the_edit_it_read_without_auto_fix(
        seeded: Sandbox, tmp_path: Path) -> None:
    bot = make_bot(seeded, tmp_path)
    move_danika(bot.box)
    assert bot.live().check().read == "first"
    assert len(bot.channel.posted) == 1
    assert "moved 15:00–19:00 to 16:00–20:00" in bot.channel.posted[0]["text"]
    assert danika(bot.box)[0]["startTime"] == "15:00"  # nothing written without a person


def test_the_first_check_follows_an_event_moved_out_of_the_window(
        seeded: Sandbox, tmp_path: Path) -> None:
    bot = make_bot(seeded, tmp_path, auto_fix=("RECORD_ORPHANED", "RECORD_MISMATCH"))
    paola = next(e for e in seeded.emulator.events(CAL) if "Paola" in e["summary"])
    seeded.emulator.patch_event(CAL, paola["id"], {
        "start": {"dateTime": "2026-09-12T12:00:00-07:00"},
        "end": {"dateTime": "2026-09-12T16:00:00-07:00"}})
    assert bot.live().check().read == "first"
    link = paola["extendedProperties"]["private"]["eventId"]
    item = seeded.client("dynamodb").get_item(TableName=TABLE, Key={"eventId": {"S": link}})
    assert item["Item"]["status"]["S"] != "CANCELLED"
    assert item["Item"]["eventDate"]["S"] == "2026-09-12"
