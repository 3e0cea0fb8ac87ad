"""Who opened the Home, on PostgreSQL and SQLite: two devices of one person opening it for
the first time at the same moment both get their Home (neither meets the other's row as
a UNIQUE violation, which lost that device's publish)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from store.database import open_engine, session_factory
from store.home_views import HomeViews
from tests.databases import PG_URL, postgres_schema

MOMENT = datetime(2026, 5, 25, 16, tzinfo=UTC)
PEOPLE = 25  # first openings raced, two devices each: the old read-then-insert lost several


@pytest.fixture(params=["sqlite", "postgresql"])
def views(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HomeViews]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'audit.sqlite3'}"
        schemas = None
    else:
        schemas = postgres_schema()
        url = (PG_URL.replace("postgresql+psycopg://", "postgresql://")
               + f"?options=-csearch_path%3D{next(schemas)}")
    engine = open_engine(url)
    try:
        yield HomeViews(session_factory(engine), clock=lambda: MOMENT)
    finally:
        engine.dispose()
        if schemas is not None:
            next(schemas, None)


def test_two_devices_opening_the_home_for_the_first_time_at_once_both_get_it(
        views: HomeViews) -> None:
    failures: list[BaseException] = []

    def device(person: str, start: threading.Barrier) -> None:
        start.wait()
        try:
            views.opened(person)
        except BaseException as error:  # what the Home's listener met: no publish
            failures.append(error)

    for n in range(PEOPLE):
        start = threading.Barrier(2)
        devices = [threading.Thread(target=device, args=(f"U{n:04d}", start))
                   for _ in range(2)]
        for thread in devices:
            thread.start()
        for thread in devices:
            thread.join()
    assert failures == []
    watching = views.watching(within=timedelta(minutes=1))
    assert watching == [f"U{n:04d}" for n in range(PEOPLE)]
    assert all(views.last_published(person) == MOMENT for person in watching)


def test_a_second_opening_moves_the_time_forward(views: HomeViews) -> None:
    views.opened("U0GENE")
    later = MOMENT + timedelta(hours=2)
    HomeViews(views._sessions, clock=lambda: later).opened("U0GENE")
    assert views.last_published("U0GENE") == later
