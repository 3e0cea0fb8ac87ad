"""The modal a form opens as, in the ack, before the calendar is read. Pure, and light: it
loads only the ids, so that an ack (a Lambda's cold start) does not wait on the forms."""

from __future__ import annotations

from typing import Any

from handlers.views.ids import SWAP_FORM, TIME_FORM

TITLES = {"swap": "Swap crew", "time": "Change time"}


def loading_view(kind: str, *, external_id: str) -> dict[str, Any]:
    """Replaced by the form (views/change_form.py), found again by ``external_id``."""
    return {"type": "modal", "callback_id": SWAP_FORM if kind == "swap" else TIME_FORM,
            "external_id": external_id,
            "title": {"type": "plain_text", "text": TITLES[kind]},
            "close": {"type": "plain_text", "text": "Cancel"},
            "blocks": [{"type": "section", "text": {
                "type": "mrkdwn", "text": ":hourglass_flowing_sand: Reading the calendar…"}}]}
