"""A swap or a time change asked for in a form (Slack's modals) rather than typed: the
charters to choose from, the crew of the one chosen, the roster; then what was chosen
checked field by field, and planned as the typed command would be. Returns data; the
modal is handlers/views/change_form.py."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time

from common.errors import InputError
from services.deps import Deps
from services.domain.chat.parse import MAX_REPORT_CHARS, parse_chat, read_intent, readable
from services.domain.models import Charter, ReconcileResult
from services.domain.pages.rendering import PageRenderer
from services.domain.roster import Roster
from services.narrow import reconcile_days
from services.usecases.change_request import (
    ChangeRequest,
    PlannedChange,
    api_event,
    plan_change,
)
from services.usecases.chat_proposal import may_propose
from services.usecases.refusal import refuse

# How the audit names the forms: a change confirmed there, a proposal or a refusal.
FORM = "modal"
MAX_VALUE = 150  # Slack's limit of a menu option's value
CHARTER_ID = MAX_VALUE - 11  # a charter option's value is its day, '|' and its event id


def menu_value(text: str, *, limit: int = MAX_VALUE) -> str:
    """A person's name (or an event id) as a menu option's value: within Slack's limit and
    distinct in its menu, as Slack requires. A longer one is cut and ends with a short
    hash of the whole, so two long names that share their first 150 characters are two
    values; :func:`from_menu` finds the name again."""
    if len(text) <= limit:
        return text
    return text[:limit - 11] + "~" + hashlib.sha256(text.encode()).hexdigest()[:10]


def from_menu(value: str, names: Iterable[str]) -> str:
    """The name among ``names`` whose option value ``value`` is; ``value`` itself when none
    is (what the form checks then says it is not on the charter or the roster)."""
    if len(value) < MAX_VALUE:
        return value
    return next((n for n in names if menu_value(n) == value), value)


@dataclass(frozen=True)
class CharterChoice:
    event_id: str
    charter: Charter
    crew: tuple[str, ...]  # who is aboard, by the roster's names


@dataclass(frozen=True)
class ChangeForm:
    kind: str  # swap | time
    choices: tuple[CharterChoice, ...]  # the charters still to leave, in time order
    roster: tuple[str, ...]
    chosen: str | None = None  # an event id
    leaves: str | None = None
    joins: str | None = None
    note: str | None = None  # said on top (what was understood, or that nothing was)

    def choice(self, event_id: str | None) -> CharterChoice | None:
        return next((c for c in self.choices if c.event_id == event_id), None)


@dataclass(frozen=True)
class SwapAnswer:
    """The form's swap: the person leaving, the one joining, on a charter."""

    event_id: str
    leaves: str
    joins: str
    day: date | None = None  # the charter's day, when the form knew it

    @property
    def request(self) -> ChangeRequest:
        return ChangeRequest(kind="swap", charter=self.event_id, words=(self.leaves, self.joins))


@dataclass(frozen=True)
class TimeAnswer:
    event_id: str
    starts: time
    ends: time
    day: date | None = None

    @property
    def request(self) -> ChangeRequest:
        window = f"{self.starts:%H:%M}-{self.ends:%H:%M}"
        return ChangeRequest(kind="time", charter=self.event_id, words=(window,))


def refused_proposer(deps: Deps, user_id: str, *, asked: ChangeRequest) -> bool:
    """Whether ``user_id`` may not ask for a change in a form: the chat's rule (the crew in
    the roster, by Slack id, and the approvers), so that a form is no way around a refusal
    in chat. A refusal is audited as the form's, with what was asked."""
    if deps.is_approver(user_id) or may_propose(deps, user_id):
        return False
    refuse(deps.audit, user_id=user_id, what=asked.command, source=FORM,
           summary=f"proposed in a form: {asked.command}")
    return True


def change_form(deps: Deps, kind: str, *, chosen: str | None = None,
                leaves: str | None = None, joins: str | None = None,
                note: str | None = None) -> ChangeForm:
    """The form, from a fresh read of the window. ``chosen``: a charter named as a
    person names it ('danika'); one that names none or several is left unchosen."""
    result = deps.reconcile()
    event_id = _resolved(result, chosen, deps) if chosen else None
    return ChangeForm(kind=kind, choices=_choices(result, deps), roster=_roster(deps),
                      chosen=event_id, leaves=leaves, joins=joins, note=note)


def form_from_message(deps: Deps, text: str, *, author_id: str | None) -> ChangeForm:
    """The swap form filled in with what the chat reader understood of a message."""
    roster = Roster(deps.config.roster)
    author = next((m for m in roster.members if m.slack_id and m.slack_id == author_id), None)
    today = deps.window().start
    result = deps.reconcile()
    proposal = None
    if read_intent(text, author=author, roster=roster, today=today) is not None:
        proposal = parse_chat(text, author=author, roster=roster, charters=result.desired,
                              today=today)
    form = ChangeForm(kind="swap", choices=_choices(result, deps), roster=_roster(deps))
    if not readable(text):
        return ChangeForm(kind="swap", choices=form.choices, roster=form.roster,
                          note=f"That message is longer than a swap report ({MAX_REPORT_CHARS} "
                               "characters), so it was not read: choose the charter and the "
                               "people.")
    if proposal is None or proposal.kind != "swap":
        return ChangeForm(kind="swap", choices=form.choices, roster=form.roster,
                          note="Nothing in that message read as a swap: choose the charter "
                               "and the people.")
    charter = result.desired[proposal.event_id].charter
    leaves = _person(charter, proposal.words[1], roster)
    return ChangeForm(kind="swap", choices=form.choices, roster=form.roster,
                      chosen=proposal.event_id, leaves=leaves,
                      joins=roster.canonical(proposal.words[2]),
                      note=f"Read from the message: {proposal.command}")


