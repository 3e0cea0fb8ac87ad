"""The PostgreSQL server the tests use (127.0.0.1:5432, database test), one schema a test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def postgres_schema() -> Iterator[str]:
    """A throwaway schema in the test database, so runs never see each other's rows."""
    admin = create_engine(PG_URL)
    try:
        with admin.connect() as probe:
            probe.execute(text("select 1"))
    except OperationalError as error:
        pytest.skip(f"no PostgreSQL answers at {PG_URL} ({error.orig})")
    schema = "audit_" + uuid.uuid4().hex[:10]
    with admin.begin() as connection:
        connection.execute(text(f"create schema {schema}"))
    try:
        yield schema
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"drop schema {schema} cascade"))
        admin.dispose()


def audit_database(kind: str, tmp_path: Path) -> Iterator[str]:
    """A new, empty audit database's URL: a SQLite file under ``tmp_path``, or a
    throwaway PostgreSQL schema (``kind`` "postgresql"), dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'audit.sqlite3'}"
        return
    schemas = postgres_schema()
    schema = next(schemas)
    yield PG_URL + f"?options=-csearch_path%3D{schema}"
    next(schemas, None)
