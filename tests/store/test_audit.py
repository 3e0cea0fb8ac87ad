"""The audit store on SQLite and on PostgreSQL (127.0.0.1:5432, database test)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from common.notices import FAILED as REFUSED
from common.notices import NOT_CONFIRMED, SENT
from store.audit import DONE, FAILED, PENDING, AuditLog, Lease, PlannedStep
from store.database import migrate, open_engine, session_factory
from store.notices import NoticeLog
from tests.databases import PG_URL, postgres_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def audit(request: pytest.FixtureRequest, tmp_path) -> Iterator[AuditLog]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        engine = open_engine(f"sqlite:///{tmp_path / 'audit.sqlite3'}")
        yield AuditLog(session_factory(engine))
        engine.dispose()
        return
    schemas = postgres_schema()
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


def lease(name: str, minutes: int = 5) -> Lease:
    return Lease(owner=name, ttl=timedelta(minutes=minutes))


def test_a_change_is_recorded_already_claimed_by_the_runner_that_made_it(
        audit: AuditLog) -> None:
    change, _ = audit.begin_change(kind="swap", event_id="danika-may31", requested_by="U0GENE",
                                   source="slash", idempotency_key="k", params={},
                                   steps=STEPS, lease=lease("first"))
    assert not audit.claim(change.id, lease("second"))
    assert audit.renew(change.id, lease("first"))
    audit.finish(change.id, status=FAILED, error="outage")  # finishing gives the lease up
    assert audit.claim(change.id, lease("second"))
    assert not audit.renew(change.id, lease("first"))


def test_a_lease_is_taken_over_once_expired_or_when_its_holder_is_dead(
        audit: AuditLog) -> None:
    change, _ = begin(audit)
    assert audit.claim(change.id, lease("first", minutes=5))
    assert not audit.claim(change.id, lease("second"))
    assert audit.claim(change.id, lease("second"), owner_is_dead=lambda o: o == "first")
    later = AuditLog(audit._sessions, clock=lambda: datetime.now(UTC) + timedelta(minutes=6))
    assert later.claim(change.id, lease("third"))  # second's lease ran out
    assert not audit.renew(change.id, lease("second"))


def test_a_finished_change_cannot_be_claimed(audit: AuditLog) -> None:
    change, _ = begin(audit)
    audit.finish(change.id, status=DONE)
    assert not audit.claim(change.id, lease("late"))


def test_of_many_runners_claiming_at_once_exactly_one_wins(audit: AuditLog) -> None:
    change, _ = begin(audit)
    start = threading.Barrier(8)

    def claim(n: int) -> bool:
        start.wait()
        return audit.claim(change.id, lease(f"runner-{n}"))

    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(claim, range(8)))
    assert won.count(True) == 1


def test_the_same_words_find_their_latest_change(audit: AuditLog) -> None:
    first, _ = audit.begin_change(kind="swap", event_id="danika-may31", requested_by="U0GENE",
                                  source="cli", idempotency_key="k1", params={}, steps=STEPS,
                                  request_key="request-abc")
    assert audit.latest_for_request("request-abc").id == first.id  # type: ignore[union-attr]
    assert audit.latest_for_request("request-other") is None


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


def test_a_crew_message_not_confirmed_is_taken_over_by_one_process_at_a_time(
        audit: AuditLog) -> None:
    change, _ = begin(audit)
    log = NoticeLog(audit.sessions)
    assert log.claim(change_id=change.id, slack_id="U0ANA", text="On.")
    assert not log.claim(change_id=change.id, slack_id="U0ANA", text="On.")
    [waiting] = log.deliveries([change.id])[change.id].values()
    assert waiting.state == NOT_CONFIRMED
    # Still on the wire, for all anyone knows: not taken over before it is idle.
    assert not log.take_over(waiting, idle_for=timedelta(minutes=2))
    with ThreadPoolExecutor(max_workers=4) as pool:  # four retries at once: one takes it
        taken = list(pool.map(lambda _: log.take_over(waiting), range(4)))
    assert taken.count(True) == 1
    log.confirm(change_id=change.id, slack_id="U0ANA", ts="1700000000.000001")
    log.claim(change_id=change.id, slack_id="U0BO", text="On.")
    log.fail(change_id=change.id, slack_id="U0BO", error="Slack answered channel_not_found")
    found = log.deliveries([change.id])[change.id]
    assert {k: d.state for k, d in found.items()} == {"U0ANA": SENT, "U0BO": REFUSED}
    assert not log.take_over(found["U0ANA"])
    assert [d.slack_id for d in log.unsettled(since=datetime.now(UTC) - timedelta(days=1))] \
        == ["U0BO"]


def test_the_same_news_from_two_changes_is_told_once_and_news_in_between_is_not_lost(
        audit: AuditLog) -> None:
    first, _ = begin(audit, "k-first")
    second, _ = begin(audit, "k-second")
    third, _ = begin(audit, "k-third")
    log = NoticeLog(audit.sessions)
    on, off = "You're on Danika's charter.", "You're no longer on Danika's charter."

    def told(change: str, text: str, event: str = "danika-may31") -> str | None:
        return log.told_by_another(change_id=change, slack_id="U0ANA", event_id=event,
                                   text=text)

    assert told(first.id, on) is None  # the first to tell: it sends
    assert told(first.id, on) is None  # its own retry still sends (looks first)
    assert told(second.id, on) == first.id  # the same news a moment later: not again
    assert told(second.id, on, event="paola-jun14") is None  # another charter's news
    assert told(second.id, off) is None  # news in between ...
    assert told(third.id, on) is None  # ... so "on" again is new: it is sent
    # A message Slack refused does not stand in for another change's.
    log.claim(change_id=third.id, slack_id="U0BO", text=on)
    log.fail(change_id=third.id, slack_id="U0BO", error="channel_not_found")
    assert log.told_by_another(change_id=third.id, slack_id="U0BO", event_id="e",
                               text=on) is None
    assert log.told_by_another(change_id=first.id, slack_id="U0BO", event_id="e",
                               text=on) is None


def test_two_changes_telling_the_same_news_at_once_send_it_once(audit: AuditLog) -> None:
    changes = [begin(audit, f"k-{n}")[0].id for n in range(6)]
    log = NoticeLog(audit.sessions)
    with ThreadPoolExecutor(max_workers=6) as pool:
        others = list(pool.map(lambda change: log.told_by_another(
            change_id=change, slack_id="U0ANA", event_id="danika-may31", text="On."),
            changes))
    assert others.count(None) == 1, others
    sender = changes[others.index(None)]
    assert {other for other in others if other is not None} == {sender}
