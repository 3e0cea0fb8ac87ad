"""Durable changes: a planned swap or time change reaches every system once, in order.

1. calendar (patch with If-Match), 2. the DynamoDB record (conditional),
3. the guest page (upload only if the bytes differ), 4. one CloudFront
invalidation whose CallerReference is derived from the change id.

The change and its steps are in the audit log before the first write; each
step's outcome right after it. A change has one runner at a time: whoever
records it holds a lease on it, renewed at every step, and anyone else (a
second replica, the scheduler's retry, the same command typed again) waits for
it, or takes it over once the lease has expired or its holder is known dead.
How each write stays exactly once on a faulty wire is in services.change_steps.
Data changed by someone else stops the change as ``conflict``, with both
values, and nothing is overwritten.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from common.changes import CONFLICT, DONE, FAILED, ChangeEntry, Lease, PlannedStep, StepEntry
from common.errors import ConflictError, InputError, SourceUnavailableError
from common.log_context import change_id as current_change
from common.notices import NOT_CONFIRMED
from services.change_steps import RunMemo, StepWriter
from services.crew_news import Courier, tell_crew
from services.domain.calendar.events import charter_from_api_event
from services.domain.change.blast_radius import fix_preview_lines
from services.domain.change.crew_notice import (
    Notice,
    crew_notices,
    fix_notices,
    one_per_person,
    with_event,
)
from services.domain.change.plan import ChangePlan
from services.domain.config import Config
from services.domain.models import Charter, ReconcileResult, path_for_key
from services.domain.pages.rendering import PageRenderer
from services.domain.reconcile.fixes import (
    ApplyReport,
    fix_key,
    fix_steps,
    reached,
    select,
    step_outcomes,
)
from services.domain.roster import Roster
from services.ports import AuditStore
from services.reconciling import Systems
from services.runner import new_runner_id, runner_is_dead

logger = logging.getLogger(__name__)

# Called after each external write, before its outcome is recorded: tests inject crashes.
FaultHook = Callable[[int, str], None]

# Long enough for a step's slowest honest run (timeouts and retries included), short
# enough that a change whose runner vanished is taken over within minutes.
LEASE_TTL = timedelta(minutes=5)
# How long the same request, arriving while its change runs elsewhere, waits for it.
WAIT_SECONDS = 60.0
# News a process without Slack could not send is sent by the bot's retry job: for the
# changes of the last day, looked for among the latest few hundred.
UNTOLD_WITHIN = timedelta(days=1)
UNTOLD_SCAN = 200
# A message Slack never confirmed is looked for by the retry job once its latest attempt
# is this old: past the WebClient's timeout and retries, so it is not still on the wire.
UNCONFIRMED_IDLE = timedelta(minutes=2)


@dataclass(frozen=True)
class ChangeOutcome:
    change_id: str
    status: str
    summary: str
    steps: tuple[StepEntry, ...]
    repeated: bool = False  # the same request was seen before: nothing new was done
    error: str | None = None
    running_elsewhere: bool = False  # another runner holds it and had not finished
    news: str = ""  # who was told by direct message, and who could not be

    @property
    def done(self) -> bool:
        return self.status == DONE


def _stored(notices: Sequence[Notice]) -> list[dict[str, Any]]:
    return [n.to_dict() for n in notices]


def _isolated(change: ChangeEntry, step: StepEntry) -> bool:
    """Whether a failed step stops only itself: a fix's record or page, each one
    charter's own write. A swap's or time change's steps depend on each other (the page
    shows what the calendar patch made), and an invalidation serves every page."""
    return change.kind == "fix" and step.system in ("dynamodb", "page")


def planned_steps(plan: ChangePlan) -> list[PlannedStep]:
    record_action = "create_record" if plan.create_record is not None else "update_record"
    return [
        PlannedStep("calendar", "patch_event", plan.calendar_event_id,
                    before={**plan.calendar_before, "etag": plan.etag},
                    after=dict(plan.calendar_patch)),
        PlannedStep("dynamodb", record_action, plan.event_id,
                    before=dict(plan.record_before),
                    after=dict(plan.create_record or plan.record_after)),
        PlannedStep("page", "put_page", plan.page_key, before={"md5": plan.page_md5}),
        PlannedStep("cdn", "invalidate", path_for_key(plan.page_key)),
    ]


class ChangeService:
    def __init__(self, *, systems: Systems, config: Config, audit: AuditStore,
                 renderer: PageRenderer | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 fault: FaultHook | None = None, lease_ttl: timedelta = LEASE_TTL,
                 wait_seconds: float = WAIT_SECONDS,
                 sleep: Callable[[float], None] = time.sleep,
                 stop_requested: Callable[[], bool] = lambda: False,
                 tell: Courier | None = None,
                 unconfirmed_idle: timedelta = UNCONFIRMED_IDLE) -> None:
        """``stop_requested``: the process is shutting down; a running change stops at its
        next step boundary (it is resumed later, like any interrupted change).
        ``tell``: Slack direct messages, for the crew a change affects; None where there
        is no Slack (they are then named as not told)."""
        self.tell = tell
        # Told after each change lands (the Homes re-published); its failure is logged,
        # never the change's.
        self.landed: Callable[[ChangeEntry], None] | None = None
        self._unconfirmed_idle = unconfirmed_idle
        # Who the crew's news is worked out for, and who asked not to be messaged.
        self._roster = Roster(config.roster)
        self._muted = frozenset(m.name for m in config.crew if not m.notify)
        self._stop_requested = stop_requested
        self._clock = clock
        self._systems = systems
        self._config = config
        self._audit = audit
        self._fault = fault
        self._lease_ttl = lease_ttl
        self._wait_seconds = wait_seconds
        self._sleep = sleep
        self._writer = StepWriter(systems=systems, config=config,
                                  renderer=renderer or PageRenderer(), clock=clock, sleep=sleep)

    @property
    def audit(self) -> AuditStore:
        return self._audit

    def apply(self, plan: ChangePlan, *, requested_by: str, source: str,
              idempotency_key: str | None = None,
              request_key: str | None = None,
              preview: Mapping[str, Any] | None = None) -> ChangeOutcome:
        """``preview``: what the person was shown before confirming, kept in the audit."""
        extra = {"preview": dict(preview)} if preview else {}
        notices = crew_notices(kind=plan.kind, params=plan.params, before=plan.charter,
                               roster=self._roster, muted=self._muted) if plan.charter else []
        change, created = self._audit.begin_change(
            kind=plan.kind, event_id=plan.event_id, requested_by=requested_by, source=source,
            idempotency_key=idempotency_key or plan.idempotency_key(),
            params={**plan.params, "summary": plan.summary, "page_key": plan.page_key,
                    **extra, "notices": _stored(notices)},
            steps=planned_steps(plan), lease=(lease := self._new_lease()),
            request_key=request_key)
        if not created:
            return self.rejoin(change)
        return self._run(change, lease, fresh=True)

    def rejoin(self, change: ChangeEntry) -> ChangeOutcome:
        """The same request again: its outcome if finished; finished here if it was left
        half done; waited for (a bounded time) if another runner is carrying it out."""
        deadline = time.monotonic() + self._wait_seconds
        lease = self._new_lease()
        while True:
            if change.finished:
                return self._outcome(change, repeated=True)
            if self._claim(change, lease):
                return self._run(change, lease, fresh=False, repeated=True)
            if time.monotonic() >= deadline:
                return self._outcome(change, repeated=True, running_elsewhere=True)
            self._sleep(0.25)
            change = self._audit.get(change.id) or change

    def apply_fixes(self, result: ReconcileResult, ids: Sequence[str], *, requested_by: str,
                    source: str) -> ApplyReport:
        """Approved discrepancies, re-checked against ``result`` (which must be fresh)."""
        chosen, skipped = select(result, ids)
        report = ApplyReport(outcomes=list(skipped))
        if not chosen:
            return report
        events = sorted({d.event_id for d in chosen})
        steps = fix_steps(result, chosen)
        notices = one_per_person([n for step in steps if step.action == "update_record"
                                  and step.target in result.desired
                                  for n in with_event(fix_notices(
                                      charter=result.desired[step.target].charter,
                                      before=step.before or {}, after=step.after or {},
                                      roster=self._roster, muted=self._muted), step.target)])
        change, created = self._audit.begin_change(
            kind="fix", event_id=events[0] if len(events) == 1 else None,
            requested_by=requested_by, source=source, idempotency_key=fix_key(chosen),
            params={"summary": f"fix {len(chosen)} discrepancies on {', '.join(events)}",
                    "discrepancies": [d.id for d in chosen],
                    # What will change and who already saw the old data, as a dry run shows.
                    "preview": fix_preview_lines(chosen, result=result, config=self._config,
                                                 now=self._clock()),
                    "notices": _stored(notices)},
            steps=steps, lease=(lease := self._new_lease()))
        outcome = self._run(change, lease, fresh=True) if created else self.rejoin(change)
        cdn = next((s for s in outcome.steps if s.system == "cdn" and s.status == DONE), None)
        if cdn is not None and isinstance(cdn.after, dict):
            report.invalidation_id = (cdn.after.get("result") or {}).get("invalidation") \
                or cdn.after.get("invalidation")
            report.invalidated_paths = tuple((cdn.before or {}).get("paths", ()))
        report.repeated = outcome.repeated
        # Each fix from its own steps: a refused invalidation does not undo written records.
        report.outcomes.extend(step_outcomes(chosen, outcome.steps, change_status=outcome.status,
                                             error=outcome.error))
        report.reached = reached(outcome.steps)
        report.resumable = outcome.status == FAILED
        report.news = outcome.news
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
        notices = self._undo_notices(original, event)
        record_after = {k: v for k, v in (record.after or {}).items() if k != "result"}
        page_md5 = ((page.after or {}).get("result") or {}).get("md5")
        steps = [
            PlannedStep("calendar", "patch_event", calendar.target,
                        before={**patch, "etag": etag_after}, after=inverse),
            PlannedStep("dynamodb", "update_record", record.target, before=record_after,
                        after=dict(record.before or {})),
            PlannedStep("page", "put_page", page.target, before={"md5": page_md5}),
            PlannedStep("cdn", "invalidate", cdn.target),
        ]
        change, created = self._audit.begin_change(
            kind="undo", event_id=original.event_id, requested_by=requested_by, source=source,
            idempotency_key=f"undo-{change_id}", undo_of=change_id, steps=steps,
            params={"summary": f"undo of {change_id}: {original.params.get('summary', '')}",
                    "notices": _stored(notices)},
            lease=(lease := self._new_lease()))
        return self._run(change, lease, fresh=True) if created else self.rejoin(change)

    def resume(self) -> list[ChangeOutcome]:
        """Finish every change a crash or an outage left unfinished and nobody else is
        carrying out now."""
        outcomes = []
        for change in self._audit.unfinished():
            lease = self._new_lease()
            if self._claim(change, lease):
                outcomes.append(self._run(change, lease, fresh=False))
        return outcomes

    def tell_untold(self, *, within: timedelta = UNTOLD_WITHIN) -> list[str]:
        """Tell the crew of recent done changes whom nobody told: a process without Slack
        finished the change (a command line without SLACK_BOT_TOKEN), or Slack never
        confirmed a message (its answer was lost; it is looked for before it is sent
        again). One line per change. Each person is claimed once per change, and a
        claim taken over by one process at a time, so two replicas never both send."""
        if self.tell is None:
            return []
        cutoff = self._clock() - within
        done = [c for c in self._audit.recent(limit=UNTOLD_SCAN)
                if c.created_at >= cutoff and c.status == DONE and c.params.get("notices")]
        from store.notices import NoticeLog  # the audit store's table of direct messages

        known = NoticeLog(self._audit.sessions).deliveries([c.id for c in done])
        lines = []
        for change in done:
            waiting = [n for n in map(Notice.from_dict, change.params["notices"])
                       if not n.mute and n.slack_id and (
                           n.slack_id not in known[change.id]
                           or known[change.id][n.slack_id].state == NOT_CONFIRMED)]
            if waiting:
                news = tell_crew(change_id=change.id, event_id=change.event_id,
                                 notices=waiting, audit=self._audit, send=self.tell,
                                 source=change.source, idle_for=self._unconfirmed_idle)
                if news:
                    lines.append(f"{change.id}: {news}")
        return lines

    def outcome_of(self, change: ChangeEntry, *, repeated: bool = False) -> ChangeOutcome:
        return self._outcome(change, repeated=repeated)

    # -- who is told --------------------------------------------------------------

    def _undo_notices(self, original: ChangeEntry, event: Mapping[str, Any]) -> list[Notice]:
        """The original change's news, the other way round, about the charter as it is."""
        charter = charter_from_api_event(dict(event), self._config.tz)
        if not isinstance(charter, Charter):
            return []
        params = original.params
        if original.kind == "swap":
            inverse = {"role": params.get("role"), "old": params.get("new"),
                       "new": params.get("old")}
        else:
            before = original.steps[0].before or {}
            inverse = {"start": str((before.get("start") or {}).get("dateTime", ""))[11:16],
                       "end": str((before.get("end") or {}).get("dateTime", ""))[11:16]}
        return crew_notices(kind=original.kind, params=inverse, before=charter,
                            roster=self._roster, muted=self._muted)

    # -- running the steps -------------------------------------------------------

    def _new_lease(self) -> Lease:
        # One per run, not per service: two threads of one process are two runners.
        return Lease(owner=new_runner_id(), ttl=self._lease_ttl)

    def _claim(self, change: ChangeEntry, lease: Lease) -> bool:
        return self._audit.claim(change.id, lease, owner_is_dead=runner_is_dead)

    def _run(self, change: ChangeEntry, lease: Lease, *, fresh: bool,
             repeated: bool = False) -> ChangeOutcome:
        token = current_change.set(change.id)  # every line logged meanwhile names it
        try:
            return self._run_steps(change, lease, fresh=fresh, repeated=repeated)
        finally:
            current_change.reset(token)

    def _run_steps(self, change: ChangeEntry, lease: Lease, *, fresh: bool,
                   repeated: bool) -> ChangeOutcome:
        memo = RunMemo()
        for step in change.steps:
            if step.status == DONE:
                continue
            if self._stop_requested():
                # Shutting down: leave the change between two steps, for whoever resumes it
                # (the lease is let go, so that need not wait for it to expire).
                logger.info("stopping change %s before step %d (%s): shutting down",
                            change.id, step.seq, step.system)
                self._audit.release(change.id, lease)
                latest = self._audit.get(change.id) or change
                return self._outcome(latest, repeated=repeated)
            if not self._audit.renew(change.id, lease):
                # Our lease expired and another runner took the change over: it finishes it.
                latest = self._audit.get(change.id) or change
                return self._outcome(latest, repeated=repeated,
                                     running_elsewhere=not latest.finished)
            try:
                after = self._writer.write(change, step, fresh=fresh, memo=memo)
            except (ConflictError, SourceUnavailableError) as error:
                status = CONFLICT if isinstance(error, ConflictError) else FAILED
                if not _isolated(change, step):
                    return self._stop(change, step, status=status, error=error,
                                      repeated=repeated)
                # One charter's record or page that cannot be written is that charter's
                # failure: the other charters' writes go on (see _isolated).
                self._audit.step_finished(change.id, step.seq, status=status, error=str(error))
                memo.stopped.append((status, f"{step.system} {step.target}: {error}"))
                if step.system == "page":
                    memo.unwritten.add(path_for_key(step.target))
                logger.warning("change %s step %d %s %s: %s", change.id, step.seq,
                               step.system, step.action, error)
                continue
            if self._fault:
                self._fault(step.seq, step.system)
            # The plan stays readable next to what the write returned (new etag, ids).
            recorded = {**(step.after or {}), "result": after} if after is not None else None
            if step.system == "cdn" and memo.unwritten:
                # Sent for the pages written; the rest wait for their pages (a resume).
                self._audit.step_finished(
                    change.id, step.seq, status=FAILED, after=recorded,
                    error=f"not sent for {len(memo.unwritten)} page(s) not uploaded")
                continue
            self._audit.step_finished(change.id, step.seq, status=DONE, after=recorded)
            logger.info("change %s step %d %s %s: done", change.id, step.seq, step.system,
                        step.action)
        if memo.stopped:
            # Every other write was made; the change is left as its worst step left it.
            status = FAILED if any(s == FAILED for s, _ in memo.stopped) else CONFLICT
            count = len(memo.stopped)
            unmade = (f"{count} write{'s' if count != 1 else ''} not made: "
                      + "; ".join(text for _, text in memo.stopped))
            self._audit.finish(change.id, status=status, error=unmade)
            return self._outcome(self._audit.get(change.id) or change, repeated=repeated)
        # Every write has landed: now the crew may be told, before the change is marked
        # done, so a crash here leaves it for the retry, which skips who Slack confirmed
        # and looks for the messages it did not (this runner holds the lease: no wait).
        news = tell_crew(change_id=change.id, event_id=change.event_id,
                         notices=[Notice.from_dict(n) for n in change.params.get("notices", [])],
                         audit=self._audit, send=self.tell, source=change.source)
        self._audit.finish(change.id, status=DONE)
        self._after_landing(change)
        return replace(self._outcome(self._audit.get(change.id) or change, repeated=repeated),
                       news=news)

    def _after_landing(self, change: ChangeEntry) -> None:
        if self.landed is None:
            return
        try:
            self.landed(change)
        except Exception:  # a Home not refreshed must not fail a change that landed
            logger.exception("change %s landed; what follows a landing failed", change.id)

    def _stop(self, change: ChangeEntry, step: StepEntry, *, status: str, error: Exception,
              repeated: bool) -> ChangeOutcome:
        self._audit.step_finished(change.id, step.seq, status=status, error=str(error))
        self._audit.finish(change.id, status=status, error=str(error))
        return self._outcome(self._audit.get(change.id) or change, repeated=repeated)

    def _outcome(self, change: ChangeEntry, *, repeated: bool = False,
                 running_elsewhere: bool = False) -> ChangeOutcome:
        return ChangeOutcome(change_id=change.id, status=change.status,
                             summary=str(change.params.get("summary", "")), steps=change.steps,
                             repeated=repeated, error=change.error,
                             running_elsewhere=running_elsewhere)

