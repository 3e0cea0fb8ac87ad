"""Block Kit for the digest, status replies and decisions. Pure: data in, dicts out.

Slack's limits are respected for any amount of drift: 50 blocks a message,
3,000 characters a section, 25 elements an actions block, 2,000 characters a
button value, and always a top-level ``text`` for notifications. More than
fits is split over several messages, and past a few messages summarised.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from services.display import show_value
from services.models import DesiredCharter, Discrepancy, ReconcileResult

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_VALUE = 2000
MAX_MESSAGES = 6  # a digest longer than this is summarised, not posted in full

APPROVE, DISMISS, APPROVE_ALL = "digest_approve", "digest_dismiss", "digest_approve_all"

Block = dict[str, Any]
Message = dict[str, Any]  # {"text": str, "blocks": [Block]}


def section(text: str, *, block_id: str | None = None) -> Block:
    if len(text) > MAX_SECTION:
        text = text[: MAX_SECTION - 40].rstrip() + "\n…(shortened)"
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id:
        block["block_id"] = block_id[:255]
    return block


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:MAX_SECTION]}]}


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> Block:
    element: Block = {"type": "button", "text": {"type": "plain_text", "text": text[:75]},
                      "action_id": action_id, "value": value[:MAX_VALUE]}
    if style:
        element["style"] = style
    return element


def ids_value(event_id: str, ids: Sequence[str]) -> str:
    """The discrepancy ids a button decides; just the charter when they do not fit."""
    value = json.dumps({"event": event_id, "ids": list(ids)}, separators=(",", ":"))
    if len(value) <= MAX_VALUE:
        return value
    return json.dumps({"event": event_id, "ids": None}, separators=(",", ":"))


def discrepancy_line(item: Discrepancy) -> str:
    if item.kind == "RECORD_MISMATCH" and item.field:
        expected, actual = show_value(item.expected), show_value(item.actual)
        return f"• DynamoDB *{item.field}*: {expected} → now {actual}"
    return f"• {item.summary}"


def charter_title(event_id: str, want: DesiredCharter | None) -> str:
    if want is None:
        return f"*{event_id}* (no live calendar event)"
    c = want.charter
    return f"*{c.start:%a %b %-d} · {c.guest_name} · {c.start:%H:%M}–{c.end:%H:%M}* ({event_id})"


def _charter_blocks(event_id: str, items: Sequence[Discrepancy],
                    want: DesiredCharter | None) -> list[Block]:
    lines = [charter_title(event_id, want), *(discrepancy_line(i) for i in items)]
    blocks = [section("\n".join(lines), block_id=f"charter:{event_id}")]
    fixable = [i.id for i in items if i.fix]
    if fixable:
        value = ids_value(event_id, fixable)
        blocks.append({"type": "actions", "block_id": f"decide:{event_id}", "elements": [
            button("Approve", APPROVE, value, style="primary"),
            button("Dismiss", DISMISS, value)]})
    else:
        blocks.append(context("A person must fix this in the calendar or the roster."))
    return blocks


def by_charter(items: Iterable[Discrepancy]) -> dict[str, list[Discrepancy]]:
    groups: dict[str, list[Discrepancy]] = {}
    for item in items:
        groups.setdefault(item.event_id, []).append(item)
    return groups


def _partial_read(result: ReconcileResult) -> str:
    text = "Not every source could be read fully: " + "; ".join(result.notes)
    if result.withheld:
        text += " Withheld until a complete read: " + "; ".join(
            f"{w.event_id} ({', '.join(w.kinds)})" for w in result.withheld)
    return text[:2500]  # a context element's text limit is 3,000 characters


def digest_messages(result: ReconcileResult, *, all_clear: bool = True) -> list[Message]:
    """The morning digest as one or more messages, each within Slack's limits."""
    found = result.discrepancies
    if not found and not result.complete:
        # Nothing found in part of the data is not "all clear": say what was not checked.
        text = (f":warning: Morning check incomplete: nothing found among "
                f"{result.charters_checked} charters, but not every source could be read.")
        return [{"text": text, "blocks": [section(text), context(_partial_read(result))]}]
    if not found:
        if not all_clear:
            return []
        text = (f":white_check_mark: All clear: {result.charters_checked} charters from "
                f"{result.window.start:%b %-d} to {result.window.end:%b %-d} agree everywhere.")
        return [{"text": text, "blocks": [section(text)]}]
    groups = by_charter(found)
    fixable = sum(1 for d in found if d.fix)
    headline = (f"{len(found)} discrepanc{'y' if len(found) == 1 else 'ies'} on {len(groups)} "
                f"charter{'s' if len(groups) != 1 else ''} ({fixable} fixable) · "
                f"{result.charters_checked} checked · calendar via "
                f"{'the API' if result.source == 'api' else 'the iCal feed'}")
    header: list[Block] = [section(f":anchor: *Morning check* — {headline}")]
    if not result.complete:
        header.append(context(_partial_read(result)))
    if fixable:
        header.append({"type": "actions", "block_id": "decide:all", "elements": [
            button("Approve all", APPROVE_ALL, "all", style="primary")]})
    messages: list[Message] = []
    blocks = list(header)
    charters = list(groups.items())
    for index, (event_id, items) in enumerate(charters):
        chunk = _charter_blocks(event_id, items, result.desired.get(event_id))
        if len(blocks) + len(chunk) > MAX_BLOCKS:
            messages.append({"text": headline, "blocks": blocks})
            blocks = []
            if len(messages) == MAX_MESSAGES - 1:
                rest = charters[index:]
                more = sum(len(i) for _, i in rest)
                blocks = [section(f"…and {more} more discrepancies on {len(rest)} charters. "
                                  "Run `/charter sync` after approving these, or "
                                  "`python -m bot reconcile` for the whole list.")]
                break
        blocks.extend(chunk)
    messages.append({"text": headline, "blocks": blocks})
    return messages


def decided(blocks: Sequence[Block], event_id: str, note: str) -> list[Block]:
    """The digest's blocks with one charter's buttons replaced by who decided what."""
    target = f"decide:{event_id}"
    updated = [context(note) if b.get("block_id") == target else b for b in blocks]
    if updated == list(blocks):  # the buttons are gone already: say it at the end
        updated.append(context(note))
    return updated[:MAX_BLOCKS]


def status_blocks(want: DesiredCharter, *, fields: Mapping[str, tuple[str, str, bool]],
                  page_line: str, changes: Sequence[str]) -> list[Block]:
    rows = [f"{'⚠️' if differs else '✓'} *{name}*: calendar {cal} · DynamoDB {db}"
            for name, (cal, db, differs) in fields.items()]
    blocks = [section(charter_title(want.event_id, want)), section("\n".join(rows)),
              section(page_line)]
    if changes:
        blocks.append(context("Last changes: " + " · ".join(changes)))
    return blocks


def plain(text: str) -> Message:
    return {"text": text, "blocks": [section(text)]}
