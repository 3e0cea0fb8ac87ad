"""Fixtures of the end-to-end tests: a local Slack fake, and a bot on the seeded sandbox."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_bolt import App

from bot.sandbox.sandbox import Sandbox
from bot.sandbox.slack_fake import SlackFake
from services.deps import Deps
from tests.handlers.slack_requests import make_bot


@pytest.fixture
def slack() -> Iterator[SlackFake]:
    with SlackFake() as fake:
        yield fake


@pytest.fixture
def bot(seeded: Sandbox, slack: SlackFake, tmp_path: Path,
        aws_calls: Counter[str]) -> tuple[App, Deps]:
    return make_bot(seeded, slack, tmp_path / "audit.sqlite3")
