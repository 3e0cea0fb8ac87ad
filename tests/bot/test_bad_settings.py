"""A settings file or a DATABASE_URL the bot cannot use: every command that reads it exits 1
with one line naming the file, the key or the variable; no traceback, nothing written."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import parse_config
from common.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
# Every command that opens the audit store, and the bot's own start (no command).
STORE_COMMANDS = [["audit"], ["swap", "danika", "mate", "Bo"], ["time", "danika", "3pm-7pm"],
                  ["apply", "--all"], ["undo", "c-1"], ["watch", "--once"], []]
# Nine lines of nine aliases each: 9**9 (387 million) strings from a few hundred bytes.
ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True))


def run_bot(argv: list[str], *, cwd: Path, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    """``python -m bot`` as an operator runs it; a hang fails the test, not the CI job."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    for name in ("CHARTER_OPS_CONFIG", "SLACK_APP_TOKEN"):
        environ.pop(name, None)
    try:
        return subprocess.run([sys.executable, "-m", "bot", *argv], cwd=cwd, env=environ,
                              capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"python -m bot {' '.join(argv)} still running after 60 s")


def refused(done: subprocess.CompletedProcess[str], *, naming: str) -> str:
    assert done.returncode == 1, done.stdout + done.stderr
    assert naming in done.stderr
    assert "Traceback" not in done.stderr
    return done.stderr


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CHARTER_OPS_CONFIG", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'audit.sqlite3'}")
    return tmp_path


def _settings(workdir: Path, text: str | bytes) -> Path:
    path = workdir / "app.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _shipped_with(*, replace: str, by: str) -> str:
    shipped = (ROOT / "app.yaml").read_text(encoding="utf-8")
    assert replace in shipped
    return shipped.replace(replace, by, 1)


def test_an_alias_bomb_is_refused_at_once_for_what_it_is(workdir: Path) -> None:
    _settings(workdir, ALIAS_BOMB)
    assert len(ALIAS_BOMB) < 600
    err = refused(run_bot(["audit"], cwd=workdir), naming="app.yaml: refused at line 2")
    assert "alias *a is not allowed" in err and "anchors or aliases" in err
    assert not (workdir / "audit.sqlite3").exists()


