"""What a change will touch, and who already saw the old version: shown before anything is
written (the CLI's ``--dry-run``, Slack's Confirm), and kept with the change's audit entry.
Pure: a plan, the charter as planned against, the settings and the clock in; sentences out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.domain.change.plan import ChangePlan
from services.domain.config import Config
from services.domain.display import show_value
from services.domain.models import (
    DesiredCharter,
    Discrepancy,
    Kind,
    ReconcileResult,
    ServedPage,
    path_for_key,
)


@dataclass(frozen=True)
class Preview:
    writes: tuple[str, ...]  # each system and object that will change
    seen: tuple[str, ...]  # who already saw the old data, and what they will need
    risks: tuple[str, ...]  # crew conflicts, roster gaps, the freeze window

    def lines(self) -> list[str]:
        out = ["Will change:", *(f"  • {w}" for w in self.writes)]
        out += ["Already seen the old version:", *(f"  • {s}" for s in self.seen or
                                                   ("nobody, as far as the records say",))]
        out += ["Checks:", *(f"  • {r}" for r in self.risks)]
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"writes": list(self.writes), "seen": list(self.seen), "risks": list(self.risks)}


def change_preview(*, plan: ChangePlan, want: DesiredCharter, config: Config, now: datetime,
                   served: ServedPage | None = None) -> Preview:
    charter = want.charter
    writes = [_calendar_write(plan)]
    if plan.create_record is not None:
        writes.append(f"DynamoDB: create the record {plan.event_id} (there is none)")
    else:
        changed = [f"{f} {show_value(plan.record_before.get(f))} → "
                   f"{show_value(plan.record_after.get(f))}" for f in plan.record_after
                   if plan.record_before.get(f) != plan.record_after.get(f)]
        writes.append(f"DynamoDB: record {plan.event_id}: "
                      + ("; ".join(changed) or "nothing (it already holds the new values)"))
    writes.append(f"S3: re-render {plan.page_key} and upload it if its bytes change")
    writes.append(f"CloudFront: invalidate {path_for_key(plan.page_key)}")

    record = want.current_record.attributes if want.current_record else {}
    what = "time" if plan.kind == "time" else "crew"
    # What the e-mail, the SMS and the page said: the old time, or the old person.
    old = (f"{_span(charter.start, charter.end)} on {charter.start:%A}" if plan.kind == "time"
           else f"{plan.params.get('old') or 'nobody'} as {plan.params.get('role')}")
    told = old if plan.kind == "time" else f"naming {old}"
    seen = []
    guests = charter.guest_count
    if _done(record.get(config.readiness.boarding_sent_attribute)):
        who = f"{guests} guest{'s' if guests != 1 else ''}" if guests else "The guests"
        seen.append(f"{who} were e-mailed {told}; they will need the new {what}.")
    if _done(record.get(config.readiness.sms_sent_attribute)):
        seen.append(f"The crew were texted {told}; text them the new {what}.")
    if served is not None and served.ok is not None:
        seen.append(f"The CDN serves the guest page now ({served.detail.rstrip('.')}): "
                    f"guests who opened it saw {old}; the invalidation replaces it.")
    elif want.deployed_page is not None:
        seen.append(f"The guest page {plan.page_key} is live and may be cached at the CDN: "
                    f"guests who opened it saw {old}; the invalidation replaces it.")

    risks = ["No crew conflict or roster gap: planning refuses a person on two charters at "
             "once, and a name not in the roster."]
    until = charter.start - now
    hours = until.total_seconds() / 3600
    if until.total_seconds() < 0:
        risks.append("The charter has already left.")
    elif hours <= config.sync.freeze_hours:
        risks.append(f"Within the freeze window: it departs in {_duration(hours)} "
                     f"(sync.freeze_hours is {config.sync.freeze_hours:g}).")
    else:
        risks.append(f"Outside the freeze window: it departs in {_duration(hours)}.")
    return Preview(writes=tuple(writes), seen=tuple(seen), risks=tuple(risks))


def _calendar_write(plan: ChangePlan) -> str:
    if plan.kind == "time":
        start = plan.calendar_patch["start"]["dateTime"][11:16]
        end = plan.calendar_patch["end"]["dateTime"][11:16]
        return f"Calendar: event {plan.calendar_event_id}: start and end → {start}–{end}"
    parts = ["the description's crew lines"]
    if "attendees" in plan.calendar_patch:
        parts.append("the invitations")
    return f"Calendar: event {plan.calendar_event_id}: {' and '.join(parts)}"


def _record_span(record: Mapping[str, Any]) -> str:
    """The record's HH:MM times as the guests' e-mail would put them (3–7 PM)."""
    try:
        start, end = (datetime.strptime(str(record.get(f)), "%H:%M")
                      for f in ("startTime", "endTime"))
    except ValueError:
        return f"{show_value(record.get('startTime'))}–{show_value(record.get('endTime'))}"
    return _span(start, end)


def _done(value: Any) -> bool:
    return value not in (None, False, "", 0)


def _span(start: datetime, end: datetime) -> str:
    """3–7 PM, 10:30 AM–1:30 PM: as a guest's e-mail would put it."""
    def clock(moment: datetime) -> str:
        return f"{moment:%-I}" + (f":{moment:%M}" if moment.minute else "")
    if f"{start:%p}" == f"{end:%p}":
        return f"{clock(start)}–{clock(end)} {end:%p}"
    return f"{clock(start)} {start:%p}–{clock(end)} {end:%p}"


