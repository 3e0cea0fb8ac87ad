"""Durable changes: a planned swap or time change reaches every system once, in order.

1. calendar (patch with If-Match), 2. the DynamoDB record (conditional),
3. the guest page (upload only if the bytes differ), 4. one CloudFront
invalidation whose CallerReference is derived from the change id.

The change and its steps are in the audit log before the first write; each
step's outcome right after it. Every step first looks whether its write is
already there, so a change killed between two steps is finished later by
``resume()`` without repeating a write. Data changed by someone else stops the
change as ``conflict``, with both values, and nothing is overwritten.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.calendar_events import charter_from_api_event
from services.cdn import path_for_key
from services.change_plan import ChangePlan
from services.checkup import Systems
from services.config import Config
from services.desired import desired_page
from services.errors import ConflictError, InputError, SourceUnavailableError
from services.fixes import ApplyReport, fix_key, fix_steps, reached, select, step_outcomes
from services.guest_page import PageRenderer, content_md5
from services.models import Charter, ReconcileResult
from services.roster import Roster
from store.audit import (
    CONFLICT,
    DONE,
    FAILED,
    AuditLog,
    ChangeEntry,
    PlannedStep,
    StepEntry,
)

# Called after each external write, before its outcome is recorded: tests inject crashes.
FaultHook = Callable[[int, str], None]


@dataclass(frozen=True)
class ChangeOutcome:
    change_id: str
    status: str
    summary: str
    steps: tuple[StepEntry, ...]
    repeated: bool = False  # the same request was seen before: nothing new was done
    error: str | None = None


def planned_steps(plan: ChangePlan) -> list[PlannedStep]:
    record_action = "create_record" if plan.create_record is not None else "update_record"
    return [
        PlannedStep("calendar", "patch_event", plan.calendar_event_id,
                    before={**plan.calendar_before, "etag": plan.etag},
                    after=dict(plan.calendar_patch)),
        PlannedStep("dynamodb", record_action, plan.event_id,
                    before=dict(plan.record_before),
                    after=dict(plan.create_record or plan.record_after)),
        PlannedStep("page", "put_page", plan.page_key),
        PlannedStep("cdn", "invalidate", path_for_key(plan.page_key)),
    ]


class ChangeService:
    def __init__(self, *, systems: Systems, config: Config, audit: AuditLog,
                 renderer: PageRenderer | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 fault: FaultHook | None = None) -> None:
        self._systems = systems
        self._config = config
        self._audit = audit
        self._renderer = renderer or PageRenderer()
        self._clock = clock
        self._fault = fault

    @property
    def audit(self) -> AuditLog:
        return self._audit

    def apply(self, plan: ChangePlan, *, requested_by: str, source: str,
              idempotency_key: str | None = None) -> ChangeOutcome:
        change, created = self._audit.begin_change(
            kind=plan.kind, event_id=plan.event_id, requested_by=requested_by, source=source,
            idempotency_key=idempotency_key or plan.idempotency_key(),
            params={**plan.params, "summary": plan.summary, "page_key": plan.page_key},
            steps=planned_steps(plan))
        if not created:
            return self._outcome(change, repeated=True)
        return self._run(change, resuming=False)

    def apply_fixes(self, result: ReconcileResult, ids: Sequence[str], *, requested_by: str,
                    source: str) -> ApplyReport:
        """Approved discrepancies, re-checked against ``result`` (which must be fresh)."""
        chosen, skipped = select(result, ids)
        report = ApplyReport(outcomes=list(skipped))
        if not chosen:
            return report
        events = sorted({d.event_id for d in chosen})
        change, created = self._audit.begin_change(
            kind="fix", event_id=events[0] if len(events) == 1 else None,
            requested_by=requested_by, source=source, idempotency_key=fix_key(chosen),
            params={"summary": f"fix {len(chosen)} discrepancies on {', '.join(events)}",
                    "discrepancies": [d.id for d in chosen]},
            steps=fix_steps(result, chosen))
        outcome = self._run(change, resuming=False) if created else self._outcome(
            change, repeated=True)
        cdn = next((s for s in outcome.steps if s.system == "cdn" and s.status == DONE), None)
        if cdn is not None and isinstance(cdn.after, dict):
            report.invalidation_id = cdn.after.get("invalidation")
            report.invalidated_paths = tuple((cdn.before or {}).get("paths", ()))
        report.repeated = outcome.repeated
        # Each fix from its own steps: a refused invalidation does not undo written records.
        report.outcomes.extend(step_outcomes(chosen, outcome.steps, change_status=outcome.status,
                                             error=outcome.error))
        report.reached = reached(outcome.steps)
        report.resumable = outcome.status == FAILED
        return report

    def undo(self, change_id: str, *, requested_by: str, source: str) -> ChangeOutcome:
        """Apply the inverse of a finished swap or time change, itself audited."""
        original = self._audit.get(change_id)
        if original is None:
            raise InputError(f"No change {change_id} in the audit log (see: python -m bot audit).")
        if original.kind not in ("swap", "time"):
            raise InputError(f"Change {change_id} is a {original.kind}; only swaps and time "
                             "changes can be undone (fixes follow the calendar).")
        if original.status != DONE:
            raise InputError(f"Change {change_id} is {original.status}, not done: nothing to undo.")
        later = [c for c in self._audit.recent(event_id=original.event_id, limit=500)
                 if c.created_at > original.created_at and c.id != change_id
                 and c.status != CONFLICT]
        if later:
            raise InputError(f"Change {later[0].id} ({later[0].kind}) touched "
                             f"{original.event_id} after {change_id}; undo that one first.")
        calendar, record, page, cdn = original.steps
        if record.action == "create_record":
            raise InputError(f"Change {change_id} created record {record.target}; records are "
                             "never deleted. Make the change you want instead.")
        patch = {k: v for k, v in (calendar.after or {}).items() if k != "result"}
        etag_after = ((calendar.after or {}).get("result") or {}).get("etag")
        event = self._systems.calendar.api.get_event(calendar.target)
        if event.get("etag") != etag_after:
            raise InputError(f"The calendar event was edited after change {change_id}; "
                             "undo refused so that edit is not lost.")
        inverse = {k: (calendar.before or {}).get(k) for k in patch}
        record_after = {k: v for k, v in (record.after or {}).items() if k != "result"}
        steps = [
            PlannedStep("calendar", "patch_event", calendar.target,
                        before={**patch, "etag": etag_after}, after=inverse),
            PlannedStep("dynamodb", "update_record", record.target, before=record_after,
                        after=dict(record.before or {})),
            PlannedStep("page", "put_page", page.target),
            PlannedStep("cdn", "invalidate", cdn.target),
        ]
        change, created = self._audit.begin_change(
            kind="undo", event_id=original.event_id, requested_by=requested_by, source=source,
            idempotency_key=f"undo-{change_id}", undo_of=change_id, steps=steps,
            params={"summary": f"undo of {change_id}: {original.params.get('summary', '')}"})
        return self._run(change, resuming=False) if created else self._outcome(
            change, repeated=True)

    def resume(self) -> list[ChangeOutcome]:
        """Finish every change a crash or an outage left unfinished."""
        return [self._run(change, resuming=True) for change in self._audit.unfinished()]

    # -- running the steps -------------------------------------------------------

    def _run(self, change: ChangeEntry, *, resuming: bool) -> ChangeOutcome:
        for step in change.steps:
            if step.status == DONE:
                continue
            try:
                after = self._do(change, step, resuming=resuming)
            except ConflictError as error:
                self._audit.step_finished(change.id, step.seq, status=CONFLICT, error=str(error))
                self._audit.finish(change.id, status=CONFLICT, error=str(error))
                return self._outcome(self._audit.get(change.id) or change)
            except SourceUnavailableError as error:
                self._audit.step_finished(change.id, step.seq, status=FAILED, error=str(error))
                self._audit.finish(change.id, status=FAILED, error=str(error))
                return self._outcome(self._audit.get(change.id) or change)
            if self._fault:
                self._fault(step.seq, step.system)
            # The plan stays readable next to what the write returned (new etag, ids).
            recorded = {**(step.after or {}), "result": after} if after is not None else None
            self._audit.step_finished(change.id, step.seq, status=DONE, after=recorded)
        self._audit.finish(change.id, status=DONE)
        return self._outcome(self._audit.get(change.id) or change)

    def _do(self, change: ChangeEntry, step: StepEntry, *, resuming: bool) -> Any:
        if step.system == "calendar":
            return self._patch_calendar(step)
        if step.system == "dynamodb":
            return self._write_record(step)
        if step.system == "page":
            return self._publish_page(change, step)
        if step.system == "cdn":
            return self._invalidate(change, step, resuming=resuming)
        raise ValueError(f"unknown step system {step.system!r}")

    def _patch_calendar(self, step: StepEntry) -> Any:
        api = self._systems.calendar.api
        event = api.get_event(step.target)
        if _calendar_has(event, step.after):
            return {"etag": event.get("etag"), "already": True}
        if event.get("etag") != step.before.get("etag"):
            raise ConflictError(
                f"the calendar event {step.target} was edited after this change was planned "
                f"(planned against {step.before.get('etag')}, now {event.get('etag')}); "
                "nothing was overwritten")
        patched = api.patch_event(step.target, dict(step.after), etag=step.before["etag"])
        return {"etag": patched.get("etag")}

    def _write_record(self, step: StepEntry) -> Any:
        records = self._systems.records
        current = records.get(step.target)
        now = self._clock().astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        if step.action == "create_record":
            if current is None:
                records.create({**step.after, "updatedAt": now})
                return None
            if all(_same(current.get(k), v) for k, v in step.after.items()):
                return {"already": True}
            raise ConflictError(f"record {step.target} was created by someone else meanwhile")
        holds = {k: current.get(k) for k in step.after} if current else {}
        if current is not None and all(_same(holds[k], v) for k, v in step.after.items()):
            return {"already": True}
        if current is None or not all(_same(current.get(k), v) for k, v in step.before.items()):
            raise ConflictError(f"record {step.target} changed since the plan (now {holds}, "
                                f"planned from {step.before}); nothing was overwritten")
        records.update(step.target, changes={**step.after, "updatedAt": now},
                       expected=dict(step.before))
        return None

    def _publish_page(self, change: ChangeEntry, step: StepEntry) -> Any:
        if isinstance(step.after, dict) and "html" in step.after:
            html = str(step.after["html"])  # a fix: rendered from the calendar when planned
        else:
            html = self._render_from_calendar(change)
        md5 = content_md5(html)
        if self._systems.pages.current_md5(step.target) == md5:
            return {"md5": md5, "already": True}
        self._systems.pages.upload(step.target, html)
        return {"md5": md5}

    def _render_from_calendar(self, change: ChangeEntry) -> str:
        # The calendar holds the new truth now: render from it, not from the plan.
        event = self._systems.calendar.api.get_event(self._calendar_id(change))
        charter = charter_from_api_event(event, self._config.tz)
        if not isinstance(charter, Charter):
            raise ConflictError("the calendar event was cancelled meanwhile")
        page = desired_page(charter, event_id=change.event_id or "",
                            roster=Roster(self._config.roster), config=self._config)
        return self._renderer.render(page)

    def _invalidate(self, change: ChangeEntry, step: StepEntry, *, resuming: bool) -> Any:
        reference = f"charter-ops-change-{change.id}"
        paths = (step.before or {}).get("paths") or [step.target]
        cdn = self._systems.cdn
        if resuming:
            since = change.created_at - timedelta(minutes=5)
            found = cdn.find_by_reference(reference, since=since)
            if found:
                return {"invalidation": found, "already": True}
        return {"invalidation": cdn.invalidate(paths, caller_reference=reference)}

    @staticmethod
    def _calendar_id(change: ChangeEntry) -> str:
        return next(s.target for s in change.steps if s.system == "calendar")

    def outcome_of(self, change: ChangeEntry, *, repeated: bool = False) -> ChangeOutcome:
        return self._outcome(change, repeated=repeated)

    def _outcome(self, change: ChangeEntry, *, repeated: bool = False) -> ChangeOutcome:
        return ChangeOutcome(change_id=change.id, status=change.status,
                             summary=str(change.params.get("summary", "")), steps=change.steps,
                             repeated=repeated, error=change.error)


def _calendar_has(event: dict[str, Any], patch: dict[str, Any]) -> bool:
    """Whether the event already shows every field of the patch."""
    for key, wanted in patch.items():
        current = event.get(key)
        if key == "attendees":
            if sorted(a.get("email", "").lower() for a in current or []) != sorted(
                    a["email"].lower() for a in wanted):
                return False
        elif key in ("start", "end"):
            if not current or _instant(current) != _instant(wanted):
                return False
        elif (current or "") != wanted:
            return False
    return True


def _instant(value: dict[str, Any]) -> datetime:
    moment = datetime.fromisoformat(value["dateTime"].replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(value.get("timeZone") or "UTC"))
    return moment


def _same(current: Any, wanted: Any) -> bool:
    if isinstance(current, list) or isinstance(wanted, list):
        return list(current or []) == list(wanted or [])
    return bool(current == wanted)

