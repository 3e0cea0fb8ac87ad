"""``charter-ops doctor`` against the sandbox: moto's server, the calendar emulator and the
Slack fake. All ✓ as set up; then one thing broken at a time, and exactly that line is ✗
with its fix, exit 1, and nothing written anywhere (the named probes aside)."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.cloudfront.responses import CloudFrontResponse

from bot.cli import main
from bot.sandbox.sandbox import Sandbox, running_sandbox, sandbox_environ, write_config
from bot.sandbox.slack_fake import SlackFake
from services.domain.config import Config
from tests.socket_mode_server import SocketModeServer

CHECKS = ["calendar API", "iCal feed", "DynamoDB table", "S3 bucket listable",
          "S3 prefix writable", "CloudFront", "Slack token", "Slack scopes", "Slack channel",
          "audit database"]
SLACK_TOKEN = "xoxb-doctor-test"


@pytest.fixture
def slack(cli_sandbox: Sandbox, tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackFake]:
    with SlackFake() as fake:
        monkeypatch.setenv("SLACK_BOT_TOKEN", SLACK_TOKEN)
        monkeypatch.setenv("SLACK_API_URL", fake.api_url)
        monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)  # HTTP mode unless a test says
        # The audit store, created and migrated as the doctor's fix for it says.
        assert main(["audit"]) == 0
        yield fake


def doctor(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, str], str]:
    capsys.readouterr()
    code = main(["doctor"])
    out = capsys.readouterr().out
    lines = {}
    for line in out.splitlines():
        if line[:2] in ("✓ ", "✗ "):
            name = line[2:].split(":", 1)[0]
            lines[name] = line
    return code, lines, out


def failing(lines: dict[str, str]) -> list[str]:
    return [name for name, line in lines.items() if line.startswith("✗")]


def everything(box: Sandbox, slack: SlackFake, database: Path) -> dict[str, Any]:
    """What the bot could have written: every system's content, and Slack's calls."""
    config = box.config
    dynamodb = box.client("dynamodb")
    tables = dynamodb.list_tables()["TableNames"]
    records = sorted(json.dumps(i, sort_keys=True) for i in dynamodb.scan(
        TableName=config.dynamodb.table)["Items"]) if config.dynamodb.table in tables else None
    objects = box.client("s3").list_objects_v2(Bucket=config.pages.bucket).get("Contents", [])
    invalidations = box.client("cloudfront").list_invalidations(
        DistributionId=config.pages.distribution_id)["InvalidationList"].get("Items", [])
    return {"records": records, "tables": tables,
            "objects": sorted((o["Key"], o["ETag"]) for o in objects),
            "invalidations": sorted(i["Id"] for i in invalidations),
            "events": box.emulator.events(config.calendar.id),
            "slack": [m for m, _ in slack.calls if m not in ("auth.test", "users.conversations")],
            "database": database.read_bytes()}


def assert_only_probes_were_sent(box: Sandbox) -> None:
    """The writes doctor sent: its conditional UpdateItem and the S3 put and delete."""
    writes = [r for r in box.aws_requests
              if r.operation in ("PutItem", "DeleteItem", "BatchWriteItem", "CreateTable",
                                 "DeleteTable", "UpdateItem")
              or (r.service in ("s3", "cloudfront") and r.operation.split()[0] in
                  ("PUT", "POST", "DELETE"))]
    assert all(r.operation == "UpdateItem" or "charter-ops-doctor-probe-" in r.operation
               for r in writes), writes
    assert {m for m, _ in box.emulator.requests if m != "GET"} <= {"POST"}  # /token only
    assert all(path == "/token" for m, path in box.emulator.requests if m == "POST")


def test_all_checks_pass_on_the_sandbox_and_only_the_probes_touch_anything(
        cli_sandbox: Sandbox, slack: SlackFake, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    before = everything(cli_sandbox, slack, tmp_path / "audit.sqlite3")
    cli_sandbox.reset_requests()
    code, lines, out = doctor(capsys)
    assert list(lines) == CHECKS, out
    assert failing(lines) == [], out
    assert code == 0
    assert out.rstrip().endswith(f"All {len(CHECKS)} checks passed.")
    # Each probe says what it was.
    assert "UpdateItem on a key no record has, with a condition that fails" in \
        lines["DynamoDB table"]
    assert "probe: put, then deleted" in lines["S3 prefix writable"]
    assert "creating one is not tried" in lines["CloudFront"]
    assert everything(cli_sandbox, slack, tmp_path / "audit.sqlite3") == before
    assert_only_probes_were_sent(cli_sandbox)
    assert cli_sandbox.reads()["dynamodb"] > 0 and cli_sandbox.reads()["calendar"] > 0


def _only(lines: dict[str, str], name: str, *phrases: str) -> None:
    assert failing(lines) == [name], "\n".join(lines.values())
    for phrase in phrases:
        assert phrase in lines[name], lines[name]
    assert " — fix: " in lines[name]


def test_a_missing_table_fails_that_line_alone(
        cli_sandbox: Sandbox, slack: SlackFake, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    table = cli_sandbox.config.dynamodb.table
    cli_sandbox.client("dynamodb").delete_table(TableName=table)
    before = everything(cli_sandbox, slack, tmp_path / "audit.sqlite3")
    code, lines, _ = doctor(capsys)
    assert code == 1
    _only(lines, "DynamoDB table", f"table '{table}' does not exist in us-west-2",
          "create it with partition key eventId")
    assert everything(cli_sandbox, slack, tmp_path / "audit.sqlite3") == before


@contextmanager
def iam_enforced(box: Sandbox, monkeypatch: pytest.MonkeyPatch,
                 policy: dict[str, Any]) -> Iterator[None]:
    """moto checks every request against the IAM policy of the caller's access key, and
    the bot runs with a user who has ``policy`` (moto applies identity policies, not
    bucket policies, so the denial is the user's)."""
    iam = box.client("iam")
    iam.create_user(UserName="charter-bot")
    iam.put_user_policy(UserName="charter-bot", PolicyName="bot",
                        PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="charter-bot")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    # boto3's default session keeps the credentials it first found: start a new one.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)

    def reset_auth(count: str) -> None:
        urllib.request.urlopen(urllib.request.Request(
            f"{box.aws_endpoint}/moto-api/reset-auth", data=count.encode(), method="POST",
            headers={"Content-Type": "text/plain"}),
            timeout=10).close()

    # moto 5.2 miscomputes the signature of CloudFront's REST calls once it checks them
    # (SignatureDoesNotMatch for any caller): CloudFront is not what these tests ask.
    monkeypatch.setattr(CloudFrontResponse, "_authenticate_and_authorize_normal_action",
                        lambda self, resource="*": None)
    reset_auth("0")
    try:
        yield
    finally:
        reset_auth("inf")


def test_a_bucket_the_bot_may_not_write_fails_that_line_alone(
        cli_sandbox: Sandbox, slack: SlackFake, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    bucket, prefix = cli_sandbox.config.pages.bucket, cli_sandbox.config.pages.prefix
    before = everything(cli_sandbox, slack, tmp_path / "audit.sqlite3")
    with iam_enforced(cli_sandbox, monkeypatch, {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:PutObject",
             "Resource": f"arn:aws:s3:::{bucket}/*"}]}):
        code, lines, _ = doctor(capsys)
    assert code == 1
    _only(lines, "S3 prefix writable", "not allowed: s3:PutObject",
          f"allow s3:PutObject on {bucket}/{prefix}*")
    assert everything(cli_sandbox, slack, tmp_path / "audit.sqlite3") == before


