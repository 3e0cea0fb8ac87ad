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
