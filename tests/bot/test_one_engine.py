"""One database engine a process: /readyz's checks use the composition root's
(bot/wiring.py), the one the audit log and the live sync's state use."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, event

from bot.environment import Environment
from bot.health import Health
from bot.serve import _database_check, _sync_check
from bot.wiring import build_audit, database_sessions
from services.domain.config import Config
from tests.databases import audit_database


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from audit_database(request.param, tmp_path)


@pytest.fixture
def engines_used() -> Iterator[set[Engine]]:
    """Every engine a connection is taken from, while the test runs."""
    used: set[Engine] = set()

    def noted(connection: object) -> None:
        used.add(connection.engine)  # type: ignore[attr-defined]

    database_sessions.cache_clear()  # the process starts with none
    event.listen(Engine, "engine_connect", noted)
    yield used
    event.remove(Engine, "engine_connect", noted)
    database_sessions.cache_clear()


def test_readyz_and_the_requests_work_share_one_engine(
        database_url: str, config: Config, engines_used: set[Engine]) -> None:
    env = Environment(database_url=database_url)
    audit = build_audit(env)  # as the process opens it at start, to resume changes
    health = Health(config_source="app.yaml", database=_database_check(env),
                    sync=_sync_check(config, env))
    for _ in range(3):  # a load balancer's probes, between requests
        _, body = health.ready()
        assert body["database"].startswith("reachable and migrated"), body
        audit.recent(limit=1)
    assert len(engines_used) == 1
