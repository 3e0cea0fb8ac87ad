"""Where an audit database's schema stands, read without changing anything.

``charter-ops doctor`` and ``/readyz`` ask this; opening the store (store.database)
is what migrates. A SQLite file that does not exist is reported as such rather than
connected to, since connecting would create it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from store.database import _MIGRATIONS, DEFAULT_URL, normalise_url


@dataclass(frozen=True)
class SchemaState:
    reachable: bool
    current: str | None  # the revision the database is at; None when empty or unreachable
    head: str  # the revision this code expects
    problem: str = ""  # why it is not reachable, or what is odd about it

    @property
    def migrated(self) -> bool:
        return self.reachable and self.current == self.head


def head_revision() -> str:
    return str(ScriptDirectory(str(_MIGRATIONS)).get_current_head())


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_state(url: str | None, *, engine: Engine | None = None) -> SchemaState:
    """``engine``: one already open (the running bot's, of ``url``); else one is made from
    ``url``. A SQLite file gone is reported either way, never connected to (re-created)."""
    head = head_revision()
    try:
        parsed = make_url(normalise_url(url or DEFAULT_URL))
    except ArgumentError as error:
        return SchemaState(False, None, head, f"not a database URL ({error})")
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:") and engine is None:
            return SchemaState(False, None, head, "an in-memory SQLite database keeps "
                                                  "nothing between runs")
        if database not in ("", ":memory:") and not Path(database).is_file():
            return SchemaState(False, None, head, f"no SQLite file at {database}")
    if engine is None:
        try:
            engine = create_engine(parsed, future=True)
        except ImportError as error:
            return SchemaState(False, None, head, f"its driver '{error.name}' is not installed")
    try:
        return SchemaState(True, current_revision(engine), head)
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        return SchemaState(False, None, head, reason)
