"""AWS Lambda: ``bot.aws_lambda.handler`` is the function deploy/template.yaml runs.

One function serves three kinds of invocation:

* API Gateway (HTTP API, payload 2.0) with a Slack request: Bolt's Lambda adapter verifies it
  and acks; the work of a lazy listener goes to an asynchronous invocation of this same
  function (Bolt's ``LambdaLazyListenerRunner``), because a Lambda stops when it returns.
* that self-invocation: Bolt runs only the deferred work it names.
* an EventBridge Scheduler event ``{"charter_ops_job": "digest" | "nightly" | "retry" |
  "live"}``: the scheduler's jobs (services/jobs.py, and one incremental live-sync check),
  in place of APScheduler, which cannot run on Lambda.
* API Gateway with Google's push to ``/calendar/notifications``: checked like the HTTP
  server checks it (bot/push_http.py), then, since nothing runs after a Lambda returns,
  one incremental check made before answering (the sync's lease keeps two invocations
  from reading at once; a busy one leaves it to the next).

Secrets come from SSM Parameter Store (SecureString parameters under CHARTER_OPS_SSM_PATH),
read once per cold start, so the template never carries them.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from slack_bolt.adapter.aws_lambda import SlackRequestHandler

from bot.config import load_config
from bot.environment import Environment, read_environment
from bot.http_guard import NOTIFICATIONS_PATH
from bot.slack_app import build_bot
from bot.wiring import heartbeat_for
from common.errors import CharterOpsError, ConfigError, InputError
from services.deps import Deps
from services.domain.config import Config

# The init phase (this module and the Bolt app) loads what a Slack request's ack needs;
# the jobs, the live sync and Google's push are loaded by the invocations that run them.
if TYPE_CHECKING:
    from services.live_sync import LiveSync
    from services.push import FleetPush, PushChannels

logger = logging.getLogger(__name__)

JOB_KEY = "charter_ops_job"
SLACK_PATH = "/slack/events"
# The secrets a parameter under CHARTER_OPS_SSM_PATH may supply, by its last path segment.
SECRET_NAMES = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "GOOGLE_OAUTH_CLIENT_ID",
                "GOOGLE_OAUTH_CLIENT_SECRET", "GOOGLE_OAUTH_REFRESH_TOKEN", "DATABASE_URL",
                # Optional; a heartbeat URL is a secret too: anyone holding it can ping it.
                "HEARTBEAT_URL")


def require_shared_database(env: Environment) -> None:
    """SQLite on Lambda would be a file on one instance's /tmp: every concurrent instance and
    every cold start would see its own empty audit log, and a change could be applied twice."""
    url = env.database_url or ""
    if not url.startswith(("postgresql://", "postgres://", "postgresql+")):
        raise ConfigError(
            "On AWS Lambda the audit store must be PostgreSQL: SQLite would live on one "
            "instance's temporary disk, so concurrent instances and cold starts would each "
            "see their own empty audit log (changes not resumable, digests and clicks not "
            "once). Set DATABASE_URL=postgresql://user@host:5432/dbname (the "
            "DATABASE_URL parameter under CHARTER_OPS_SSM_PATH).")


def ssm_secrets(path: str, *, region: str | None,
                endpoint_url: str | None = None) -> dict[str, str]:
    """The SecureString parameters under ``path`` that name a secret the bot reads."""
    import boto3

    client = boto3.client("ssm", region_name=region, endpoint_url=endpoint_url)
    found: dict[str, str] = {}
    for page in client.get_paginator("get_parameters_by_path").paginate(
            Path=path, WithDecryption=True, Recursive=False):
        for parameter in page["Parameters"]:
            name = parameter["Name"].rsplit("/", 1)[-1]
            if name in SECRET_NAMES:
                found[name] = parameter["Value"]
    return found


class LambdaRuntime:
    """What one Lambda instance builds at its cold start and keeps for warm invocations."""

    def __init__(self, config: Config, env: Environment, *,
                 lambda_client: Any | None = None) -> None:
        require_shared_database(env)
        self.config = config
        self.env = env
        self.app, self.ops = build_bot(config, env)
        self._live: LiveSync | None = None
        self.slack = SlackRequestHandler(self.app)
        # None: Bolt builds boto3's Lambda client; tests give one that delivers in-process.
        self.slack.app.listener_runner.lazy_listener_runner.lambda_client = lambda_client  # type: ignore[attr-defined]
        # Unlike serve.py, no resume() here: a cold start is often a Slack request, whose
        # ack must not wait on another change's writes. The "retry" schedule resumes them.

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None, *,
                         lambda_client: Any | None = None) -> LambdaRuntime:
        environ = dict(os.environ if environ is None else environ)
        config = load_config(environ.get("CHARTER_OPS_CONFIG") or "app.yaml")
        if path := environ.get("CHARTER_OPS_SSM_PATH"):
            # The parameters win: the template sets only their path, never their values.
            environ.update(ssm_secrets(path, region=environ.get("AWS_REGION")
                                       or config.dynamodb.region,
                                       endpoint_url=environ.get("AWS_ENDPOINT_URL")))
        return cls(config, read_environment(environ), lambda_client=lambda_client)

    def jobs(self) -> dict[str, Callable[[], None]]:
        from handlers.channel import SlackChannel
        from services import jobs

        ops: Deps = self.ops
        beat = heartbeat_for(self.env.heartbeat_url).beat
        channel = SlackChannel(self.app.client, self.config.slack.channel,
                               all_clear=self.config.slack.all_clear)
        warn = channel.warn
        return {
            "digest": jobs.guarded("morning digest",
                                   lambda: jobs.morning_digest(ops, channel.digest), warn,
                                   beat=beat),
            "nightly": jobs.guarded("nightly sync", lambda: jobs.nightly_sync(ops), warn,
                                    beat=beat),
            "retry": jobs.guarded("retry of interrupted changes",
                                  lambda: jobs.retry_interrupted(ops), warn),
            "live": jobs.guarded("live sync", self.live_check, warn),
        }

    @property
    def live(self) -> LiveSync:
        if self._live is None:  # built on first use: a Slack request's ack never waits on it
            from bot.watch import build_live_sync
            from handlers.channel import SlackAlerts

            self._live = build_live_sync(self.ops.systems, self.config, self.env,
                                         changes=self.ops.changes,
                                         alerts=SlackAlerts(self.app.client,
                                                            self.config.slack.channel))
        return self._live

    def live_check(self) -> None:
        push = self._push()
        if push is not None:
            push.ensure()  # registered, or renewed before it expires
        report = self.live.check()
        logger.info("live sync: %s", report)

    def _push(self) -> PushChannels | FleetPush | None:
        from bot.watch import build_push

        return build_push(self.live, self.ops.systems, self.config)

    def notification(self, event: dict[str, Any]) -> dict[str, Any]:
        """Google's push: a forged or stale one is answered and nothing is read."""
        try:
            from services.push import parse_notification

            notification = parse_notification(event.get("headers") or {})
        except InputError as error:
            return _answer(400, str(error))
        if notification.state == "sync":
            return _answer(200, "ok")
        push = self._push()
        if push is None or not push.accepts(notification):
            logger.warning("calendar notification for channel %s ignored: unknown channel or "
                           "wrong token", notification.channel_id[:64])
            return _answer(200, "ignored")
        try:
            report = self.live.check()
        except CharterOpsError as error:  # Google retries what fails; the next poll will too
            logger.warning("live sync after a notification failed: %s", error)
            return _answer(200, "ok")
        logger.info("live sync after a notification: %s", report)
        return _answer(200, "ok")

    def handle(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        if JOB_KEY in event:
            name = event[JOB_KEY]
            job = self.jobs().get(name)
            if job is None:
                raise ConfigError(f"unknown scheduled job {name!r}; "
                                  f"expected one of {', '.join(self.jobs())}")
            logger.info("running the scheduled job %s", name)
            job()
            return {"job": name, "status": "done"}
        path = event.get("rawPath") or event.get("path")
        if path == NOTIFICATIONS_PATH:
            return self.notification(event)
        if path is not None and path != SLACK_PATH:
            logger.info("no handler for %s", path)
            return _answer(404, "Not Found")
        return dict(self.slack.handle(event, context))


def _answer(status: int, text: str) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": "text/plain; charset=utf-8"},
            "body": text}


_runtime: LambdaRuntime | None = None


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The Lambda entry point: the runtime is built once per instance (its cold start)."""
    global _runtime
    if _runtime is None:
        logging.getLogger().setLevel(logging.INFO)
        _runtime = LambdaRuntime.from_environment()
    return _runtime.handle(event, context)
