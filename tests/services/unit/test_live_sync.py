"""Live sync (services/live_sync.py) on the fakes: someone moves a charter in Google
Calendar; one incremental read finds it, and the record and the page follow when
``sync.auto_fix`` allows, or a person is asked when it does not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from handlers.views.alerts import alert_message
from handlers.views.blocks import Message
from services.domain.config import Config
from services.domain.pages.reading import read_page_fields
from services.domain.pages.rendering import PageRenderer
from services.domain.reconcile.alerts import ChangeAlert
from services.live_sync import LiveSync
from services.reconciling import run_reconcile
from store.sync_state import SyncState
from tests.conftest import SEED_WINDOW
from tests.services.unit.conftest import NOW, World, seeded_world

DANIKA, EVENT, PAGE = "danika-may31", "evtdanika", "charters/guests/danika-guest.html"


class Channel:
    def __init__(self) -> None:
        self.posted: list[Message] = []

    def post(self, alert: ChangeAlert) -> tuple[str, str]:
        self.posted.append(alert_message(alert))
        return "C0OPS", f"{len(self.posted)}.0"

    def update(self, channel: str, ts: str, alert: ChangeAlert) -> None:
        self.posted.append(alert_message(alert))


def following(config: Config, tmp_path: Path, **sync: Any) -> tuple[World, LiveSync, Channel]:
    """The seed put in agreement (as the demo does), then the calendar followed."""
    config = config.model_copy(update={"sync": config.sync.model_copy(update=sync)})
    world = seeded_world(config, database=f"sqlite:///{tmp_path / 'audit.sqlite3'}")
    result = run_reconcile(world.systems, config, window=SEED_WINDOW, now=NOW,
                           renderer=PageRenderer())
    world.service.apply_fixes(result, [d.id for d in result.discrepancies if d.fix],
                              requested_by="test", source="cli")
    channel = Channel()
    live = LiveSync(systems=world.systems, config=config, state=SyncState(world.audit.sessions),
                    changes=world.service, alerts=channel, clock=lambda: NOW,
                    owner_is_dead=lambda _owner: False)
    assert live.check().read == "first"
    return world, live, channel


def move_danika(world: World) -> None:
    world.api.edit(EVENT, {
        "start": {"dateTime": "2026-05-31T16:00:00-07:00", "timeZone": "America/Los_Angeles"},
        "end": {"dateTime": "2026-05-31T20:00:00-07:00", "timeZone": "America/Los_Angeles"}})


def test_an_edit_is_followed_in_the_record_and_the_page_when_auto_fix_allows(
        config: Config, tmp_path: Path) -> None:
    world, live, _ = following(config, tmp_path, auto_fix=("RECORD_MISMATCH", "PAGE_STALE"))
    move_danika(world)
    reads, patches = world.api.calls["list_changes"], world.api.writes
    invalidations = len(world.cdn.invalidations)

    report = live.check()

    assert report.read == "incremental" and report.changed == 1
    assert world.api.calls["list_changes"] == reads + 1
    assert world.api.writes == patches  # the calendar is the truth: never written here
    record = world.records.items[DANIKA]
    assert (record["startTime"], record["endTime"]) == ("16:00", "20:00")
    assert read_page_fields(world.pages.html[PAGE])["arrival"] == "4:00–8:00 PM"
    assert [i.paths for i in world.cdn.invalidations[invalidations:]] == [("/" + PAGE,)]
    assert report.left_for_people == 0


def test_without_auto_fix_an_edit_is_an_alert_and_nothing_is_written(
        config: Config, tmp_path: Path) -> None:
    world, live, channel = following(config, tmp_path, auto_fix=())
    move_danika(world)
    before = (world.records.writes, world.pages.writes, world.cdn.writes)

    report = live.check()

    assert report.changed == 1 and report.left_for_people == 1
    assert (world.records.writes, world.pages.writes, world.cdn.writes) == before
    assert world.records.items[DANIKA]["startTime"] == "15:00"
    [alert] = channel.posted
    assert "15:00–19:00 to 16:00–20:00" in alert["text"]


def test_nothing_changed_is_one_calendar_read_and_nothing_else(
        config: Config, tmp_path: Path) -> None:
    world, live, channel = following(config, tmp_path)
    calls = {"records": sum(world.records.calls.values()),
             "pages": sum(world.pages.calls.values())}

    report = live.check()

    assert report.changed == 0
    assert {"records": sum(world.records.calls.values()),
            "pages": sum(world.pages.calls.values())} == calls
    assert channel.posted == []
