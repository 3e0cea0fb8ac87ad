"""The guests' corrections in the audit store, on SQLite and on PostgreSQL: claimed once by
their key across processes, then sent, failed or left not confirmed."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine

from common.notices import FAILED, NOT_CONFIRMED, SENT
from store.database import migrate, open_engine, session_factory
from store.guest_notices import GuestNotices
from tests.databases import PG_URL, postgres_schema

ROOT = Path(__file__).resolve().parents[2]
FACTS = {"date": "Saturday, May 30, 2026", "arrival": "3:00–7:00 PM",
         "location": "Harbor Dock 3", "boat": "Queen of San Diego", "captain": None}
NEWS = "the arrival time 2:00–6:00 PM → 3:00–7:00 PM"
KEY = "a" * 64
# A database URL and its connect options.
Database = tuple[str, dict[str, str]]


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """(a database URL, the connect options): each claimer opens its own engine on it,
    as a process of its own would."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'audit.sqlite3'}", {}
        return
    schemas = postgres_schema()
    schema = next(schemas)
    yield PG_URL, {"options": f"-csearch_path={schema}"}
    next(schemas, None)


def engine_for(database: Database) -> Engine:
    url, options = database
    if url.startswith("sqlite"):
        return open_engine(url)
    engine = create_engine(url, connect_args=options)
    migrate(engine)
    return engine


@pytest.fixture
def notices(database: Database) -> Iterator[GuestNotices]:
    engine = engine_for(database)
    yield GuestNotices(session_factory(engine))
    engine.dispose()


def claim(notices: GuestNotices, key: str = KEY, *, event_id: str = "danika-may31") -> bool:
    return notices.claim(key=key, event_id=event_id, address="danika@example.com",
                         basis="boarding:2026-05-20T09:00:00Z", facts=FACTS, news=NEWS,
                         change_id="c-1")


def test_a_correction_is_claimed_once_then_confirmed_with_its_message_id(
        notices: GuestNotices) -> None:
    assert claim(notices)
    assert not claim(notices)  # the same news again, from another change or a retry
    waiting = notices.get(KEY)
    assert waiting is not None and waiting.state == NOT_CONFIRMED
    assert (waiting.address, waiting.facts, waiting.news) == ("danika@example.com", FACTS, NEWS)
    notices.confirm(KEY, message_id="0100018f-ses")
    notices.fail(KEY, error="late")  # a late answer does not overwrite the recorded one
    sent = notices.get(KEY)
    assert sent is not None and (sent.state, sent.message_id, sent.error) == (
        SENT, "0100018f-ses", None)
    assert sent.settled_at is not None and sent.settled_at.tzinfo is not None


def test_a_charters_corrections_are_listed_newest_first_with_their_states(
        database: Database) -> None:
    moments = iter([datetime(2026, 5, 29, 9, tzinfo=UTC) + timedelta(minutes=n)
                    for n in range(10)])
    engine = engine_for(database)
    notices = GuestNotices(session_factory(engine), clock=lambda: next(moments))
    claim(notices, "1" * 64)
    claim(notices, "2" * 64)
    claim(notices, "3" * 64)
    claim(notices, "4" * 64, event_id="paola-jun14")
    notices.confirm("1" * 64, message_id="m-1")
    notices.fail("2" * 64, error="SES refused the e-mail (MessageRejected: ...). Not sent.")
    listed = notices.for_charter("danika-may31")
    assert [(n.key[0], n.state) for n in listed] == [
        ("3", NOT_CONFIRMED), ("2", FAILED), ("1", SENT)]
    assert listed[2].claimed_at == datetime(2026, 5, 29, 9, tzinfo=UTC)
    engine.dispose()


def test_of_eight_claimers_each_with_its_own_engine_exactly_one_wins(
        database: Database) -> None:
    engines = [engine_for(database) for _ in range(8)]
    start = threading.Barrier(8)

    def claimer(engine: Engine) -> Callable[[], bool]:
        def run() -> bool:
            start.wait()
            return claim(GuestNotices(session_factory(engine)))
        return run

    with ThreadPoolExecutor(8) as pool:
        won = [f.result() for f in [pool.submit(claimer(e)) for e in engines]]
    assert won.count(True) == 1
    for engine in engines:
        engine.dispose()


CLAIMER = """
import sys
from sqlalchemy import create_engine
from store.database import open_engine, session_factory
from store.guest_notices import GuestNotices
url, options = sys.argv[1], sys.argv[2]
engine = open_engine(url) if url.startswith("sqlite") else create_engine(
    url, connect_args={"options": options})
won = GuestNotices(session_factory(engine)).claim(
    key="b" * 64, event_id="danika-may31", address="danika@example.com", basis="boarding:x",
    facts={}, news="the arrival time", change_id=None)
print("won" if won else "lost")
"""


def test_two_processes_claiming_the_same_correction_send_it_once(
        database: Database) -> None:
    engine_for(database).dispose()  # migrated first, as the bot's start does
    url, options = database
    environ = {**os.environ, "PYTHONPATH": str(ROOT)}
    processes = [subprocess.Popen(
        [sys.executable, "-c", CLAIMER, url, options.get("options", "")], cwd=ROOT,
        env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)]
    answers = []
    for process in processes:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        answers.append(out.strip())
    assert sorted(answers) == ["lost", "won"]
