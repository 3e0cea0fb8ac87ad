"""``python -m bot``: the Slack bot, in Socket Mode when SLACK_APP_TOKEN is set, else over
HTTP at /slack/events on $PORT (default 3000) behind waitress, a production WSGI server."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from slack_bolt import App

from bot.config import load_config
from bot.environment import Environment, read_environment
from bot.scheduler import build_scheduler
from bot.slack_app import build_app
from bot.wiring import build_audit, build_change_service, build_systems
from common.errors import ConfigError
from services.domain.config import Config
from services.operations import Operations
from services.reconciling import default_window

logger = logging.getLogger(__name__)


def build_operations(config: Config, env: Environment) -> Operations:
    systems = build_systems(config, env)
    audit = build_audit(env)
    return Operations(systems=systems, config=config, audit=audit,
                      changes=build_change_service(systems, config, audit),
                      window=lambda: default_window(config, now=datetime.now(UTC)),
                      clock=lambda: datetime.now(UTC))


def build_bot(config: Config, env: Environment) -> tuple[App, Operations]:
    if not env.slack_bot_token:
        raise ConfigError("SLACK_BOT_TOKEN is not set (the bot token, xoxb-...)")
    if not env.slack_signing_secret and not env.slack_app_token:
        raise ConfigError("SLACK_SIGNING_SECRET is not set (needed to verify HTTP requests)")
    ops = build_operations(config, env)
    app = build_app(ops, token=env.slack_bot_token,
                    signing_secret=env.slack_signing_secret or "socket-mode-unused",
                    api_url=env.slack_api_url)
    return app, ops


def serve(config_path: str) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: "
                                                   "%(message)s")
    config = load_config(config_path)
    env = read_environment()
    app, ops = build_bot(config, env)
    for resumed in ops.changes.resume():
        logger.info("resumed change %s: %s", resumed.change_id, resumed.status)

    def post(message: dict) -> None:
        app.client.chat_postMessage(channel=config.slack.channel, **message)

    scheduler = build_scheduler(ops, post)
    live = _add_live_sync(scheduler, ops, config, env)
    scheduler.start()
    try:
        if env.slack_app_token:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            logger.info("connecting to Slack in Socket Mode")
            # A connection cut without a close frame is only noticed by unanswered pings
            # (the builtin client gives up after about 5 of them): ping every 5 s, not 10,
            # so a dropped link is replaced in about 25 s rather than 50.
            SocketModeHandler(app, env.slack_app_token, ping_interval=5).start()
        else:
            import waitress
            from slack_bolt.adapter.wsgi import SlackRequestHandler

            port = int(os.environ.get("PORT", "3000"))
            logger.info("listening for Slack on http://0.0.0.0:%d/slack/events", port)
            waitress.serve(live.serve(SlackRequestHandler(app, path="/slack/events")),
                           host="0.0.0.0", port=port, threads=8)
    finally:
        scheduler.shutdown(wait=False)
        live.close()
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


def _add_live_sync(scheduler: BackgroundScheduler, ops: Operations, config: Config,
                   env: Environment) -> _LiveSync:
    """The live sync every ``sync.poll_seconds``, alongside the Slack app (bot/watch.py)."""
    from bot.watch import add_live_sync, build_live_sync, build_push, slack_alerts

    live = build_live_sync(ops.systems, config, env, alerts=slack_alerts(config, env))
    push = None if env.slack_app_token else build_push(live, ops.systems, config)
    if env.slack_app_token and config.calendar.push_url:
        logger.info("Socket Mode serves no HTTP: calendar.push_url is not used, polling only")
    add_live_sync(scheduler, live, seconds=config.sync.poll_seconds, push=push)
    return _LiveSync(live, push, config)
