"""The composition root: real clients built from the config and the environment.

Nothing here connects at import time; tests and the demo call the same
builders with endpoints pointed at moto and the calendar emulator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import httplib2
from botocore.config import Config as BotoConfig
from google.oauth2 import credentials as oauth_credentials
from google.oauth2 import service_account
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.discovery import build
from slack_sdk import WebClient

from bot.environment import Environment
from common.errors import ConfigError
from services.adapters.calendar import CalendarReader, GoogleCalendarApi
from services.adapters.cdn import Cdn
from services.adapters.pages import PageStore
from services.adapters.records import RecordStore
from services.adapters.served import ServedPages
from services.changes import ChangeService
from services.crew_news import Send
from services.domain.config import Config
from services.reconciling import Systems
from store.audit import AuditLog
from store.database import open_engine, session_factory

CALENDAR_SCOPES = ["https://www.googleapis.com/auth/calendar"]

# Fail fast on a dead endpoint (5 s to connect); but give a read a full minute, and two
# more tries: one Scan page of a large table (1 MB, filtered server-side) can take tens
# of seconds, and a slow page must not fail a whole reconcile.
_BOTO = BotoConfig(connect_timeout=5, read_timeout=60, retries={"max_attempts": 2,
                                                                "mode": "standard"})


# botocore counts max_attempts as retries after the first try: 0 is "try once".
_BOTO_NO_RETRY = _BOTO.merge(BotoConfig(retries={"max_attempts": 0, "mode": "standard"}))


def aws_client(service: str, config: Config, env: Environment, *,
               retries: bool = True) -> Any:
    region = config.dynamodb.region
    return boto3.client(service, region_name=region, endpoint_url=env.aws_endpoint_url,
                        config=_BOTO if retries else _BOTO_NO_RETRY)


def google_credentials(env: Environment) -> Any | None:
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
        http = AuthorizedHttp(creds, http=httplib2.Http(timeout=20))
        # static_discovery: the bundled API description, so building needs no network.
        return build("calendar", "v3", http=http, client_options=options,
                     static_discovery=True, cache_discovery=False)

    return service


def build_systems(config: Config, env: Environment) -> Systems:
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


def build_audit(env: Environment) -> AuditLog:
    return AuditLog(session_factory(open_engine(env.database_url)))


def slack_client(env: Environment) -> WebClient | None:
    """The Slack Web API with the bot token; None when no token is set (no Slack here)."""
    if not env.slack_bot_token:
        return None
    return WebClient(token=env.slack_bot_token,
                     **({"base_url": env.slack_api_url} if env.slack_api_url else {}))


def direct_messages(env: Environment) -> Send | None:
    """A direct message to a Slack user (user id, text), for the crew a change affects:
    the CLI and ``watch`` tell them as the Slack app does."""
    client = slack_client(env)
    return direct_message_sender(client) if client is not None else None


def direct_message_sender(client: WebClient) -> Send:
    """A user id as the channel opens (or reuses) the bot's direct message with them."""
    def send(user: str, text: str) -> None:
        client.chat_postMessage(channel=user, text=text)

    return send


def build_change_service(systems: Systems, config: Config, audit: AuditLog, *,
                         stop_requested: Callable[[], bool] = lambda: False,
                         tell: Send | None = None) -> ChangeService:
    return ChangeService(systems=systems, config=config, audit=audit,
                         stop_requested=stop_requested, tell=tell)

