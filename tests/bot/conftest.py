"""Fixtures of the tests that run the bot as it is deployed (a process, a Lambda)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from bot.sandbox.sandbox import Sandbox, running_sandbox
from bot.sandbox.scenario import coming_saturday
from services.domain.config import Config
from tests.conftest import install_seed
from tests.databases import PG_URL, postgres_schema


@pytest.fixture
def this_weekend(config: Config) -> Iterator[Sandbox]:
    """The seed's weekend on the coming one: a deployed bot reads today's window."""
    with running_sandbox(config) as box:
        # The operator's today, as the bot reckons it.
        install_seed(box, saturday=coming_saturday(datetime.now(config.tz).date()))
        yield box


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A DATABASE_URL on a throwaway schema of the test PostgreSQL (skips where none runs)."""
    schemas = postgres_schema()
    schema = next(schemas)
    yield (PG_URL.replace("postgresql+psycopg://", "postgresql://")
           + f"?options=-csearch_path%3D{schema}")
    next(schemas, None)
