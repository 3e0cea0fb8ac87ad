"""Secrets and endpoint overrides, read from the environment (never from app.yaml)."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from common.errors import ConfigError

GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
DEFAULT_CONFIG = "app.yaml"


@dataclass(frozen=True)
class Environment:
    aws_endpoint_url: str | None = None
    google_calendar_api_endpoint: str | None = None
    google_application_credentials: str | None = None
    google_oauth_client_id: str | None = None
    google_oauth_client_secret: str | None = None
    google_oauth_refresh_token: str | None = None
    google_oauth_token_uri: str = GOOGLE_TOKEN_URI
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str | None = None
    database_url: str | None = None
    # Where app.yaml is when --config is not given (then ./app.yaml).
    config_path: str | None = None
    # "json" for one JSON object per log line; anything else is plain text.
    log_format: str | None = None
    # How long a SIGTERM'd HTTP process lets the work in flight run on (default 20).
    shutdown_grace_seconds: str | None = None
    # Socket Mode's ping interval in seconds (default 5): a dropped link is noticed after
    # about five unanswered pings. Shorter in tests, so a drop is seen in seconds.
    socket_mode_ping_seconds: str | None = None
    # Requested after each successful check, digest and nightly sync (Healthchecks-style).
    heartbeat_url: str | None = None

    @property
    def has_google_oauth(self) -> bool:
        return bool(self.google_oauth_client_id and self.google_oauth_client_secret
                    and self.google_oauth_refresh_token)

    def __repr__(self) -> str:  # keep secrets out of logs and tracebacks
        return "Environment(...)"


def read_environment(environ: Mapping[str, str] | None = None) -> Environment:
    env = os.environ if environ is None else environ

    def value(name: str) -> str | None:
        return env.get(name) or None

    return Environment(
        aws_endpoint_url=value("AWS_ENDPOINT_URL"),
        google_calendar_api_endpoint=value("GOOGLE_CALENDAR_API_ENDPOINT"),
        google_application_credentials=value("GOOGLE_APPLICATION_CREDENTIALS"),
        google_oauth_client_id=value("GOOGLE_OAUTH_CLIENT_ID"),
        google_oauth_client_secret=value("GOOGLE_OAUTH_CLIENT_SECRET"),
        google_oauth_refresh_token=value("GOOGLE_OAUTH_REFRESH_TOKEN"),
        google_oauth_token_uri=value("GOOGLE_OAUTH_TOKEN_URI") or GOOGLE_TOKEN_URI,
        slack_bot_token=value("SLACK_BOT_TOKEN"),
        slack_signing_secret=value("SLACK_SIGNING_SECRET"),
        slack_app_token=value("SLACK_APP_TOKEN"),
        slack_api_url=value("SLACK_API_URL"),
        database_url=value("DATABASE_URL"),
        config_path=value("CHARTER_OPS_CONFIG"),
        log_format=value("LOG_FORMAT"),
        shutdown_grace_seconds=value("SHUTDOWN_GRACE_SECONDS"),
        socket_mode_ping_seconds=value("SOCKET_MODE_PING_SECONDS"),
        heartbeat_url=value("HEARTBEAT_URL"),
    )


def find_config(given: str | None, *, env: Environment) -> Path:
    """The settings file: ``--config``, else ``$CHARTER_OPS_CONFIG``, else ./app.yaml."""
    return Path(given or env.config_path or DEFAULT_CONFIG)


def http_port(environ: Mapping[str, str] | None = None) -> int:
    """``$PORT``, where HTTP mode and ``watch``'s push listen (default 3000)."""
    text = (os.environ if environ is None else environ).get("PORT") or "3000"
    if not (text.isdigit() and int(text) <= 65535):
        raise ConfigError(f"PORT is '{text}', not a port number from 0 to 65535")
    return int(text)


def shutdown_grace(env: Environment) -> float:
    """``$SHUTDOWN_GRACE_SECONDS`` (default 20), read before anything starts."""
    text = env.shutdown_grace_seconds or "20"
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds >= 0):
        raise ConfigError(f"SHUTDOWN_GRACE_SECONDS is '{text}', not a number of seconds "
                          "(0 or more; default 20)")
    return seconds
