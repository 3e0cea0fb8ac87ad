"""Block Kit for the digest, status replies and decisions. Pure: data in, dicts out.

Slack's limits are respected for any amount of drift: 50 blocks a message,
3,000 characters a section, 25 elements an actions block, 2,000 characters a
button value, and always a top-level ``text`` for notifications. More than
fits is split over several messages, and past a few messages summarised.

Bytes are bounded as blocks are (:class:`Room`): a view within Slack's 250 kB, a message
within :data:`MAX_MESSAGE_BYTES`, measured as slack_sdk sends them (:func:`wire_size`).
Three thousand emoji fit a section's 3,000 characters and weigh 36 kB: a few such
calendar names would otherwise make Slack refuse the whole Home (``view_too_large``).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from handlers.views.ids import APPROVE, APPROVE_ALL, DISMISS
from services.domain.calendar.event_ids import bounded
from services.domain.display import mrkdwn_text, show_value
from services.domain.reconcile.approvals import EntryUpdate, seen_of
from services.domain.reconcile.fixes import applied_line

if TYPE_CHECKING:
    from services.domain.audit_items import AuditItem
    from services.domain.models import DesiredCharter, Discrepancy, ReconcileResult

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_VALUE = 2000
MAX_BLOCK_ID = 255
MAX_MESSAGES = 6  # a digest longer than this is summarised, not posted in full
MAX_VIEW_BYTES = 250_000  # Slack's limit for a view (else view_too_large)
# Slack documents no byte limit for a message's blocks but refuses long ones
# (msg_blocks_too_long); 40,000 is its limit for a message's text, held here for both.
MAX_MESSAGE_BYTES = 40_000
# What a closing "…and N more" line needs: one block, its text the bot's (dates, counts).
CLOSING = (1, 1_000)
SHORTENED = "…(shortened)"
# What a message's sender adds beside its text and blocks (channel, thread_ts,
# response_type, replace_original, metadata ids): kept out of its bytes.
ENVELOPE = 500


_SLACK_ID = re.compile(r"[UW][A-Z0-9]{2,}")
_MENTION = re.compile(r"(<@[UW][A-Z0-9]{2,}(?:\|[\w.-]*)?>)")

Block = dict[str, Any]
Message = dict[str, Any]  # {"text": str, "blocks": [Block]}


def wire_size(value: Any) -> int:
    """Bytes of ``value`` as slack_sdk sends it (json.dumps: non-ASCII escaped, an emoji
    12 bytes), never less than its UTF-8 size: what Slack's byte limits are held to."""
    return len(json.dumps(value))


def blocks_size(blocks: Sequence[Block]) -> int:
    return sum(wire_size(b) + 2 for b in blocks)  # each with its ", " in the list


@dataclass
class Room:
    """What is left of a view's or a message's limits, in blocks and in bytes. A chunk
    (one charter's blocks) is taken whole or not at all; ``keep`` holds back room for
    the closing line that says what was left out."""

    blocks: int
    bytes: int

    @classmethod
    def view(cls, kind: str, *, blocks: int) -> Room:
        return cls(blocks, MAX_VIEW_BYTES - wire_size({"type": kind, "blocks": []}))

    @classmethod
    def message(cls, text: str = "") -> Room:
        return cls(MAX_BLOCKS, MAX_MESSAGE_BYTES - ENVELOPE
                   - wire_size({"text": text, "blocks": []}))

    def fits(self, chunk: Sequence[Block], *, keep: tuple[int, int] = (0, 0)) -> bool:
        return (len(chunk) + keep[0] <= self.blocks
                and blocks_size(chunk) + keep[1] <= self.bytes)

    def take(self, chunk: Sequence[Block], *, keep: tuple[int, int] = (0, 0)) -> bool:
        """Whether ``chunk`` fits (and it is then counted in)."""
        if not self.fits(chunk, keep=keep):
            return False
        self.spend(chunk)
        return True

    def spend(self, chunk: Sequence[Block]) -> None:
        """``chunk`` counted in whatever it costs: what must be shown (a heading)."""
        self.blocks -= len(chunk)
        self.bytes -= blocks_size(chunk)

    def share(self, *, blocks: int, part: float) -> Room:
        """A part of what is left, for one kind of entry, so another kind keeps room."""
        return Room(min(blocks, self.blocks), int(self.bytes * part))


