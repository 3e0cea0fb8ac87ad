"""The news sentence says why each person was not told, each reason once."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from services.changes import ChangeService
from services.crew_news import tell_crew
from services.domain.change.crew_notice import Notice, one_per_person, with_event
from services.domain.config import Config
from services.reconciling import Systems
from store.audit import AuditLog
from store.database import open_engine, session_factory
from tests.handlers.slack_requests import Recorded


def test_each_reason_for_not_telling_is_named_once(tmp_path: Path) -> None:
    audit = AuditLog(session_factory(open_engine(f"sqlite:///{tmp_path / 'audit.sqlite3'}")))
    change, _ = audit.begin_change(kind="swap", event_id="danika-may31", requested_by="cli:t",
                                   source="cli", idempotency_key="k1", params={}, steps=[])
    courier = Recorded()
    news = tell_crew(change_id=change.id, event_id="danika-may31", notices=[
        Notice("Ana", "U0ANA", "On."), Notice("Zed", None, "Off.", in_roster=False),
        Notice("Gene", None, "On."), Notice("Bo", "U0BO", "Muted.", mute=True)],
        audit=audit, send=courier, source="cli")
    assert [user for user, _ in courier.sent] == ["U0ANA"]
    assert news == ("Told by direct message: Ana · Not told: Zed (not in the roster); "
                    "Gene (no slack_id in the roster)")


def test_two_changes_with_the_same_news_tell_each_person_once(tmp_path: Path) -> None:
    # Two replicas fixed one drift as two changes (they read moments apart): Ana's news
    # goes once; the second change says she was told, and the audit says by which change.
    audit = AuditLog(session_factory(open_engine(f"sqlite:///{tmp_path / 'audit.sqlite3'}")))
    first, _ = audit.begin_change(kind="fix", event_id="danika-may31", requested_by="a",
                                  source="scheduler", idempotency_key="k1", params={}, steps=[])
    second, _ = audit.begin_change(kind="fix", event_id="danika-may31", requested_by="b",
                                   source="scheduler", idempotency_key="k2", params={},
                                   steps=[])
    courier = Recorded()
    news = [tell_crew(change_id=change.id, event_id="danika-may31",
                      notices=[Notice("Ana", "U0ANA", "You're on Danika's charter.",
                                      event_id="danika-may31")],
                      audit=audit, send=courier, source="scheduler")
            for change in (first, second)]
    assert courier.sent == [("U0ANA", "You're on Danika's charter.")]
    assert news == ["Told by direct message: Ana"] * 2
    notes = [d.note for d in audit.decision_history(event="danika-may31", limit=10)
             if d.decision == "notified"]
    assert f"sent: change {first.id} told them the same a moment ago, so not sent again" \
        in notes


def test_a_message_naming_two_charters_is_not_told_again_by_a_resumed_change(
        tmp_path: Path, config: Config) -> None:
    # One fix brought Danika's and Morales' crew in line: Ana, added to both, was told
    # both in one message. Another change carrying Danika's same news (a second replica's
    # fix of that drift) crashed after its writes, before telling; resumed, it must not
    # tell Ana Danika's news a second time.
    audit = AuditLog(session_factory(open_engine(f"sqlite:///{tmp_path / 'audit.sqlite3'}")))
    danika = Notice("Ana", "U0ANA", "You're on Danika's charter on Sun May 31, as mate.")
    morales = Notice("Ana", "U0ANA", "You're on Morales' charter on Sat Jun 6, as mate.")
    courier = Recorded()
    service = ChangeService(systems=cast(Systems, None), config=config, audit=audit,
                            tell=courier)

    def crashed_before_telling(key: str, notices: list[Notice]) -> None:
        audit.begin_change(kind="fix", event_id=None, requested_by="live-sync",
                           source="scheduler", idempotency_key=key, steps=[],
                           params={"notices": [n.to_dict() for n in notices]})

    crashed_before_telling("both", one_per_person([*with_event([danika], "danika-may31"),
                                                   *with_event([morales], "morales-jun6")]))
    [told_both] = service.resume()
    assert told_both.news == "Told by direct message: Ana"
    assert courier.sent == [("U0ANA", f"{danika.text}\n{morales.text}")]
    crashed_before_telling("danika alone", one_per_person(with_event([danika], "danika-may31")))
    [resumed] = service.resume()
    assert resumed.done and courier.sent == [("U0ANA", f"{danika.text}\n{morales.text}")]
    # The other way round: told Danika's news alone first, the message naming both
    # tells only Morales' news.
    crashed_before_telling("danika again", one_per_person(with_event([danika], "danika-jun1")))
    crashed_before_telling("both again", one_per_person([*with_event([danika], "danika-jun1"),
                                                         *with_event([morales], "morales-jun7")]))
    service.resume()
    assert courier.sent[1:] == [("U0ANA", danika.text), ("U0ANA", morales.text)]
