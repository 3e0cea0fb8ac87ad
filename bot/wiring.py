"""The composition root: real clients built from the config and the environment.

Nothing here connects at import time; tests and the demo call the same
builders with endpoints pointed at moto and the calendar emulator.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from bot.direct_messages import PACE_SECONDS, SlackCourier
from bot.environment import Environment
from common.errors import ConfigError
from services.deps import Deps
from services.domain.config import Config

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from common.changes import ChangeEntry
    from services.adapters.heartbeat import Heartbeat
    from services.changes import ChangeService
    from services.crew_news import Courier
    from services.domain.models import Window
    from services.ports import AuditStore
    from services.reconciling import Systems
    from store.audit import AuditLog
    from store.sync_state import SyncState

CALENDAR_SCOPES = ["https://www.googleapis.com/auth/calendar"]

@functools.cache
def _boto_config(*, retries: bool) -> Any:
    from botocore.config import Config as BotoConfig

    # Fail fast on a dead endpoint (5 s to connect); but give a read a full minute, and
    # two more tries: one Scan page of a large table (1 MB, filtered server-side) can take
    # tens of seconds, and a slow page must not fail a whole reconcile. botocore counts
    # max_attempts as retries after the first try: 0 is "try once".
    return BotoConfig(connect_timeout=5, read_timeout=60,
                      retries={"max_attempts": 2 if retries else 0, "mode": "standard"})


def aws_client(service: str, config: Config, env: Environment, *,
               retries: bool = True) -> Any:
    import boto3

    region = config.dynamodb.region
    return boto3.client(service, region_name=region, endpoint_url=env.aws_endpoint_url,
                        config=_boto_config(retries=retries))


def google_credentials(env: Environment) -> Any | None:
    # google-auth is imported when credentials are built: a command that never reaches
    # the calendar (and a Lambda's init phase) does not pay for it.
    from google.oauth2 import credentials as oauth_credentials
    from google.oauth2 import service_account

    if env.google_application_credentials:
        try:
            # The key file's own token_uri is honoured by google-auth.
            return service_account.Credentials.from_service_account_file(
                env.google_application_credentials, scopes=CALENDAR_SCOPES)
        except (OSError, ValueError) as error:
            raise ConfigError(
                f"GOOGLE_APPLICATION_CREDENTIALS: not a usable service-account key file ({error})"
            ) from None
    if env.has_google_oauth:
        return oauth_credentials.Credentials(
            token=None,
            refresh_token=env.google_oauth_refresh_token,
            client_id=env.google_oauth_client_id,
            client_secret=env.google_oauth_client_secret,
            token_uri=env.google_oauth_token_uri,
            scopes=CALENDAR_SCOPES,
        )
    return None


class _OneRefreshAtATime:
    """Credentials shared by the threads that read a fleet's calendars at once: when the
    token is expired, the first thread refreshes it and the others wait for its token,
    rather than each asking the token endpoint for one of its own."""

    def __init__(self, credentials: Any) -> None:
        self._credentials = credentials
        self._lock = threading.Lock()

    def before_request(self, request: Any, method: str, url: str, headers: Any) -> None:
        with self._lock:
            self._credentials.before_request(request, method, url, headers)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._credentials, name)


def calendar_service_factory(env: Environment) -> Callable[[], Any] | None:
    creds = google_credentials(env)
    if creds is None:
        return None
    creds = _OneRefreshAtATime(creds)
    options = {"api_endpoint": env.google_calendar_api_endpoint} \
        if env.google_calendar_api_endpoint else None
    # One client per thread, shared by every boat's calendar (the calendar id is a
    # parameter of each request): httplib2 is not thread-safe, and a client costs 13 ms
    # and 350 KiB to build, so one per boat and thread would not scale to a large fleet.
    built = threading.local()

    def service() -> Any:
        import httplib2
        from google_auth_httplib2 import AuthorizedHttp
        from googleapiclient.discovery import build

        client = getattr(built, "client", None)
        if client is None:
            http = AuthorizedHttp(creds, http=httplib2.Http(timeout=20))
            # static_discovery: the bundled API description, so building needs no network.
            client = built.client = build("calendar", "v3", http=http, client_options=options,
                                          static_discovery=True, cache_discovery=False)
        return client

    return service


def build_systems(config: Config, env: Environment) -> Systems:
    from services.adapters.calendar import CalendarReader, GoogleCalendarApi
    from services.adapters.cdn import Cdn
    from services.adapters.fleet_calendar import FleetCalendar
    from services.adapters.pages import PageStore
    from services.adapters.records import RecordStore
    from services.adapters.served import ServedPages
    from services.reconciling import Systems

    factory = calendar_service_factory(env)
    # One reader per boat, each with its own API and feed: one boat's outage is its own.
    readers = [(boat, CalendarReader(
        api=GoogleCalendarApi(service_factory=factory, calendar_id=boat.calendar_id)
        if factory else None, ical_url=boat.ical_url, tz=config.tz)) for boat in config.boats]
    return Systems(
        calendar=FleetCalendar(readers),
        records=RecordStore(dynamodb_client=aws_client("dynamodb", config, env),
                            table=config.dynamodb.table, date_index=config.dynamodb.date_index),
        pages=PageStore(s3_client=aws_client("s3", config, env), bucket=config.pages.bucket,
                        prefix=config.pages.prefix,
                        cache_ttl_seconds=config.pages.cache_ttl_seconds),
        cdn=Cdn(cloudfront_client=aws_client("cloudfront", config, env),
                write_client=aws_client("cloudfront", config, env, retries=False),
                distribution_id=config.pages.distribution_id, prefix=config.pages.prefix),
        served=ServedPages(base_url=config.pages.base_url),
    )


def fleet_last_synced(state: Any, config: Config) -> datetime | None:
    """The last successful check of every boat's calendar: the oldest of them (None while
    any boat's calendar was never checked)."""
    times = [state.last_synced(boat.calendar_id) for boat in config.boats]
    return None if any(t is None for t in times) else min(times)


