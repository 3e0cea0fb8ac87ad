"""``python -m bot``: the Slack bot, in Socket Mode when SLACK_APP_TOKEN is set, else over
HTTP at /slack/events on $PORT (default 3000) behind waitress, a production WSGI server
with limits against connections held open (bot.http_server), with /healthz and /readyz
beside it (bot.health).

SIGTERM in HTTP mode: the port closes (no new requests), the deferred work in flight gets
SHUTDOWN_GRACE_SECONDS (default 20) to finish, then a change still running stops at its
next step boundary, to be resumed by the next process; then the process exits 0."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.exc import SQLAlchemyError

from bot.config import load_config
from bot.environment import Environment, http_port, read_environment, shutdown_grace
from bot.health import Health, with_health
from bot.http_guard import SLACK_PATH, limit_body, slack_signed
from bot.logging_setup import SECRET_VARIABLES, ContextExecutor, configure_logging
from bot.scheduler import build_scheduler
from bot.slack_app import build_bot
from bot.wiring import build_sync_state, database_engine, fleet_last_synced, heartbeat_for
from common.errors import ConfigError
from handlers.channel import SlackChannel
from services.deps import Deps
from services.domain.config import Config
from services.domain.sync_health import stale_reason
from store.schema_state import schema_state

logger = logging.getLogger(__name__)


def serve(config_path: str) -> int:
    env = read_environment()
    restore_logging = configure_logging(
        log_format=env.log_format,
        secrets=[os.environ.get(name, "") for name in SECRET_VARIABLES])
    stop_changes = threading.Event()
    # The deferred work of each request runs here, in the request's logging context.
    executor = ContextExecutor(max_workers=16, thread_name_prefix="charter-work")
    try:
        # The environment's numbers first: a bad one is refused before anything is opened.
        grace = shutdown_grace(env)
        port = None if env.slack_app_token else http_port()
        config = load_config(config_path)
        app, ops = build_bot(config, env, executor=executor, stop_requested=stop_changes)
    except BaseException:
        restore_logging()  # refused to start: the process's logging is left as it was
        raise
    for resumed in ops.changes.resume():
        logger.info("resumed change %s: %s", resumed.change_id, resumed.status)

    channel = SlackChannel(app.client, config.slack.channel, all_clear=config.slack.all_clear)
    scheduler = build_scheduler(ops, channel, beat=heartbeat_for(env.heartbeat_url).beat)
    live = _add_live_sync(scheduler, ops, config, env)
    scheduler.start()
    try:
        if port is None:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            logger.info("connecting to Slack in Socket Mode")
            # A connection cut without a close frame is only noticed by unanswered pings
            # (the builtin client gives up after about 5 of them): ping every 5 s, not 10,
            # so a dropped link is replaced in about 25 s rather than 50.
            handler = SocketModeHandler(
                app, env.slack_app_token,
                ping_interval=float(env.socket_mode_ping_seconds or 5))
            signal.signal(signal.SIGTERM, _stop_serving(None))
            with contextlib.suppress(SystemExit):
                handler.start()  # returns (by SystemExit) on SIGTERM
            handler.close()  # the socket: no envelope is taken from here on
            _drain(executor, stop_changes, grace=grace)
        else:
            from slack_bolt.adapter.wsgi import SlackRequestHandler

            from bot.http_server import http_server

            health = Health(config_source=config_path, database=_database_check(env),
                            sync=_sync_check(config, env))
            slack = slack_signed(SlackRequestHandler(app, path=SLACK_PATH),
                                 signing_secret=env.slack_signing_secret or "")
            server = http_server(with_health(limit_body(live.serve(slack)), health),
                                 port=port, threads=8)
            signal.signal(signal.SIGTERM, _stop_serving(health))
            logger.info("listening for Slack on http://0.0.0.0:%d/slack/events "
                        "(and /healthz, /readyz)", port)
            server.run()  # returns on SIGTERM, once the requests being read are answered
            server.close()  # the port: nothing new is taken from here on
            _drain(executor, stop_changes, grace=grace)
    finally:
        stop_changes.set()  # a scheduled change in flight stops at its next step boundary
        scheduler.shutdown(wait=True)
        live.close()
    logger.info("stopped")
    return 0


class _LiveSync:
    """The live sync beside the Slack app: polled by the scheduler, and with
    ``calendar.push_url`` (HTTP mode only) pushed to at /calendar/notifications."""

    def __init__(self, live: Any, push: Any, config: Config) -> None:
        self._live, self._push, self._config = live, push, config
        self._coalescer: Any = None

    def serve(self, slack: Any) -> Any:
        from bot.push_http import with_notifications
        from bot.watch import start_push

        if self._push is None:
            return slack
        self._coalescer, notifications = start_push(self._live, self._push,
                                                    report=lambda _report: None)
        return with_notifications(slack, notifications)

    def close(self) -> None:
        from bot.watch import alive_within

        if self._coalescer is not None:
            self._coalescer.stop()
            self._push.leave(alive_within=alive_within(self._config))


def _add_live_sync(scheduler: BackgroundScheduler, ops: Deps, config: Config,
                   env: Environment) -> _LiveSync:
    """The live sync every ``sync.poll_seconds``, alongside the Slack app (bot/watch.py)."""
    from bot.watch import add_live_sync, build_live_sync, build_push, slack_alerts

    live = build_live_sync(ops.systems, config, env, alerts=slack_alerts(config, env),
                           changes=ops.changes)
    push = None if env.slack_app_token else build_push(live, ops.systems, config)
    if env.slack_app_token and config.calendar.push_url:
        logger.info("Socket Mode serves no HTTP: calendar.push_url is not used, polling only")
    add_live_sync(scheduler, live, seconds=config.sync.poll_seconds, push=push)
    return _LiveSync(live, push, config)


def _database_check(env: Environment) -> Callable[[], tuple[bool, str]]:
    def check() -> tuple[bool, str]:
        # The process's one engine, opened (and migrated) at start to resume the changes;
        # asked for at each probe, as one that could not be opened is tried again.
        try:
            engine = database_engine(env.database_url)
        except ConfigError as error:
            return False, f"unreachable: {error}"
        state = schema_state(env.database_url, engine=engine)
        if not state.reachable:
            return False, f"unreachable: {state.problem}"
        if not state.migrated:
            return False, f"schema at {state.current or 'nothing'}, needs {state.head}"
        return True, f"reachable and migrated ({state.head})"

    return check


def _sync_check(config: Config, env: Environment) -> Callable[[], tuple[bool, str]]:
    """Whether the calendar was checked successfully lately, by this process or another
    (the time is in the audit store): a bot that stopped syncing is not ready."""
    state = build_sync_state(env)
    started = datetime.now(UTC)

    def check() -> tuple[bool, str]:
        now = datetime.now(UTC)
        try:
            last = fleet_last_synced(state, config)
        except SQLAlchemyError as error:  # the database's own check says more
            return False, f"the last calendar check could not be read: {type(error).__name__}"
        reason = stale_reason(last, now=now, after_minutes=config.sync.stale_after_minutes,
                              tz=config.tz, never_since=started)
        if reason is not None:
            return False, reason
        return True, ("last checked " + f"{last:%Y-%m-%dT%H:%M:%SZ}" if last
                      else "not checked yet (just started)")

    return check


def _stop_serving(health: Health | None) -> Callable[[int, FrameType | None], None]:
    """SIGTERM: stop taking requests (HTTP) or envelopes (Socket Mode); the caller then
    lets the work in flight finish."""
    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        logger.info("SIGTERM: no new requests; letting the work in flight finish")
        if health is not None:
            health.stopping.set()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM ends it at once
        raise SystemExit(0)  # waitress's loop, or Socket Mode's wait, stops on it

    return on_sigterm


def _drain(executor: Executor, stop_changes: threading.Event, *, grace: float) -> None:
    """Let the deferred work finish; past ``grace`` seconds, changes stop at a step boundary."""
    waiter = threading.Thread(target=executor.shutdown, kwargs={"wait": True}, daemon=True)
    waiter.start()
    waiter.join(grace)
    if waiter.is_alive():
        logger.info("still working after %.0f s: changes stop at their next step", grace)
        stop_changes.set()
        waiter.join()