def shrunk(blocks: Sequence[Block], limit: int) -> list[Block]:
    """``blocks`` within ``limit`` bytes: the heaviest texts (sections, context lines) cut
    first, each ending with "…(shortened)"; the buttons and their values as they are."""
    out = copy.deepcopy(list(blocks))
    excess = blocks_size(out) - limit
    holders = [b["text"] for b in out if b.get("type") == "section" and "text" in b]
    holders += [e for b in out if b.get("type") == "context" for e in b.get("elements", [])
                if "text" in e]
    for holder in sorted(holders, key=lambda h: wire_size(h["text"]), reverse=True):
        if excess <= 0:
            break
        before = wire_size(holder["text"])
        holder["text"] = cut_to(holder["text"], max(before - excess, 200))
        excess -= before - wire_size(holder["text"])
    return out


def cut_to(text: str, limit: int) -> str:
    """``text`` within ``limit`` bytes as sent, saying so when cut."""
    if wire_size(text) <= limit:
        return text
    room, kept = limit - wire_size(SHORTENED), 0
    for index, char in enumerate(text):
        kept += wire_size(char) - 2  # without its quotes
        if kept > room:
            return text[:index].rstrip() + SHORTENED
    return text


def block_key(part: str, event_id: str) -> str:
    """A charter's block id (``decide:danika-may31``): within Slack's 255 characters, and
    still one per charter when an id read from a record is longer (cut, with a hash)."""
    return bounded(f"{part}:{event_id}", MAX_BLOCK_ID)


def section(text: str, *, block_id: str | None = None) -> Block:
    if len(text) > MAX_SECTION:
        text = text[: MAX_SECTION - 40].rstrip() + "\n…(shortened)"
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id:
        block["block_id"] = bounded(block_id, MAX_BLOCK_ID)
    return block


def context(text: str, *, block_id: str | None = None) -> Block:
    block: Block = {"type": "context",
                    "elements": [{"type": "mrkdwn", "text": text[:MAX_SECTION]}]}
    if block_id:
        block["block_id"] = bounded(block_id, MAX_BLOCK_ID)
    return block


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> Block:
    element: Block = {"type": "button", "text": {"type": "plain_text", "text": text[:75]},
                      "action_id": action_id, "value": value[:MAX_VALUE]}
    if style:
        element["style"] = style
    return element


def ids_value(event_id: str, ids: Sequence[str], *,
              seen: Mapping[str, Any] | None = None) -> str:
    """The discrepancy ids a button decides and what the entry showed of the charter (so an
    approval can tell what changed since); less when that does not fit in a button."""
    for data in ({"event": event_id, "ids": list(ids), "seen": seen},
                 {"event": event_id, "ids": list(ids)},
                 {"event": event_id, "ids": None, "seen": seen},
                 {"event": event_id, "ids": None}):
        value = json.dumps({k: v for k, v in data.items() if k != "seen" or v is not None},
                           separators=(",", ":"), default=str)
        if len(value) <= MAX_VALUE:
            return value
    return json.dumps({"event": event_id[:200], "ids": None})


def discrepancy_line(item: Discrepancy) -> str:
    if item.kind == "RECORD_MISMATCH" and item.field:
        expected, actual = _shown(item.expected), _shown(item.actual)
        return f"• DynamoDB *{mrkdwn_text(item.field)}*: {expected} → now {actual}"
    return f"• {mrkdwn_text(item.summary)}"


def charter_title(event_id: str, want: DesiredCharter | None, *, fleet: bool = False) -> str:
    """``fleet``: the boat is named too."""
    if want is None:
        return f"*{mrkdwn_text(event_id)}* (no live calendar event)"
    c = want.charter
    boat = f" · {mrkdwn_text(c.vessel)}" if fleet and c.vessel else ""
    return (f"*{c.start:%a %b %-d} · {mrkdwn_text(c.guest_name)} · "
            f"{c.start:%H:%M}–{c.end:%H:%M}{boat}* ({mrkdwn_text(event_id)})")


def entry_blocks(event_id: str, items: Sequence[Discrepancy],
                 want: DesiredCharter | None, preview: str = "", *,
                 fleet: bool = False) -> list[Block]:
    """One charter's entry: what disagrees, and Approve / Dismiss (the digest, the Home)."""
    lines = [charter_title(event_id, want, fleet=fleet),
             *(discrepancy_line(i) for i in items)]
    return [section("\n".join(lines), block_id=block_key("charter", event_id)),
            *_decide_blocks(event_id, items, want, preview)]


