"""Plain-text views for the terminal (CLI and demo). Pure: strings in, strings out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, tzinfo
from typing import Any

from services.changes import ChangeOutcome
from services.domain.display import show_value
from services.domain.fleet import grouped_by_boat
from services.domain.models import (
    Boat,
    DesiredCharter,
    Discrepancy,
    FixAction,
    ReconcileResult,
)
from services.domain.readiness import Departure, days_phrase, heading, item_lines
from services.domain.reconcile.fixes import ApplyReport, reached_line
from services.usecases.audit_history import AuditItem
from services.usecases.status import CharterStatus
from store.audit import ChangeEntry


def reconcile_report(result: ReconcileResult) -> str:
    count = len(result.discrepancies)
    lines = [
        f"Reconcile {result.window.start} → {result.window.end} · calendar read via "
        f"{'the API' if result.source == 'api' else 'the iCal feed'} · "
        f"{result.charters_checked} charters checked · "
        + (f"{count} discrepanc{'y' if count == 1 else 'ies'}" if count else
           "all in sync" if result.complete else "nothing found in what could be read"),
    ]
    lines += [f"  note: {note}" for note in result.notes]
    if result.withheld:
        lines.append("  withheld until a complete read (not checked, nothing planned):")
        lines += [f"    {w.event_id}{_aboard(w.vessel, result)}: {', '.join(w.kinds)}: "
                  f"{w.reason}" for w in result.withheld]
    for event_id, found in _by_charter(result.discrepancies).items():
        lines.append("")
        lines.append(charter_heading(event_id, result.desired.get(event_id))
                     + _aboard(result.vessels.get(event_id), result))
        for item in found:
            lines.append(f"  [{item.severity}] {item.kind}: {item.summary}")
            if item.field and item.kind == "RECORD_MISMATCH":
                expected, actual = show_value(item.expected), show_value(item.actual)
                lines.append(f"      expected {expected}  ·  actual {actual}")
            plan = "; ".join(describe_action(a) for a in item.fix) or "none: a human must decide"
            lines.append(f"      fix: {plan}")
            lines.append(f"      id:  {item.id}")
    return "\n".join(lines)


def _aboard(vessel: str | None, result: ReconcileResult) -> str:
    return f" · {vessel}" if vessel and result.fleet else ""


def charter_heading(event_id: str, want: DesiredCharter | None) -> str:
    if want is None:
        return f"{event_id} (no live calendar event)"
    c = want.charter
    return (f"{c.start:%a %b %d}  {c.start:%H:%M}–{c.end:%H:%M}  {c.title}  ({event_id})")


def describe_action(action: FixAction) -> str:
    params = action.params
    if action.action == "create_record":
        return f"create DynamoDB record {action.target}"
    if action.action == "update_record":
        fields = ", ".join(f"{k}={show_value(v)}" for k, v in params["set"].items())
        return f"update {action.target}: {fields}"
    if action.action == "put_page":
        return f"render and upload {action.target}"
    if action.action == "invalidate":
        return f"invalidate {action.target} on CloudFront"
    return f"{action.action} {action.target}"


def apply_report(report: ApplyReport) -> str:
    lines = [f"  {o.status:>14}  {o.discrepancy_id}  {o.message}" for o in report.outcomes]
    if report.invalidation_id:
        lines.append(f"  CloudFront invalidation {report.invalidation_id}: "
                     + ", ".join(report.invalidated_paths))
    if report.reached:
        lines.append("  " + reached_line(report.reached))
    if report.news:
        lines.append(f"  {report.news}")
    applied = sum(o.status == "applied" for o in report.outcomes)
    partly = sum(o.status == "partly applied" for o in report.outcomes)
    summary = f"{applied} of {len(report.outcomes)} applied"
    if partly:
        summary += f", {partly} partly (what was written stays written)"
    if report.resumable:
        summary += "; the rest is finished by the next apply (or the bot's retry job)"
    lines.append(summary + ".")
    return "\n".join(lines)



def status_table(status: CharterStatus, *, tz: tzinfo) -> str:
    want = status.want
    rows = [("field", "calendar", "dynamodb", "")]
    for field in status.fields:
        rows.append((field.name, field.calendar,
                     "(no record)" if field.dynamodb is None else field.dynamodb,
                     "≠" if field.differs and field.dynamodb is not None else ""))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [charter_heading(want.event_id, want), ""]
    lines += [f"  {r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}"
              for r in rows]
    lines.append("")
    if status.page == "refused":
        lines.append(f"  guest page: refused: the record's pageKey is not one the bot may "
                     f"write ({want.page_key_problem})")
    elif status.page == "missing":
        lines.append(f"  guest page: not deployed (expected at {want.page_key})")
    else:
        shown = "matches the calendar" if status.page == "current" else "STALE"
        lines.append(f"  guest page: {status.page_url} ({shown})")
        for name, value in status.page_shows.items():
            lines.append(f"    page shows {name}: {value}")
    if not want.fixable and not want.page_key_problem:
        lines.append("  the calendar event itself must be fixed before anything is written")
    lines += [f"  [{d.severity}] {d.kind}: {d.summary}" for d in status.discrepancies]
    if status.recent_changes:
        lines.append("  last changes: " + " · ".join(
            f"{c.id} {c.kind} {c.status} ({c.created_at.astimezone(tz):%b %-d %H:%M})"
            for c in status.recent_changes))
    return "\n".join(lines)


def status_json(status: CharterStatus) -> dict[str, Any]:
    want = status.want
    return {
        "event_id": status.event_id,
        "calendar": dict(want.record),
        "dynamodb": dict(want.current_record.attributes) if want.current_record else None,
        "page": {"key": want.page_key, "url": status.page_url,
                 "deployed": want.deployed_page is not None,
                 "in_sync": status.page == "current", "shows": status.page_shows},
        "discrepancies": [d.to_dict() for d in status.discrepancies],
        "recent_changes": [{"id": c.id, "kind": c.kind, "status": c.status,
                            "created_at": c.created_at.isoformat()}
                           for c in status.recent_changes],
    }


def change_line(change: ChangeEntry | ChangeOutcome) -> str:
    if isinstance(change, ChangeOutcome):
        repeat = " (already requested: nothing done twice)" if change.repeated else ""
        error = f": {change.error}" if change.error else ""
        return f"change {change.change_id} {change.status}{repeat}: {change.summary}{error}"
    return (f"{change.id}  {change.created_at:%Y-%m-%d %H:%M}  {change.kind:<5} "
            f"{change.event_id or '-':<16} {change.status:<8} by {change.requested_by} "
            f"via {change.source}")


def audit_lines(items: Iterable[AuditItem], *, tz: tzinfo) -> list[str]:
    """Changes with their steps, and decisions and refusals, newest first."""
    lines = []
    for item in items:
        when = f"{item.at.astimezone(tz):%Y-%m-%d %H:%M}"
        if item.change is None:
            lines.append(f"{when}  {item.outcome}  {item.event_id or '-'}  by {item.actor} "
                         f"via {item.source}: {item.what}")
            continue
        change = item.change
        lines.append(f"{when}  change {change.id}  {change.kind:<5} {change.event_id or '-'}  "
                     f"{change.status}  by {change.requested_by} via {change.source}")
        if change.params.get("summary"):
            lines.append(f"    {change.params['summary']}")
        for step in change.steps:
            lines.append(f"    {step.seq}. {step.system:<8} {step.action:<14} {step.target}  "
                         f"{step.status}" + (f"  ({step.error})" if step.error else ""))
    return lines


def _by_charter(found: Iterable[Discrepancy]) -> dict[str, list[Discrepancy]]:
    groups: dict[str, list[Discrepancy]] = {}
    for item in found:
        groups.setdefault(item.event_id, []).append(item)
    return groups


def ready_report(departures: Sequence[Departure], *, days: Sequence[date],
                 boats: Sequence[Boat] = ()) -> str:
    """``boats``: a fleet's (two or more), to group the departures by boat."""
    if not departures:
        return f"No departures {days_phrase(days)}."
    out = []
    for boat, leaving in grouped_by_boat(departures, lambda d: d.charter.vessel, boats):
        if len(boats) > 1:
            out.append(f"{boat or 'No boat'}:")
        for departure in leaving:
            out.append(heading(departure))
            out += [f"  {line}" for line in item_lines(departure)]
    ready = sum(d.ready for d in departures)
    out.append(f"{ready} of {len(departures)} departure{'s' if len(departures) != 1 else ''} "
               f"{days_phrase(days)} ready.")
    return "\n".join(out)