def fleet_last_failure(state: Any, config: Config) -> tuple[datetime, str] | None:
    """The latest failed check of any boat's calendar not followed by a success: when, and
    why (naming the boat in a fleet)."""
    failures = [(boat, state.last_failure(boat.calendar_id)) for boat in config.boats]
    found = [(f.at, f"{boat.name}: {f.reason}" if config.fleet else f.reason)
             for boat, f in failures if f is not None]
    return max(found) if found else None


@functools.cache
def heartbeat_for(url: str | None) -> Heartbeat:
    """One heartbeat per process and URL: the live sync, the digest and the nightly sync
    share its once-a-minute limit."""
    from services.adapters.heartbeat import Heartbeat

    return Heartbeat(url)


@functools.cache
def database_engine(url: str | None) -> Engine:
    """One engine per process and database: the audit log, the live sync's state, the
    crew's notices and /readyz share its pool (migrated once, when it is first opened)."""
    from store.database import open_engine

    return open_engine(url)


@functools.cache
def database_sessions(url: str | None) -> sessionmaker[Session]:
    """Sessions on the process's one engine of ``url`` (database_engine)."""
    from store.database import session_factory

    return session_factory(database_engine(url))


def build_sync_state(env: Environment) -> SyncState:
    """The live sync's state in the audit store: its token, lease, and last success."""
    from store.sync_state import SyncState

    return SyncState(database_sessions(env.database_url))


def build_audit(env: Environment) -> AuditLog:
    from store.audit import AuditLog

    return AuditLog(database_sessions(env.database_url))


# Slack's 429s are retried after their Retry-After, this many times; a dropped connection
# once. A message whose answer was lost is not sent again blind: see SlackCourier.
RATE_LIMIT_RETRIES = 3
CONNECTION_RETRIES = 1


def web_client(*, token: str | None, base_url: str | None = None, timeout: int = 30,
               resend_on_connection_error: bool = True) -> WebClient:
    """Every Slack Web API client the bot builds: 429s retried after their Retry-After
    (bounded), and connection errors. ``resend_on_connection_error=False`` for messages
    that must not arrive twice: a connection dropped after Slack took the message would
    send it again; those are looked for instead (bot/direct_messages.py)."""
    handlers: list[Any] = [RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)]
    if resend_on_connection_error:
        handlers.append(ConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES))
    return WebClient(token=token, base_url=base_url or WebClient.BASE_URL, timeout=timeout,
                     retry_handlers=handlers)


