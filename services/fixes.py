"""Apply the fix plans of chosen discrepancies: DynamoDB, then pages, then one invalidation.

The caller passes a *fresh* reconcile result, so every fix is re-checked
against the systems as they are now: an id that no longer appears is reported
as gone, not applied. The calendar is never written here; it is the truth.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from services.cdn import Cdn, path_for_key
from services.errors import ConflictError, SourceUnavailableError
from services.models import Discrepancy, ReconcileResult
from services.pages_store import PageStore
from services.records import RecordStore

APPLIED = "applied"
GONE = "gone"
NEEDS_HUMAN = "needs a human"
CONFLICT = "conflict"
FAILED = "failed"


@dataclass(frozen=True)
class Outcome:
    discrepancy_id: str
    status: str
    message: str


@dataclass
class ApplyReport:
    outcomes: list[Outcome] = field(default_factory=list)
    invalidation_id: str | None = None
    invalidated_paths: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return all(o.status in (APPLIED,) for o in self.outcomes)


def select(result: ReconcileResult, ids: Sequence[str]) -> tuple[list[Discrepancy], list[Outcome]]:
    """The discrepancies still present among ``ids``, and outcomes for the rest."""
    by_id = {d.id: d for d in result.discrepancies}
    chosen, skipped = [], []
    for wanted in dict.fromkeys(ids):
        found = by_id.get(wanted)
        if found is None:
            skipped.append(Outcome(wanted, GONE, "no longer found: already fixed, or the data "
                                                 "changed since (run reconcile again)"))
        elif not found.fix:
            skipped.append(Outcome(wanted, NEEDS_HUMAN, found.summary))
        else:
            chosen.append(found)
    return chosen, skipped


class FixApplier:
    def __init__(self, *, records: RecordStore, pages: PageStore, cdn: Cdn,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._records = records
        self._pages = pages
        self._cdn = cdn
        self._clock = clock

    def apply(self, result: ReconcileResult, ids: Sequence[str]) -> ApplyReport:
        chosen, skipped = select(result, ids)
        report = ApplyReport(outcomes=list(skipped))
        failed_events: dict[str, Outcome] = {}
        for event_id, group in _by_event(chosen).items():
            outcome = self._write_record(event_id, group)
            if outcome is not None:
                failed_events[event_id] = outcome
        paths: dict[str, str] = {}  # path -> version written, for the caller reference
        uploaded: set[str] = set()
        for found in chosen:
            if found.event_id in failed_events:
                continue
            for action in found.fix:
                if action.action == "put_page" and action.target not in uploaded:
                    want = result.desired[found.event_id]
                    try:
                        page = self._pages.upload(action.target, want.page_html)
                    except SourceUnavailableError as error:
                        failed_events[found.event_id] = Outcome(found.id, FAILED, str(error))
                        break
                    uploaded.add(action.target)
                    paths[path_for_key(action.target)] = page.last_modified.isoformat()
                elif action.action == "invalidate" and action.target not in paths:
                    want = result.desired[found.event_id]
                    version = want.deployed_page.last_modified.isoformat() if \
                        want.deployed_page else ""
                    paths[action.target] = version
        if paths:
            try:
                report.invalidation_id = self._cdn.invalidate(
                    sorted(paths), caller_reference=_caller_reference(paths))
                report.invalidated_paths = tuple(sorted(paths))
            except (SourceUnavailableError, ConflictError) as error:
                for found in chosen:
                    if any(a.action == "invalidate" for a in found.fix):
                        failed_events.setdefault(found.event_id, Outcome(
                            found.id, FAILED, f"CloudFront invalidation failed: {error}"))
        for found in chosen:
            failure = failed_events.get(found.event_id)
            if failure is not None:
                report.outcomes.append(Outcome(found.id, failure.status, failure.message))
            else:
                report.outcomes.append(Outcome(found.id, APPLIED, found.summary))
        return report

    def _write_record(self, event_id: str, group: list[Discrepancy]) -> Outcome | None:
        """One DynamoDB write per record, whatever number of fields it fixes."""
        changes: dict[str, Any] = {}
        expected: dict[str, Any] = {}
        create = None
        for found in group:
            for action in found.fix:
                if action.action == "create_record":
                    create = dict(action.params["item"])
                elif action.action == "update_record":
                    changes.update(action.params["set"])
                    expected.update(action.params["expect"])
        stamp = self._clock().astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        try:
            if create is not None:
                self._records.create({**create, "updatedAt": stamp})
            elif changes:
                self._records.update(event_id, changes={**changes, "updatedAt": stamp},
                                     expected=expected)
        except ConflictError as error:
            return Outcome(event_id, CONFLICT, str(error))
        except SourceUnavailableError as error:
            return Outcome(event_id, FAILED, str(error))
        return None


def _by_event(chosen: Sequence[Discrepancy]) -> dict[str, list[Discrepancy]]:
    groups: dict[str, list[Discrepancy]] = {}
    for found in chosen:
        groups.setdefault(found.event_id, []).append(found)
    return groups


def _caller_reference(paths: dict[str, str]) -> str:
    """Same paths at the same object versions: the same reference, so a retry is a no-op."""
    text = "\n".join(f"{path} {version}" for path, version in sorted(paths.items()))
    return "charter-ops-" + hashlib.sha256(text.encode()).hexdigest()[:32]