def _decide_blocks(event_id: str, items: Sequence[Discrepancy],
                   want: DesiredCharter | None, preview: str = "") -> list[Block]:
    fixable = [i.id for i in items if i.fix]
    # Who already saw the old data, the freeze window: said before Approve, as next to a
    # swap's Confirm; and said still where the bot fixed it alone (a person must tell them).
    told = [context(_clipped(f":eyes: {mrkdwn_text(preview)}"),
                    block_id=block_key("preview", event_id))] \
        if preview else []
    if fixable:
        value = ids_value(event_id, fixable, seen=seen_of(want))
        return [*told, {"type": "actions", "block_id": block_key("decide", event_id), "elements": [
            button("Approve", APPROVE, value, style="primary"),
            button("Dismiss", DISMISS, value)]}]
    if items:
        where = "the DynamoDB record" if any(i.kind == "PAGE_KEY_UNSAFE" for i in items) \
            else "the calendar or the roster"
        return [*told, context(f"A person must fix this in {where}.",
                               block_id=block_key("human", event_id))]
    return told


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
    return mrkdwn_text(text[:2500])  # a context element's text limit is 3,000 characters


def digest_messages(result: ReconcileResult, *, all_clear: bool = True,
                    previews: Mapping[str, str] | None = None) -> list[Message]:
    """The morning digest as one or more messages, each within Slack's limits.
    ``previews``: per charter, what its approver should know first (blast_radius)."""
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
    room = Room.message(headline)
    room.spend(header)
    charters = list(groups.items())
    for index, (event_id, items) in enumerate(charters):
        chunk = entry_blocks(event_id, items, result.desired.get(event_id),
                             (previews or {}).get(event_id, ""), fleet=result.fleet)
        if not Room.message(headline).fits(chunk):  # heavier than a message on its own
            chunk = shrunk(chunk, Room.message(headline).bytes)
        if not room.take(chunk):
            messages.append({"text": headline, "blocks": blocks})
            blocks = []
            room = Room.message(headline)
            room.spend(chunk)
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
    """The digest's blocks with one charter's buttons replaced by who decided what (and
    the note written for the approver gone with them: it spoke of what Approve would do)."""
    target, note_id = block_key("decide", event_id), block_key("note", event_id)
    gone = {note_id, block_key("preview", event_id)} if event_id != "all" else {note_id} | {
        b.get("block_id") for b in blocks if str(b.get("block_id", "")).startswith("preview:")}
    updated = [context(note, block_id=note_id) if b.get("block_id") == target else b
               for b in blocks if b.get("block_id") not in gone]
    if not any(b.get("block_id") == target for b in blocks):
        updated.append(context(note, block_id=note_id))  # the buttons are gone: at the end
    return updated[:MAX_BLOCKS]


def _clipped(text: str, limit: int = 2900) -> str:
    """Within a context element's 3,000 characters, saying so when cut."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def charter_entry(update: EntryUpdate) -> list[Block]:
    """A digest entry rewritten from the fresh reconcile: the charter as it is now, what
    changed since the digest, what was applied, and fresh buttons for what is left."""
    event_id = update.event_id
    lines = [charter_title(event_id, update.want)]
    if update.moved:
        changes = ", ".join(f"{word} ~{_shown(then)}~ → {_shown(now)}"
                            for word, then, now in update.moved)
        lines.append(f":calendar: *Changed in the calendar since the digest:* {changes}")
    if update.applied:
        lines.append(":white_check_mark: Applied: "
                     + mrkdwn_text("; ".join(applied_line(d) for d in update.applied)))
    if update.left:
        if update.moved or update.applied or update.gone:
            lines.append("*Still to fix* (planned from the calendar as it is now):")
        lines += [discrepancy_line(d) for d in update.left]
    elif update.want is not None:
        lines.append(":heavy_check_mark: The calendar, DynamoDB and the guest page agree now.")
    blocks = [section("\n".join(lines), block_id=block_key("charter", event_id))]
    if update.note:
        blocks.append(context(update.note, block_id=block_key("note", event_id)))
    return blocks + _decide_blocks(event_id, update.left, update.want, update.preview)


def replace_entry(blocks: Sequence[Block], event_id: str, entry: Sequence[Block]) -> list[Block]:
    """The message with one charter's entry (its section, note and buttons) replaced."""
    owned = {block_key(part, event_id)
             for part in ("charter", "note", "preview", "decide", "human")}
    note = block_key("note", event_id)
    if not any(b.get("block_id") == note for b in entry):
        # An entry refreshed in passing keeps the earlier decision's note.
        kept = [b for b in blocks if b.get("block_id") == note]
        entry = [*entry[:1], *kept, *entry[1:]]
    out: list[Block] = []
    placed = False
    for block in blocks:
        if block.get("block_id") in owned:
            if not placed:
                out.extend(entry)
                placed = True
            continue
        out.append(block)
    if not placed:
        out.extend(entry)
    return out[:MAX_BLOCKS]


