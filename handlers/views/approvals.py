"""The digest's buttons as Slack carries them (their ids are in ids.py): the Request in an
Approve button's value, the entries of a posted digest message, and what a button would have
done (for the audit of a refusal). Pure."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from handlers.views.ids import APPROVE, APPROVE_ALL, DISMISS
from services.domain.reconcile.approvals import Request


def request_of(value: str) -> Request:
    data = json.loads(value)
    ids = data.get("ids")
    return Request(event_id=str(data.get("event", "")),
                   ids=tuple(ids) if ids is not None else None, seen=data.get("seen"))


def requests_in(blocks: Iterable[Mapping[str, Any]]) -> dict[str, Request]:
    """The entries of a posted digest message, by charter, from their Approve buttons."""
    found: dict[str, Request] = {}
    for block in blocks:
        block_id = str(block.get("block_id", ""))
        if block.get("type") != "actions" or not block_id.startswith("decide:") \
                or block_id == "decide:all":
            continue
        for element in block.get("elements", []):
            value = element.get("value", "")
            if value.startswith("{"):
                request = request_of(value)
                found[request.event_id] = request
                break
    return found


def entries_in(blocks: Iterable[Mapping[str, Any]]) -> list[str]:
    """The charters that have an entry in a digest message, in order."""
    return [str(b["block_id"]).removeprefix("charter:") for b in blocks
            if str(b.get("block_id", "")).startswith("charter:")]


def describe(action_id: str, value: str) -> dict[str, Any]:
    """What a digest button would have done, for the audit of a refusal."""
    verb = {APPROVE: "approve", DISMISS: "dismiss",
            APPROVE_ALL: "approve"}.get(action_id, action_id)
    if value == "all":
        return {"what": "all", "event_id": None, "summary": "approve all the digest's fixes"}
    try:
        request = request_of(value)
    except (ValueError, AttributeError):
        return {"what": value[:200], "event_id": None, "summary": f"{verb} {value[:200]}"}
    count = len(request.ids) if request.ids is not None else "all"
    return {"what": request.event_id, "event_id": request.event_id,
            "summary": f"{verb} the digest's fixes for {request.event_id} ({count})"}
