"""The seed's weekend in the fakes of tests/fakes.py, with a real audit log on an
in-memory SQLite: the use cases run as in production, with no network at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import MetaData, func, select

from bot.sandbox.scenario import seed_weekend
from services.changes import ChangeService
from services.domain.config import Config
from services.domain.models import DesiredCharter, ReconcileResult
from services.domain.pages.rendering import PageRenderer
from services.reconciling import Systems, run_reconcile
from store.audit import AuditLog
from store.database import open_engine, session_factory
from tests.conftest import SEED_SATURDAY, SEED_WINDOW
from tests.fakes import FakeCalendar, FakeCalendarApi, FakeCdn, FakePages, FakeRecords, FakeSender

# The Monday before the seed's weekend, in the morning: every charter is still to come.
NOW = datetime(2026, 5, 25, 16, 0, tzinfo=UTC)
TODAY = SEED_WINDOW.start


@dataclass
class World:
    config: Config
    api: FakeCalendarApi
    records: FakeRecords
    pages: FakePages
    cdn: FakeCdn
    sender: FakeSender
    audit: AuditLog
    systems: Systems
    service: ChangeService

    def read(self) -> ReconcileResult:
        """What the application plans from: a fresh reconcile of the three systems."""
        return run_reconcile(self.systems, self.config, window=SEED_WINDOW, now=NOW,
                             renderer=PageRenderer(), read_cdn=False)

    def charters(self) -> dict[str, DesiredCharter]:
        return dict(self.read().desired)

    def writes(self) -> dict[str, int]:
        return {"calendar": self.api.writes, "records": self.records.writes,
                "pages": self.pages.writes, "cdn": self.cdn.writes,
                "messages": self.sender.writes, "audit rows": self.audit_rows()}

    def audit_rows(self) -> int:
        """Rows in every table of the audit store (the schema's version aside)."""
        tables = MetaData()
        with self.audit.sessions() as session:
            tables.reflect(bind=session.connection())
            return sum(session.scalar(select(func.count()).select_from(t)) or 0
                       for name, t in tables.tables.items() if name != "alembic_version")


def seeded_world(config: Config, *, database: str = "sqlite://") -> World:
    """``database``: a file for a test whose store is also read from a second thread (an
    in-memory SQLite is one database per connection, hence per thread)."""
    pages, roster = config.pages, config.roster
    scenario = seed_weekend(
        SEED_SATURDAY, waiver_base=pages.waiver_url, prefix=pages.prefix,
        phones={m.name: m.phone for m in roster}, emails={m.name: m.email for m in roster},
        photo_url=pages.photo_upload_url or f"{pages.base_url}/charters/photos")
    clock = lambda: NOW  # noqa: E731
    api = FakeCalendarApi(scenario.events)
    records = FakeRecords(scenario.records)
    renderer = PageRenderer()
    fake_pages = FakePages({k: renderer.render(p) for k, p in scenario.pages.items()},
                           clock=clock)
    cdn, sender = FakeCdn(clock=clock), FakeSender()
    systems = Systems(calendar=FakeCalendar(api, tz=config.tz), records=records,
                      pages=fake_pages, cdn=cdn)
    audit = AuditLog(session_factory(open_engine(database)), clock=clock)
    service = ChangeService(systems=systems, config=config, audit=audit, renderer=renderer,
                            clock=clock, sleep=lambda _: None, tell=sender)
    return World(config, api, records, fake_pages, cdn, sender, audit, systems, service)


@pytest.fixture
def world(config: Config) -> World:
    return seeded_world(config)


def nothing_written() -> dict[str, Any]:
    return {"calendar": 0, "records": 0, "pages": 0, "cdn": 0, "messages": 0,
            "audit rows": 0}
