"""A fleet: one calendar per boat, in the calendar emulator, through the CLI against moto's
server. The seed's weekend sails on the Queen of San Diego; other boats keep their own
charters. Each boat is read on its own, a crew member is never on two boats at once, and
a boat whose calendar cannot be read has nothing of its own decided."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from bot.cli import main
from bot.config import parse_config
from bot.sandbox.sandbox import Sandbox, running_sandbox, write_config
from common.errors import ConfigError
from services.domain.config import BoatSettings, CalendarSettings, Config
from tests.conftest import SEED_SATURDAY, as_the_cli_sees_it, install_seed
from tests.services.test_live_sync import danika, make_bot, move_danika
from tests.test_write_bounds import invalidated

WINDOW = ["--from", "2026-05-25", "--to", "2026-06-24"]
TABLE, BUCKET = "jada-charter-events", "sailjada-public"
QUEEN = "jada-internal@group.calendar.google.com"
SEA_WOLF = "sea-wolf@group.calendar.google.com"
MARLIN = "marlin@group.calendar.google.com"
ZONE = "America/Los_Angeles"


def fleet_config(config: Config, *boats: tuple[str, str]) -> Config:
    return config.model_copy(update={
        "calendar": CalendarSettings(window_days=config.calendar.window_days),
        "calendars": tuple(BoatSettings(name=name, id=cal) for name, cal in boats)})


@pytest.fixture
def fleet(config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
          ) -> Iterator[Sandbox]:
    """Three boats: the seed's weekend on the Queen, Sea Wolf and Marlin empty so far."""
    boats = (("Queen of San Diego", QUEEN), ("Sea Wolf", SEA_WOLF), ("Marlin", MARLIN))
    with running_sandbox(fleet_config(config, *boats)) as box:
        install_seed(box, saturday=SEED_SATURDAY)
        yield as_the_cli_sees_it(box, tmp_path, monkeypatch)


@pytest.fixture
def two_boats(config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
              ) -> Iterator[Sandbox]:
    """Two boats: the seed's weekend on the Queen, Sea Wolf empty so far."""
    boats = (("Queen of San Diego", QUEEN), ("Sea Wolf", SEA_WOLF))
    with running_sandbox(fleet_config(config, *boats)) as box:
        install_seed(box, saturday=SEED_SATURDAY)
        yield as_the_cli_sees_it(box, tmp_path, monkeypatch)


def charter(event_id: str, guest: str, day: date, start: str, end: str, *, captain: str,
            mate: str, guests: int = 6) -> dict[str, Any]:
    return {
        "id": event_id, "summary": f"{guest} — Harbor Cruise",
        "location": "Shelter Island, Dock C",
        "description": f"Captain: {captain}\nMate: {mate}\nGuests: {guests}\nGuest: {guest}",
        "start": {"dateTime": f"{day.isoformat()}T{start}:00", "timeZone": ZONE},
        "end": {"dateTime": f"{day.isoformat()}T{end}:00", "timeZone": ZONE},
    }


# Charters the tests book on the other boats (the seed's weekend is the Queen's).
DANIKA_ON_SEA_WOLF = {"event_id": "evtseadanika", "guest": "Danika", "day": date(2026, 5, 31),
                      "start": "16:00", "end": "18:00", "captain": "Darrell", "mate": "Tess"}
PAT_ON_SEA_WOLF = {**DANIKA_ON_SEA_WOLF, "event_id": "evtseapat", "guest": "Pat"}
LEE_ON_SEA_WOLF = {"event_id": "evtsealee", "guest": "Lee", "day": date(2026, 6, 1),
                   "start": "10:00", "end": "12:00", "captain": "Darrell", "mate": "Tess"}
KIM_ON_MARLIN = {"event_id": "evtmarlinkim", "guest": "Kim", "day": date(2026, 6, 2),
                 "start": "09:00", "end": "11:00", "captain": "Marco", "mate": "Ana"}
QUINN_ON_SEA_WOLF = {"event_id": "evtseaquinn", "guest": "Quinn", "day": date(2026, 5, 30),
                     "start": "15:00", "end": "17:00", "captain": "Gene", "mate": "Ana"}


def book(box: Sandbox, calendar_id: str, booking: dict[str, Any]) -> None:
    box.emulator.add_event(calendar_id, charter(**booking))


