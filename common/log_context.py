"""What a log line is about: the Slack request and the change being carried out.

Context variables, so every layer can set or read them without passing them along;
bot.logging_setup writes them into each line.
"""

from __future__ import annotations

from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
change_id: ContextVar[str | None] = ContextVar("change_id", default=None)