def _duration(hours: float) -> str:
    if hours < 2:
        return f"{round(hours * 60)} min"
    if hours < 48:
        return f"{hours:.0f} h"
    return f"{hours / 24:.0f} days"


def fix_preview_lines(chosen: Sequence[Discrepancy], *, result: ReconcileResult,
                      config: Config, now: datetime) -> list[str]:
    """Approved fixes, charter by charter: each write, who already saw what they
    correct, and how close to leaving it is."""
    out: list[str] = []
    for event_id in sorted({d.event_id for d in chosen}):
        want = result.desired.get(event_id)
        title = (f"{event_id} ({want.charter.start:%a %b %-d %H:%M})" if want else event_id)
        out.append(f"{title}:")
        mine = [d for d in chosen if d.event_id == event_id]
        for item in mine:
            out += [f"  • {_action(a.to_dict())}  [{item.kind}]" for a in item.fix]
        out += [f"  seen: {line}" for line in fix_seen(
            mine, want=want, config=config, served=result.served.get(event_id))]
        if want is not None:
            hours = (want.charter.start - now).total_seconds() / 3600
            if 0 <= hours <= config.sync.freeze_hours:
                out.append(f"  ! within the freeze window: it departs in {_duration(hours)}")
    return out


TIME_FIELDS = frozenset({"eventDate", "startTime", "endTime"})
CREW_FIELDS = ("captain", "mate", "crew")
PAGE_KINDS = frozenset({Kind.PAGE_STALE, Kind.CACHE_STALE, Kind.PAGE_SERVED_STALE})


def fix_seen(items: Sequence[Discrepancy], *, want: DesiredCharter | None, config: Config,
             served: ServedPage | None = None) -> list[str]:
    """Who already saw what these fixes correct — guests e-mailed and crew texted from
    the DynamoDB record, guests who opened the page — each with what they will need.
    The fixes bring DynamoDB and the page in line; they do not reach anyone's inbox."""
    if want is None:
        return []
    fixable = [d for d in items if d.fix]
    record = want.current_record.attributes if want.current_record else {}
    charter = want.charter
    fields = {d.field for d in fixable if d.kind == Kind.RECORD_MISMATCH and d.field}
    emailed = _done(record.get(config.readiness.boarding_sent_attribute))
    texted = _done(record.get(config.readiness.sms_sent_attribute))
    guests = charter.guest_count
    who = f"{guests} guest{'s' if guests != 1 else ''}" if guests else "The guests"
    seen = []
    if fields & TIME_FIELDS:
        old = _record_span(record)
        if "eventDate" in fields:
            old += f" on {show_value(record.get('eventDate'))}"
        new = f"{_span(charter.start, charter.end)} on {charter.start:%A}"
        if emailed:
            seen.append(f"{who} were e-mailed {old} (what DynamoDB said); they will need "
                        f"{new}.")
        if texted:
            seen.append(f"The crew were texted {old}; text them {new}.")
    crew = [f for f in CREW_FIELDS if f in fields]
    if crew and (emailed or texted):
        named = ", ".join(f"{show_value(record.get(f)) or 'nobody'} as {f}" for f in crew)
        lead = (f"{who} were e-mailed and the crew texted" if emailed and texted else
                f"{who} were e-mailed" if emailed else "The crew were texted")
        seen.append(f"{lead} naming {named}; once it is applied, the bot messages those on "
                    "or off it who have a Slack id.")
    if any(d.kind in PAGE_KINDS for d in fixable) and want.deployed_page is not None:
        cached = f" (the CDN: {served.detail.rstrip('.')})" if served and served.ok is False \
            else ""
        seen.append(f"Guests who opened the guest page saw an old version{cached}; the "
                    "upload and the invalidation replace it.")
    return seen


def _action(action: Mapping[str, Any]) -> str:
    verb = {"create_record": "DynamoDB: create record", "update_record": "DynamoDB: update",
            "put_page": "S3: upload",
            "invalidate": "CloudFront: invalidate"}.get(str(action["action"]),
                                                         str(action["action"]))
    extra = {k: v for k, v in action.items() if k not in ("action", "target", "md5")}
    return f"{verb} {action['target']}" + (f" {extra}" if extra else "")


def approval_note(items: Sequence[Discrepancy], *, want: DesiredCharter | None,
                  config: Config, now: datetime, served: ServedPage | None = None) -> str:
    """What an approver reads above *Approve*: who already saw what the fixes correct, and
    whether the charter is within the freeze window ('' when there is nothing to say)."""
    parts = []
    seen = fix_seen(items, want=want, config=config, served=served)
    if seen:
        parts.append("Already seen: " + " ".join(seen))
    if want is not None and any(d.fix for d in items):
        hours = (want.charter.start - now).total_seconds() / 3600
        if 0 <= hours <= config.sync.freeze_hours:
            parts.append(f"It departs in {_duration(hours)}: within the freeze window "
                         f"(sync.freeze_hours is {config.sync.freeze_hours:g}).")
    return " ".join(parts)


def approval_notes(result: ReconcileResult, config: Config, now: datetime) -> dict[str, str]:
    """For a digest: the approval note of each charter that has one."""
    groups: dict[str, list[Discrepancy]] = {}
    for item in result.discrepancies:
        if item.fix:
            groups.setdefault(item.event_id, []).append(item)
    found = {event_id: approval_note(items, want=result.desired.get(event_id), config=config,
                                     now=now, served=result.served.get(event_id))
             for event_id, items in groups.items()}
    return {event_id: note for event_id, note in found.items() if note}