def unreadable(box: Sandbox, calendar_id: str) -> None:
    """That boat's calendar answers nothing but 500s, and the app.yaml the commands read
    gives it no feed to fall back on."""
    write_config(box.config.model_copy(update={"calendars": tuple(
        b.model_copy(update={"ical_url": None}) if b.id == calendar_id else b
        for b in box.config.calendars)}), Path.cwd() / "app.yaml")
    box.emulator.fail_next(10_000, status=500, match=calendar_id.split("@")[0] + "@")


def reconcile(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main(["reconcile", "--json", *WINDOW, *args])
    return code, json.loads(capsys.readouterr().out)


def record(box: Sandbox, event_id: str) -> dict[str, Any] | None:
    item = box.client("dynamodb").get_item(TableName=TABLE, Key={"eventId": {"S": event_id}})
    return item.get("Item")


def page(box: Sandbox, key: str) -> str:
    return box.client("s3").get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()


def audit_rows() -> int:
    engine = create_engine(f"sqlite:///{Path.cwd() / 'audit.sqlite3'}")
    with engine.connect() as connection:
        tables = {r[0] for r in connection.execute(text(
            "SELECT name FROM sqlite_master WHERE type='table'"))}
        return connection.execute(text("SELECT COUNT(*) FROM changes")).scalar_one() \
            if "changes" in tables else 0


def test_each_boat_is_reconciled_and_its_records_and_pages_name_it(
        fleet: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    # Danika sails twice on May 31: the seed's afternoon on the Queen, and a later
    # harbour cruise on Sea Wolf; Marlin has a charter of its own.
    book(fleet, SEA_WOLF, DANIKA_ON_SEA_WOLF)
    book(fleet, MARLIN, KIM_ON_MARLIN)
    code, report = reconcile(capsys)
    assert (code, report["complete"], report["charters_checked"]) == (2, True, 8)
    missing = {(d["event_id"], d["vessel"]) for d in report["discrepancies"]
               if d["kind"] == "RECORD_MISSING"}
    assert missing == {("quinn-may30", "Queen of San Diego"),
                       ("jonathan-may31", "Queen of San Diego"),
                       ("danika-may31-2", "Sea Wolf"), ("kim-jun2", "Marlin")}

    assert main(["apply", "--all", *WINDOW]) == 0
    wolf = record(fleet, "danika-may31-2")
    assert wolf is not None
    assert (wolf["vessel"]["S"], wolf["calendarId"]["S"]) == ("Sea Wolf", SEA_WOLF)
    assert wolf["calendarEventId"]["S"] == "evtseadanika"
    # The seed's own Danika record (from before the link) now names its boat as well.
    queen = record(fleet, "danika-may31")
    assert queen is not None
    assert (queen["vessel"]["S"], queen["calendarId"]["S"]) == ("Queen of San Diego", QUEEN)
    assert queen["startTime"]["S"] == "15:00"
    assert "Sea Wolf" in page(fleet, "charters/guests/danika-may31-2.html")
    assert "Marlin" in page(fleet, "charters/guests/kim-jun2.html")
    assert "Sea Wolf" not in page(fleet, "charters/guests/danika-guest.html")
    code, again = reconcile(capsys)
    assert (code, again["discrepancies"]) == (0, [])


def test_a_captain_on_two_boats_at_once_is_a_conflict_and_never_fixed(
        fleet: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    # Gene captains Danika on the Queen 15:00–19:00 and, by mistake, Sea Wolf 16:00–18:00.
    book(fleet, SEA_WOLF, {**PAT_ON_SEA_WOLF, "captain": "Gene"})
    code, report = reconcile(capsys)
    [conflict] = [d for d in report["discrepancies"] if d["kind"] == "CREW_CONFLICT"]
    assert conflict["fix"] == []
    assert "danika-may31 on Queen of San Diego" in conflict["summary"]
    assert "pat-may31 on Sea Wolf" in conflict["summary"]
    etags = {e["id"]: e["etag"] for cal in (QUEEN, SEA_WOLF) for e in fleet.emulator.events(cal)}

    assert main(["apply", "--all", *WINDOW]) == 0
    assert {e["id"]: e["etag"] for cal in (QUEEN, SEA_WOLF)
            for e in fleet.emulator.events(cal)} == etags
    code, after = reconcile(capsys)
    assert code == 2 and [d["kind"] for d in after["discrepancies"]] == ["CREW_CONFLICT"]


def test_a_swap_that_would_put_someone_on_two_boats_is_refused_with_nothing_written(
        fleet: Sandbox, capsys: pytest.CaptureFixture[str], aws_calls: Counter[str]) -> None:
    book(fleet, SEA_WOLF, PAT_ON_SEA_WOLF)
    etags = {e["id"]: e["etag"] for cal in (QUEEN, SEA_WOLF) for e in fleet.emulator.events(cal)}
    aws_calls.clear()
    capsys.readouterr()
    # Gene is on Danika's charter on the Queen, 15:00–19:00.
    assert main(["swap", "pat-may31", "Darrell", "Gene", *WINDOW]) == 1
    err = capsys.readouterr().err
    assert "Gene is already on danika-may31 on Queen of San Diego" in err
    assert {e["id"]: e["etag"] for cal in (QUEEN, SEA_WOLF)
            for e in fleet.emulator.events(cal)} == etags
    writes = {"PutItem", "UpdateItem", "PutObject", "CreateInvalidation"}
    assert not writes & set(aws_calls)
    assert audit_rows() == 0


def test_one_boats_calendar_failing_leaves_the_others_reconciled_and_its_own_untouched(
        fleet: Sandbox, capsys: pytest.CaptureFixture[str], aws_calls: Counter[str]) -> None:
    wolf_key = "charters/guests/lee-jun1.html"
    book(fleet, SEA_WOLF, LEE_ON_SEA_WOLF)
    book(fleet, MARLIN, KIM_ON_MARLIN)
    dynamodb = fleet.client("dynamodb")
    # Sea Wolf's record is out of date (the calendar moved it to 10:00), its page is old,
    # and a record from before boats were written has no charter in any calendar read.
    for item in ({"eventId": "lee-jun1", "eventDate": "2026-06-01", "startTime": "09:00",
                  "endTime": "12:00", "guestName": "Lee", "status": "CREW_ASSIGNED",
                  "calendarEventId": "evtsealee", "calendarId": SEA_WOLF,
                  "vessel": "Sea Wolf", "pageKey": wolf_key},
                 {"eventId": "ghost-jun3", "eventDate": "2026-06-03", "startTime": "10:00",
                  "endTime": "12:00", "guestName": "Ghost", "status": "CREW_ASSIGNED",
                  "calendarEventId": "evtghost"}):
        dynamodb.put_item(TableName=TABLE, Item={
            k: {"S": v} for k, v in item.items()})
    fleet.client("s3").put_object(Bucket=BUCKET, Key=wolf_key, Body=b"<p>9:00 AM</p>")
    unreadable(fleet, SEA_WOLF)  # only 500s, and no feed to fall back on
    before = {"lee": record(fleet, "lee-jun1"), "ghost": record(fleet, "ghost-jun3")}

    code, report = reconcile(capsys)
    # Drift was found in what was read (the seed's, Marlin's): 2, as after any partial read
    # that found drift; `complete` false says not everything was read.
    assert code == 2 and report["complete"] is False
    by_event = {d["event_id"] for d in report["discrepancies"]}
    assert {"quinn-may30", "jonathan-may31", "kim-jun2"} <= by_event
    # Danika's record predates both the link and the boat: with a boat not read it may be
    # that boat's, so the Queen's Danika is not matched to it by the id rule (withheld).
    assert not by_event & {"lee-jun1", "ghost-jun3", "danika-may31"}
    assert "danika-may31" in {w["event_id"] for w in report["withheld"]}
    withheld = {w["event_id"]: w for w in report["withheld"]}
    assert withheld["lee-jun1"]["vessel"] == "Sea Wolf"
    assert "Sea Wolf was not read" in withheld["lee-jun1"]["reason"]
    assert "names no boat" in withheld["ghost-jun3"]["reason"]
    assert any("Sea Wolf" in note for note in report["notes"])

    aws_calls.clear()
    capsys.readouterr()
    assert main(["apply", "--all", *WINDOW]) == 1
    assert record(fleet, "kim-jun2") is not None  # Marlin's charter, in full
    assert record(fleet, "quinn-may30") is not None
    assert {"lee": record(fleet, "lee-jun1"), "ghost": record(fleet, "ghost-jun3")} == before
    assert page(fleet, wolf_key) == "<p>9:00 AM</p>"
    assert f"/{wolf_key}" not in invalidated(fleet)
    assert "/charters/guests/kim-jun2.html" in invalidated(fleet)


def test_an_event_moved_to_another_boat_keeps_its_record(
        fleet: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apply", "--all", *WINDOW]) == 0
    key = "charters/guests/paola-jun14.html"
    assert "Queen of San Diego" in page(fleet, key)
    fleet.emulator.move_event(QUEEN, "evtpaola", SEA_WOLF)

    code, report = reconcile(capsys)
    found = {(d["kind"], d["field"]) for d in report["discrepancies"]
             if d["event_id"] == "paola-jun14"}
    assert found == {("RECORD_MISMATCH", "vessel"), ("PAGE_STALE", None)}
    assert main(["apply", "--all", *WINDOW]) == 0
    paola = record(fleet, "paola-jun14")
    assert paola is not None
    assert (paola["vessel"]["S"], paola["calendarId"]["S"]) == ("Sea Wolf", SEA_WOLF)
    assert paola["status"]["S"] == "CREW_ASSIGNED"
    assert "Sea Wolf" in page(fleet, key)
    code, again = reconcile(capsys)
    assert (code, again["discrepancies"]) == (0, [])


FLEET_YAML = """
pages: {bucket: sailjada-public, distribution_id: E1, base_url: "https://g.example",
        waiver_url: "https://g.example/w"}
"""


@pytest.mark.parametrize(("calendars", "message"), [
    ("calendars: [{name: Sea Wolf, id: a}, {name: sea wolf, id: b}]",
     "app.yaml: calendars[1].name: the boat 'sea wolf' is named twice"),
    ("calendars: [{name: Sea Wolf, id: a}, {name: Marlin, id: a}]",
     "app.yaml: calendars[1].id: calendar a is also calendars[0]'s"),
    ("calendar: {id: a}\ncalendars: [{name: Marlin, id: b}]",
     "app.yaml: calendars: set beside calendar.id"),
    ("calendar: {window_days: 10}", "app.yaml: calendar.id: missing"),
])
def test_a_fleet_config_that_names_a_boat_or_calendar_twice_is_refused(
        calendars: str, message: str) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_config(FLEET_YAML + calendars)
    assert str(refused.value).startswith(message)


def test_the_single_calendar_is_one_boat_named_for_the_operator() -> None:
    config = parse_config(FLEET_YAML + "calendar: {id: a}\noperator: {name: Kestrel}")
    [boat] = config.boats
    assert (boat.name, boat.calendar_id) == ("Kestrel", "a")
    fleet = parse_config(FLEET_YAML + "calendar: {window_days: 9, push_url: null}\n"
                         "calendars: [{name: Sea Wolf, id: a}, {name: Marlin, id: b}]")
    assert [b.name for b in fleet.boats] == ["Sea Wolf", "Marlin"]
    assert fleet.calendar.window_days == 9


# -- live sync: a token and a lease per boat's calendar ---------------------------------

FIXES = ("RECORD_MISSING", "RECORD_MISMATCH", "RECORD_ORPHANED", "PAGE_MISSING", "PAGE_STALE")


def calendar_requests(box: Sandbox) -> Counter[str]:
    """Calendar API requests by calendar id."""
    return Counter(path.split("/calendars/")[1].split("/")[0].replace("%40", "@")
                   for _, path in box.emulator.requests if "/calendars/" in path)


def test_live_sync_follows_each_boats_calendar_and_an_idle_check_is_a_request_each(
        fleet: Sandbox, tmp_path: Path, aws_calls: Counter[str]) -> None:
    bot = make_bot(fleet, tmp_path, auto_fix=FIXES)
    first = bot.live().check()
    assert first.read == "first" and first.stored
    # An edit on the Queen and a new charter on Sea Wolf, both between two checks.
    move_danika(fleet)
    book(fleet, SEA_WOLF, LEE_ON_SEA_WOLF)
    report = bot.live().check()
    assert report.changed == 2 and report.stored
    record_of_danika, page_of_danika = danika(fleet)
    assert record_of_danika["startTime"] == "16:00"
    assert page_of_danika["arrival"] == "4:00–8:00 PM"
    lee = record(fleet, "lee-jun1")
    assert lee is not None and lee["vessel"]["S"] == "Sea Wolf"
    assert "Sea Wolf" in page(fleet, "charters/guests/lee-jun1.html")

    live = bot.live()
    fleet.emulator.reset_requests()
    aws_calls.clear()
    for _ in range(5):
        idle = live.check()
        assert idle.read == "incremental" and idle.changed == 0
    assert calendar_requests(fleet) == {QUEEN: 5, SEA_WOLF: 5, MARLIN: 5}
    assert sum(aws_calls.values()) == 0


def test_live_sync_follows_an_event_moved_to_another_boat_and_never_cancels_it(
        fleet: Sandbox, tmp_path: Path) -> None:
    bot = make_bot(fleet, tmp_path, auto_fix=FIXES)
    assert bot.live().check().read == "first"
    fleet.emulator.move_event(QUEEN, "evtpaola", SEA_WOLF)
    report = bot.live().check()
    assert report.stored
    paola = record(fleet, "paola-jun14")
    assert paola is not None
    assert paola["status"]["S"] == "CREW_ASSIGNED"
    assert (paola["vessel"]["S"], paola["calendarId"]["S"]) == ("Sea Wolf", SEA_WOLF)
    assert "Sea Wolf" in page(fleet, "charters/guests/paola-jun14.html")


def test_live_sync_checks_the_other_boats_when_one_calendar_fails(
        fleet: Sandbox, tmp_path: Path) -> None:
    bot = make_bot(fleet, tmp_path, auto_fix=FIXES)
    assert bot.live().check().read == "first"
    book(fleet, MARLIN, KIM_ON_MARLIN)
    fleet.emulator.fail_next(100, status=500, match="sea-wolf@")
    report = bot.live().check()
    assert record(fleet, "kim-jun2") is not None
    assert not report.stored  # not every boat was checked: no heartbeat, staleness shows
    assert any(note.startswith("Sea Wolf: its calendar could not be checked")
               for note in report.notes)


# -- every surface knows the boat ---------------------------------------------------------

def test_boat_narrows_reconcile_and_apply_and_an_unknown_boat_is_refused_before_any_read(
        fleet: Sandbox, capsys: pytest.CaptureFixture[str], aws_calls: Counter[str]) -> None:
    book(fleet, SEA_WOLF, LEE_ON_SEA_WOLF)
    fleet.emulator.reset_requests()
    aws_calls.clear()
    capsys.readouterr()
    assert main(["reconcile", "--boat", "Sea Dog", *WINDOW]) == 1
    err = capsys.readouterr().err
    assert "No boat is named 'Sea Dog'. The boats: Queen of San Diego, Sea Wolf, Marlin." in err
    assert fleet.emulator.requests == [] and sum(aws_calls.values()) == 0

    code, report = reconcile(capsys, "--boat", "sea wolf")
    assert code == 2
    assert {(d["event_id"], d["vessel"]) for d in report["discrepancies"]} == {
        ("lee-jun1", "Sea Wolf")}
    assert main(["apply", "--all", "--boat", "Sea Wolf", *WINDOW]) == 0
    assert record(fleet, "lee-jun1") is not None
    assert record(fleet, "quinn-may30") is None  # the Queen's drift is left as it was
    code, queen = reconcile(capsys, "--boat", "Queen of San Diego")
    assert code == 2 and {d["vessel"] for d in queen["discrepancies"]} == {
        "Queen of San Diego"}


def test_ready_groups_departures_by_boat_and_status_names_the_boats_of_two_charters(
        fleet: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    book(fleet, SEA_WOLF, DANIKA_ON_SEA_WOLF)
    assert main(["apply", "--all", *WINDOW]) == 0
    capsys.readouterr()
    main(["ready", "2026-05-31"])
    out = capsys.readouterr().out
    queen, wolf = out.index("Queen of San Diego:"), out.index("Sea Wolf:")
    assert queen < out.index("Jonathan") < out.index("Danika") < wolf
    assert out.index("Danika", wolf) > wolf  # Sea Wolf's Danika under Sea Wolf
    main(["ready", "2026-05-31", "--json"])
    departures = json.loads(capsys.readouterr().out)
    assert {(d["event_id"], d["vessel"]) for d in departures} == {
        ("jonathan-may31", "Queen of San Diego"), ("danika-may31", "Queen of San Diego"),
        ("danika-may31-2", "Sea Wolf")}

    assert main(["status", "danika", *WINDOW]) == 1
    err = capsys.readouterr().err
    assert "danika-may31 (Queen of San Diego), danika-may31-2 (Sea Wolf)" in err
    assert main(["status", "danika", "--boat", "Sea Wolf", *WINDOW]) == 0
    out = capsys.readouterr().out
    assert "danika-may31-2" in out and "vessel" in out and "Sea Wolf" in out


def test_doctor_checks_each_boats_calendar_on_its_own_line(
        fleet: Sandbox, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.sandbox.slack_fake import SlackFake

    # Marlin's calendar id is mistyped: that line alone fails, naming the key to fix.
    typo = fleet.config.model_copy(update={"calendars": tuple(
        b.model_copy(update={"id": "marlyn@group.calendar.google.com", "ical_url": None})
        if b.name == "Marlin" else b for b in fleet.config.calendars)})
    write_config(typo, Path.cwd() / "app.yaml")
    with SlackFake() as slack:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-fleet-doctor")
        monkeypatch.setenv("SLACK_API_URL", slack.api_url)
        monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
        assert main(["audit"]) == 0
        capsys.readouterr()
        code = main(["doctor"])
    out = capsys.readouterr().out
    lines = {line[2:].split(":", 1)[0]: line for line in out.splitlines()
             if line[:2] in ("✓ ", "✗ ")}
    assert code == 1
    assert [name for name, line in lines.items() if line.startswith("✗")] == [
        "calendar API (Marlin)"]
    assert "check calendars[2].id in app.yaml" in lines["calendar API (Marlin)"]
    for boat in ("Queen of San Diego", "Sea Wolf"):
        assert lines[f"calendar API ({boat})"].startswith("✓")
        assert lines[f"iCal feed ({boat})"].startswith("✓")


def test_a_410_on_one_calendar_is_one_full_read_of_that_calendar_only(
        fleet: Sandbox, tmp_path: Path) -> None:
    bot = make_bot(fleet, tmp_path, auto_fix=FIXES)
    assert bot.live().check().read == "first"
    # Sea Wolf's stored token is refused (410) once: only its window is read in full.
    fleet.emulator.fail_next(1, status=410, match="sea-wolf@", reason="fullSyncRequired")
    fleet.emulator.reset_requests()
    report = bot.live().check()
    assert report.read == "full" and report.stored
    listings = [path for _, path in fleet.emulator.requests if path.endswith("/events")]
    assert Counter(p.split("/calendars/")[1].split("/")[0].replace("%40", "@")
                   for p in listings) == {QUEEN: 1, SEA_WOLF: 2, MARLIN: 1}


def test_slack_status_of_a_guest_on_two_boats_offers_each_charter_with_its_boat(
        fleet: Sandbox, tmp_path: Path) -> None:
    from bot.sandbox.slack_fake import SlackFake
    from tests.handlers.slack_requests import click, command, make_bot, responses, signed

    book(fleet, SEA_WOLF, DANIKA_ON_SEA_WOLF)
    with SlackFake() as slack:
        app, _ = make_bot(fleet, slack, tmp_path / "slack.sqlite3")
        app.dispatch(signed(command(slack, "status danika")))
        [question] = responses(slack, 1)
        [actions] = [b for b in question["blocks"] if b["type"] == "actions"]
        assert [e["text"]["text"] for e in actions["elements"]] == [
            "danika-may31 (Queen of San Diego)", "danika-may31-2 (Sea Wolf)"]
        app.dispatch(signed(click(slack, "pick_charter", actions["elements"][1]["value"],
                                  block_id="pick", message={"ts": "1.1", "text": "q",
                                                            "blocks": question["blocks"]})))
        answer = responses(slack, 2)[1]
        assert answer["text"] == "Status of danika-may31-2"
        assert "Sea Wolf" in json.dumps(answer["blocks"])


# -- what a move, an unread boat and a change on a second boat must never do ------------

def test_a_charter_moved_to_a_boat_not_read_is_withheld_not_cancelled(
        fleet: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apply", "--all", *WINDOW]) == 0
    # Paola's charter is moved to Sea Wolf, whose calendar then answers only 500s: the
    # Queen's listing shows it cancelled, which is what a move leaves behind.
    fleet.emulator.move_event(QUEEN, "evtpaola", SEA_WOLF)
    unreadable(fleet, SEA_WOLF)
    code, report = reconcile(capsys)
    # Nothing found in what was read, and a boat not read: 1, not "in sync".
    assert code == 1 and report["complete"] is False
    assert not [d for d in report["discrepancies"] if d["event_id"] == "paola-jun14"]
    [held] = [w for w in report["withheld"] if w["event_id"] == "paola-jun14"]
    assert "RECORD_ORPHANED" in held["kinds"]
    assert main(["apply", "--all", *WINDOW]) == 1
    paola = record(fleet, "paola-jun14")
    assert paola is not None and paola["status"]["S"] == "CREW_ASSIGNED"


def test_a_charter_moved_to_another_boat_and_postponed_follows_its_event(
        fleet: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apply", "--all", *WINDOW]) == 0
    fleet.emulator.move_event(QUEEN, "evtpaola", SEA_WOLF)
    fleet.emulator.patch_event(SEA_WOLF, "evtpaola", {
        "start": {"dateTime": "2026-08-14T12:00:00", "timeZone": ZONE},
        "end": {"dateTime": "2026-08-14T16:00:00", "timeZone": ZONE}})
    code, report = reconcile(capsys)
    assert code == 2
    kinds = {(d["kind"], d["field"]) for d in report["discrepancies"]
             if d["event_id"] == "paola-jun14"}
    assert ("RECORD_ORPHANED", "status") not in kinds
    assert ("RECORD_MISMATCH", "eventDate") in kinds and ("RECORD_MISMATCH", "vessel") in kinds
    assert main(["apply", "--all", *WINDOW]) == 0
    paola = record(fleet, "paola-jun14")
    assert paola is not None
    assert (paola["status"]["S"], paola["eventDate"]["S"], paola["vessel"]["S"]) == (
        "CREW_ASSIGNED", "2026-08-14", "Sea Wolf")


def test_a_swap_on_a_second_boat_writes_that_calendar_and_a_page_naming_that_boat(
        fleet: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    book(fleet, SEA_WOLF, LEE_ON_SEA_WOLF)
    assert main(["apply", "--all", *WINDOW]) == 0
    queen = {e["id"]: e["etag"] for e in fleet.emulator.events(QUEEN)}
    assert main(["swap", "lee-jun1", "mate", "Ana", *WINDOW]) == 0
    assert "Mate: Ana" in (fleet.emulator.get_event(SEA_WOLF, "evtsealee") or {})[
        "description"]
    assert {e["id"]: e["etag"] for e in fleet.emulator.events(QUEEN)} == queen
    assert "Aboard Sea Wolf" in page(fleet, "charters/guests/lee-jun1.html")
    code, after = reconcile(capsys)
    assert (code, after["discrepancies"]) == (0, [])  # the page the swap wrote is current


def test_a_swap_while_a_boats_calendar_is_unread_is_refused_with_nothing_written(
        fleet: Sandbox, capsys: pytest.CaptureFixture[str], aws_calls: Counter[str]) -> None:
    unreadable(fleet, SEA_WOLF)
    etags = {e["id"]: e["etag"] for e in fleet.emulator.events(QUEEN)}
    aws_calls.clear()
    capsys.readouterr()
    assert main(["swap", "danika", "mate", "Tess", *WINDOW]) == 1
    err = capsys.readouterr().err
    assert "The calendar of Sea Wolf could not be read" in err and "nothing was changed" in err
    assert {e["id"]: e["etag"] for e in fleet.emulator.events(QUEEN)} == etags
    assert not {"PutItem", "UpdateItem", "PutObject", "CreateInvalidation"} & set(aws_calls)
    assert audit_rows() == 0


def test_push_registers_a_channel_per_boats_calendar_and_takes_each_ones_notifications(
        fleet: Sandbox, tmp_path: Path) -> None:
    from bot.watch import build_push
    from bot.wiring import build_systems
    from services.push import Notification

    pushed = fleet.config.model_copy(update={"calendar": fleet.config.calendar.model_copy(
        update={"push_url": "http://127.0.0.1:9/calendar/notifications"})})
    bot = make_bot(fleet, tmp_path)
    live = bot.live()
    push = build_push(live, build_systems(pushed, fleet.env), pushed)
    assert push is not None
    push.ensure()
    by_calendar = {c["calendar"]: c for c in fleet.emulator.channels.values()}
    assert set(by_calendar) == {QUEEN, SEA_WOLF, MARLIN}
    wolf = by_calendar[SEA_WOLF]
    assert push.accepts(Notification(wolf["id"], wolf["token"], "exists", 2))
    assert not push.accepts(Notification(wolf["id"], "forged", "exists", 2))
    push.ensure()  # each channel reused while it lives: nothing registered again
    assert len(fleet.emulator.channels) == 3
    assert push.leave(alive_within=timedelta(minutes=3))



def test_two_boats_the_same_guest_the_same_day_get_their_own_records_and_pages(
        two_boats: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    book(two_boats, SEA_WOLF, QUINN_ON_SEA_WOLF)
    code, report = reconcile(capsys)
    assert (code, report["complete"], report["charters_checked"]) == (2, True, 7)
    assert main(["apply", "--all", *WINDOW]) == 0
    queen, wolf = record(two_boats, "quinn-may30"), record(two_boats, "quinn-may30-2")
    assert queen is not None and wolf is not None
    assert (queen["vessel"]["S"], wolf["vessel"]["S"]) == ("Queen of San Diego", "Sea Wolf")
    assert (queen["calendarEventId"]["S"], wolf["calendarEventId"]["S"]) == (
        "evtquinn", "evtseaquinn")
    assert "Aboard Sea Wolf" in page(two_boats, "charters/guests/quinn-may30-2.html")
    assert "Aboard Queen of San Diego" in page(two_boats, "charters/guests/quinn-may30.html")
    code, again = reconcile(capsys)
    assert (code, again["discrepancies"]) == (0, [])


def test_a_charter_on_a_boat_read_never_takes_the_record_of_a_boat_not_read(
        two_boats: Sandbox, capsys: pytest.CaptureFixture[str],
        aws_calls: Counter[str]) -> None:
    # Sea Wolf books a Quinn on the day of the seed's Quinn (whose record is not made yet
    # on the Queen): then the Queen's calendar stops answering, with no feed. A record
    # quinn-may30 from before records named a boat (no link either) may be the Queen's.
    two_boats.client("dynamodb").put_item(TableName=TABLE, Item={
        "eventId": {"S": "quinn-may30"}, "eventDate": {"S": "2026-05-30"},
        "startTime": {"S": "10:00"}, "endTime": {"S": "14:00"}, "guestName": {"S": "Quinn"},
        "status": {"S": "CREW_ASSIGNED"}, "pageKey": {"S": "charters/guests/quinn-may30.html"}})
    book(two_boats, SEA_WOLF, QUINN_ON_SEA_WOLF)
    unreadable(two_boats, QUEEN)
    before = record(two_boats, "quinn-may30")

    code, report = reconcile(capsys)
    assert code == 1 and report["complete"] is False  # nothing found in what was read
    assert not [d for d in report["discrepancies"] if d["event_id"].startswith("quinn")]
    held = [w for w in report["withheld"] if w["event_id"] == "quinn-may30"]
    # The Sea Wolf charter's record checks, and the record's own absence check, both wait.
    assert {k for w in held for k in w["kinds"]} >= {"RECORD_MISSING", "RECORD_ORPHANED"}
    assert "Sea Wolf" in {w["vessel"] for w in held}
    aws_calls.clear()
    main(["apply", "--all", *WINDOW])
    assert record(two_boats, "quinn-may30") == before
    assert record(two_boats, "quinn-may30-2") is None
    assert aws_calls["PutObject"] == 0


def test_live_syncs_full_read_of_one_boat_matches_every_record_of_the_window(
        fleet: Sandbox, tmp_path: Path) -> None:
    bot = make_bot(fleet, tmp_path, auto_fix=FIXES)
    assert bot.live().check().read == "first"
    # Records from before boats were written (in sync, so never rewritten): Jonathan's.
    dynamodb = fleet.client("dynamodb")
    dynamodb.update_item(TableName=TABLE, Key={"eventId": {"S": "jonathan-may31"}},
                         UpdateExpression="REMOVE vessel, calendarId")
    # Jonathan's charter moves to another day, then the Queen's token is refused (410).
    fleet.emulator.patch_event(QUEEN, "evtjonathan", {
        "start": {"dateTime": "2026-06-02T10:30:00", "timeZone": ZONE},
        "end": {"dateTime": "2026-06-02T13:30:00", "timeZone": ZONE}})
    fleet.emulator.fail_next(1, status=410, match="jada-internal@", reason="fullSyncRequired")
    report = bot.live().check()
    assert report.read == "full"
    moved = record(fleet, "jonathan-may31")
    assert moved is not None and moved["eventDate"]["S"] == "2026-06-02"
    assert record(fleet, "jonathan-jun2") is None  # no second record for the same charter
