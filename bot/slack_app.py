"""The Bolt app: one factory, every listener registered from handlers/."""

from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltRequest, BoltResponse

from bot.direct_messages import PACE_SECONDS
from bot.wiring import build_deps, courier_for, web_client
from common.errors import ConfigError
from handlers import actions, commands, events, modals, shortcuts

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.environment import Environment
    from services.deps import Deps
    from services.domain.config import Config

logger = logging.getLogger(__name__)

SLACK_UNREACHABLE = (":warning: Slack's API did not answer the bot just now, so it could not "
                     "take your command; nothing was done. Try again in a moment.")


def build_app(ops: Deps, *, token: str, signing_secret: str,
              api_url: str | None = None, client: WebClient | None = None,
              executor: Executor | None = None, message_pace: float = PACE_SECONDS) -> App:
    """``executor`` runs the deferred work; tests and benchmarks pass one they can drain.
    ``message_pace``: seconds between two direct messages (the crew's news, nudges)."""
    client = client or web_client(token=token, base_url=api_url)
    # Acks run inline in the request's own thread (process_before_response), so a busy
    # pool of deferred work can never delay one; the work itself goes to the pool.
    # name: without one, Bolt names the app after its caller's file from inspect.stack(),
    # which reads the source of every frame (tens of ms of a Lambda's cold start).
    app = App(name="charter-ops", signing_secret=signing_secret, client=client,
              token_verification_enabled=False, logger=logger, process_before_response=True,
              listener_executor=executor or ThreadPoolExecutor(
                  max_workers=16, thread_name_prefix="charter-work"))
    ops.group_members = lambda group: set(
        client.usergroups_users_list(usergroup=group).get("users", []))
    courier = courier_for(client, pace=message_pace)
    ops.direct_message = courier.plain()
    ops.tell_through(courier)  # the crew told when a change lands, by any path

    def refresh_homes(_change: object) -> None:  # Homes too
        events.refresh_homes(ops, client)

    ops.on_landing(refresh_homes)
    events.register(app, ops)  # first: a repeated event reaches no listener
    commands.register(app, ops)
    actions.register(app, ops)
    modals.register(app, ops)
    shortcuts.register(app, ops)

    @app.error
    def report(error: Exception, body: dict[str, Any], request: BoltRequest,
               response: BoltResponse | None) -> None:
        if (isinstance(error, OSError) and body.get("command") and response is not None
                and request.context.authorize_result is None and not request.lazy_only):
            # Slack's API unreachable while Bolt asked it who the bot is (a process's first
            # request), so no listener ran: the person is told in the ack itself, which
            # needs no API call, rather than seeing Slack's "dispatch_failed". An event
            # keeps its failure, so Slack sends it again; a click, so the person sees it.
            logger.warning("a slash command was not taken: Slack's API did not answer "
                           "(%s)", error)
            response.status = 200
            response.body = json.dumps({"response_type": "ephemeral", "text": SLACK_UNREACHABLE})
            response.headers["content-type"] = ["application/json;charset=utf-8"]
            return
        # A bug, not a user error (those are answered in the listeners): keep the trace.
        logger.exception("listener failed", exc_info=error)

    return app


def build_bot(config: Config, env: Environment, *, executor: Executor | None = None,
              stop_requested: threading.Event | None = None) -> tuple[App, Deps]:
    """The Bolt app and its dependencies, as serve, Socket Mode and Lambda run them."""
    if not env.slack_bot_token:
        raise ConfigError("SLACK_BOT_TOKEN is not set (the bot token, xoxb-...)")
    if not env.slack_signing_secret and not env.slack_app_token:
        raise ConfigError("SLACK_SIGNING_SECRET is not set (needed to verify HTTP requests)")
    deps = build_deps(config, env, stop_requested=stop_requested)
    app = build_app(deps, token=env.slack_bot_token,
                    signing_secret=env.slack_signing_secret or "socket-mode-unused",
                    api_url=env.slack_api_url, executor=executor)
    return app, deps
