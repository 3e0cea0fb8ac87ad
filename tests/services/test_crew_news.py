"""The news sentence says why each person was not told, each reason once."""

from __future__ import annotations

from pathlib import Path

from services.crew_news import tell_crew
from services.domain.change.crew_notice import Notice
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
