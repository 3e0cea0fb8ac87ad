"""Replicas starting together on a new audit database: each process opens it (which
migrates it) at the same moment, and every one starts, on a schema at head."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from store.schema_state import schema_state
from tests.databases import audit_database

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 4

# Imports first, then every process waits for one moment and opens the store.
OPEN_AT = """
import sys, time
from store.database import open_engine
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
open_engine(sys.argv[1]).dispose()
"""


@pytest.fixture(params=["postgresql", "sqlite"])
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from audit_database(request.param, tmp_path)


def test_replicas_opening_a_new_database_at_once_all_start_on_the_schema_at_head(
        new_database: str) -> None:
    at = time.time() + 4  # after every process has imported SQLAlchemy and Alembic
    processes = [subprocess.Popen([sys.executable, "-c", OPEN_AT, new_database, str(at)],
                                  cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True) for _ in range(PROCESSES)]
    outcomes = [(process.wait(timeout=60), process.stdout.read()) for process in processes]
    assert time.time() > at, "a process finished before the moment they were all to open"
    assert [error for status, error in outcomes if status != 0] == []
    state = schema_state(new_database)
    assert state.migrated, state
