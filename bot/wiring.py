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
from services.reconciling import Systems, default_window

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from services.adapters.heartbeat import Heartbeat
    from services.changes import ChangeService
    from services.crew_news import Courier
    from services.ports import AuditStore
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


def calendar_service_factory(env: Environment) -> Callable[[], Any] | None:
    creds = google_credentials(env)
    if creds is None:
        return None
    options = {"api_endpoint": env.google_calendar_api_endpoint} \
        if env.google_calendar_api_endpoint else None

    def service() -> Any:
        import httplib2
        from google_auth_httplib2 import AuthorizedHttp
        from googleapiclient.discovery import build

        http = AuthorizedHttp(creds, http=httplib2.Http(timeout=20))
        # static_discovery: the bundled API description, so building needs no network.
        return build("calendar", "v3", http=http, client_options=options,
                     static_discovery=True, cache_discovery=False)

    return service


def build_systems(config: Config, env: Environment) -> Systems:
    from services.adapters.calendar import CalendarReader, GoogleCalendarApi
    from services.adapters.cdn import Cdn
    from services.adapters.pages import PageStore
    from services.adapters.records import RecordStore
    from services.adapters.served import ServedPages

    factory = calendar_service_factory(env)
    api = GoogleCalendarApi(service_factory=factory, calendar_id=config.calendar.id) \
        if factory else None
    return Systems(
        calendar=CalendarReader(api=api, ical_url=config.calendar.ical_url, tz=config.tz),
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


@functools.cache
def heartbeat_for(url: str | None) -> Heartbeat:
    """One heartbeat per process and URL: the live sync, the digest and the nightly sync
    share its once-a-minute limit."""
    from services.adapters.heartbeat import Heartbeat

    return Heartbeat(url)


@functools.cache
def database_sessions(url: str | None) -> sessionmaker[Session]:
    """One engine per process and database: the audit log, the live sync's state and the
    crew's notices share its pool (migrated once, when it is first opened)."""
    from store.database import open_engine, session_factory

    return session_factory(open_engine(url))


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


class Deferred:
    """An object built on first use, once, whichever thread asks first: on Lambda the init
    phase and a slash command's ack build no AWS or Google client and open no database.
    Attributes set before it is built are set on it when it is."""

    def __init__(self, build: Callable[[], Any]) -> None:
        object.__setattr__(self, "_build", build)
        object.__setattr__(self, "_target", None)
        object.__setattr__(self, "_pending", {})
        object.__setattr__(self, "_lock", threading.Lock())

    def built(self) -> Any:
        target = object.__getattribute__(self, "_target")
        if target is None:
            with object.__getattribute__(self, "_lock"):
                target = object.__getattribute__(self, "_target")
                if target is None:
                    target = object.__getattribute__(self, "_build")()
                    for name, value in object.__getattribute__(self, "_pending").items():
                        setattr(target, name, value)
                    object.__setattr__(self, "_target", target)
        return target

    def __getattr__(self, name: str) -> Any:
        return getattr(self.built(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        with object.__getattribute__(self, "_lock"):
            target = object.__getattribute__(self, "_target")
            if target is None:
                object.__getattribute__(self, "_pending")[name] = value
                return
        setattr(target, name, value)


def build_deps(config: Config, env: Environment, *,
               stop_requested: threading.Event | None = None) -> Deps:
    """What every use case takes, for one process. The systems, the audit store and the
    change service are built when a request first needs them."""
    stopping = stop_requested.is_set if stop_requested else lambda: False
    systems: Any = Deferred(lambda: build_systems(config, env))
    audit: Any = Deferred(lambda: build_audit(env))
    changes: Any = Deferred(lambda: build_change_service(
        systems.built(), config, audit.built(), stop_requested=stopping))
    synced: Any = Deferred(lambda: build_sync_state(env))
    now = lambda: datetime.now(UTC)  # noqa: E731
    return Deps(systems=systems, config=config, audit=audit, changes=changes,
                window=lambda: default_window(config, now=now()), clock=now,
                last_synced=lambda: synced.last_synced(config.calendar.id))
