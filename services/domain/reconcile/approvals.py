"""A digest entry after an approval: the charter as it is now. Pure.

Each entry's Approve button carries the ids it was posted with and what the
charter looked like then (``seen``). When an approval finds that some of
those ids no longer hold, the fresh reconcile is the new plan: the entry is
rewritten from it — the calendar's current values, what changed since the
digest, what was applied, and fresh buttons for what is left — so no reader
is left with the morning's values. How a button carries a Request is the
Slack view's business (handlers/views/approvals.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from services.domain.models import DesiredCharter, Discrepancy, ReconcileResult
from services.domain.reconcile.fixes import APPLIED, ApplyReport, reached_line

# What the digest showed of a charter, and the words for each in "changed since" lines.
SEEN_FIELDS = {"eventDate": "date", "startTime": "start", "endTime": "end",
               "guestName": "guest", "guestCount": "guests", "captain": "captain",
               "mate": "mate", "crew": "crew", "location": "location"}


@dataclass(frozen=True)
class Request:
    """One digest entry's button: the charter, the ids it showed, what it showed."""

    event_id: str
    ids: tuple[str, ...] | None  # None: more than a button value holds; all of the charter's
    seen: Mapping[str, Any] | None


@dataclass(frozen=True)
class EntryUpdate:
    event_id: str
    want: DesiredCharter | None  # the charter as the calendar has it now
    moved: tuple[tuple[str, Any, Any], ...]  # (field word, in the digest, now)
    applied: tuple[Discrepancy, ...]
    gone: tuple[str, ...]  # ids approved that no longer held
    left: tuple[Discrepancy, ...]  # what is still to decide, from the fresh reconcile
    note: str | None  # who decided what, when; None for entries refreshed in passing
    preview: str = ""  # what an approver should know first: who saw it, the freeze window

    @property
    def stale(self) -> bool:
        return bool(self.moved)


def seen_of(want: DesiredCharter | None) -> dict[str, Any] | None:
    return {f: want.record.get(f) for f in SEEN_FIELDS} if want is not None else None


def ids_for(request: Request, result: ReconcileResult) -> list[str]:
    if request.ids is not None:
        return list(request.ids)
    return [d.id for d in result.discrepancies if d.event_id == request.event_id and d.fix]


def moved(seen: Mapping[str, Any] | None, want: DesiredCharter | None,
          ) -> tuple[tuple[str, Any, Any], ...]:
    if not seen or want is None:
        return ()
    return tuple((word, seen.get(field), want.record.get(field))
                 for field, word in SEEN_FIELDS.items()
                 if field in seen and _shown(seen.get(field)) != _shown(want.record.get(field)))


def entry_update(*, event_id: str, result: ReconcileResult, report: ApplyReport | None,
                 request: Request | None, note: str | None) -> EntryUpdate:
    """One charter's entry after an approval, from the reconcile the approval ran on."""
    statuses = {o.discrepancy_id: o.status for o in (report.outcomes if report else [])}
    mine = [d for d in result.discrepancies if d.event_id == event_id]
    applied = tuple(d for d in mine if statuses.get(d.id) == APPLIED)
    by_id = {d.id for d in result.discrepancies}
    asked = request.ids if request and request.ids is not None else ()
    gone = tuple(i for i in asked if i in statuses and i not in by_id)
    left = tuple(d for d in mine if statuses.get(d.id) != APPLIED)
    want = result.desired.get(event_id)
    return EntryUpdate(event_id=event_id, want=want,
                       moved=moved(request.seen if request else None, want),
                       applied=applied, gone=gone, left=left, note=note)


def outcome_text(report: ApplyReport, updates: Sequence[EntryUpdate]) -> str:
    """'2 of 5 applied; 3 no longer held: the calendar changed since the digest …'."""
    if report.repeated:
        return "already approved by an earlier click: nothing done twice"
    applied = sum(o.status == APPLIED for o in report.outcomes)
    text = f"{applied} of {len(report.outcomes)} applied"
    gone = [o for o in report.outcomes if o.status == "gone"]
    if gone:
        changed = [u.event_id for u in updates if u.stale and u.gone]
        why = ("the calendar changed since the digest, so they were re-planned from it "
               f"({', '.join(changed)}): approve again what is left"
               if changed else "already fixed, or the data changed since the digest")
        text += f"; {len(gone)} no longer held — {why}"
    other = [o for o in report.outcomes if o.status not in (APPLIED, "gone")]
    if other:
        text += "; " + "; ".join(f"{o.status}: {o.message}" for o in other[:3])
    if other and report.reached:
        text += "\n" + reached_line(report.reached)  # what each system holds now
    if report.news:
        text += "\n" + report.news
    return text


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)
