"""``--dry-run`` on swap, time and apply: the blast radius on stdout, exit 0, and nothing
written anywhere — no calendar patch, no DynamoDB, S3 or CloudFront write, no audit row."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.sandbox.sandbox import Sandbox
from services.domain.config import Config
from tests.readiness_seed import ready_sandbox

SATURDAY_MORNING = datetime(2026, 5, 30, 14, 0, tzinfo=UTC)
WINDOW = ["--from", "2026-05-25", "--to", "2026-06-24"]
AWS_WRITES = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "PUT ", "POST ",
              "DELETE ")


@pytest.fixture
def box(config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    with ready_sandbox(config, tmp_path, monkeypatch) as sandbox:
        sandbox.reset_requests()
        yield sandbox


def writes(box: Sandbox) -> list[str]:
    calendar = [f"{method} {path}" for method, path in box.emulator.requests
                if method != "GET" and path.startswith("/calendar/")]
    aws = [f"{r.service} {r.operation}" for r in box.aws_requests
           if r.operation.startswith(AWS_WRITES)]
    return calendar + aws


def run(*args: str) -> int:
    return main([*args, *WINDOW, "--dry-run"], now=lambda: SATURDAY_MORNING)


def test_a_time_change_dry_run_names_the_e_mailed_guests_and_writes_nothing(
        box: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("time", "danika", "4pm-8pm") == 0
    out = capsys.readouterr().out
    assert out.startswith("Dry run: danika-may31 on Sun May 31: 15:00–19:00 → 16:00–20:00")
    assert "  • Calendar: event evtdanika: start and end → 16:00–20:00" in out
    assert "  • 12 guests were e-mailed 3–7 PM on Sunday; they will need the new time." in out
    assert "  • CloudFront: invalidate /charters/guests/danika-guest.html" in out
    assert "Outside the freeze window: it departs in" in out
    assert out.rstrip().endswith("Nothing was written.")
    assert writes(box) == []
    assert not (tmp_path / "audit.sqlite3").exists()  # not even opened: no audit row


def test_a_swap_dry_run_writes_nothing(box: Sandbox, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert run("swap", "danika", "mate", "Tess") == 0
    out = capsys.readouterr().out
    assert "  • Calendar: event evtdanika: the description's crew lines and the invitations" \
        in out
    assert "  • 12 guests were e-mailed naming Ana as mate; they will need the new crew." in out
    assert writes(box) == [] and not (tmp_path / "audit.sqlite3").exists()


def test_an_apply_dry_run_lists_each_write_and_writes_nothing(
        box: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("apply", "--all") == 0
    out = capsys.readouterr().out
    assert "danika-may31 (Sun May 31 15:00):" in out
    assert "  • S3: upload charters/guests/danika-guest.html  [PAGE_STALE]" in out
    assert out.rstrip().endswith("Dry run: nothing was written.")
    assert writes(box) == [] and not (tmp_path / "audit.sqlite3").exists()


def test_a_dry_run_of_bad_input_is_refused_the_same_way(
        box: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("time", "danika", "25pm-8pm") == 1
    assert "error:" in capsys.readouterr().err
    assert writes(box) == []