def slack_client(env: Environment) -> WebClient | None:
    """The Slack Web API with the bot token; None when no token is set (no Slack here)."""
    if not env.slack_bot_token:
        return None
    return web_client(token=env.slack_bot_token, base_url=env.slack_api_url)


def direct_messages(env: Environment, *, pace: float = PACE_SECONDS) -> SlackCourier | None:
    """Direct messages to Slack users, for the crew a change affects: the CLI and
    ``watch`` tell them as the Slack app does."""
    if not env.slack_bot_token:
        return None
    return courier_for(web_client(token=env.slack_bot_token, base_url=env.slack_api_url),
                       pace=pace)


def courier_for(client: WebClient, *, pace: float = PACE_SECONDS) -> SlackCourier:
    """Direct messages through a sibling of ``client`` (same token and address) that never
    resends a message on a dropped connection: such a message is looked for instead."""
    once = web_client(token=client.token, base_url=client.base_url, timeout=client.timeout,
                      resend_on_connection_error=False)
    return SlackCourier(once, pace=pace)


def build_change_service(systems: Systems, config: Config, audit: AuditStore, *,
                         stop_requested: Callable[[], bool] = lambda: False,
                         tell: Courier | None = None) -> ChangeService:
    from services.changes import ChangeService

    return ChangeService(systems=systems, config=config, audit=audit,
                         stop_requested=stop_requested, tell=tell)


def _default_window(config: Config, now: datetime) -> Window:
    from services.reconciling import default_window  # with the engine: not at a cold start

    return default_window(config, now=now)


class LazyDeps(Deps):
    """The Deps of a process whose systems, audit store and change service are built when
    a request first needs them, once, whichever thread asks first: on Lambda the init
    phase and a slash command's ack build no AWS or Google client and open no database."""

    def __init__(self, config: Config, env: Environment, *,
                 stop_requested: Callable[[], bool]) -> None:
        self._parts: dict[str, Any] = {}
        self._lock = threading.RLock()
        self._env, self._stop_requested = env, stop_requested
        self._courier: Courier | None = None
        self._landed: Callable[[ChangeEntry], None] | None = None
        now = lambda: datetime.now(UTC)  # noqa: E731
        super().__init__(systems=None, config=config, audit=None,  # type: ignore[arg-type]
                         changes=None,  # type: ignore[arg-type]
                         window=lambda: _default_window(config, now()), clock=now,
                         last_synced=lambda: fleet_last_synced(self._part(
                             "sync state", lambda: build_sync_state(env)), config),
                         last_failure=lambda: fleet_last_failure(self._part(
                             "sync state", lambda: build_sync_state(env)), config))

    def _part(self, name: str, build: Callable[[], Any]) -> Any:
        with self._lock:
            if self._parts.get(name) is None:
                self._parts[name] = build()
            return self._parts[name]

    @property
    def systems(self) -> Systems:
        return self._part("systems", lambda: build_systems(self.config, self._env))

    @systems.setter
    def systems(self, value: Systems) -> None:
        self._parts["systems"] = value

    @property
    def audit(self) -> AuditStore:
        return self._part("audit", lambda: build_audit(self._env))

    @audit.setter
    def audit(self, value: AuditStore) -> None:
        self._parts["audit"] = value

    @property
    def changes(self) -> ChangeService:
        return self._part("changes", self._build_changes)

    @changes.setter
    def changes(self, value: ChangeService) -> None:
        self._parts["changes"] = value

    def _build_changes(self) -> ChangeService:
        service = build_change_service(self.systems, self.config, self.audit,
                                       stop_requested=self._stop_requested,
                                       tell=self._courier)
        service.landed = self._landed
        return service

    def tell_through(self, courier: Courier) -> None:
        with self._lock:
            self._courier = courier
            if self._parts.get("changes") is not None:
                self._parts["changes"].tell = courier

    def on_landing(self, callback: Callable[[ChangeEntry], None]) -> None:
        with self._lock:
            self._landed = callback
            if self._parts.get("changes") is not None:
                self._parts["changes"].landed = callback


def build_deps(config: Config, env: Environment, *,
               stop_requested: threading.Event | None = None) -> Deps:
    """What every use case takes, for one process."""
    return LazyDeps(config, env, stop_requested=stop_requested.is_set if stop_requested
                    else lambda: False)
