"""Opening the audit store: SQLite by default, PostgreSQL through DATABASE_URL.

Migrations are applied on open, so a new deployment and an upgraded one both
start on the current schema.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import URL, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from common.errors import ConfigError

DEFAULT_URL = "sqlite:///charter-ops.sqlite3"
_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The package that brings each database driver SQLAlchemy may ask for.
_DRIVER_PACKAGES = {
    "psycopg": "psycopg[binary]", "psycopg2": "psycopg2-binary", "asyncpg": "asyncpg",
    "pg8000": "pg8000", "pymysql": "PyMySQL", "MySQLdb": "mysqlclient",
    "mysql": "mysql-connector-python", "oracledb": "oracledb", "pyodbc": "pyodbc",
}


def normalise_url(url: str) -> str:
    # Heroku-style and bare postgres URLs mean psycopg 3, the driver we ship.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def open_engine(url: str | None) -> Engine:
    try:
        target = make_url(normalise_url(url or DEFAULT_URL))
        # Pre-pinged: a connection the server dropped (a restart, a failover) is replaced
        # before use, rather than failing the request or the probe that drew it.
        engine = create_engine(target, future=True, pool_pre_ping=True,
                               connect_args=_connect_args(target))
    except ImportError as error:  # the URL's driver is not installed
        module = (error.name or "").split(".")[0]
        package = _DRIVER_PACKAGES.get(module, module or "its driver")
        raise ConfigError(f"DATABASE_URL needs the database driver '{module}', which is not "
                          f"installed: pip install '{package}'") from None
    except (SQLAlchemyError, ValueError):
        # Not the parser's words: they quote pieces of the URL, its password among them.
        raise ConfigError("DATABASE_URL is not a database URL SQLAlchemy can use (is a "
                          "special character in the password, such as @ : / #, "
                          "percent-encoded?)") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        migrate(engine)
    except DBAPIError as error:  # refused, unknown host, no such directory, no permission
        engine.dispose()
        raise ConfigError(f"DATABASE_URL {_shown_url(engine)}: the audit database cannot be "
                          f"opened ({_reason(error, url or DEFAULT_URL)})") from None
    return engine


# A PostgreSQL host that drops packets without a word would hold a command for about two
# minutes (the kernel's TCP retries) before any error; a URL's own connect_timeout wins.
CONNECT_TIMEOUT_SECONDS = 10


def _connect_args(url: URL) -> dict[str, object]:
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        return {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    return {}


def _shown_url(engine: Engine) -> str:
    """The engine's URL fit to print: no password, no query (it may carry one too), and a
    host with no '@' (one there is the tail of a password with an unescaped @)."""
    url = engine.url.set(query={})
    if url.host and "@" in url.host:
        url = url.set(host=url.host.rpartition("@")[2])
    return url.render_as_string(hide_password=True)


def _reason(error: DBAPIError, url: str) -> str:
    """The driver's words, without any piece of the password: one with an unescaped @ is
    parsed short, and the rest of it lands in the host the driver names."""
    reason = " ".join(str(error.orig).split()) or type(error.orig).__name__
    for secret in _password_pieces(url):
        reason = reason.replace(secret, "***")
    return reason


def _password_pieces(url: str) -> list[str]:
    """What lies between the user's ':' and the last '@' of ``url``, whole and split at
    each '@' (pieces of 3 characters or more, longest first)."""
    _, _, rest = url.partition("://")
    userinfo = rest.split("/", 1)[0].rpartition("@")[0]
    password = userinfo.partition(":")[2]
    pieces = {password, *password.split("@")}
    return sorted((p for p in pieces if len(p) >= 3), key=len, reverse=True)


# Any number of the application's own: pg_advisory_xact_lock's first key for migrating
# (the second is the schema's, so the schemas of one database migrate independently).
MIGRATION_LOCK_KEY = 0x63686172  # "char"
# How long a process waits for another's migrations of a SQLite file (5 s otherwise).
SQLITE_MIGRATION_WAIT_MS = 120_000


def migrate(engine: Engine) -> None:
    """The schema brought to head, by one process at a time: replicas starting together
    on a new database would create the same tables at once (PostgreSQL refused the second
    with 'duplicate key value violates unique constraint "pg_type_typname_nsp_index"',
    SQLite with 'table already exists'). The next one finds it at head and goes on."""
    settings = AlembicConfig()
    settings.set_main_option("script_location", str(_MIGRATIONS))
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_MIGRATION_WAIT_MS}")
            connection.commit()  # SQLAlchemy began a transaction for it: nothing to commit
        try:
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    # Held until this transaction ends: the migrations' commit.
                    connection.execute(text(
                        "SELECT pg_advisory_xact_lock(:key, "
                        "hashtext(coalesce(current_schema(), '')))"),
                        {"key": MIGRATION_LOCK_KEY})
                elif sqlite:
                    # The file's write lock from the start, not from the first write.
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                settings.attributes["connection"] = connection
                command.upgrade(settings, "head")
        finally:
            if sqlite:
                connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
                connection.commit()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


SQLITE_BUSY_MS = 5000


def _sqlite_pragmas(connection: object, _record: object) -> None:
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.close()