def check_swap(deps: Deps, answer: SwapAnswer) -> tuple[dict[str, str], PlannedChange | None]:
    """(what is wrong, by field: charter, leaves, joins; the plan when nothing is)."""
    found = _charter_day(deps, answer.event_id, answer.day)
    if found is None:
        return {"charter": "That charter is no longer on the calendar that day."}, None
    result, charter = found
    roster = Roster(deps.config.roster)
    known = (*_aboard(charter, roster), *_roster(deps))
    answer = replace(answer, leaves=from_menu(answer.leaves, known),
                     joins=from_menu(answer.joins, known))
    errors: dict[str, str] = {}
    if charter.start <= deps.clock():
        errors["charter"] = f"{charter.guest_name}'s charter has already left."
    aboard = _aboard(charter, roster)
    if roster.canonical(answer.leaves) not in aboard:
        errors["leaves"] = (f"{answer.leaves} is not on this charter "
                            f"({', '.join(aboard) or 'nobody is'}).")
    if roster.find(answer.joins) is None:
        errors["joins"] = f"{answer.joins} is not in the crew roster (app.yaml)."
    elif roster.canonical(answer.joins) == roster.canonical(answer.leaves):
        errors["joins"] = "The person joining is the person leaving."
    elif roster.canonical(answer.joins) in aboard:
        errors["joins"] = f"{answer.joins} is already on this charter."
    if errors:
        return errors, None
    return _planned(deps, result, answer.request, field="joins")


def check_time(deps: Deps, answer: TimeAnswer) -> tuple[dict[str, str], PlannedChange | None]:
    found = _charter_day(deps, answer.event_id, answer.day)
    if found is None:
        return {"charter": "That charter is no longer on the calendar that day."}, None
    result, charter = found
    errors: dict[str, str] = {}
    if charter.start <= deps.clock():
        errors["charter"] = f"{charter.guest_name}'s charter has already left."
    if answer.ends <= answer.starts:
        errors["ends"] = "It ends before it starts (a charter ends on the day it starts)."
    if errors:
        return errors, None
    return _planned(deps, result, answer.request, field="starts")


def _planned(deps: Deps, result: ReconcileResult, request: ChangeRequest, *,
             field: str) -> tuple[dict[str, str], PlannedChange | None]:
    try:
        return {}, plan_change(result, request, config=deps.config,
                               today=deps.window().start, now=deps.clock(),
                               get_event=api_event(deps.systems))
    except InputError as error:  # what the typed command would have said
        return {field: str(error)[:150]}, None


def _charter_day(deps: Deps, event_id: str,
                 day: date | None) -> tuple[ReconcileResult, Charter] | None:
    """The chosen charter, read afresh (a form is filled in over minutes): its day only
    when the form knew it, as a chat proposal reads, else the window. A day outside the
    window is no charter of the form's (nor a day to read: 9999-12-31 has no next)."""
    if day is not None and not deps.window().contains(day):
        return None
    result = deps.reconcile() if day is None else reconcile_days(
        deps.systems, deps.config, days={day}, now=deps.clock(), renderer=PageRenderer())
    want = result.desired.get(event_id) or next(
        (w for e, w in result.desired.items() if menu_value(e, limit=CHARTER_ID) == event_id),
        None)
    return (result, want.charter) if want is not None else None


def _choices(result: ReconcileResult, deps: Deps) -> tuple[CharterChoice, ...]:
    now: datetime = deps.clock()
    roster = Roster(deps.config.roster)
    return tuple(CharterChoice(event_id, want.charter, _aboard(want.charter, roster))
                 for event_id, want in sorted(result.desired.items(),
                                              key=lambda item: item[1].charter.start)
                 if want.charter.start > now)


def _aboard(charter: Charter, roster: Roster) -> tuple[str, ...]:
    names = (charter.captain, charter.mate, *charter.crew)
    return tuple(dict.fromkeys(roster.canonical(n) or n for n in names if n))


def _person(charter: Charter, role_or_person: str, roster: Roster) -> str | None:
    role = role_or_person.lower()
    if role == "captain":
        return roster.canonical(charter.captain)
    if role == "mate":
        return roster.canonical(charter.mate)
    return roster.canonical(role_or_person)


def _roster(deps: Deps) -> tuple[str, ...]:
    return tuple(m.name for m in deps.config.roster)


def _resolved(result: ReconcileResult, chosen: str, deps: Deps) -> str | None:
    from services.domain.change.resolve import resolve_charter

    if chosen not in result.desired:  # a long event id, as its menu option carries it
        chosen = next((e for e in result.desired
                       if menu_value(e, limit=CHARTER_ID) == chosen), chosen)
    try:
        return resolve_charter(chosen, result, today=deps.window().start)
    except InputError:
        return None
