"""When the jobs run: APScheduler in the operator's time zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from typing import Protocol

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from services import jobs
from services.deps import Deps
from services.domain.config import clock_time
from services.usecases.digest import Digest


def _daily(at: str, zone: tzinfo) -> CronTrigger:
    moment = clock_time(at)  # HH:MM, or HH:MM:SS where a minute is too coarse
    # The trigger's own zone: a CronTrigger ignores the scheduler's and would fire at
    # 07:00 on the server's clock (UTC), not the operator's.
    return CronTrigger(hour=moment.hour, minute=moment.minute, second=moment.second,
                       timezone=zone)


class OpsChannel(Protocol):
    """Where the jobs' digest and failures go (handlers/channel.py's SlackChannel)."""

    def digest(self, digest: Digest) -> object:
        ...

    def warn(self, text: str) -> None:
        ...


def build_scheduler(ops: Deps, channel: OpsChannel, *,
                    beat: Callable[[str], None] | None = None) -> BackgroundScheduler:
    """``beat``: told after each digest and nightly sync that succeeded (HEARTBEAT_URL)."""
    warn = channel.warn
    slack, sync = ops.config.slack, ops.config.sync
    scheduler = BackgroundScheduler(timezone=ops.config.tz)
    scheduler.add_job(jobs.guarded("morning digest",
                                   lambda: jobs.morning_digest(ops, channel.digest), warn,
                                   beat=beat),
                      _daily(slack.digest_at, ops.config.tz), id="digest", name="morning digest",
                      coalesce=True, misfire_grace_time=3600)
    scheduler.add_job(jobs.guarded("nightly sync", lambda: jobs.nightly_sync(ops), warn,
                                   beat=beat),
                      _daily(sync.nightly_at, ops.config.tz), id="nightly", name="nightly sync",
                      coalesce=True, misfire_grace_time=3600)
    scheduler.add_job(jobs.guarded("retry of interrupted changes",
                                   lambda: jobs.retry_interrupted(ops), warn),
                      IntervalTrigger(seconds=sync.retry_seconds), id="retry",
                      name="retry of interrupted changes", coalesce=True)
    return scheduler
