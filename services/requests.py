"""A person's swap or time change, from the words they typed to its outcome.

The same request may arrive again: typed twice, retried after a crash, or sent
from a second replica. It is answered with the outcome of the change it already
made (waiting a while if that change is still running elsewhere), as long as what
it asked for is still what the calendar says; only then is a refusal to plan it
again ("Ana is not on danika") beside the point.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from common.errors import InputError
from services.changes import ChangeOutcome, ChangeService
from services.domain.change.blast_radius import change_preview
from services.domain.change.plan import (
    ChangePlan,
    outcome_holds,
    plan_swap,
    plan_time,
    request_key,
)
from services.domain.change.resolve import resolve_event
from services.domain.config import Config
from services.domain.models import DesiredCharter
from services.domain.roster import Roster


def plan_request(*, charters: Mapping[str, DesiredCharter], kind: str, event: str,
                 words: Sequence[str], config: Config, today: date) -> ChangePlan:
    """The plan ``carry_out`` would apply, for a dry run: nothing is recorded or written."""
    if kind == "swap":
        return plan_swap(charters=charters, event=event, role_or_person=words[0],
                         new_person=words[1], config=config, today=today)
    return plan_time(charters=charters, event=event, time_range=words[0], config=config,
                     today=today)


def carry_out(*, service: ChangeService, charters: Mapping[str, DesiredCharter], kind: str,
              event: str, words: Sequence[str], config: Config, today: date,
              requested_by: str, source: str, now: datetime | None = None) -> ChangeOutcome:
    """Plan and apply ``kind`` ("swap": words ROLE|OLD_PERSON NEW_PERSON; "time": START-END)."""
    event_id = resolve_event(event, charters, today=today)
    key = request_key(kind, event_id, words)
    try:
        if kind == "swap":
            plan = plan_swap(charters=charters, event=event_id, role_or_person=words[0],
                             new_person=words[1], config=config, today=today)
        else:
            plan = plan_time(charters=charters, event=event_id, time_range=words[0],
                             config=config, today=today)
    except InputError:
        earlier = service.audit.latest_for_request(key)
        if earlier is None:
            raise
        outcome = service.rejoin(earlier)
        if outcome.running_elsewhere:
            return outcome
        holds = outcome.done and outcome_holds(kind=earlier.kind, params=earlier.params,
                                               charter=charters[event_id].charter,
                                               roster=Roster(config.roster))
        if not holds:
            raise
        return outcome
    # What the person would have been shown, kept with the change (``now``: when known).
    preview = change_preview(plan=plan, want=charters[plan.event_id], config=config,
                             now=now).to_dict() if now is not None else None
    return service.apply(plan, requested_by=requested_by, source=source, request_key=key,
                         preview=preview)
