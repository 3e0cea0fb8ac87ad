"""The digest's buttons: Approve, Dismiss, Approve all — applied, audited, and the digest
entry rewritten from the fresh reconcile, so it shows the charter as it is now.

An approval re-reads all three systems and applies only the approved
discrepancies that still hold. When some no longer do because the calendar
moved, the entry says what the calendar says now, what changed since the
digest, what was applied, and offers fresh buttons for what is left.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from common.errors import CharterOpsError
from handlers.views import approvals, blocks
from handlers.views.blocks import Message
from services.domain.change.blast_radius import approval_note
from services.domain.display import mrkdwn_text
from services.domain.models import ReconcileResult
from services.domain.reconcile.fixes import ApplyReport, fix_key, select

if TYPE_CHECKING:
    from services.operations import Operations


def decide(ops: Operations, *, action_id: str, value: str, user_id: str,
           message: dict[str, Any]) -> Message:
    current = list(message.get("blocks", []))
    text = str(message.get("text") or "digest")
    when = ops.clock().astimezone(ops.config.tz).strftime("%H:%M")
    target = "all" if value == "all" else approvals.request_of(value).event_id
    if action_id == blocks.DISMISS:
        note = f"Dismissed by <@{user_id}> at {when}: {dismiss(ops, value, user_id=user_id)}"
        return {"text": text, "blocks": blocks.decided(current, target, note)}
    try:
        result = ops.reconcile()
    except CharterOpsError as error:
        note = f"Approved by <@{user_id}> at {when}: not applied: {mrkdwn_text(error)}"
        return {"text": text, "blocks": blocks.decided(current, target, note)}
    request = None if value == "all" else approvals.request_of(value)
    posted = approvals.requests_in(current)
    ids = approvals.ids_for(request, result) if request else [
        d.id for d in result.discrepancies if d.fix]
    report = ops.changes.apply_fixes(result, ids, requested_by=user_id, source="digest")
    events = [request.event_id] if request else approvals.entries_in(current)
    updates = [approvals.entry_update(
        event_id=event_id, result=result, report=report,
        request=request if request and event_id == request.event_id else posted.get(event_id),
        note=None) for event_id in events]
    # What is left to approve says again who already saw what it would correct.
    updates = [replace(u, preview=approval_note(u.left, want=u.want, config=ops.config,
                                                now=ops.clock(),
                                                served=result.served.get(u.event_id)))
               for u in updates]
    _log(ops, result, report, ids, user_id=user_id,
         stale={u.event_id for u in updates if u.stale})
    outcome = mrkdwn_text(approvals.outcome_text(report, updates))
    note = f"Approved by <@{user_id}> at {when}: {outcome}"
    for update in updates:
        if request:
            update = replace(update, note=note)
        current = blocks.replace_entry(current, update.event_id, blocks.charter_entry(update))
    if request is None:
        current = blocks.decided(current, "all", note)
    return {"text": text, "blocks": current}


def dismiss(ops: Operations, value: str, *, user_id: str) -> str:
    request = approvals.request_of(value)
    ids = list(request.ids or [request.event_id])
    for discrepancy_id in ids:
        ops.audit.log_decision(subject=discrepancy_id, decision="dismissed",
                               decided_by=user_id, source="digest",
                               event_id=_event_of(discrepancy_id),
                               summary=f"dismissed {discrepancy_id}")
    return f"dismissed {len(ids)}"


def describe(action_id: str, value: str) -> dict[str, Any]:
    """What a digest button would have done, for the audit of a refusal."""
    verb = {blocks.APPROVE: "approve", blocks.DISMISS: "dismiss",
            blocks.APPROVE_ALL: "approve"}.get(action_id, action_id)
    if value == "all":
        return {"what": "all", "event_id": None, "summary": "approve all the digest's fixes"}
    try:
        request = approvals.request_of(value)
    except (ValueError, AttributeError):
        return {"what": value[:200], "event_id": None, "summary": f"{verb} {value[:200]}"}
    count = len(request.ids) if request.ids is not None else "all"
    return {"what": request.event_id, "event_id": request.event_id,
            "summary": f"{verb} the digest's fixes for {request.event_id} ({count})"}


def _log(ops: Operations, result: ReconcileResult, report: ApplyReport, ids: list[str], *,
         user_id: str, stale: set[str]) -> None:
    """One decision per approved discrepancy, linked to the change that applied it."""
    chosen, _ = select(result, ids)
    change = ops.audit.find_by_key(fix_key(chosen)) if chosen else None
    in_change = {d.id for d in chosen}
    by_id = {d.id: d for d in result.discrepancies}
    for outcome in report.outcomes:
        found = by_id.get(outcome.discrepancy_id)
        event_id = found.event_id if found else _event_of(outcome.discrepancy_id)
        note = outcome.status
        if outcome.status == "gone":
            note += (": the calendar changed since the digest" if event_id in stale
                     else ": already fixed or changed")
        ops.audit.log_decision(
            subject=outcome.discrepancy_id, decision="approved", decided_by=user_id,
            source="digest", event_id=event_id, note=note,
            summary=found.summary if found else f"{outcome.discrepancy_id} (no longer found)",
            change_id=change.id if change and outcome.discrepancy_id in in_change else None)


def _event_of(discrepancy_id: str) -> str | None:
    # Discrepancy ids are "<eventId>:<field or kind>:<hash>".
    head = discrepancy_id.split(":", 1)[0]
    return head if ":" in discrepancy_id else None

