"""The fix plans of chosen discrepancies as steps: DynamoDB, then pages, then one invalidation.

The caller passes a *fresh* reconcile result, so every fix is re-checked
against the systems as they are now: an id that no longer appears is reported
as gone, not applied. The calendar is never written by a fix; it is the truth.
The steps run through the durable change service, like a swap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from services.cdn import path_for_key
from services.models import Discrepancy, ReconcileResult
from store.audit import PlannedStep

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
    repeated: bool = False  # the same approval arrived before: nothing was done twice

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


def fix_steps(result: ReconcileResult, chosen: Sequence[Discrepancy]) -> list[PlannedStep]:
    """The writes that fix ``chosen``: one per record, one per page, one invalidation."""
    steps: list[PlannedStep] = []
    for event_id, group in _by_event(chosen).items():
        create, changes, expected = None, {}, {}
        for found in group:
            for action in found.fix:
                if action.action == "create_record":
                    create = dict(action.params["item"])
                elif action.action == "update_record":
                    changes.update(action.params["set"])
                    expected.update(action.params["expect"])
        if create is not None:
            steps.append(PlannedStep("dynamodb", "create_record", event_id, before={},
                                     after=create))
        elif changes:
            steps.append(PlannedStep("dynamodb", "update_record", event_id, before=expected,
                                     after=changes))
    paths: set[str] = set()
    for found in chosen:
        for action in found.fix:
            if action.action == "put_page" and path_for_key(action.target) not in paths:
                want = result.desired[found.event_id]
                deployed = want.deployed_page.content_md5 if want.deployed_page else None
                steps.append(PlannedStep("page", "put_page", action.target,
                                         before={"md5": deployed},
                                         after={"md5": want.page_md5, "html": want.page_html}))
                paths.add(path_for_key(action.target))
            elif action.action == "invalidate":
                paths.add(action.target)
    if paths:
        ordered = sorted(paths)
        target = ordered[0] if len(ordered) == 1 else f"{len(ordered)} paths"
        steps.append(PlannedStep("cdn", "invalidate", target, before={"paths": ordered}))
    return steps


def fix_key(chosen: Sequence[Discrepancy]) -> str:
    """The same discrepancies approved twice: the same key, applied once."""
    text = "\n".join(sorted(d.id for d in chosen))
    return "fix-" + hashlib.sha256(text.encode()).hexdigest()[:24]


def _by_event(chosen: Sequence[Discrepancy]) -> dict[str, list[Discrepancy]]:
    groups: dict[str, list[Discrepancy]] = {}
    for found in chosen:
        groups.setdefault(found.event_id, []).append(found)
    return groups
