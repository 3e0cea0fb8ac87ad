"""The live sync's token and lease in the audit store: one reader at a time, the token
moved only by its lease's holder, and a dead holder's lease taken over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from store.audit import AuditLog
from store.database import open_engine, session_factory
from store.leases import Lease
from store.sync_state import PostedAlert, SyncState

CAL = "cal@example.com"
TTL = timedelta(minutes=2)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 5, 30, 12, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sessions(tmp_path):  # type: ignore[no-untyped-def]
    return session_factory(open_engine(f"sqlite:///{tmp_path / 'a.sqlite3'}"))


@pytest.fixture
def state(sessions, clock: Clock) -> SyncState:  # type: ignore[no-untyped-def]
    return SyncState(sessions, clock=clock)


def test_a_second_reader_waits_for_the_first(state: SyncState) -> None:
    first, second = Lease("first", TTL), Lease("second", TTL)
    claim = state.claim(CAL, first)
    assert claim is not None and claim.token is None
    assert state.claim(CAL, second) is None
    assert state.advance(CAL, first, token="s1")
    taken = state.claim(CAL, second)
    assert taken is not None and taken.token == "s1"


def test_only_the_holder_moves_the_token(state: SyncState, clock: Clock) -> None:
    first, second = Lease("first", TTL), Lease("second", TTL)
    state.claim(CAL, first)
    clock.now += TTL + timedelta(seconds=1)  # the first holder stalled past its lease
    assert state.claim(CAL, second) is not None
    assert not state.advance(CAL, first, token="forked")
    assert state.token(CAL) is None
    assert state.advance(CAL, second, token="s2") and state.token(CAL) == "s2"


def test_a_dead_holders_lease_is_taken_at_once_and_its_token_kept(state: SyncState) -> None:
    state.claim(CAL, Lease("first", TTL))
    state.advance(CAL, Lease("first", TTL), token="s1")
    state.claim(CAL, Lease("crashed", TTL))  # read, then died before advancing
    claim = state.claim(CAL, Lease("next", TTL), owner_is_dead=lambda o: o == "crashed")
    assert claim is not None and claim.token == "s1"


def test_a_renewed_lease_outlives_its_ttl_and_a_taken_over_one_is_not_renewed(
        state: SyncState, clock: Clock) -> None:
    first, second = Lease("first", TTL), Lease("second", TTL)
    state.claim(CAL, first)
    for _ in range(3):  # a long check, renewing as it goes
        clock.now += TTL * 0.7
        assert state.renew(CAL, first)
        assert state.claim(CAL, second) is None
    clock.now += TTL + timedelta(seconds=1)  # stalled past its lease: taken over
    assert state.claim(CAL, second) is not None
    assert not state.renew(CAL, first)
    assert state.claim(CAL, first) is None  # the second holds it, renewed or not


def test_a_charters_alert_is_open_until_a_person_decides_on_what_it_shows(
        state: SyncState, sessions, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    audit = AuditLog(sessions, clock=clock)
    decide = lambda subject, what: audit.log_decision(  # noqa: E731
        subject=subject, decision=what, decided_by="U1", source="digest")
    decide("danika-may31:startTime:aaa", "dismissed")  # an older digest's, not this alert's
    clock.now += timedelta(minutes=1)
    state.remember_alert(event_id="danika-may31", discrepancy_ids=["danika-may31:startTime:aaa"],
                         channel="C1", message_ts="1.1")
    assert state.open_alert("danika-may31") == PostedAlert("C1", "1.1")
    clock.now += timedelta(minutes=1)  # a second drift rewrote it
    state.remember_alert(event_id="danika-may31", discrepancy_ids=["danika-may31:startTime:bbb"],
                         channel="C1", message_ts="1.1")
    assert state.open_alert("danika-may31") == PostedAlert("C1", "1.1")
    assert state.open_alert("paola-may30") is None
    clock.now += timedelta(minutes=1)
    decide("danika-may31:startTime:bbb", "approved")
    assert state.open_alert("danika-may31") is None
    # A new message for the next drift; dismissed as a whole charter (its event id) closes it.
    clock.now += timedelta(minutes=1)
    state.remember_alert(event_id="danika-may31", discrepancy_ids=["danika-may31:startTime:ccc"],
                         channel="C1", message_ts="2.2")
    assert state.open_alert("danika-may31") == PostedAlert("C1", "2.2")
    clock.now += timedelta(minutes=1)
    decide("danika-may31", "dismissed")
    assert state.open_alert("danika-may31") is None
    # Posted only to say what was fixed: nothing waits for a person.
    state.remember_alert(event_id="paola-may30", discrepancy_ids=["paola-may30:crew:ddd"],
                         channel="C1", message_ts="3.3", needs_person=False)
    assert state.open_alert("paola-may30") is None