def test_a_revoked_calendar_token_fails_that_line_alone(
        cli_sandbox: Sandbox, slack: SlackFake, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    cli_sandbox.emulator.revoke_refresh_tokens()
    before = everything(cli_sandbox, slack, tmp_path / "audit.sqlite3")
    code, lines, _ = doctor(capsys)
    assert code == 1
    # The iCal feed needs no credentials, and still answers.
    _only(lines, "calendar API", "the Google credentials do not authorize",
          "the refresh token was revoked or expired")
    assert everything(cli_sandbox, slack, tmp_path / "audit.sqlite3") == before


def test_a_token_without_a_scope_fails_that_line_alone(
        cli_sandbox: Sandbox, slack: SlackFake, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    slack.scopes = tuple(s for s in slack.scopes if s != "usergroups:read")
    before = everything(cli_sandbox, slack, tmp_path / "audit.sqlite3")
    code, lines, _ = doctor(capsys)
    assert code == 1
    _only(lines, "Slack scopes", "the token lacks usergroups:read",
          "OAuth & Permissions", "reinstall the app")
    assert everything(cli_sandbox, slack, tmp_path / "audit.sqlite3") == before


def test_a_channel_the_bot_is_not_in_fails_that_line_alone(
        cli_sandbox: Sandbox, slack: SlackFake, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    slack.member_of = [{"id": "C0OTHER", "name": "random", "is_member": True}]
    before = everything(cli_sandbox, slack, tmp_path / "audit.sqlite3")
    code, lines, _ = doctor(capsys)
    assert code == 1
    _only(lines, "Slack channel", "the bot is not in #charter-ops",
          "/invite @charter-ops")
    assert [m for m, _ in slack.calls if m not in ("auth.test", "users.conversations")] == []
    assert everything(cli_sandbox, slack, tmp_path / "audit.sqlite3") == before


def test_a_revoked_slack_token_fails_the_token_and_what_depends_on_it(
        cli_sandbox: Sandbox, slack: SlackFake, capsys: pytest.CaptureFixture[str]) -> None:
    slack.revoked.add(SLACK_TOKEN)
    code, lines, _ = doctor(capsys)
    assert code == 1
    assert failing(lines) == ["Slack token", "Slack scopes", "Slack channel"]
    assert "auth.test refused the token (invalid_auth)" in lines["Slack token"]
    assert "not checked: the token does not work" in lines["Slack scopes"]


def test_socket_modes_app_token_is_checked_without_opening_the_socket(
        cli_sandbox: Sandbox, slack: SlackFake, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-doctor-test")
    with SocketModeServer() as server:
        slack.answers["apps.connections.open"] = {"url": server.url}
        code, lines, out = doctor(capsys)
        time.sleep(0.5)  # time for a connection, were one going to be opened
        assert server.connections == []
    assert list(lines) == [*CHECKS[:-1], "Slack app token", CHECKS[-1]], out
    assert (code, failing(lines)) == (0, []), out
    assert "apps.connections.open" in lines["Slack app token"]
    assert [m for m, _ in slack.calls].count("apps.connections.open") == 1


@pytest.mark.parametrize(("token", "phrase"), [
    ("xoxb-doctor-test", "SLACK_APP_TOKEN holds a xoxb- token, not an app-level token"),
    ("xapp-1-revoked", "apps.connections.open refused the token (invalid_auth)"),
])
def test_an_app_token_slack_would_refuse_fails_that_line_with_the_fix(
        cli_sandbox: Sandbox, slack: SlackFake, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], token: str, phrase: str) -> None:
    slack.revoked.add("xapp-1-revoked")
    monkeypatch.setenv("SLACK_APP_TOKEN", token)
    code, lines, _ = doctor(capsys)
    assert code == 1
    _only(lines, "Slack app token", phrase,
          "create an app-level token with connections:write")


def test_an_audit_database_not_yet_made_is_named_and_not_created(
        cli_sandbox: Sandbox, slack: SlackFake, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    fresh = tmp_path / "fresh.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{fresh}")
    code, lines, _ = doctor(capsys)
    assert code == 1
    _only(lines, "audit database", f"no SQLite file at {fresh}", "charter-ops audit")
    assert not fresh.exists()


def test_an_empty_calendar_exists_all_the_same(
        config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # The sandbox as an operator starts it, before any charter is booked.
    with running_sandbox(config) as box, SlackFake() as fake:
        for key, value in {**sandbox_environ(box), "SLACK_API_URL": fake.api_url,
                           "SLACK_BOT_TOKEN": SLACK_TOKEN}.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'audit.sqlite3'}")
        write_config(box.config, tmp_path / "app.yaml")
        monkeypatch.chdir(tmp_path)
        assert main(["audit"]) == 0
        code, lines, out = doctor(capsys)
    assert (code, failing(lines)) == (0, []), out
