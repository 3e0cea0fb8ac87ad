"""Logging for the running bot: plain text, or with LOG_FORMAT=json one JSON object a line.

Every line carries the id of the Slack request it belongs to (``request_id``) and,
while a change runs, the change's id (``change_id``): context variables, carried into
the worker threads of deferred work by :class:`ContextExecutor`. Secrets never reach a
line: each value of a secret environment variable, and anything shaped like a Slack
token, is replaced before the line is written, whatever the format.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import copy_context
from datetime import UTC, datetime
from typing import Any

from common.log_context import change_id, request_id

# Environment variables whose values are secrets (their names are fine to log).
SECRET_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN",
                    "GOOGLE_OAUTH_CLIENT_SECRET", "GOOGLE_OAUTH_REFRESH_TOKEN",
                    "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "DATABASE_URL",
                    "HEARTBEAT_URL")  # anyone holding the heartbeat URL can ping it
_SLACK_TOKEN = re.compile(r"\bxox[abposr]-[A-Za-z0-9-]+|\bxapp-[A-Za-z0-9-]+")
REDACTED = "[redacted]"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class Redactor:
    def __init__(self, secrets: Iterable[str]) -> None:
        # Longest first, so a secret that contains another is replaced whole; short values
        # ("1", "x") would blank out ordinary words and are not secrets worth the name.
        self._secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len,
                               reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return _SLACK_TOKEN.sub(REDACTED, text)


class _Redacting(logging.Formatter):
    def __init__(self, inner: logging.Formatter, redact: Redactor) -> None:
        super().__init__()
        self._inner, self._redact = inner, redact

    def format(self, record: logging.LogRecord) -> str:
        return self._redact(self._inner.format(record))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get(),
            "change_id": getattr(record, "change_id", None) or change_id.get(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_logging(*, log_format: str | None, secrets: Iterable[str],
                      stream: Any = None) -> Callable[[], None]:
    """Replace the root logger's handlers with one that writes ``log_format`` lines;
    returns what puts them back."""
    inner = JsonFormatter() if (log_format or "").lower() == "json" \
        else logging.Formatter(TEXT_FORMAT)
    handler = logging.StreamHandler(stream) if stream is not None else _Stderr()
    handler.setFormatter(_Redacting(inner, Redactor(secrets)))
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)

    def restore() -> None:
        root.handlers[:] = before
        root.setLevel(level)

    return restore


class _Stderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a line is logged (as logging's last resort
    does), not to the stream that was sys.stderr when logging was set up."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> Any:
        return sys.stderr


class ContextExecutor(ThreadPoolExecutor):
    """A thread pool whose tasks run in the submitter's context: the deferred work of a
    Slack request logs with that request's id."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        context = copy_context()
        return super().submit(context.run, fn, *args, **kwargs)