def test_a_merge_key_is_an_alias_too(workdir: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    _settings(workdir, _shipped_with(replace="pages:\n",
                                     by="base: &base {}\npages:\n  <<: *base\n"))
    assert main(["audit"]) == 1
    assert "alias *base is not allowed" in capsys.readouterr().err
    assert not (workdir / "audit.sqlite3").exists()


def test_settings_that_are_not_utf8_are_named(workdir: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    shipped = (ROOT / "app.yaml").read_text(encoding="utf-8")
    _settings(workdir, shipped.replace("Queen of San Diego", "Reina del Pacífico")
              .encode("latin-1"))
    assert main(["audit"]) == 1
    err = capsys.readouterr().err
    assert "app.yaml: not UTF-8 text (byte 0xed" in err and "save it as UTF-8" in err
    assert not (workdir / "audit.sqlite3").exists()


@pytest.mark.parametrize(("line", "twice", "key"), [
    ("  prefix: charters/guests/", "  prefix: other/", "pages.prefix"),
    ("  - {name: Bo, roles: [crew],", "  - {name: Bo, name: Tess, roles: [crew],", "crew[5].name"),
], ids=["pages.prefix", "crew[5].name"])
def test_a_key_given_twice_is_refused_naming_it_and_its_lines(
        workdir: Path, capsys: pytest.CaptureFixture[str], line: str, twice: str,
        key: str) -> None:
    # Read, the last of the two would win without a word.
    written = _shipped_with(replace=line, by=f"{line}\n{twice}" if key.startswith("pages")
                            else twice)
    _settings(workdir, written)
    assert main(["audit"]) == 1
    err = capsys.readouterr().err
    first = next(n for n, text in enumerate(written.splitlines(), 1) if text.startswith(line)
                 or text.startswith(twice))
    second = first + 1 if key.startswith("pages") else first
    assert f"app.yaml: refused at line {second}, column" in err
    assert f"{key} is given twice (first at line {first}); keep one" in err
    assert not (workdir / "audit.sqlite3").exists()


@pytest.mark.parametrize("prefix", ["../../", "/charters/", "charters/../../", "./x/",
                                    "charters//guests/", "charters\\guests/", "a b/"])
def test_a_page_prefix_outside_a_plain_folder_is_refused(
        workdir: Path, capsys: pytest.CaptureFixture[str], prefix: str) -> None:
    _settings(workdir, _shipped_with(replace="  prefix: charters/guests/",
                                     by=f"  prefix: '{prefix}'"))
    assert main(["audit"]) == 1
    err = capsys.readouterr().err
    assert f"app.yaml: pages.prefix: '{prefix}' is not a key prefix like" in err
    assert not (workdir / "audit.sqlite3").exists()


def test_a_bad_credentials_entry_is_refused_at_load_naming_the_key(
        workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gene = '  - {name: Gene, roles: [captain], phone: "+1 619 555 0101", email: ' \
           'gene@sailjada.com, slack_id: U0GENE}'
    _settings(workdir, _shipped_with(replace=gene, by=gene[:-1] + ", credentials: [{kind: "
                                     "mcc, expires: 2027-03-01, number: '7654321'}]}"))
    assert main(["audit"]) == 1
    err = capsys.readouterr().err
    assert "app.yaml: crew[0].credentials[0].kind: 'mcc' is not a credential kind; the " \
           "kinds (credential_kinds): mmc, medical, drug_program, twic, first_aid" in err
    assert "7654321" not in err
    assert not (workdir / "audit.sqlite3").exists()


@pytest.mark.parametrize(("section", "key"), [
    ("calendar", "window_days"), ("pages", "cache_ttl_seconds"),
    ("pages", "served_check_hours"), ("sync", "freeze_hours"), ("sync", "alert_hours"),
    ("sync", "poll_seconds"), ("sync", "retry_seconds")])
def test_yes_is_not_a_number(workdir: Path, capsys: pytest.CaptureFixture[str],
                             section: str, key: str) -> None:
    settings = {"calendar": {"id": "c"}, "pages": {
        "bucket": "bkt", "distribution_id": "d", "base_url": "https://a.b",
        "waiver_url": "https://a.b/w"}}
    settings.setdefault(section, {})[key] = "yes"  # YAML 1.1: true
    _settings(workdir, "".join(f"{name}: {{{', '.join(f'{k}: {v}' for k, v in keys.items())}}}\n"
                               for name, keys in settings.items()))
    assert main(["audit"]) == 1
    err = capsys.readouterr().err
    assert f"app.yaml: {section}.{key}: Input should be a valid" in err
    assert not (workdir / "audit.sqlite3").exists()


@pytest.mark.parametrize("argv", STORE_COMMANDS, ids=lambda argv: " ".join(argv) or "the bot")
def test_a_database_url_that_cannot_be_reached_is_named_without_its_password(
        tmp_path: Path, argv: list[str]) -> None:
    shutil.copy(ROOT / "app.yaml", tmp_path / "app.yaml")
    env = {"DATABASE_URL": "postgresql://nobody:hunter2@127.0.0.1:1/x?password=hunter2",
           "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s", "PORT": "0",
           # Nothing listens here: a call to AWS or Google would be another error.
           "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "GOOGLE_CALENDAR_API_ENDPOINT":
           "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}
    err = refused(run_bot(argv, cwd=tmp_path, env=env),
                  naming="error: DATABASE_URL postgresql+psycopg://nobody:***@127.0.0.1:1/x: "
                         "the audit database cannot be opened (connection failed")
    assert "hunter2" not in err


@pytest.mark.parametrize("url, secret", [
    # An @ left unescaped: the driver is handed the password's tail as part of the host.
    ("postgresql://bob:p@ssw0rd@127.0.0.1:1/app", "ssw0rd"),
    # Not a URL at all: the parser would quote the pieces it could not read.
    ("postgresql://bob@db:s3cretpw/app", "s3cretpw"),
])
def test_no_piece_of_a_badly_written_password_is_shown(url: str, secret: str,
                                                       workdir: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    shutil.copy(ROOT / "app.yaml", workdir / "app.yaml")
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["audit"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: DATABASE_URL ")
    assert secret not in err


def test_a_database_host_that_never_answers_is_given_up_on_in_seconds(tmp_path: Path) -> None:
    # A server that takes the connection and says nothing, as a host behind a firewall that
    # drops packets does: without a connect timeout the command waits on it for ever.
    silent = socket.create_server(("127.0.0.1", 0))
    port = silent.getsockname()[1]
    shutil.copy(ROOT / "app.yaml", tmp_path / "app.yaml")
    started = time.monotonic()
    with silent:
        done = run_bot(["audit"], cwd=tmp_path,
                       env={"DATABASE_URL": f"postgresql://ops:pw@127.0.0.1:{port}/audit"})
    refused(done, naming=f"error: DATABASE_URL postgresql+psycopg://ops:***@127.0.0.1:{port}"
                         "/audit: the audit database cannot be opened (connection timeout")
    assert time.monotonic() - started < 40


def test_a_sqlite_file_in_a_missing_folder_is_named_and_no_folder_is_made(
        workdir: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(ROOT / "app.yaml", workdir / "app.yaml")
    missing = workdir / "no-such-folder" / "audit.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{missing}")
    assert main(["audit"]) == 1
    err = capsys.readouterr().err
    assert f"DATABASE_URL sqlite:///{missing}: the audit database cannot be opened " \
           "(unable to open database file)" in err
    assert not missing.parent.exists()


@pytest.mark.parametrize(("name", "value", "message"), [
    ("PORT", "http", "PORT is 'http', not a port number from 0 to 65535"),
    ("PORT", "99999999999999999999", "PORT is '99999999999999999999', not a port number"),
    ("SHUTDOWN_GRACE_SECONDS", "soon", "SHUTDOWN_GRACE_SECONDS is 'soon', not a number"),
    ("SHUTDOWN_GRACE_SECONDS", "nan", "SHUTDOWN_GRACE_SECONDS is 'nan', not a number"),
])
def test_the_bot_refuses_a_number_in_its_environment_that_is_none_before_opening_anything(
        tmp_path: Path, name: str, value: str, message: str) -> None:
    shutil.copy(ROOT / "app.yaml", tmp_path / "app.yaml")
    database = tmp_path / "audit.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{database}", "SLACK_BOT_TOKEN": "xoxb-test",
           "SLACK_SIGNING_SECRET": "s", "PORT": "0", name: value}
    refused(run_bot([], cwd=tmp_path, env=env), naming=f"error: {message}")
    assert not database.exists()


FLEET = """
pages: {bucket: sailjada-public, distribution_id: E1, base_url: "https://g.example",
        waiver_url: "https://g.example/w"}
"""


@pytest.mark.parametrize(("calendars", "message"), [
    # One boat written twice in ways a reader cannot tell apart.
    ('calendars: [{name: Sea Wolf, id: a}, {name: "Sea \\u200bWolf", id: b}]',
     "app.yaml: calendars[1].name: the boat 'Sea Wolf' is named twice"),
    ('calendars: [{name: Sea Wolf, id: a}, {name: "Ｓｅａ Ｗｏｌｆ", id: b}]',
     "app.yaml: calendars[1].name: the boat 'Sea Wolf' is named twice"),
    ('calendars: [{name: Sea Wolf, id: a}, {name: "Sea\\u00a0 \\u00a0Wolf ", id: b}]',
     "app.yaml: calendars[1].name: the boat 'Sea Wolf' is named twice"),
    # One calendar under two spellings of its id.
    ('calendars: [{name: Sea Wolf, id: wolf@group.calendar.google.com},'
     ' {name: Marlin, id: " Wolf@Group.Calendar.Google.com "}]',
     "app.yaml: calendars[1].id: calendar Wolf@Group.Calendar.Google.com is also "
     "calendars[0]'s"),
    # What would reach every guest page: refused, the key named.
    ('calendars: [{name: "Sea\\u202eWolf", id: a}]',
     "app.yaml: calendars.0.name: holds the invisible character U+202E"),
    ('calendar: {id: a}\noperator: {name: "Queen\\0of San Diego"}',
     "app.yaml: operator.name: holds the invisible character U+0000"),
    ('calendar: {id: a}\ncrew: [{name: Ana}, {name: "Ａｎａ"}]',
     "app.yaml: crew: 'Ana' is listed twice"),
])
def test_names_that_read_alike_are_one_name_and_hidden_characters_are_refused(
        calendars: str, message: str) -> None:
    with pytest.raises(ConfigError) as refused_at_load:
        parse_config(FLEET + calendars)
    assert str(refused_at_load.value).startswith(message), str(refused_at_load.value)


def test_a_boat_name_is_cleaned_as_calendar_text_is() -> None:
    config = parse_config(FLEET + 'calendars: [{name: " Sea\\u200b  Wolf\\u00a0", id: a},'
                          ' {name: "Ｍａｒｌｉｎ", id: b}]')
    assert [b.name for b in config.boats] == ["Sea Wolf", "Marlin"]


def test_a_bidi_override_in_the_operators_name_never_reaches_a_guest_page(
        workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The operator's name is every guest page's title: the bot refuses to start with it."""
    _settings(workdir, _shipped_with(replace="Queen of San Diego",
                                     by='"Queen of \\u202eSan Diego"'))
    assert main(["reconcile"]) == 1
    assert "app.yaml: operator.name: holds the invisible character U+202E" in \
        capsys.readouterr().err
    assert not (workdir / "audit.sqlite3").exists()
