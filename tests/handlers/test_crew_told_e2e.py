"""The crew is told when a change lands: a direct message per affected person, once,
counted at the Slack fake (chat.postMessage to each user id)."""

from __future__ import annotations

from collections import Counter

from slack_bolt import App

from bot.sandbox.slack_fake import SlackFake
from bot.wiring import build_change_service
from services.crew_news import tell_crew
from services.deps import Deps
from services.domain.change.crew_notice import Notice
from services.domain.config import Config
from tests.handlers.slack_requests import (
    Recorded,
    dms,
    plan_and_confirm,
    texts,
)


def test_a_swap_tells_the_added_and_the_removed_person_once(
        bot: tuple[App, Deps], slack: SlackFake) -> None:
    app, ops = bot
    replies = plan_and_confirm(app, slack, "swap danika Ana Tess", clicks=2)
    assert "*done*" in replies[0]["text"]
    assert "Told by direct message: Tess, Ana" in replies[0]["text"]
    assert "second click" in replies[1]["text"]
    assert dms(slack) == Counter({"U0TESS": 1, "U0ANA": 1})
    [added] = texts(slack, "U0TESS")
    assert added == ("You're on Danika's charter on Sun May 31, 15:00–19:00, as mate, at "
                     "Harbor Island West Marina, Dock B. Also aboard: captain Gene, crew Bo.")
    assert texts(slack, "U0ANA") == ["You're no longer on Danika's charter on Sun May 31, "
                                     "15:00–19:00 (mate): Tess takes over."]
    told = [d for d in ops.audit.decision_history(event="danika-may31")
            if d.decision == "notified"]
    assert sorted(d.subject for d in told) == ["message to Ana", "message to Tess"]


def test_a_time_change_tells_everyone_aboard_unless_they_asked_not_to_be(
        bot: tuple[App, Deps], slack: SlackFake) -> None:
    app, ops = bot
    settings = ops.config.model_dump()
    for member in settings["crew"]:
        member.update({"Bo": {"notify": False}, "Gene": {"slack_id": None}}.get(
            member["name"], {}))
    ops.config = Config.model_validate(settings)  # validated afresh: its roster too
    # One config per process: the change service (which tells the crew) reads it too.
    ops.changes = build_change_service(ops.systems, ops.config, ops.audit,
                                       tell=ops.changes.tell)
    [reply] = plan_and_confirm(app, slack, "time danika 4pm-8pm")
    assert "Told by direct message: Ana" in reply["text"]
    assert "Not told: Gene (no slack_id in the roster)" in reply["text"]
    assert dms(slack) == Counter({"U0ANA": 1})  # Bo said notify: false; Gene has no id
    assert texts(slack, "U0ANA") == ["Danika's charter on Sun May 31 now runs 16:00–20:00 "
                                     "(was 15:00–19:00), at Harbor Island West Marina, Dock B."]


def test_the_same_change_never_tells_anyone_twice(bot: tuple[App, Deps],
                                                  slack: SlackFake) -> None:
    # A resumed change or a second replica sending the news again: the store says no.
    app, ops = bot
    plan_and_confirm(app, slack, "swap danika Ana Tess")
    [change] = ops.audit.recent()
    courier = Recorded()
    again = tell_crew(change_id=change.id, event_id="danika-may31",
                      notices=[Notice.from_dict(n) for n in change.params["notices"]],
                      audit=ops.audit, send=courier,
                      source="slash")
    assert courier.sent == [] and again == ""
    assert dms(slack) == Counter({"U0TESS": 1, "U0ANA": 1})
