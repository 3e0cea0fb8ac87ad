"""The scheduler's jobs against the sandbox: one digest a day across processes, the nightly
sync's automatic kinds and freeze window, a failing job that tells the channel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.sandbox.sandbox import Sandbox
from bot.wiring import build_change_service, build_systems
from common.errors import SourceUnavailableError
from handlers.views.digest import digest_message_list
from services import jobs
from services.deps import Deps
from services.domain.config import SlackSettings
from services.usecases.digest import Digest
from store.audit import AuditLog
from store.database import open_engine, session_factory
from tests.conftest import SEED_WINDOW


def operations(box: Sandbox, tmp_path: Path, *, auto_fix: tuple[str, ...] = (),
               clock: Callable[[], datetime] = lambda: datetime(2026, 5, 25, 14, tzinfo=UTC),
               ) -> Deps:
    config = box.config.model_copy(update={"sync": box.config.sync.model_copy(
        update={"auto_fix": auto_fix, "freeze_hours": 48})})
    systems = build_systems(config, box.env)
    audit = AuditLog(session_factory(open_engine(f"sqlite:///{tmp_path / 'audit.sqlite3'}")))
    return Deps(systems=systems, config=config, audit=audit,
                      changes=build_change_service(systems, config, audit),
                      window=lambda: SEED_WINDOW, clock=clock)


class Channel:
    """The ops channel as a person reads it: each digest as Slack would show it, and each
    job's failure."""

    def __init__(self) -> None:
        self.posted: list[dict[str, Any]] = []
        self.warnings: list[str] = []

    def digest(self, digest: Digest) -> None:
        self.posted.append(digest_message_list(digest, all_clear=True)[0])

    def warn(self, text: str) -> None:
        self.warnings.append(text)


def test_two_processes_post_one_digest_a_day(seeded: Sandbox, tmp_path: Path) -> None:
    channel = Channel()
    first, second = operations(seeded, tmp_path), operations(seeded, tmp_path)
    assert jobs.morning_digest(first, channel.digest) is True
    assert jobs.morning_digest(second, channel.digest) is False
    posted = channel.posted
    assert len(posted) == 1 and "9 discrepancies" in posted[0]["text"]
    tomorrow = operations(seeded, tmp_path,
                          clock=lambda: datetime(2026, 5, 26, 14, tzinfo=UTC))
    assert jobs.morning_digest(tomorrow, channel.digest) is True


def test_the_nightly_sync_fixes_nothing_by_default(seeded: Sandbox, tmp_path: Path) -> None:
    ops = operations(seeded, tmp_path)
    assert "none to fix automatically" in jobs.nightly_sync(ops)
    assert ops.audit.recent() == []


def test_the_nightly_sync_fixes_only_automatic_kinds_outside_the_freeze(
        seeded: Sandbox, tmp_path: Path) -> None:
    # Saturday May 30, 7:00 in San Diego: a freeze of 48 h covers the whole weekend,
    # not June 14.
    ops = operations(seeded, tmp_path, auto_fix=("RECORD_MISMATCH", "RECORD_MISSING"),
                     clock=lambda: datetime(2026, 5, 30, 14, tzinfo=UTC))
    summary = jobs.nightly_sync(ops)
    assert summary.startswith("nightly sync: 1 of 1 fixed automatically")
    left = {(str(d.kind), d.event_id) for d in ops.reconcile().discrepancies}
    assert ("RECORD_MISMATCH", "paola-jun14") not in left
    assert ("RECORD_MISSING", "quinn-may30") in left  # inside the freeze window
    assert ("RECORD_MISMATCH", "danika-may31") in left
    [change] = ops.audit.recent()
    assert (change.source, change.requested_by) == ("scheduler", "scheduler")


