"""Plain-text views for the terminal (CLI and demo). Pure: strings in, strings out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import tzinfo

from services.audit_view import AuditItem
from services.changes import ChangeOutcome
from services.domain.display import show_value
from services.domain.models import DesiredCharter, Discrepancy, FixAction, ReconcileResult
from services.domain.reconcile.engine import COMPARED_FIELDS
from services.domain.reconcile.fixes import ApplyReport, reached_line
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
        lines += [f"    {w.event_id}: {', '.join(w.kinds)}: {w.reason}" for w in result.withheld]
    for event_id, found in _by_charter(result.discrepancies).items():
        lines.append("")
        lines.append(charter_heading(event_id, result.desired.get(event_id)))
        for item in found:
            lines.append(f"  [{item.severity}] {item.kind}: {item.summary}")
            if item.field and item.kind == "RECORD_MISMATCH":
                expected, actual = show_value(item.expected), show_value(item.actual)
                lines.append(f"      expected {expected}  ·  actual {actual}")
            plan = "; ".join(describe_action(a) for a in item.fix) or "none: a human must decide"
            lines.append(f"      fix: {plan}")
            lines.append(f"      id:  {item.id}")
    return "\n".join(lines)


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



def status_table(want: DesiredCharter, *, page_url: str, page_fields: Mapping[str, str] | None,
                 ) -> str:
    record = want.current_record
    rows = [("field", "calendar", "dynamodb", "")]
    for field in (*COMPARED_FIELDS, "status"):
        expected = want.record.get(field)
        actual = record.get(field) if record else None
        differs = record is not None and show_value(expected) != show_value(actual)
        rows.append((field, show_value(expected), show_value(actual) if record else "(no record)",
                     "≠" if differs else ""))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [charter_heading(want.event_id, want), ""]
    lines += [f"  {r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}"
              for r in rows]
    lines.append("")
    page = want.deployed_page
    if want.page_key_problem:
        lines.append(f"  guest page: refused: the record's pageKey is not one the bot may "
                     f"write ({want.page_key_problem})")
    elif page is None:
        lines.append(f"  guest page: not deployed (expected at {want.page_key})")
    else:
        same = page.content_md5 == want.page_md5
        lines.append(f"  guest page: {page_url} ({'matches the calendar' if same else 'STALE'})")
        for name, value in (page_fields or {}).items():
            lines.append(f"    page shows {name}: {value}")
    if not want.fixable and not want.page_key_problem:
        lines.append("  the calendar event itself must be fixed before anything is written")
    return "\n".join(lines)


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
