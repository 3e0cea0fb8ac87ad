"""``bot.aws_lambda.handler`` as AWS would call it, without AWS: API Gateway (HTTP API, payload
2.0) events carrying signed Slack requests get their ack; the deferred work Bolt hands to an
asynchronous invocation of the same function arrives through a Lambda client the test holds
and delivers; EventBridge schedule events run the jobs. Secrets come from SSM Parameter Store
(moto's), the audit store is PostgreSQL, and SQLite is refused."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier

from bot import aws_lambda
from bot.aws_lambda import LambdaRuntime
from bot.sandbox.sandbox import Sandbox, sandbox_environ, write_config
from bot.sandbox.slack_fake import SlackFake
from common.errors import ConfigError
from store.audit import AuditLog
from store.database import open_engine, session_factory

SECRET = "lambda-test-signing-secret"
APPROVER = "U0123ABCD"
CAL = "jada-internal@group.calendar.google.com"
ARN = "arn:aws:lambda:us-east-1:123456789012:function:charter-ops"


@dataclass(frozen=True)
class Context:
    """The two attributes of Lambda's context object that Bolt's adapter reads."""
    function_name: str = "charter-ops"
    invoked_function_arn: str = ARN


class HeldInvocations:
    """A Lambda client whose asynchronous invocations wait until the test delivers them, to
    the same handler, as Lambda would deliver them to a new or warm instance."""

    def __init__(self) -> None:
        self.invocations: list[tuple[str, str, dict[str, Any]]] = []

    def invoke(self, FunctionName: str, InvocationType: str, Payload: str) -> dict[str, Any]:
        self.invocations.append((FunctionName, InvocationType, json.loads(Payload)))
        return {"StatusCode": 202}

    def deliver(self) -> list[dict[str, Any]]:
        held, self.invocations = self.invocations, []
        assert all(name == ARN and kind == "Event" for name, kind, _ in held)
        return [aws_lambda.handler(event, Context()) for _, _, event in held]


def api_gateway_event(body: str, content_type: str, *, secret: str = SECRET) -> dict[str, Any]:
    """A Slack request as API Gateway's HTTP API hands it to Lambda (payload format 2.0):
    form bodies arrive base64-encoded."""
    ts = str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    form = content_type.startswith("application/x-www-form-urlencoded")
    return {
        "version": "2.0", "routeKey": "POST /slack/events", "rawPath": "/slack/events",
        "rawQueryString": "", "isBase64Encoded": form,
        "body": base64.b64encode(body.encode()).decode() if form else body,
        "headers": {"content-type": content_type, "x-slack-request-timestamp": ts,
                    "x-slack-signature": signature, "user-agent": "Slackbot 1.0"},
        "requestContext": {"http": {"method": "POST", "path": "/slack/events",
                                    "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1"},
                           "routeKey": "POST /slack/events", "stage": "$default"},
    }


def command(slack: SlackFake, text: str) -> dict[str, Any]:
    return api_gateway_event(urlencode({
        "command": "/charter", "text": text, "user_id": APPROVER, "team_id": "T1",
        "channel_id": "C1", "response_url": slack.response_url(), "trigger_id": "1.2.3"}),
        "application/x-www-form-urlencoded")


def click(slack: SlackFake, action_id: str, value: str, message: dict[str, Any]) -> dict[str, Any]:
    payload = {
        "type": "block_actions", "user": {"id": APPROVER}, "team": {"id": "T1"},
        "channel": {"id": "C1"}, "response_url": slack.response_url(), "trigger_id": "1.2.3",
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": "C1"},
        "message": message, "actions": [{"type": "button", "action_id": action_id,
                                         "block_id": "plan", "value": value,
                                         "action_ts": str(time.time())}]}
    return api_gateway_event(urlencode({"payload": json.dumps(payload)}),
                             "application/x-www-form-urlencoded")


@pytest.fixture
def deployed(this_weekend: Sandbox, tmp_path: Path, postgres_url: str,
             monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[HeldInvocations, SlackFake]]:
    """The function as the template deploys it: app.yaml in the bundle, the secrets as
    SecureString parameters under CHARTER_OPS_SSM_PATH, nothing secret in its environment."""
    box = this_weekend
    environ = sandbox_environ(box)
    ssm = box.client("ssm")
    secrets = {"SLACK_BOT_TOKEN": "xoxb-lambda", "SLACK_SIGNING_SECRET": SECRET,
               "DATABASE_URL": postgres_url,
               **{k: environ.pop(k) for k in ("GOOGLE_OAUTH_CLIENT_ID",
                                               "GOOGLE_OAUTH_CLIENT_SECRET",
                                               "GOOGLE_OAUTH_REFRESH_TOKEN")}}
    for name, value in secrets.items():
        ssm.put_parameter(Name=f"/charter-ops/prod/{name}", Value=value, Type="SecureString")
    write_config(box.config, tmp_path / "app.yaml")
    for name in (*aws_lambda.SECRET_NAMES, "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with SlackFake() as slack:
        for key, value in {**environ, "CHARTER_OPS_CONFIG": str(tmp_path / "app.yaml"),
                           "CHARTER_OPS_SSM_PATH": "/charter-ops/prod",
                           "SLACK_API_URL": slack.api_url}.items():
            monkeypatch.setenv(key, value)
        held = HeldInvocations()
        # The instance's cold start, with the Lambda client the test holds.
        monkeypatch.setattr(aws_lambda, "_runtime",
                            LambdaRuntime.from_environment(lambda_client=held))
        yield held, slack


def test_a_slash_command_is_acked_and_its_work_arrives_by_self_invocation(
        deployed: tuple[HeldInvocations, SlackFake]) -> None:
    held, slack = deployed
    response = aws_lambda.handler(command(slack, "help"), Context())
    assert response["statusCode"] == 200
    assert [c for c in slack.calls if c[0] == "/response/r1"] == []  # only acked so far
    assert len(held.invocations) == 1
    held.deliver()
    [(_, reply)] = slack.wait_for(1, method="/response/r1")
    assert "/charter status danika" in reply["text"]


def test_an_unsigned_request_is_refused(deployed: tuple[HeldInvocations, SlackFake]) -> None:
    held, slack = deployed
    forged = command(slack, "sync")
    forged["headers"]["x-slack-signature"] = "v0=" + "0" * 64
    assert aws_lambda.handler(forged, Context())["statusCode"] == 401
    assert held.invocations == []


def test_a_swap_confirmed_through_lambda_reaches_dynamodb_and_the_calendar(
        deployed: tuple[HeldInvocations, SlackFake], this_weekend: Sandbox) -> None:
    held, slack = deployed
    table = this_weekend.config.dynamodb.table

    def danika_record() -> str:
        items = this_weekend.client("dynamodb").scan(TableName=table)["Items"]
        return json.dumps([i for i in items if i["eventId"]["S"].startswith("danika-")])

    assert "Tess" not in danika_record()
    assert aws_lambda.handler(command(slack, "swap danika Ana Tess"), Context())[
        "statusCode"] == 200
    held.deliver()
    [(_, plan)] = slack.wait_for(1, method="/response/r1")
    assert "mate Ana → Tess on danika-" in plan["text"]
    confirm = next(e for b in plan["blocks"] if b["type"] == "actions" for e in b["elements"]
                   if e["action_id"] == "change_confirm")
    message = {"ts": "1.1", "text": plan["text"], "blocks": plan["blocks"]}
    assert aws_lambda.handler(click(slack, "change_confirm", confirm["value"], message),
                              Context())["statusCode"] == 200
    held.deliver()
    replies = slack.wait_for(2, method="/response/r1")
    assert "*done*" in replies[1][1]["text"]
    event = this_weekend.emulator.get_event(CAL, "evtdanika")
    assert "Mate: Tess" in (event or {})["description"]
    assert "Tess" in danika_record()


def test_a_schedule_event_posts_the_digest_once_a_day(
        deployed: tuple[HeldInvocations, SlackFake]) -> None:
    _, slack = deployed
    assert aws_lambda.handler({"charter_ops_job": "digest"}, Context())["status"] == "done"
    [(_, digest)] = slack.wait_for(1, method="chat.postMessage")
    assert digest["channel"] == "#charter-ops"
    assert "discrepancies on" in digest["text"]
    # EventBridge delivers at least once: a second delivery the same day posts nothing.
    aws_lambda.handler({"charter_ops_job": "digest"}, Context())
    assert len([c for c in slack.calls if c[0] == "chat.postMessage"]) == 1


def test_the_nightly_schedule_applies_the_automatic_fixes_and_retry_runs(
        deployed: tuple[HeldInvocations, SlackFake], this_weekend: Sandbox, tmp_path: Path,
        postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    held, slack = deployed
    config = this_weekend.config
    # A deployment whose app.yaml lets the nightly sync fix stale records on its own.
    write_config(config.model_copy(update={"sync": config.sync.model_copy(update={
        "auto_fix": ("RECORD_MISMATCH",), "freeze_hours": 0})}), tmp_path / "app.yaml")
    monkeypatch.setattr(aws_lambda, "_runtime",
                        LambdaRuntime.from_environment(lambda_client=held))
    for job in ("nightly", "retry"):
        assert aws_lambda.handler({"charter_ops_job": job}, Context()) == {
            "job": job, "status": "done"}
    # Neither failed (a failing job tells the channel), and the fixes are in the audit.
    posts = [p for m, p in slack.calls if m == "chat.postMessage"]
    assert [p for p in posts if p["channel"] == "#charter-ops"] == []
    # The records' crew changed: whoever is on or off now was told, by direct message.
    assert posts and all(p["channel"].startswith("U0") for p in posts)
    fixes = AuditLog(session_factory(open_engine(postgres_url))).recent()
    assert fixes and all((c.kind, c.source, c.status) == ("fix", "scheduler", "done")
                         for c in fixes)
    with pytest.raises(ConfigError, match="unknown scheduled job 'weekly'"):
        aws_lambda.handler({"charter_ops_job": "weekly"}, Context())


@pytest.mark.parametrize("database_url", [None, "sqlite:////tmp/audit.sqlite3"])
def test_sqlite_is_refused_on_lambda_with_what_to_set(
        this_weekend: Sandbox, tmp_path: Path, database_url: str | None) -> None:
    write_config(this_weekend.config, tmp_path / "app.yaml")
    environ = {**sandbox_environ(this_weekend), "SLACK_BOT_TOKEN": "xoxb-lambda",
               "SLACK_SIGNING_SECRET": SECRET, "CHARTER_OPS_CONFIG": str(tmp_path / "app.yaml"),
               **({"DATABASE_URL": database_url} if database_url else {})}
    with pytest.raises(ConfigError) as refused:
        LambdaRuntime.from_environment(environ)
    assert "must be PostgreSQL" in str(refused.value)
    assert "DATABASE_URL=postgresql://" in str(refused.value)


def test_a_path_other_than_slack_events_is_not_handed_to_slack(
        deployed: tuple[HeldInvocations, SlackFake]) -> None:
    held, slack = deployed
    event = command(slack, "sync")
    event["rawPath"] = "/wp-admin"
    assert aws_lambda.handler(event, Context())["statusCode"] == 404
    assert held.invocations == []


def notification(headers: dict[str, str]) -> dict[str, Any]:
    return {"version": "2.0", "routeKey": "POST /calendar/notifications",
            "rawPath": "/calendar/notifications", "rawQueryString": "", "body": "",
            "isBase64Encoded": False, "headers": headers,
            "requestContext": {"http": {"method": "POST", "path": "/calendar/notifications"}}}


def test_a_forged_or_malformed_calendar_notification_reads_nothing(
        deployed: tuple[HeldInvocations, SlackFake], this_weekend: Sandbox) -> None:
    this_weekend.emulator.reset_requests()
    forged = notification({"x-goog-channel-id": "not-ours", "x-goog-channel-token": "guess",
                           "x-goog-resource-state": "exists", "x-goog-message-number": "7"})
    answer = aws_lambda.handler(forged, Context())
    assert (answer["statusCode"], answer["body"]) == (200, "ignored")
    malformed = aws_lambda.handler(notification({"x-goog-channel-id": "x"}), Context())
    assert malformed["statusCode"] == 400 and "X-Goog-Resource-State" in malformed["body"]
    assert [p for _, p in this_weekend.emulator.requests if "/events" in p] == []


def test_the_live_schedule_follows_a_calendar_edit_with_an_alert(
        deployed: tuple[HeldInvocations, SlackFake], this_weekend: Sandbox) -> None:
    _, slack = deployed
    live = {"charter_ops_job": "live"}
    assert aws_lambda.handler(live, Context()) == {"job": "live", "status": "done"}
    # The first check takes the starting point and reconciles what it read: the seed's drift.
    assert any("Danika" in json.dumps(body) for name, body in slack.calls
               if name == "chat.postMessage")
    slack.calls.clear()
    event = this_weekend.emulator.get_event(CAL, "evtdanika") or {}
    day = event["start"]["dateTime"][:10]
    this_weekend.emulator.patch_event(CAL, "evtdanika", {
        "start": {"dateTime": f"{day}T16:00:00", "timeZone": "America/Los_Angeles"},
        "end": {"dateTime": f"{day}T20:00:00", "timeZone": "America/Los_Angeles"}})
    assert aws_lambda.handler(live, Context()) == {"job": "live", "status": "done"}
    # Danika's alert still waits for a person: it is rewritten in place with the edit.
    posts = [c for c in slack.calls if c[0] in ("chat.postMessage", "chat.update")]
    assert posts and any("16:00" in json.dumps(body) for _, body in posts)


def test_a_crew_chat_message_is_proposed_once_through_the_self_invocation(
        deployed: tuple[HeldInvocations, SlackFake]) -> None:
    held, slack = deployed
    body = json.dumps({
        "type": "event_callback", "team_id": "T1", "api_app_id": "A1",
        "event_id": "Ev0LAMBDA", "event_time": int(time.time()),
        "event": {"type": "message", "user": "U0GENE", "channel": "C0CREW",
                  "text": "Ana is covering for Angelia on saturday", "channel_type": "channel",
                  "ts": "1716000000.000100"}})
    event = api_gateway_event(body, "application/json")
    assert aws_lambda.handler(event, Context())["statusCode"] == 200
    # Slack retries an event it thought slow: acknowledged, no second deferred work.
    assert aws_lambda.handler(event, Context())["statusCode"] == 200
    assert len(held.invocations) == 1
    [(_, _, deferred)] = held.invocations
    held.deliver()  # the deferred half carries the same event id: it must still run
    [(_, proposal)] = slack.wait_for(1, method="chat.postMessage")
    assert "proposes `/charter swap quinn-" in proposal["text"]
    # Lambda retries an asynchronous invocation it thinks failed: the work runs once.
    aws_lambda.handler(deferred, Context())
    time.sleep(1)
    assert len([c for c in slack.calls if c[0] == "chat.postMessage"]) == 1
