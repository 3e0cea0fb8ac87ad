"""A malformed command line exits 1 with its usage on stderr, for every command.

argparse's own status for usage errors is 2, which is reconcile's "drift found":
a cron job reading 2 from ``reconcile --from 2026-13-40`` would act on drift
that was never looked for.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[2]

USAGE_ERRORS = [
    (["reconcile", "--from", "2026-13-40"], "'2026-13-40' is not a date like 2026-05-31"),
    (["reconcile", "--to", "tomorrow"], "'tomorrow' is not a date"),
    (["reconcile", "--verbose"], "unrecognized arguments: --verbose"),
    (["apply", "--all", "--to", "tomorrowish"], "'tomorrowish' is not a date"),
    (["apply", "--everything"], "unrecognized arguments: --everything"),
    (["status"], "the following arguments are required: event"),
    (["status", "danika", "--from", "31/05/2026"], "'31/05/2026' is not a date"),
    (["swap", "danika"], "the following arguments are required: role, person"),
    (["swap", "danika", "mate", "Bo", "Tess"], "unrecognized arguments: Tess"),
    (["time", "danika"], "the following arguments are required: range"),
    (["time", "danika", "3pm-7pm", "--to", "2026-02-30"], "'2026-02-30' is not a date"),
    (["undo"], "the following arguments are required: change_id"),
    (["audit", "--limit", "ten"], "invalid int value: 'ten'"),
    (["audit", "--limit", "99999999999999999999"],
     "argument --limit: 99999999999999999999 is not a count from 1 to 10000"),
    (["audit", "--limit", "0"], "argument --limit: 0 is not a count from 1 to 10000"),
    (["audit", "danika", "may31"], "unrecognized arguments: may31"),
    (["demo", "--fast"], "unrecognized arguments: --fast"),
    (["watch", "--twice"], "unrecognized arguments: --twice"),
    (["init", "--force"], "unrecognized arguments: --force"),
    (["doctor", "--fix"], "unrecognized arguments: --fix"),
    (["ready", "2026-13-40"], "'2026-13-40' is not a date like 2026-05-31"),
    (["ready", "--verbose"], "unrecognized arguments: --verbose"),
    (["reconsile"], "invalid choice: 'reconsile'"),
    (["--config"], "argument --config: expected one argument"),
]


@pytest.mark.parametrize(("argv", "message"), USAGE_ERRORS,
                         ids=[" ".join(a) for a, _ in USAGE_ERRORS])
def test_a_usage_error_exits_1_with_the_reason_and_the_usage(
        argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert message in captured.err
    assert "usage: python -m bot" in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""


def test_every_command_has_a_usage_error_case() -> None:
    commands = next(a for a in build_parser()._actions if a.dest == "command").choices
    covered = {argv[0] for argv, _ in USAGE_ERRORS}
    assert set(commands) <= covered


def test_the_process_itself_exits_1_not_2() -> None:
    # Through the real entry point: what a cron job or a shell script sees.
    done = subprocess.run([sys.executable, "-m", "bot", "reconcile", "--from", "2026-13-40"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "'2026-13-40' is not a date like 2026-05-31" in done.stderr
    assert done.stdout == ""


def test_help_still_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as leaving:
        main(["reconcile", "--help"])
    assert leaving.value.code == 0
    assert "--from" in capsys.readouterr().out
