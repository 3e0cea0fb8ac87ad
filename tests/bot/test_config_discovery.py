"""Every command finds its settings by ``--config``, then ``$CHARTER_OPS_CONFIG``, then
./app.yaml; the usage lines name the command the way it was typed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parents[2]
BROKEN = "timezone: [not, a, zone\n"  # not even YAML: reading it names the file


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CHARTER_OPS_CONFIG", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'audit.sqlite3'}")
    return tmp_path


def _good(path: Path) -> str:
    shutil.copy(ROOT / "app.yaml", path)
    return str(path)


def _broken(path: Path) -> str:
    path.write_text(BROKEN, encoding="utf-8")
    return str(path)


def test_the_flag_wins_over_the_environment_and_the_working_directory(
        workdir: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _broken(workdir / "app.yaml")
    monkeypatch.setenv("CHARTER_OPS_CONFIG", _broken(workdir / "from-env.yaml"))
    assert main(["audit", "--config", _good(workdir / "flag.yaml")]) == 0
    assert "Nothing recorded." in capsys.readouterr().out


def test_the_environment_wins_over_the_working_directory(
        workdir: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _broken(workdir / "app.yaml")
    monkeypatch.setenv("CHARTER_OPS_CONFIG", _good(workdir / "from-env.yaml"))
    assert main(["audit"]) == 0
    assert "Nothing recorded." in capsys.readouterr().out


def test_the_environment_is_the_file_that_is_read(
        workdir: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # The other way round: the error names the file the environment pointed at.
    _good(workdir / "app.yaml")
    monkeypatch.setenv("CHARTER_OPS_CONFIG", _broken(workdir / "from-env.yaml"))
    assert main(["audit"]) == 1
    assert "from-env.yaml: not valid YAML" in capsys.readouterr().err


def test_app_yaml_in_the_working_directory_is_the_last_resort(
        workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _broken(workdir / "app.yaml")
    assert main(["audit"]) == 1
    assert "app.yaml: not valid YAML" in capsys.readouterr().err
    _good(workdir / "app.yaml")
    assert main(["audit"]) == 0


def test_no_settings_anywhere_says_where_it_looked_and_how_to_make_one(
        workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit"]) == 1
    err = capsys.readouterr().err
    assert "app.yaml: no such file" in err
    assert "--config" in err and "CHARTER_OPS_CONFIG" in err and "charter-ops init" in err


def test_python_dash_m_bot_names_itself_so_in_its_help(tmp_path: Path) -> None:
    helped = subprocess.run([sys.executable, "-m", "bot", "--help"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith("usage: python -m bot ")
    assert "CHARTER_OPS_CONFIG" in helped.stdout
