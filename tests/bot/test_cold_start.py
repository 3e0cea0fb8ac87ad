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


# The Lambda function's init phase: the handler module imported and its runtime built (the
# Bolt app, every listener registered), as a cold start does before the first request.
LAMBDA_INIT = ("import json, sys\n"
               "from bot import aws_lambda\n"
               "from bot.config import load_config\n"
               "from bot.environment import read_environment\n"
               "env = read_environment({'SLACK_BOT_TOKEN': 'xoxb-test',\n"
               "    'SLACK_SIGNING_SECRET': 'secret', 'SLACK_API_URL': 'http://127.0.0.1:9/',\n"
               "    'DATABASE_URL': 'postgresql+psycopg://nobody@127.0.0.1:9/none'})\n"
               "held = type('Held', (), {'invoke': lambda self, **kw: None})()\n"
               "aws_lambda.LambdaRuntime(load_config(sys.argv[1]), env, lambda_client=held)\n"
               "print(json.dumps(sorted(sys.modules)))\n")
# Not needed to ack a slash command, a click or an event: the Google client, the database
# (a click's once-only claim opens it on the first click), the scheduler, the change
# service, the page templates and the iCal parser; nor the deferred half of a listener:
# the use cases, the reconcile engine, the views (the listeners' modules, imported on a
# lazy listener's first call).
NOT_AT_INIT = ("googleapiclient", "google", "httplib2", "sqlalchemy", "alembic", "psycopg",
               "apscheduler", "waitress", "jinja2", "icalendar", "recurring_ical_events",
               "moto", "store", "services.adapters", "services.live_sync", "services.push",
               "services.jobs", "bot.watch", "bot.serve", "services.usecases",
               "services.changes", "services.reconciling", "services.ports",
               "services.domain.reconcile", "services.domain.change", "services.domain.chat",
               "handlers.commands.charter", "handlers.actions.change_buttons",
               "handlers.modals.change_form", "handlers.views.blocks", "handlers.channel",
               "services.domain.models")


def test_the_lambda_init_phase_builds_no_client_and_opens_no_database(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", LAMBDA_INIT, str(ROOT / "app.yaml")],
                          cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": ""}, check=True)
    modules = json.loads(done.stdout.strip().splitlines()[-1])
    assert "slack_bolt" in modules and "handlers.commands" in modules
    loaded = [m for m in modules if any(m == h or m.startswith(h + ".") for h in NOT_AT_INIT)]
    assert loaded == []
