"""The digest's decisions: Approve (one charter's fixes, or all) and Dismiss — applied,
audited, and each entry described as it should read now, from the fresh reconcile.

An approval re-reads all three systems and applies only the approved
discrepancies that still hold. When some no longer do because the calendar
moved, the entry says what the calendar says now, what changed since the
digest, what was applied, and what is left to approve.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from common.errors import CharterOpsError
from services.deps import Deps
from services.domain.change.blast_radius import approval_note
from services.domain.models import ReconcileResult
from services.domain.reconcile.approvals import (
    EntryUpdate,
    Request,
    entry_update,
    ids_for,
    outcome_text,
)
from services.domain.reconcile.fixes import ApplyReport, fix_key, select


@dataclass(frozen=True)
class Approval:
    """What an approval did: ``outcome`` in words, and each entry as it reads now; or
    ``refused_read``, why nothing could be applied (the systems could not be read)."""

    outcome: str
    updates: tuple[EntryUpdate, ...] = ()
    refused_read: bool = False


def approve(deps: Deps, *, request: Request | None, posted: Mapping[str, Request],
            entries: Sequence[str], user_id: str, source: str = "digest",
            only_shown: bool = False, skip: Collection[str] = ()) -> Approval:
    """``request``: one entry's Approve (None: Approve all, over ``entries``, the charters
    the digest message shows; ``posted``: what each of them showed). ``only_shown``:
    Approve all applies only the charters shown (the Home shows some), and never what
    ``skip`` names (discrepancies, or whole charters, an approver dismissed)."""
    try:
        result = deps.reconcile()
    except CharterOpsError as error:
        return Approval(outcome=f"not applied: {error}", refused_read=True)
    if request is not None:
        ids = ids_for(request, result)
    else:
        shown = set(entries) if only_shown else None
        ids = [d.id for d in result.discrepancies if d.fix
               and (shown is None or d.event_id in shown)
               and d.id not in skip and d.event_id not in skip]
    report = deps.changes.apply_fixes(result, ids, requested_by=user_id, source=source)
    events = [request.event_id] if request else list(entries)
    updates = [entry_update(
        event_id=event_id, result=result, report=report,
        request=request if request and event_id == request.event_id else posted.get(event_id),
        note=None) for event_id in events]
    # What is left to approve says again who already saw what it would correct.
    updates = [replace(u, preview=approval_note(u.left, want=u.want, config=deps.config,
                                                now=deps.clock(),
                                                served=result.served.get(u.event_id)))
               for u in updates]
    _log(deps, result, report, ids, user_id=user_id, source=source,
         stale={u.event_id for u in updates if u.stale})
    return Approval(outcome=outcome_text(report, updates), updates=tuple(updates))


def dismiss(deps: Deps, request: Request, *, user_id: str, source: str = "digest") -> int:
    """How many discrepancies were dismissed (each audited)."""
    ids = list(request.ids or [request.event_id])
    for discrepancy_id in ids:
        deps.audit.log_decision(subject=discrepancy_id, decision="dismissed",
                                decided_by=user_id, source=source,
                                event_id=_event_of(discrepancy_id),
                                summary=f"dismissed {discrepancy_id}")
    return len(ids)


def _log(deps: Deps, result: ReconcileResult, report: ApplyReport, ids: list[str], *,
         user_id: str, source: str, stale: set[str]) -> None:
    """One decision per approved discrepancy, linked to the change that applied it."""
    chosen, _ = select(result, ids)
    change = deps.audit.find_by_key(fix_key(chosen)) if chosen else None
    in_change = {d.id for d in chosen}
    by_id = {d.id: d for d in result.discrepancies}
    for outcome in report.outcomes:
        found = by_id.get(outcome.discrepancy_id)
        event_id = found.event_id if found else _event_of(outcome.discrepancy_id)
        note = outcome.status
        if outcome.status == "gone":
            note += (": the calendar changed since the digest" if event_id in stale
                     else ": already fixed or changed")
        deps.audit.log_decision(
            subject=outcome.discrepancy_id, decision="approved", decided_by=user_id,
            source=source, event_id=event_id, note=note,
            summary=found.summary if found else f"{outcome.discrepancy_id} (no longer found)",
            change_id=change.id if change and outcome.discrepancy_id in in_change else None)


def _event_of(discrepancy_id: str) -> str | None:
    # Discrepancy ids are "<eventId>:<field or kind>:<hash>".
    head = discrepancy_id.split(":", 1)[0]
    return head if ":" in discrepancy_id else None
