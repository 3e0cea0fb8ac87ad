"""The half of every form that runs in an ack: the loading modal opened at once on the
request's trigger (Slack honours one for 3 seconds), then found again by its
``external_id`` and filled in by the deferred half (change_form.fill)."""

from __future__ import annotations

import logging
from typing import Any

from handlers.views.loading import loading_view

logger = logging.getLogger(__name__)


def external_id(trigger_id: str) -> str:
    return f"charter-form-{trigger_id}"[:255]


def open_loading(client: Any, trigger_id: str, kind: str) -> bool:
    """A trigger Slack no longer honours is logged; the ack goes out all the same."""
    try:
        client.views_open(trigger_id=trigger_id,
                          view=loading_view(kind, external_id=external_id(trigger_id)))
    except Exception as error:
        logger.warning("the %s form could not be opened: %s", kind, error)
        return False
    return True


def form_kind(text: str) -> str | None:
    """``swap`` or ``time`` when the command names no people or times (a form then)."""
    words = text.split()
    if words and words[0].lower() in ("swap", "time") and len(words) <= 2:
        return words[0].lower()
    return None
