"""A fleet's calendars are read at the same time: ten boats in the calendar emulator,
reconciled through the CLI against moto's server, each boat's listing kept waiting at the
emulator until every boat's has arrived. One boat whose calendar fails meanwhile is
withheld alone, as when the boats were read one after another."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.calendar_emulator import Hold
from bot.sandbox.sandbox import Sandbox, running_sandbox
from services.domain.config import Config
from tests.conftest import as_the_cli_sees_it
from tests.holds import run_while_held
from tests.test_fleet import book, fleet_config, reconcile, unreadable

BOATS = [(f"Boat {k}", f"boat{k}@group.calendar.google.com") for k in range(1, 11)]
FAILING = BOATS[6]  # Boat 7: only 500s, and no feed to fall back on
# Long enough for ten requests on a busy machine; a loop over the boats never gets past
# the first, which is kept waiting until every boat's has arrived.


def booking(k: int) -> dict[str, Any]:
    """A charter of its own on boat ``k``, on a day of its own (no crew on two boats)."""
    return {"event_id": f"evtboat{k}", "guest": f"Guest{k}",
            "day": date(2026, 6, 1) + timedelta(days=k), "start": "10:00", "end": "12:00",
            "captain": "Darrell", "mate": "Tess"}


@pytest.fixture
def ten_boats(config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
              ) -> Iterator[Sandbox]:
    with running_sandbox(fleet_config(config, *BOATS)) as box:
        for k, (_, calendar_id) in enumerate(BOATS, start=1):
            book(box, calendar_id, booking(k))
        yield as_the_cli_sees_it(box, tmp_path, monkeypatch)


def test_the_boats_calendars_are_read_at_once_and_a_failing_one_is_withheld_alone(
        ten_boats: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    unreadable(ten_boats, FAILING[1])
    holds: list[Hold] = [ten_boats.emulator.hold_next(method="GET", match=f"{cal}/events")
                         for _, cal in BOATS if cal != FAILING[1]]
    arrived, (code, report) = run_while_held(holds, lambda: reconcile(capsys))
    assert arrived == [True] * len(holds)

    assert code == 2 and report["complete"] is False
    missing = {d["event_id"] for d in report["discrepancies"] if d["kind"] == "RECORD_MISSING"}
    assert missing == {f"guest{k}-jun{1 + k}" for k in range(1, 11) if k != 7}
    # Boat 7's charter is not guessed at: no record is planned for it, and it is named.
    assert "guest7-jun8" not in {d["event_id"] for d in report["discrepancies"]}
    failing_notes = [note for note in report["notes"] if note.startswith("Boat 7:")]
    assert failing_notes and "withheld" in failing_notes[0]
    assert not [note for note in report["notes"] if note.startswith(("Boat 6:", "Boat 8:"))]
