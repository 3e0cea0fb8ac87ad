"""``python -m bot watch [--once]``: the live sync in the foreground, and its wiring.

``--once`` does one incremental check and exits 0 (nothing to do, or all handled),
2 (alerts left for a person) or 1 (an error, said on stderr). Without it, a check
every ``sync.poll_seconds``, each change handled printed; a failed check is logged
and the next one tried (a calendar outage must not end the watch).
``python -m bot`` runs the same check from its scheduler (``add_live_sync``).
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.environment import Environment, http_port
from bot.push_http import PATH, Wsgi, notifications_app
from bot.wiring import (
    build_audit,
    build_change_service,
    build_sync_state,
    direct_messages,
    heartbeat_for,
    slack_client,
)
from common.errors import CharterOpsError
from handlers.channel import SlackAlerts
from services.changes import ChangeService
from services.domain.config import Config
from services.live_sync import AlertSink, CheckReport, LiveSync
from services.push import Coalescer, FleetPush, PushChannels
from services.reconciling import Systems

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_ERROR, EXIT_ALERTS = 0, 1, 2


def slack_alerts(config: Config, env: Environment) -> AlertSink | None:
    """Slack when a bot token is set; None otherwise (the alerts are then only printed)."""
    client = slack_client(env)
    return SlackAlerts(client, config.slack.channel) if client is not None else None


def build_live_sync(systems: Systems, config: Config, env: Environment, *,
                    alerts: AlertSink | None, changes: ChangeService | None = None
                    ) -> LiveSync:
    """``changes``: the Slack app's own change service, beside it (its fixes tell the crew
    and refresh the Homes as any change does); a new one for ``watch`` alone."""
    return LiveSync(systems=systems, config=config, state=build_sync_state(env),
                    changes=changes or build_change_service(systems, config, build_audit(env),
                                                            tell=direct_messages(env)),
                    alerts=alerts, heartbeat=heartbeat_for(env.heartbeat_url).beat)


def build_push(live: LiveSync, systems: Systems, config: Config
               ) -> PushChannels | FleetPush | None:
    """The push channel of ``calendar.push_url`` (a fleet: one per boat's calendar, each
    under its own row and lease); None when the bot polls only."""
    if not config.calendar.push_url:
        return None
    try:
        apis = [(boat, live.api_for(boat)) for boat in config.boats]
    except CharterOpsError as error:  # no Calendar API credentials: only the feed
        logger.warning("calendar.push_url is set but %s; not pushed to", error)
        return None
    channels = [PushChannels(api=api, state=live.state, calendar_id=boat.calendar_id,
                             address=config.calendar.push_url, runner_id=live.runner_id)
                for boat, api in apis]
    return channels[0] if len(channels) == 1 else FleetPush(channels)


def alive_within(config: Config) -> timedelta:
    # A process that has not checked for three poll intervals is taken to be gone.
    return timedelta(seconds=3 * config.sync.poll_seconds)


def start_push(live: LiveSync, push: PushChannels | FleetPush, *,
               report: Callable[[CheckReport], None]
               ) -> tuple[Coalescer, Wsgi]:
    """The channel registered (or reused), the coalescer running, and the WSGI app of
    POST /calendar/notifications. A channel that cannot be registered now is logged: the
    polling goes on, and the next poll tries again."""
    try:
        push.ensure()
    except CharterOpsError as error:
        logger.warning("calendar push not set up (polling meanwhile): %s", error)
    # Renewed when the expiry Google granted says, which may come before the next poll.
    push.keep_renewed()

    def check() -> None:
        done = live.check()
        if done.read == "busy":
            # Another process holds the read, maybe from before this change: try again
            # shortly rather than wait for the next poll.
            coalescer.poke()
        report(done)

    coalescer = Coalescer(check).start()
    return coalescer, notifications_app(push, coalescer)


def run_watch(live: LiveSync, config: Config, *, once: bool,
              stop: threading.Event | None = None,
              push: PushChannels | FleetPush | None = None) -> int:
    if once:
        report = live.check()
        _print(report, always=True)
        if report.failed:
            # A fleet's boat not checked is an error, as one calendar failing is.
            print(f"error: not checked: {', '.join(report.failed)}", file=sys.stderr)
            return EXIT_ERROR
        return EXIT_ALERTS if report.left_for_people else EXIT_OK
    stop = stop or threading.Event()
    server = coalescer = None
    if push is not None:
        coalescer, app = start_push(live, push, report=lambda r: _print(r, always=False))
        server = _serve_in_thread(app)
    print(f"watching the calendar every {config.sync.poll_seconds} s"
          + (f", and on every push to {config.calendar.push_url}" if push else "")
          + " (Ctrl-C to stop)", flush=True)
    try:
        while not stop.is_set():
            try:
                if push is not None:
                    push.ensure()  # renewed before it expires; a store read otherwise
                _print(live.check(), always=False)
            except CharterOpsError as error:
                print(f"error: {error} (trying again in {config.sync.poll_seconds} s)",
                      file=sys.stderr, flush=True)
            stop.wait(config.sync.poll_seconds)
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            server.close()
        if coalescer is not None:
            coalescer.stop()
        if push is not None:
            push.leave(alive_within=alive_within(config))
    return EXIT_OK


def _serve_in_thread(app: Wsgi) -> Any:
    """POST /calendar/notifications on $PORT (default 3000), as the Slack app serves."""
    from bot.http_guard import limit_body
    from bot.http_server import http_server

    port = http_port()
    server = http_server(limit_body(app), port=port, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    logger.info("listening for calendar notifications on http://0.0.0.0:%d%s", port, PATH)
    return server


def _print(report: CheckReport, *, always: bool) -> None:
    # Polling prints only what happened; an idle minute says nothing.
    if always or report.changed or report.alerts or report.read in ("first", "full"):
        print("\n".join(report.lines()), flush=True)


def add_live_sync(scheduler: BaseScheduler, live: LiveSync, *, seconds: int,
                  push: PushChannels | FleetPush | None = None) -> None:
    """The live sync as one of ``python -m bot``'s scheduler jobs: never two at once."""

    def job() -> None:
        try:
            if push is not None:
                push.ensure()
            report = live.check()
        except CharterOpsError as error:
            # Every minute: a calendar outage is logged, not posted each time.
            logger.warning("live sync check failed: %s", error)
            return
        if report.changed or report.alerts:
            for line in report.lines():
                logger.info("live sync: %s", line)

    scheduler.add_job(job, IntervalTrigger(seconds=seconds), id="live_sync", coalesce=True,
                      max_instances=1)
