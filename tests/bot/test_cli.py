"""Bad input on the command line: a clear message on stderr, exit 1, nothing written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import parse_config
from common.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ("calendar: {id: x}\npages: {bucket: bkt, distribution_id: d, "
           "base_url: https://a.b, waiver_url: https://a.b/w}\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("calendar: [unclosed", "not valid YAML at line 1"),
        ("- just\n- a list\n", "expected a mapping"),
        ("pages: {bucket: sailjada-public}\n", "calendar: Field required"),
        ("timezone: Mars/Olympus\ncalendar: {id: x}\npages: {bucket: bkt, distribution_id: d, "
         "base_url: https://a.b, waiver_url: https://a.b/w}\n", "timezone: 'Mars/Olympus'"),
        ("calendar: {id: x, window_days: 0}\npages: {bucket: bkt, distribution_id: d, "
         "base_url: https://a.b, waiver_url: https://a.b/w}\n", "calendar.window_days"),
        ("calendar: {id: x}\npages: {bucket: bkt, distribution_id: d, base_url: https://a.b, "
         "waiver_url: https://a.b/w}\nsync: {auto_fix: [CREW_CONFLICT]}\n",
         "sync.auto_fix: CREW_CONFLICT cannot be fixed automatically"),
        ("calendar: {id: x}\npages: {bucket: bkt, distribution_id: d, base_url: https://a.b, "
         "waiver_url: https://a.b/w}\ncrew:\n  - {name: Gene, roles: [admiral]}\n",
         "crew.0.roles: unknown role admiral"),
        ("calendar: {id: x}\npages: {bucket: bkt, distribution_id: d, base_url: https://a.b, "
         "waiver_url: https://a.b/w, prefx: x/}\n", "pages.prefx: unknown key"),
        (MINIMAL + "slack: {digest_at: '25:00'}\n",
         "slack.digest_at: '25:00' is not a 24-hour time like 07:00 (or 07:00:30"),
        (MINIMAL + "sync: {nightly_at: '02:00:60'}\n", "sync.nightly_at: '02:00:60' is not"),
        (MINIMAL + "sync: {nightly_at: 2:00:00:00}\n", "sync.nightly_at: "),
        (MINIMAL + "sync: {retry_seconds: 0}\n",
         "sync.retry_seconds: 0 is not a retry interval: give the seconds between two looks"),
        (MINIMAL + "sync: {stale_after_minutes: 0}\n",
         "sync.stale_after_minutes: 0 is not a number of minutes"),
    ],
)
def test_a_malformed_app_yaml_names_the_key_and_the_reason(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(text)
    assert message in str(error.value)


@pytest.mark.parametrize(("written", "meant"), [
    ("'07:00'", "07:00"), ("7:00", "07:00"), ("17:30", "17:30"),  # YAML reads 7:00 as 420
    ("'07:00:30'", "07:00:30"), ("7:00:30", "07:00:30"), ("23:59:59", "23:59:59"),
])
def test_a_time_of_day_is_read_as_written_with_or_without_seconds(written: str,
                                                                   meant: str) -> None:
    config = parse_config(MINIMAL + f"slack: {{digest_at: {written}}}\n"
                          f"sync: {{nightly_at: {written}}}\n")
    assert (config.slack.digest_at, config.sync.nightly_at) == (meant, meant)


def test_the_cli_reports_a_bad_config_in_one_line_and_exits_1(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "app.yaml"
    bad.write_text("calendar: {id: x}\npages: {bucket: bkt}\n")
    assert main(["--config", str(bad), "reconcile"]) == 1
    err = capsys.readouterr().err
    assert "pages.distribution_id: Field required" in err
    assert "Traceback" not in err


def test_a_missing_config_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(tmp_path / "nope.yaml"), "status", "danika"]) == 1
    assert "nope.yaml: no such file" in capsys.readouterr().err


def test_the_shipped_app_yaml_is_valid() -> None:
    config = parse_config((ROOT / "app.yaml").read_text())
    assert config.timezone == "America/Los_Angeles"
    assert {m.name for m in config.roster} >= {"Gene", "Darrell", "Ana", "Angelia"}


def test_unreachable_endpoints_give_a_clear_error(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    config = (ROOT / "app.yaml").read_text().replace(
        "https://calendar.google.com/calendar/ical/jada-internal%40group.calendar.google.com/"
        "public/basic.ics", "http://127.0.0.1:9/basic.ics")
    (tmp_path / "app.yaml").write_text(config)
    for name in ("GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_OAUTH_REFRESH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    assert main(["--config", str(tmp_path / "app.yaml"), "reconcile"]) == 1
    err = capsys.readouterr().err
    assert "calendar could not be read" in err
    assert "no Google credentials" in err
    assert "Traceback" not in err


def test_apply_without_ids_says_what_to_pass(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(ROOT / "app.yaml"), "apply"]) == 1
    assert "pass --all" in capsys.readouterr().err


def test_the_bot_without_a_slack_token_says_which_variable_is_missing(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    assert main(["--config", str(ROOT / "app.yaml")]) == 1
    assert "SLACK_BOT_TOKEN is not set" in capsys.readouterr().err


def test_every_command_is_documented_in_the_readme_or_the_docs() -> None:
    from bot.cli import build_parser

    readme = "\n".join(path.read_text(encoding="utf-8")
                       for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])
    commands = next(a for a in build_parser()._actions if a.dest == "command").choices
    assert commands, "the CLI has commands"
    missing = [name for name in commands if f"python -m bot {name}" not in readme]
    assert missing == []


def test_a_database_url_whose_driver_is_missing_says_what_to_install(tmp_path: Path) -> None:
    # As a user who installed a runtime without the PostgreSQL driver would run it.
    script = ("import sys; sys.modules['psycopg'] = None\n"
              "from bot.cli import main\n"
              "sys.exit(main(['--config', sys.argv[1], 'audit']))")
    run = subprocess.run(
        [sys.executable, "-c", script, str(ROOT / "app.yaml")], cwd=tmp_path, text=True,
        capture_output=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT),
             "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test"})
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert run.stderr.strip() == ("error: DATABASE_URL needs the database driver 'psycopg', "
                                  "which is not installed: pip install 'psycopg[binary]'")


@pytest.mark.parametrize("missing", ["moto", "werkzeug"])
def test_the_demo_without_its_extra_says_what_to_install(missing: str, tmp_path: Path) -> None:
    # As a production install (no moto[server]) would run it: nothing started, one line.
    script = (f"import sys; sys.modules[{missing!r}] = None\n"
              "from bot.cli import main\n"
              "sys.exit(main(['demo', '--yes']))")
    run = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, text=True,
                         capture_output=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "pip install 'charter-ops[demo]'" in run.stderr
    assert run.stdout == ""


def test_the_demo_ships_the_repository_app_yaml() -> None:
    # One sandbox operator: what `charter-ops demo` runs on is what the tests run on.
    shipped = ROOT / "bot" / "sandbox" / "demo.yaml"
    assert shipped.read_text() == (ROOT / "app.yaml").read_text()


def test_the_postgresql_driver_is_a_runtime_requirement() -> None:
    runtime = (ROOT / "requirements.txt").read_text()
    assert re.search(r"^psycopg\[binary\]==", runtime, re.MULTILINE)


@pytest.mark.parametrize("entry", [
    ["-m", "bot"],
    # The charter-ops console script's entry point, as pip installs it.
    ["-c", "import sys; sys.argv[0] = 'charter-ops'; from bot.__main__ import run; run()"],
])
def test_output_cut_short_by_its_reader_ends_quietly(tmp_path: Path, entry: list[str]) -> None:
    # As `charter-ops audit | head -1` once head has exited: the pipe has no reader.
    reader, writer = os.pipe()
    os.close(reader)
    try:
        run = subprocess.run(
            [sys.executable, *entry, "--config", str(ROOT / "app.yaml"), "audit"],
            cwd=tmp_path, stdout=writer, stderr=subprocess.PIPE, text=True, timeout=60,
            env={**os.environ, "PYTHONPATH": str(ROOT),
                 "DATABASE_URL": f"sqlite:///{tmp_path / 'audit.sqlite3'}"})
    finally:
        os.close(writer)
    assert run.stderr == ""  # no traceback, no "Exception ignored ... BrokenPipeError"
    assert run.returncode == 141  # as a tool that SIGPIPE ends: not an error, not drift
