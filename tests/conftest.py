"""Shared fixtures: the operator's configuration as tests see it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import boto3
import pytest

from bot.config import load_config
from bot.sandbox.sandbox import (
    Sandbox,
    install,
    running_sandbox,
    sandbox_environ,
    write_config,
)
from bot.sandbox.scenario import seed_weekend
from services.adapters import calendar_retry
from services.adapters.calendar_retry import Backoff
from services.domain.config import Config
from services.domain.models import Window
from tests.aws_faults import AwsFaults

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config(ROOT / "app.yaml")


SEED_SATURDAY = date(2026, 5, 30)
SEED_WINDOW = Window(date(2026, 5, 25), date(2026, 6, 24))


def install_seed(box: Sandbox, *, saturday: date) -> None:
    """The seed's weekend, on the weekend of ``saturday``."""
    pages, roster = box.config.pages, box.config.roster
    install(box, seed_weekend(
        saturday, waiver_base=pages.waiver_url, prefix=pages.prefix,
        phones={m.name: m.phone for m in roster}, emails={m.name: m.email for m in roster},
        photo_url=pages.photo_upload_url or f"{pages.base_url}/charters/photos"))


@pytest.fixture
def seeded(config: Config) -> Iterator[Sandbox]:
    """moto's server and the calendar emulator on loopback, holding the seed's weekend."""
    with running_sandbox(config) as box:
        install_seed(box, saturday=SEED_SATURDAY)
        yield box


@pytest.fixture
def cli_sandbox(seeded: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """The seeded sandbox as ``python -m bot`` sees it: environment, app.yaml, audit store."""
    return as_the_cli_sees_it(seeded, tmp_path, monkeypatch)


def as_the_cli_sees_it(box: Sandbox, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """``box`` in the environment, an app.yaml and a SQLite audit store in ``workdir``,
    which becomes the current directory: what a command run there finds."""
    for key, value in sandbox_environ(box).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{workdir / 'audit.sqlite3'}")
    write_config(box.config, workdir / "app.yaml")
    monkeypatch.chdir(workdir)
    return box


@pytest.fixture
def aws_calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Every AWS API call made by clients built from now on, by operation name."""
    calls: Counter[str] = Counter()
    session = boto3.Session()
    session.events.register("before-call", lambda model, **_: calls.update([model.name]))
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", session)
    return calls


@pytest.fixture
def aws_faults(aws_calls: Counter[str]) -> AwsFaults:
    """Faults on the wire for every AWS client built from now on (calls are still counted)."""
    return AwsFaults(boto3.DEFAULT_SESSION.events)


@pytest.fixture(autouse=True)
def calendar_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The Calendar API's retry waits, recorded instead of slept: no test sleeps for real."""
    waits: list[float] = []
    monkeypatch.setattr(calendar_retry, "DEFAULT_BACKOFF", Backoff(sleep=waits.append))
    return waits