def status_blocks(want: DesiredCharter, *, fields: Mapping[str, tuple[str, str, bool]],
                  page_line: str, changes: Sequence[str]) -> list[Block]:
    rows = [f"{'⚠️' if differs else '✓'} *{name}*: calendar {mrkdwn_text(cal)} · DynamoDB "
            f"{mrkdwn_text(db)}"
            for name, (cal, db, differs) in fields.items()]
    blocks = [section(charter_title(want.event_id, want)), section("\n".join(rows)),
              section(page_line)]
    if changes:
        blocks.append(context("Last changes: " + mrkdwn_text(" · ".join(changes))))
    return blocks


def audit_message(items: Sequence[AuditItem], *, tz: tzinfo, scope: str) -> Message:
    """``/charter audit``: changes, decisions and refusals, newest first."""
    if not items:
        return plain(f"Nothing recorded{' ' + _scope(scope) if scope else ''}.")
    lines = [f"*Audit{' ' + _scope(scope) if scope else ''}* — newest first"]
    # Everything recorded is shown as text: a person's own words (a refused command) and
    # what the calendar said are data, whoever reads the audit.
    for item in items:
        who = f"<@{item.actor}>" if _SLACK_ID.fullmatch(item.actor) else mrkdwn_text(item.actor)
        when = f"{item.at.astimezone(tz):%b %-d %H:%M}"
        charter = f" {mrkdwn_text(item.event_id)}" if item.event_id else ""
        source, outcome = mrkdwn_text(item.source), mrkdwn_text(item.outcome)
        if item.change is not None:
            lines.append(f"{when} `{mrkdwn_text(item.change.id)}` "
                         f"*{mrkdwn_text(item.change.kind)}*{charter} — {outcome}, by {who} "
                         f"via {source}")
            if item.change.params.get("summary"):
                lines.append(f"    {mrkdwn_text(item.change.params['summary'])}")
        else:
            lines.append(f"{when} *{outcome}*{charter} — {mrkdwn_text(item.what.rstrip('.'))}, "
                         f"by {who} via {source}")
    return plain("\n".join(lines))


def _scope(scope: str) -> str:
    """The filter as asked: a person named by a Slack mention (``by <@U0GENE|gene>``) stays
    a mention of that person; every other word is text."""
    parts = _MENTION.split(scope)
    return "".join(part if index % 2 else mrkdwn_text(part) for index, part in enumerate(parts))


NOT_AN_APPROVER = ("Sorry, only the approvers in app.yaml (slack.approvers) can do that. "
                   "Ask one of them.")


def plain(text: str) -> Message:
    """A message of one section; ``text`` is mrkdwn the bot wrote (data in it escaped)."""
    return {"text": text, "blocks": [section(text)]}


def with_note(messages: list[Message], note: str | None) -> list[Message]:
    """``note`` as a context line on top of the first message when that stays within
    Slack's block limit, else as a message of its own before it; the messages as they
    are when there is no note."""
    if not note:
        return messages
    first = messages[0] if messages else None
    if first is None or not Room.message(f"{note}\n{first['text']}").fits(
            [context(note), *first["blocks"]]):
        return [{"text": note, "blocks": [context(note)]}, *messages]
    return [{**first, "text": f"{note}\n{first['text']}",
             "blocks": [context(note), *first["blocks"]]}, *messages[1:]]


def _shown(value: Any) -> str:
    return mrkdwn_text(show_value(value))