def test_the_nightly_sync_runs_once_a_day_across_replicas(seeded: Sandbox,
                                                          tmp_path: Path) -> None:
    # Two replicas on one audit store: the second to fire neither reads nor fixes (it
    # would see what the first had not fixed yet as a second change and tell the crew
    # again); the next day it runs.
    clock = lambda: datetime(2026, 5, 30, 14, tzinfo=UTC)  # noqa: E731
    first = operations(seeded, tmp_path, auto_fix=("RECORD_MISMATCH", "RECORD_MISSING"),
                       clock=clock)
    second = operations(seeded, tmp_path, auto_fix=("RECORD_MISMATCH", "RECORD_MISSING"),
                        clock=clock)
    assert jobs.nightly_sync(first).startswith("nightly sync: 1 of 1 fixed")
    assert jobs.nightly_sync(second) == \
        "nightly sync: already run for 2026-05-30 by another process"
    assert len(first.audit.recent()) == 1
    tomorrow = operations(seeded, tmp_path, clock=lambda: datetime(2026, 5, 31, 14, tzinfo=UTC))
    assert "none to fix automatically" in jobs.nightly_sync(tomorrow)


def test_a_failing_job_tells_the_channel_and_does_not_raise() -> None:
    posted: list[str] = []

    def outage() -> None:
        raise SourceUnavailableError("DynamoDB table jada-charter-events could not be read")

    def bug() -> None:
        raise KeyError("boom")

    jobs.guarded("morning digest", outage, posted.append)()
    jobs.guarded("nightly sync", bug, posted.append)()
    assert "The morning digest could not run: DynamoDB table" in posted[0]
    assert "nightly sync failed unexpectedly" in posted[1]


def next_runs(ops: Deps, after: datetime) -> dict[str, datetime]:
    from bot.scheduler import build_scheduler

    scheduler = build_scheduler(ops, Channel())
    return {job.id: job.trigger.get_next_fire_time(None, after)
            for job in scheduler.get_jobs()}


def retry_gap(ops: Deps) -> timedelta:
    """The time between two runs of the retry job."""
    from bot.scheduler import build_scheduler

    [trigger] = [job.trigger for job in build_scheduler(ops, Channel()).get_jobs()
                 if job.id == "retry"]
    first = trigger.get_next_fire_time(None, datetime.now(UTC))
    return trigger.get_next_fire_time(first, first) - first


def test_the_scheduler_plans_the_three_jobs_in_local_time(seeded: Sandbox,
                                                          tmp_path: Path) -> None:
    # In the operator's zone, whatever the server's clock says (UTC on most servers).
    local = datetime(2026, 5, 25, 12, tzinfo=seeded.config.tz)
    runs = next_runs(operations(seeded, tmp_path), local)
    assert set(runs) == {"digest", "nightly", "retry"}
    assert runs["digest"] == local.replace(day=26, hour=7)
    assert runs["nightly"] == local.replace(day=26, hour=2)
    assert retry_gap(operations(seeded, tmp_path)) == timedelta(minutes=10)


def test_the_retry_runs_as_often_as_app_yaml_says(seeded: Sandbox, tmp_path: Path) -> None:
    ops = operations(seeded, tmp_path)
    config = ops.config.model_copy(update={
        "sync": ops.config.sync.model_copy(update={"retry_seconds": 5})})
    assert retry_gap(replace(ops, config=config)) == timedelta(seconds=5)


def test_a_time_given_to_the_second_is_kept_to_the_second(seeded: Sandbox,
                                                          tmp_path: Path) -> None:
    ops = operations(seeded, tmp_path)
    config = ops.config.model_copy(update={
        "slack": SlackSettings(digest_at="07:00:30"),
        "sync": ops.config.sync.model_copy(update={"nightly_at": "12:00:05"})})
    local = datetime(2026, 5, 25, 12, tzinfo=seeded.config.tz)
    runs = next_runs(replace(ops, config=config), local)
    assert runs["digest"] == local.replace(day=26, hour=7, second=30)
    assert runs["nightly"] == local.replace(second=5)  # five seconds from now, not tomorrow
