"""A person's swap or time change, the same from every surface: Slack's Confirm (and a
chat proposal's Approve), the command line, the benchmarks.

Planned from one read (``plan_change``: nothing recorded, nothing written), then carried
out by the durable change service (``carry_out``). The same request may arrive again:
a second click, the command typed twice, a retry after a crash, a second replica. It
is recognised in one place, ``carry_out``: by the key of the plan a person confirmed,
else by the words and the charter (``request_key``), and answered with the outcome of
the change already made — waiting a while if that change is still running elsewhere —
as long as what it asked for is still what the calendar says. Only when it is not is a
refusal to plan it again ("Ana is not on danika") the answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from common.errors import InputError, SourceUnavailableError
from services.changes import ChangeOutcome, ChangeService
from services.deps import Deps
from services.domain.calendar.events import charter_from_api_event
from services.domain.change.blast_radius import Preview, change_preview
from services.domain.change.plan import (
    ChangePlan,
    outcome_holds,
    plan_swap,
    plan_time,
    request_key,
)
from services.domain.change.resolve import resolve_charter
from services.domain.config import Config
from services.domain.models import Charter, ReconcileResult
from services.domain.roster import Roster
from services.reconciling import Systems

KINDS = ("swap", "time")
# The most words a time range is typed in: '3:30 p.m. to 7 p.m.'
MAX_RANGE_WORDS = 6


def time_range(words: Sequence[str]) -> str:
    """The range typed in ``words``, as one: '4 pm - 8 pm' is '4pm-8pm'."""
    return "".join(words)

# events.get of one event by its calendar id: where a read without etags is completed.
GetEvent = Callable[[str], Mapping[str, Any]]


@dataclass(frozen=True)
class ChangeRequest:
    """What a person asked: on the charter they named (as they named it), a swap
    (``words``: ROLE or OLD_PERSON, then NEW_PERSON) or a time change (START-END)."""

    kind: str
    charter: str
    words: tuple[str, ...]

    @classmethod
    def typed(cls, kind: str, words: Sequence[str]) -> ChangeRequest:
        """From the words after ``/charter swap`` or ``/charter time``. A time range may
        be typed with spaces in it ('4 pm - 8 pm', '4 - 8 pm'): the words after the
        charter are one range."""
        if kind == "time" and 2 < len(words) <= 1 + MAX_RANGE_WORDS:
            words = [words[0], time_range(words[1:])]
        if words and kind in KINDS:
            expected = 3 if kind == "swap" else 2
            if len(words) == expected:
                return cls(kind=kind, charter=words[0], words=tuple(words[1:]))
        if kind == "swap":
            raise InputError("Write it as `/charter swap EVENT ROLE|OLD_PERSON NEW_PERSON`, "
                             "e.g. `/charter swap danika mate Ana`.")
        raise InputError("Write it as `/charter time EVENT START-END`, "
                         "e.g. `/charter time danika 3pm-7pm`.")

    @property
    def all_words(self) -> list[str]:
        """The charter and the rest, as typed after the verb."""
        return [self.charter, *self.words]

    @property
    def command(self) -> str:
        return f"/charter {self.kind} {' '.join(self.all_words)}"


@dataclass(frozen=True)
class PlannedChange:
    """A plan, what it will touch and who already saw the old data: what a person is
    shown before confirming, and the key their Confirm carries back."""

    request: ChangeRequest
    plan: ChangePlan
    preview: Preview

    @property
    def key(self) -> str:
        return self.plan.idempotency_key()

    @property
    def event_id(self) -> str:
        return self.plan.event_id


def api_event(systems: Systems) -> GetEvent:
    """events.get through the calendar's API (each boat's, in a fleet), asked only when
    called: a calendar with no API configured refuses then, with its reason."""
    return lambda calendar_event_id: systems.calendar.api.get_event(calendar_event_id)


def from_the_api(result: ReconcileResult, event_id: str, *, get_event: GetEvent | None,
                 config: Config) -> ReconcileResult:
    """``result`` with ``event_id``'s charter as the Calendar API gives it (with its etag).

    A change's calendar patch is conditional on the etag it was planned from. A read that
    fell back to the iCal feed (a page of the listing failed, say) has none, and a plan on
    it would end as a conflict blaming an edit nobody made: so the one event is read by
    ``events.get``, and when that fails too the change is refused, nothing written."""
    want = result.desired[event_id]
    if want.charter.etag:
        return result
    try:
        if get_event is None:
            raise SourceUnavailableError("the Calendar API's copy of the event was not read")
        event = dict(get_event(want.charter.calendar_event_id))
    except SourceUnavailableError as error:
        raise SourceUnavailableError(
            f"The calendar could not be read through its API ({error}), and a change is "
            f"only made on the API's own copy of the event: nothing was changed on "
            f"{event_id}. Try again in a few minutes.") from error
    charter = charter_from_api_event(event, config.tz)
    if not isinstance(charter, Charter):
        raise InputError(f"{event_id}'s calendar event is no longer a charter (cancelled, "
                         "or now all-day): nothing was changed.")
    # The boat the read tagged it with: an event's own copy does not name it.
    charter = replace(charter, vessel=want.charter.vessel, calendar_id=want.charter.calendar_id)
    return replace(result, desired={**result.desired, event_id: replace(want, charter=charter)})


def plan_change(result: ReconcileResult, request: ChangeRequest, *, config: Config,
                today: date, now: datetime,
                get_event: GetEvent | None = None) -> PlannedChange:
    """The plan on ``result`` (a fresh read; a charter it holds without an etag, read
    again with ``get_event``, see ``from_the_api``); bad input raises InputError, a read
    that left a boat's calendar out, or an event that could not be read from the API,
    SourceUnavailableError; nothing else."""
    if result.unread_boats:
        # Whether the people on it sail on that boat at the same time is not known.
        boats = ", ".join(result.unread_boats)
        raise SourceUnavailableError(
            f"The calendar of {boats} could not be read, so a crew member's charters there "
            "are not known: nothing was changed. Try again once it can be read.")
    event_id = resolve_charter(request.charter, result, today=today)  # a held one says so
    result = from_the_api(result, event_id, get_event=get_event, config=config)
    if request.kind == "swap":
        plan = plan_swap(charters=result.desired, event=event_id,
                         role_or_person=request.words[0], new_person=request.words[1],
                         config=config, today=today)
    else:
        plan = plan_time(charters=result.desired, event=event_id,
                         time_range=request.words[0], config=config, today=today)
    preview = change_preview(plan=plan, want=result.desired[plan.event_id], config=config,
                             now=now, served=result.served.get(plan.event_id))
    return PlannedChange(request=request, plan=plan, preview=preview)


def carry_out(*, service: ChangeService, read: Callable[[], ReconcileResult],
              request: ChangeRequest, config: Config, today: date, now: datetime,
              requested_by: str, source: str,
              confirmed_key: str | None = None,
              get_event: GetEvent | None = None) -> ChangeOutcome:
    """Plan on a fresh read and apply, or answer with the change this request already
    made. ``confirmed_key``: the key of the plan the person confirmed (a Confirm click);
    the change is recorded under it, so a second click finds it without reading."""
    if confirmed_key is not None:
        earlier = service.audit.find_by_key(confirmed_key)
        if earlier is not None:
            return service.rejoin(earlier)
    result = read()
    try:
        planned = plan_change(result, request, config=config, today=today, now=now,
                              get_event=get_event)
    except InputError:
        again = _made_already(service, result, request, config=config, today=today)
        if again is None:
            raise
        return again
    return service.apply(planned.plan, requested_by=requested_by, source=source,
                         idempotency_key=confirmed_key,
                         request_key=_key(planned.plan.event_id, request),
                         preview=planned.preview.to_dict())


def _key(event_id: str, request: ChangeRequest) -> str:
    return request_key(request.kind, event_id, list(request.words))


def _made_already(service: ChangeService, result: ReconcileResult, request: ChangeRequest,
                  *, config: Config, today: date) -> ChangeOutcome | None:
    """The outcome of the change this very request made, while the calendar still says
    what it asked for (or while that change is still running); None otherwise."""
    try:
        event_id = resolve_charter(request.charter, result, today=today)
    except InputError:
        return None
    earlier = service.audit.latest_for_request(_key(event_id, request))
    if earlier is None:
        return None
    outcome = service.rejoin(earlier)
    if outcome.running_elsewhere:
        return outcome
    holds = outcome.done and outcome_holds(kind=earlier.kind, params=earlier.params,
                                           charter=result.desired[event_id].charter,
                                           roster=Roster(config.roster))
    return outcome if holds else None


# -- from Slack: the decision audited beside the change ---------------------------------


@dataclass(frozen=True)
class Confirmed:
    """What a Confirm (or a proposal's Approve) did: the change's outcome."""

    request: ChangeRequest
    outcome: ChangeOutcome


def plan_for(deps: Deps, request: ChangeRequest, *,
             result: ReconcileResult | None = None) -> PlannedChange:
    """The plan, on a fresh read unless one is given."""
    return plan_change(result or deps.reconcile(), request, config=deps.config,
                       today=deps.window().start, now=deps.clock(),
                       get_event=api_event(deps.systems))


def plan_typed(deps: Deps, kind: str, words: Sequence[str]) -> PlannedChange:
    """``/charter swap|time …`` as typed: a charter nobody has, or one held for a person,
    is said before how to write the rest."""
    result = deps.reconcile()
    if words:
        resolve_charter(words[0], result, today=deps.window().start)
    return plan_for(deps, ChangeRequest.typed(kind, words), result=result)


def propose(deps: Deps, result: ReconcileResult, request: ChangeRequest, *,
            user_id: str, source: str = "chat") -> PlannedChange:
    """A change read from a captain's chat message (or proposed in a form: ``source``
    "modal"): planned, and audited as proposed."""
    planned = plan_for(deps, request, result=result)
    deps.audit.log_decision(subject=request.command, decision="proposed", decided_by=user_id,
                            source=source, event_id=planned.event_id,
                            summary=planned.plan.summary)
    return planned


def confirm(deps: Deps, request: ChangeRequest, *, key: str, event_id: str | None,
            user_id: str, source: str) -> Confirmed:
    """Confirm of a plan (``source`` "slash") or Approve of a proposal ("chat")."""
    decision = "approved" if source == "chat" else "confirmed"
    try:
        outcome = carry_out(service=deps.changes, read=deps.reconcile, request=request,
                            config=deps.config, today=deps.window().start, now=deps.clock(),
                            requested_by=user_id, source=source, confirmed_key=key,
                            get_event=api_event(deps.systems))
    except InputError as error:  # the charter changed since: audited, then said
        deps.audit.log_decision(subject=request.command, decision=decision,
                                decided_by=user_id, source=source, event_id=event_id,
                                note=f"not applied: {error}")
        raise
    change = deps.audit.get(outcome.change_id)
    deps.audit.log_decision(
        subject=request.command, decision=decision, decided_by=user_id, source=source,
        change_id=outcome.change_id, event_id=change.event_id if change else event_id,
        summary=outcome.summary,
        note=outcome.status + (", a second click: nothing done twice"
                               if outcome.repeated else ""))
    return Confirmed(request=request, outcome=outcome)


def may_cancel(deps: Deps, *, source: str, user_id: str) -> bool:
    """Anyone may cancel their own plan (only they see it); a proposal in a channel is
    rejected by an approver only."""
    return source != "chat" or deps.is_approver(user_id)


def cancel(deps: Deps, request: ChangeRequest, *, event_id: str | None, user_id: str,
           source: str) -> None:
    """Cancel of a plan, or Reject of a proposal: audited; nothing is changed."""
    deps.audit.log_decision(subject=request.command,
                            decision="rejected" if source == "chat" else "cancelled",
                            decided_by=user_id, source=source, event_id=event_id,
                            note="nothing was changed")
