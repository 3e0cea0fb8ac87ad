"""What a cold command loads: ``--help``, ``--version``, ``init`` and a usage error import
no AWS, Google, SQLAlchemy, Slack or sandbox module, so they answer in a blink (the
figures are bench/cold_start.py's; this keeps them from creeping back)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("boto3", "botocore", "googleapiclient", "google", "httplib2", "sqlalchemy",
         "alembic", "slack_sdk", "slack_bolt", "moto", "jinja2", "apscheduler", "waitress",
         "services.reconciling", "services.changes", "store")

# A fresh interpreter runs the CLI, then prints every module it has loaded.
PROBE = ("import json, sys\n"
         "from bot.cli import main\n"
         "try:\n"
         "    code = main(sys.argv[1:])\n"
         "except SystemExit as done:\n"
         "    code = done.code\n"
         "print(json.dumps({'code': code, 'modules': sorted(sys.modules)}))\n")


def loaded_by(argv: list[str], cwd: Path) -> tuple[int, list[str]]:
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], cwd=cwd, capture_output=True,
                          text=True, env={"PYTHONPATH": str(ROOT), "PATH": ""}, check=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return found["code"], found["modules"]


@pytest.mark.parametrize("argv, code", [(["--help"], 0), (["--version"], 0), (["init"], 0),
                                        (["reconcile", "--no-such-flag"], 1),
                                        (["status"], 1)])
def test_a_cold_command_loads_no_client_library(argv: list[str], code: int,
                                                tmp_path: Path) -> None:
    status, modules = loaded_by(argv, tmp_path)
    assert status == code
    heavy = [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    assert heavy == []
    if argv == ["init"]:
        assert (tmp_path / "app.yaml").exists()
