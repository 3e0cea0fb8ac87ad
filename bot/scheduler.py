"""When the jobs run: APScheduler in the operator's time zone."""

from __future__ import annotations

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from services import jobs
from services.operations import Operations


def build_scheduler(ops: Operations, post: jobs.Post) -> BackgroundScheduler:
    slack, sync = ops.config.slack, ops.config.sync
    scheduler = BackgroundScheduler(timezone=ops.config.tz)
    digest_h, digest_m = slack.digest_at.split(":")
    nightly_h, nightly_m = sync.nightly_at.split(":")
    scheduler.add_job(jobs.guarded("morning digest", lambda: jobs.morning_digest(ops, post),
                                   post),
                      # The trigger's own zone: a CronTrigger ignores the scheduler's and
                      # would fire at 07:00 on the server's clock (UTC), not the operator's.
                      CronTrigger(hour=int(digest_h), minute=int(digest_m),
                                  timezone=ops.config.tz), id="digest",
                      coalesce=True, misfire_grace_time=3600)
    scheduler.add_job(jobs.guarded("nightly sync", lambda: jobs.nightly_sync(ops), post),
                      CronTrigger(hour=int(nightly_h), minute=int(nightly_m),
                                  timezone=ops.config.tz), id="nightly",
                      coalesce=True, misfire_grace_time=3600)
    scheduler.add_job(jobs.guarded("retry of interrupted changes",
                                   lambda: jobs.retry_interrupted(ops), post),
                      IntervalTrigger(minutes=10), id="retry", coalesce=True)
    return scheduler
