"""Fixtures of the tests that run the bot as it is deployed (a process, a Lambda)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from bot.sandbox.sandbox import Sandbox, running_sandbox
from bot.sandbox.scenario import coming_saturday
from services.domain.config import Config
from tests.conftest import install_seed


@pytest.fixture
def this_weekend(config: Config) -> Iterator[Sandbox]:
    """The seed's weekend on the coming one: a deployed bot reads today's window."""
    with running_sandbox(config) as box:
        # The operator's today, as the bot reckons it.
        install_seed(box, saturday=coming_saturday(datetime.now(config.tz).date()))
        yield box
