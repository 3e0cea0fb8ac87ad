"""The fix plans of chosen discrepancies as steps: DynamoDB, then pages, then one invalidation.

The caller passes a *fresh* reconcile result, so every fix is re-checked
against the systems as they are now: an id that no longer appears is reported
as gone, not applied. The calendar is never written by a fix; it is the truth.
The steps run through the durable change service, like a swap. Afterwards each
fix is reported from the steps it needed, so a refused invalidation does not
hide the records and pages that were written (``partly applied``), and
:func:`reached` says what each system received.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from common.changes import DONE, PlannedStep, StepEntry
from services.domain.display import show_value
from services.domain.models import Discrepancy, ReconcileResult, path_for_key

APPLIED = "applied"
GONE = "gone"
NEEDS_HUMAN = "needs a human"
CONFLICT = "conflict"
FAILED = "failed"
PARTLY = "partly applied"  # some of its writes were made, the rest are pending


@dataclass(frozen=True)
class Outcome:
    discrepancy_id: str
    status: str
    message: str


@dataclass(frozen=True)
class Reached:
    """What one system received from an apply: ``done`` of ``planned`` writes."""

    system: str  # "dynamodb", "page" or "cdn", as the steps name them
    done: int
    planned: int
    error: str | None = None  # why the rest were not done


@dataclass
class ApplyReport:
    outcomes: list[Outcome] = field(default_factory=list)
    invalidation_id: str | None = None
    invalidated_paths: tuple[str, ...] = ()
    repeated: bool = False  # the same approval arrived before: nothing was done twice
    reached: tuple[Reached, ...] = ()
    # Set when the change stopped part way and the next apply (or the retry job) resumes it.
    resumable: bool = False
    news: str = ""  # the crew told of changed crew or times, and who could not be

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


# -- what an apply did ----------------------------------------------------------

_NAMES = {"dynamodb": "DynamoDB record", "page": "guest page", "cdn": "CloudFront invalidation"}


def step_outcomes(chosen: Sequence[Discrepancy], steps: Sequence[StepEntry], *,
                  change_status: str, error: str | None) -> list[Outcome]:
    """Each fix, from the steps it needed: applied, partly applied, or not done."""
    stopped = "the next apply finishes it" if change_status == FAILED else (
        "nothing was overwritten; a person decides" if change_status == CONFLICT else "")
    outcomes = []
    for found in chosen:
        mine = _steps_of(found, steps)
        done = [s for s in mine if _done_for(found, s)]
        if len(done) == len(mine):
            outcomes.append(Outcome(found.id, APPLIED, found.summary))
        elif done:
            pending = [s for s in mine if s not in done]
            written = ", ".join(f"{_NAMES[s.system]} written" for s in done)
            missing = ", ".join(f"{_NAMES[s.system]} not done" for s in pending)
            why = "; ".join(x for x in (_error_of(pending, steps) or error, stopped) if x)
            outcomes.append(Outcome(found.id, PARTLY, f"{found.summary}: {written}; "
                                                      f"{missing} ({why})"))
        else:
            # Its own write's status and error when it has them: one charter's failure is
            # told as that charter's, not as the whole change's.
            own = next((s for s in mine if s.error), None)
            outcomes.append(Outcome(found.id, own.status if own else change_status,
                                    f"{found.summary}: {own.error}" if own
                                    else error or found.summary))
    return outcomes


def _sent(step: StepEntry) -> list[str]:
    """The paths an invalidation step was sent for, when only some were (their pages)."""
    after = step.after if isinstance(step.after, dict) else {}
    return list((after.get("result") or {}).get("sent") or [])


def _done_for(found: Discrepancy, step: StepEntry) -> bool:
    if step.status == DONE:
        return True
    paths = {action.target for action in found.fix if action.action == "invalidate"}
    return step.system == "cdn" and bool(paths) and paths <= set(_sent(step))


def reached(steps: Sequence[StepEntry]) -> tuple[Reached, ...]:
    """Per system, in the order the steps run: how many writes were made of those planned."""
    found = []
    for system in dict.fromkeys(s.system for s in steps):
        mine = [s for s in steps if s.system == system]
        pending = [s for s in mine if s.status != DONE]
        partial = [s for s in pending if s.system == "cdn" and _sent(s)]
        if partial:
            # Sent for the pages written, not for the others: counted by path.
            paths = list((partial[0].before or {}).get("paths") or [partial[0].target])
            found.append(Reached(system, len(_sent(partial[0])), len(paths),
                                 partial[0].error))
            continue
        found.append(Reached(system, len(mine) - len(pending), len(mine),
                             _error_of(pending, steps)))
    return tuple(found)


_REACHED = {"dynamodb": ("DynamoDB", "record", "written"), "page": ("S3", "page", "uploaded"),
            "cdn": ("CloudFront", "invalidation", "sent")}


def reached_line(reached: Iterable[Reached]) -> str:
    """'DynamoDB: 4 of 4 records written · S3: 3 of 3 pages uploaded · CloudFront: ...'."""
    parts = []
    for item in reached:
        system, noun, verb = _REACHED.get(item.system, (item.system, "write", "made"))
        nouns = noun if item.planned == 1 else noun + "s"
        if item.system == "cdn" and item.planned == 1:
            text = f"{system}: invalidation {verb if item.done else 'not done'}"
        elif item.system == "cdn":
            text = f"{system}: invalidation sent for {item.done} of {item.planned} paths"
        else:
            text = f"{system}: {item.done} of {item.planned} {nouns} {verb}"
        if item.error and item.done < item.planned:
            text += f" ({item.error})"
        parts.append(text)
    return " · ".join(parts)


def _steps_of(found: Discrepancy, steps: Sequence[StepEntry]) -> list[StepEntry]:
    wanted: set[tuple[str, str | None]] = set()
    for action in found.fix:
        if action.action in ("create_record", "update_record"):
            wanted.add(("dynamodb", action.target))
        elif action.action == "put_page":
            wanted.add(("page", action.target))
        elif action.action == "invalidate":
            wanted.add(("cdn", None))  # one invalidation per apply covers every path
    return [s for s in steps if (s.system, s.target) in wanted
            or (s.system == "cdn" and ("cdn", None) in wanted)]


def _error_of(pending: Sequence[StepEntry], steps: Sequence[StepEntry]) -> str | None:
    """The error that stopped these steps: their own, or that of the step that stopped all."""
    own = next((s.error for s in pending if s.error), None)
    if own or not pending:
        return own
    blocker = next((s for s in steps if s.error), None)
    return f"not run: {_NAMES[blocker.system]} {blocker.target} failed first" if blocker \
        else None


def applied_line(item: Discrepancy) -> str:
    if item.kind == "RECORD_MISMATCH" and item.field:
        return f"DynamoDB {item.field} → {show_value(item.expected)}"
    return {"RECORD_MISSING": "DynamoDB record created",
            "RECORD_ORPHANED": "DynamoDB record marked CANCELLED",
            "PAGE_MISSING": "guest page rendered, uploaded and invalidated",
            "PAGE_STALE": "guest page re-rendered, uploaded and invalidated",
            "CACHE_STALE": "CloudFront invalidated",
            "PAGE_SERVED_STALE": "CloudFront invalidated"}.get(str(item.kind), item.summary)
