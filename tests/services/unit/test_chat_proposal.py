"""A captain's chat message (services/usecases/chat_proposal.py) on the fakes: read as a
proposal, nothing written until an approver confirms it, then done once; someone the
roster does not know is refused and audited; small talk reads nothing."""

from __future__ import annotations

from services.deps import Deps
from services.usecases import change_request, chat_proposal
from services.usecases.chat_proposal import Proposed, Refused, Unmatched
from tests.conftest import SEED_WINDOW
from tests.services.unit.conftest import NOW, World

QUINN = "quinn-may30"


def deps_of(world: World) -> Deps:
    return Deps(systems=world.systems, config=world.config, audit=world.audit,
                changes=world.service, window=lambda: SEED_WINDOW, clock=lambda: NOW)


def test_a_captains_swap_is_proposed_then_confirmed_once(world: World) -> None:
    deps = deps_of(world)
    reply = chat_proposal.propose(deps, "Angelia can't make Saturday, Ana will cover",
                                  user_id="U0GENE")

    assert isinstance(reply, Proposed)
    planned = reply.planned
    assert planned.event_id == QUINN and planned.request.kind == "swap"
    assert world.charters()[QUINN].charter.mate == "Angelia"  # proposed only
    assert world.api.writes == world.records.writes == world.pages.writes == 0
    [decision] = world.audit.decision_history(event=QUINN)
    assert (decision.decision, decision.decided_by) == ("proposed", "U0GENE")

    done = change_request.confirm(deps, planned.request, key=planned.key,
                                  event_id=planned.event_id, user_id="U0MARCO", source="chat")
    assert done.outcome.done, done.outcome.error
    assert world.charters()[QUINN].charter.mate == "Ana"
    assert world.records.items[QUINN]["mate"] == "Ana"
    again = change_request.confirm(deps, planned.request, key=planned.key,
                                   event_id=planned.event_id, user_id="U0MARCO",
                                   source="chat")
    assert again.outcome.repeated and again.outcome.change_id == done.outcome.change_id
    assert world.api.writes == 1


def test_someone_the_roster_does_not_know_is_refused_and_audited(world: World) -> None:
    deps = deps_of(world)
    reply = chat_proposal.propose(deps, "Angelia can't make Saturday, Ana will cover",
                                  user_id="U0STRANGER")
    assert isinstance(reply, Refused)
    [decision] = world.audit.decision_history()
    assert (decision.decision, decision.decided_by) == ("refused", "U0STRANGER")
    assert world.api.writes == world.records.writes == 0


def test_small_talk_reads_nothing_and_a_day_without_a_charter_suggests_one(
        world: World) -> None:
    deps = deps_of(world)
    assert chat_proposal.propose(deps, "great sail today, thanks all", user_id="U0GENE") is None
    assert sum(world.api.calls.values()) == 0 and sum(world.records.calls.values()) == 0
    reply = chat_proposal.propose(deps, "Angelia can't make Thursday, Ana will cover",
                                  user_id="U0GENE")
    assert isinstance(reply, Unmatched) and not reply.several
    assert reply.charters and all(c.local_date != NOW.date() for c in reply.charters)
