"""``charter-ops init``: a commented app.yaml to fill in, never over an existing one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.config import load_config
from services.domain.config import Config
from tests.test_docs import _config_keys

ROOT = Path(__file__).resolve().parents[2]

# What an operator types over each placeholder.
FILLED = {
    "calendar id, like abc123@group.calendar.google.com": "charters@group.calendar.google.com",
    "DynamoDB table name": "marina-charters",
    "S3 bucket of the guest pages": "marina-public",
    "CloudFront distribution id": "E2ABCDEF123456",
    "https://guests.example.com": "https://guests.marina.example",
    "https://guests.example.com/charters/waiver": "https://guests.marina.example/waiver",
    "Slack user id, like U0123ABCD": "U0OWNER",
    "name": "Gene",
    "+1 555 0100": "+1 619 555 0101",
    "name@example.com": "gene@marina.example",
    "operator name": "Marina Charters",
}


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CHARTER_OPS_CONFIG", raising=False)
    return tmp_path


def _fill(text: str) -> str:
    return re.sub(r"\"<FILL IN: ([^>]*)>\"", lambda m: f"\"{FILLED[m[1]]}\"", text)


def test_init_writes_app_yaml_and_says_what_to_do_next(
        workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init"], prog="charter-ops") == 0
    assert (workdir / "app.yaml").is_file()
    out = capsys.readouterr().out
    assert out.startswith("Wrote app.yaml.")
    assert "charter-ops doctor" in out
    assert "slack-manifest.yaml" in out and "SLACK_BOT_TOKEN" in out


def test_a_second_init_refuses_and_changes_nothing(
        workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init"]) == 0
    written = workdir / "app.yaml"
    written.write_text(_fill(written.read_text(encoding="utf-8")), encoding="utf-8")
    before = written.read_bytes(), written.stat().st_mtime_ns
    capsys.readouterr()
    assert main(["init"]) == 1
    captured = capsys.readouterr()
    assert "app.yaml already exists; nothing was changed" in captured.err
    assert captured.out == ""
    assert (written.read_bytes(), written.stat().st_mtime_ns) == before
    assert sorted(p.name for p in workdir.iterdir()) == ["app.yaml"]


def test_init_writes_where_the_environment_points(
        workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHARTER_OPS_CONFIG", str(workdir / "ops" / "settings.yaml"))
    (workdir / "ops").mkdir()
    assert main(["init"]) == 0
    assert (workdir / "ops" / "settings.yaml").is_file()
    assert not (workdir / "app.yaml").exists()


def test_init_into_a_missing_directory_is_a_clear_error(
        workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "--config", "nowhere/app.yaml"]) == 1
    assert "nowhere/app.yaml: cannot be written (No such file or directory)" in \
        capsys.readouterr().err
    assert list(workdir.iterdir()) == []


def test_every_setting_is_in_the_template_with_a_comment_above_it(workdir: Path) -> None:
    assert main(["init"]) == 0
    text = (workdir / "app.yaml").read_text(encoding="utf-8")
    assert isinstance(yaml.safe_load(text), dict)
    lines = text.splitlines()
    uncommented = []
    for number, line in enumerate(lines):
        if re.match(r"\s*[a-z_]+:", line):
            above = lines[number - 1].strip() if number else ""
            # A key is explained by the comment right above it, or is part of a run of
            # keys under one comment (bucket and prefix).
            if not (above.startswith("#") or re.match(r"[a-z_]+: \S", above)):
                uncommented.append(line)
    assert not uncommented, uncommented
    for key in _config_keys(Config):
        leaf = key.split(".")[-1].removeprefix("crew[].")
        assert re.search(rf"\b{re.escape(leaf)}:", text), f"{key} is not in the template"


def test_the_template_loads_once_filled_in_and_names_what_is_not(
        workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init"]) == 0
    path = workdir / "app.yaml"
    assert main(["audit"]) == 1  # as written: every placeholder is named
    err = capsys.readouterr().err
    assert "calendar.id: still the placeholder" in err
    assert "crew[0].email: still the placeholder" in err
    path.write_text(_fill(path.read_text(encoding="utf-8")), encoding="utf-8")
    config = load_config(path)
    assert config.calendar.id == "charters@group.calendar.google.com"
    assert config.pages.distribution_id == "E2ABCDEF123456"
    assert [m.name for m in config.crew] == ["Gene"]


def test_the_shipped_manifest_is_the_repositorys() -> None:
    assert (ROOT / "bot" / "templates" / "slack-manifest.yaml").read_bytes() == \
        (ROOT / "manifest.yaml").read_bytes()
