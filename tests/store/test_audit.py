"""The audit store on SQLite and on PostgreSQL (127.0.0.1:5432, database test)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from store.audit import DONE, PENDING, AuditLog, PlannedStep
from store.database import migrate, open_engine, session_factory

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _postgres_schema() -> Iterator[str]:
    """A throwaway schema in the test database, so runs never see each other's rows."""
    admin = create_engine(PG_URL)
    try:
        with admin.connect() as probe:
            probe.execute(text("select 1"))
    except OperationalError as error:
        pytest.skip(f"no PostgreSQL answers at {PG_URL} ({error.orig})")
    schema = "audit_" + uuid.uuid4().hex[:10]
    with admin.begin() as connection:
        connection.execute(text(f"create schema {schema}"))
    try:
        yield schema
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"drop schema {schema} cascade"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def audit(request: pytest.FixtureRequest, tmp_path) -> Iterator[AuditLog]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        engine = open_engine(f"sqlite:///{tmp_path / 'audit.sqlite3'}")
        yield AuditLog(session_factory(engine))
        engine.dispose()
        return
    schemas = _postgres_schema()
    schema = next(schemas)
    engine = create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    migrate(engine)
    yield AuditLog(session_factory(engine))
    engine.dispose()
    next(schemas, None)


STEPS = [PlannedStep("calendar", "patch_event", "evtdanika", {"mate": "Angelia"}, {"mate": "Ana"}),
         PlannedStep("dynamodb", "update_record", "danika-may31"),
         PlannedStep("page", "put_page", "charters/guests/danika-guest.html"),
         PlannedStep("cdn", "invalidate", "/charters/guests/danika-guest.html")]


def begin(audit: AuditLog, key: str = "slack:T1:123.456"):  # type: ignore[no-untyped-def]
    return audit.begin_change(kind="swap", event_id="danika-may31", requested_by="U0GENE",
                              source="slash", idempotency_key=key,
                              params={"role": "mate", "new": "Ana"}, steps=STEPS)


def test_a_change_and_its_plan_are_recorded_before_any_write(audit: AuditLog) -> None:
    change, created = begin(audit)
    assert created
    stored = audit.get(change.id)
    assert stored is not None
    assert stored.status == PENDING
    assert [s.system for s in stored.steps] == ["calendar", "dynamodb", "page", "cdn"]
    assert stored.steps[0].before == {"mate": "Angelia"}
    assert all(s.status == PENDING for s in stored.steps)


def test_the_same_request_twice_is_one_change(audit: AuditLog) -> None:
    first, _ = begin(audit)
    second, created = begin(audit)
    assert not created
    assert second.id == first.id
    assert len(audit.recent()) == 1


def test_an_interrupted_change_is_found_with_the_step_it_stopped_at(audit: AuditLog) -> None:
    change, _ = begin(audit)
    audit.step_finished(change.id, 1, status=DONE, after={"etag": '"2"'})
    [unfinished] = audit.unfinished()
    assert unfinished.id == change.id
    assert [s.status for s in unfinished.steps] == [DONE, PENDING, PENDING, PENDING]
    for seq in (2, 3, 4):
        audit.step_finished(change.id, seq, status=DONE)
    audit.finish(change.id, status=DONE)
    assert audit.unfinished() == []
    assert audit.get(change.id).status == DONE  # type: ignore[union-attr]


def test_recent_filters_by_charter(audit: AuditLog) -> None:
    begin(audit, "k1")
    audit.begin_change(kind="time", event_id="quinn-may30", requested_by="U0ANA", source="cli",
                       idempotency_key="k2", params={}, steps=[])
    assert [c.event_id for c in audit.recent(event_id="quinn-may30")] == ["quinn-may30"]


def test_one_digest_a_day_across_processes(audit: AuditLog) -> None:
    assert audit.claim_digest(day="2026-05-30", channel="#charter-ops", discrepancy_count=9)
    assert not audit.claim_digest(day="2026-05-30", channel="#charter-ops", discrepancy_count=9)
    assert audit.claim_digest(day="2026-05-31", channel="#charter-ops", discrepancy_count=0)


def test_an_unknown_source_is_refused(audit: AuditLog) -> None:
    with pytest.raises(ValueError, match="unknown source"):
        audit.begin_change(kind="swap", event_id=None, requested_by="x", source="email",
                           idempotency_key="k", params={}, steps=[])
    assert audit.recent() == []


def test_decisions_are_found_by_charter_and_by_person_newest_first(audit: AuditLog) -> None:
    change, _ = begin(audit)
    audit.log_decision(subject="all", decision="refused", decided_by="U0NOBODY",
                       source="digest", summary="approve all", note="not an approver")
    audit.log_decision(subject="danika-may31:mate:abc", decision="approved",
                       decided_by="U0123ABCD", source="digest", event_id="danika-may31",
                       summary="mate", change_id=change.id, note="applied")
    audit.log_decision(subject="/charter swap quinn-may30 Angelia Ana", decision="proposed",
                       decided_by="U0GENE", source="chat", event_id="quinn-may30")
    danika = audit.decision_history(event="danika")
    assert [(d.decision, d.change_id) for d in danika] == [("approved", change.id)]
    assert [d.decision for d in audit.decision_history(actors=["U0NOBODY", "U0GENE"])] == [
        "proposed", "refused"]
    assert audit.decision_history(event="dan") == []  # a guest prefix, not any prefix
    assert [c.id for c in audit.change_history(event="danika", actors=["U0GENE"])] == [
        change.id]
    assert audit.change_history(actors=["U0ANA"]) == []


def test_a_slack_event_is_claimed_once_across_processes(audit: AuditLog) -> None:
    assert audit.claim_event("Ev123", retry_num=None)
    assert not audit.claim_event("Ev123", retry_num=1)
    assert audit.claim_event("Ev456")


def test_old_event_ids_are_forgotten_after_the_retention(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta

    now = [datetime(2026, 5, 30, 8, 0, tzinfo=UTC)]
    engine = open_engine(f"sqlite:///{tmp_path / 'events.sqlite3'}")
    audit = AuditLog(session_factory(engine), clock=lambda: now[0])
    assert audit.claim_event("Ev1", keep=timedelta(hours=1))
    now[0] += timedelta(minutes=30)  # within Slack's retries: still remembered
    assert not audit.claim_event("Ev1", keep=timedelta(hours=1))
    now[0] += timedelta(hours=2)
    assert audit.claim_event("Ev1", keep=timedelta(hours=1))


def test_a_store_from_before_0003_keeps_its_decisions_when_upgraded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from alembic import command
    from alembic.config import Config as AlembicConfig

    from store.database import _MIGRATIONS

    engine = create_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    settings = AlembicConfig()
    settings.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as connection:
        settings.attributes["connection"] = connection
        command.upgrade(settings, "0001")
        connection.execute(text(
            "insert into decisions (discrepancy_id, decision, decided_by, source, decided_at) "
            "values ('all', 'refused', 'U0NOBODY', 'digest', '2026-05-30 08:00:00')"))
    migrate(engine)
    [old] = AuditLog(session_factory(engine)).decision_history()
    assert (old.subject, old.decision, old.event_id, old.summary) == (
        "all", "refused", None, None)
