"""``charter-ops doctor``: every connection and permission the bot needs, one line each.

Each check reads; where a permission can only be seen by trying, the probe is one
that cannot change anything the bot or the operator's Lambdas use, and the line says
which probe it was:

- DynamoDB: a conditional UpdateItem on a key no record can have, with a condition
  (the item exists) that fails on it. DynamoDB checks permission before the condition,
  so ConditionalCheckFailedException proves the bot may conditionally write, and
  nothing was written.
- S3: a small object put under the prefix and deleted at once (S3 has no dry run).
- CloudFront: creating an invalidation is not tried, since each one is billed past the
  free allowance: the distribution is read and its invalidations listed.

Nothing else is written: the audit database is inspected, not migrated, and Slack is
only asked auth.test and users.conversations, and, when SLACK_APP_TOKEN is set,
apps.connections.open: the WebSocket URL it answers with is not opened, and expires.
"""

from __future__ import annotations

import functools
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import yaml
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
from google.auth.exceptions import GoogleAuthError, RefreshError
from googleapiclient.errors import HttpError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.environment import Environment
from bot.init_config import manifest_path
from bot.wiring import aws_client, calendar_service_factory, web_client
from common.errors import CharterOpsError
from services.domain.config import Config
from store.schema_state import schema_state

PROBE_ATTRIBUTE = "charterOpsDoctorProbe"


@dataclass(frozen=True)
class Finding:
    ok: bool
    what: str  # what was checked and found, or what is wrong
    fix: str = ""  # what to do about it (failures only)


@dataclass(frozen=True)
class Line:
    name: str
    finding: Finding

    def render(self) -> str:
        mark = "✓" if self.finding.ok else "✗"
        fix = f" — fix: {self.finding.fix}" if self.finding.fix and not self.finding.ok else ""
        return f"{mark} {self.name}: {self.finding.what}{fix}"


def passed(what: str) -> Finding:
    return Finding(True, what)


def failed(what: str, fix: str) -> Finding:
    return Finding(False, what, fix)


def run_doctor(config: Config, env: Environment, *, out: TextIO) -> int:
    """Print one line per check as it completes; 0 when every check passed, else 1."""
    lines = []
    for line in Doctor(config=config, env=env).checks():
        lines.append(line)
        print(line.render(), file=out, flush=True)
    bad = sum(1 for line in lines if not line.finding.ok)
    print(f"All {len(lines)} checks passed." if not bad else
          f"{bad} of {len(lines)} checks failed.", file=out)
    return 0 if not bad else 1


class Doctor:
    def __init__(self, *, config: Config, env: Environment) -> None:
        self.config = config
        self.env = env
        # What auth.test said (bot user, team, scopes), for the scope and channel checks.
        self._slack: dict[str, Any] | None = None
        self._slack_problem = "not checked"

    def checks(self) -> Iterator[Line]:
        fleet = self.config.fleet
        # One line per boat's calendar and feed, naming the boat, in a fleet.
        calendars: list[tuple[str, Callable[[], Finding]]] = [
            (f"{what} ({boat.name})" if fleet else what, functools.partial(check, n))
            for n, boat in enumerate(self.config.boats)
            for what, check in (("calendar API", self.calendar_api),
                                ("iCal feed", self.ical_feed))]
        steps: list[tuple[str, Callable[[], Finding]]] = [
            *calendars,
            ("DynamoDB table", self.dynamodb),
            ("S3 bucket listable", self.bucket_listable),
            ("S3 prefix writable", self.bucket_writable),
            ("CloudFront", self.cloudfront),
            ("Slack token", self.slack_token),
            ("Slack scopes", self.slack_scopes),
            ("Slack channel", self.slack_channel),
            # Only for Socket Mode: over HTTP there is no app-level token to check.
            *([("Slack app token", self.slack_app_token)] if self.env.slack_app_token else []),
            ("audit database", self.audit_database),
        ]
        for name, check in steps:
            try:
                finding = check()
            except CharterOpsError as error:  # e.g. an unreadable key file: says what to do
                finding = failed(str(error), "")
            except Exception as error:  # a check must never stop the others
                finding = failed(f"could not be checked ({type(error).__name__}: {error})",
                                 "see the error; run doctor again once it is fixed")
            yield Line(name, finding)

    # -- calendar ---------------------------------------------------------------------

    def _key(self, n: int, name: str) -> str:
        return f"calendars[{n}].{name}" if self.config.calendars else f"calendar.{name}"

    def calendar_api(self, n: int = 0) -> Finding:
        calendar_id = self.config.boats[n].calendar_id
        factory = calendar_service_factory(self.env)
        if factory is None:
            return failed("no Google credentials are set, so only the iCal feed can be read "
                          "and no swap or time change can be made",
                          "set GOOGLE_APPLICATION_CREDENTIALS (a service-account key file) "
                          "or GOOGLE_OAUTH_CLIENT_ID, GOOGLE_OAUTH_CLIENT_SECRET and "
                          "GOOGLE_OAUTH_REFRESH_TOKEN")
        try:
            factory().events().list(calendarId=calendar_id, maxResults=1, singleEvents=True,
                                    timeMin=datetime.now(UTC).isoformat()).execute()
        except RefreshError as error:
            return failed(f"the Google credentials do not authorize ({_first_line(error)})",
                          "the refresh token was revoked or expired, or the key was deleted: "
                          "make a new one and set it in the environment")
        except HttpError as error:
            status = int(error.resp.status)
            if status == 404:
                return failed(f"calendar '{calendar_id}' does not exist or is not shared with "
                              "these credentials",
                              f"check {self._key(n, 'id')} in app.yaml, and share the calendar "
                              "with the "
                              "service account's e-mail (Make changes to events)")
            if status in (401, 403):
                return failed(f"the Calendar API refused calendar '{calendar_id}' "
                              f"(HTTP {status})",
                              "share the calendar with these credentials (Make changes to "
                              "events) and enable the Calendar API in the Google project")
            return failed(f"the Calendar API answered HTTP {status}",
                          "try again; if it persists, check Google's status page")
        except (GoogleAuthError, OSError) as error:
            return failed(f"the Calendar API cannot be reached ({_first_line(error)})",
                          "check the network and GOOGLE_CALENDAR_API_ENDPOINT, if set")
        return passed(f"the credentials authorize and calendar '{calendar_id}' exists "
                      "(read: events.list, one event)")

    def ical_feed(self, n: int = 0) -> Finding:
        url = self.config.boats[n].ical_url
        key = self._key(n, "ical_url")
        if not url:
            return passed(f"{key} is not set; nothing to check (the feed is the "
                          "fallback when the API cannot be used)")
        try:
            with urllib.request.urlopen(url, timeout=15) as response:
                head = response.read(4096)
        except urllib.error.HTTPError as error:
            return failed(f"the feed answered HTTP {error.code}",
                          "copy the calendar's secret address in iCal format into "
                          f"{key}")
        except (urllib.error.URLError, OSError, ValueError) as error:
            return failed(f"the feed cannot be reached ({_first_line(error)})",
                          f"check {key} and the network")
        if b"BEGIN:VCALENDAR" not in head:
            return failed("the feed's answer is not an iCalendar file",
                          f"{key} must be the address ending in .ics")
        return passed("answers with an iCalendar file")

    # -- DynamoDB ---------------------------------------------------------------------

    def dynamodb(self) -> Finding:
        table, region = self.config.dynamodb.table, self.config.dynamodb.region
        client = aws_client("dynamodb", self.config, self.env)
        try:
            described = client.describe_table(TableName=table)["Table"]
        except ClientError as error:
            if _code(error) == "ResourceNotFoundException":
                return failed(f"table '{table}' does not exist in {region}",
                              "create it with partition key eventId (String), or set "
                              "dynamodb.table and dynamodb.region to the existing one")
            return _aws_failure(error, "dynamodb:DescribeTable", f"table/{table}")
        except (BotoCoreError, NoCredentialsError) as error:
            return _unreachable("DynamoDB", error)
        keys = {k["AttributeName"]: k["KeyType"] for k in described["KeySchema"]}
        if keys != {"eventId": "HASH"}:
            shown = ", ".join(f"{n} ({t})" for n, t in keys.items())
            return failed(f"table '{table}' is keyed by {shown}, not by eventId alone",
                          "point dynamodb.table at the table whose partition key is eventId")
        index = self.config.dynamodb.date_index
        indexes = {i["IndexName"] for i in described.get("GlobalSecondaryIndexes", [])}
        if index and index not in indexes:
            return failed(f"table '{table}' has no index '{index}'",
                          "create it (partition key eventDate), or set dynamodb.date_index "
                          "to null")
        # The probe: a key no record has, and a condition that fails on it.
        probe = {"eventId": {"S": f"charter-ops-doctor-probe-{uuid.uuid4().hex}"}}
        try:
            client.get_item(TableName=table, Key=probe)
        except ClientError as error:
            return _aws_failure(error, "dynamodb:GetItem", f"table/{table}")
        try:
            client.update_item(TableName=table, Key=probe,
                               UpdateExpression="SET #probe = :probe",
                               ConditionExpression="attribute_exists(eventId)",
                               ExpressionAttributeNames={"#probe": PROBE_ATTRIBUTE},
                               ExpressionAttributeValues={":probe": {"S": "doctor"}})
        except ClientError as error:
            if _code(error) != "ConditionalCheckFailedException":
                return _aws_failure(error, "dynamodb:UpdateItem", f"table/{table}")
        else:  # cannot happen on DynamoDB; if it did, leave nothing behind
            client.delete_item(TableName=table, Key=probe)
            return failed("the write probe's condition did not hold back the write (deleted "
                          "again)", "check that the endpoint is DynamoDB")
        return passed(f"table '{table}' exists with partition key eventId; may read "
                      "(probe: GetItem) and conditionally write (probe: UpdateItem on a key "
                      "no record has, with a condition that fails, so nothing was written)")

    # -- S3 ---------------------------------------------------------------------------

    def bucket_listable(self) -> Finding:
        bucket, prefix = self.config.pages.bucket, self.config.pages.prefix
        try:
            aws_client("s3", self.config, self.env).list_objects_v2(
                Bucket=bucket, Prefix=prefix, MaxKeys=1)
        except ClientError as error:
            if _code(error) == "NoSuchBucket":
                return failed(f"bucket '{bucket}' does not exist",
                              "set pages.bucket to the bucket of the guest pages")
            return _aws_failure(error, "s3:ListBucket", bucket)
        except (BotoCoreError, NoCredentialsError) as error:
            return _unreachable("S3", error)
        return passed(f"s3://{bucket}/{prefix} can be listed")

    def bucket_writable(self) -> Finding:
        bucket, prefix = self.config.pages.bucket, self.config.pages.prefix
        key = f"{prefix}charter-ops-doctor-probe-{uuid.uuid4().hex}.txt"
        s3 = aws_client("s3", self.config, self.env)
        try:
            s3.put_object(Bucket=bucket, Key=key, Body=b"charter-ops doctor: deleted at once\n",
                          ContentType="text/plain")
        except ClientError as error:
            if _code(error) == "NoSuchBucket":
                return failed(f"bucket '{bucket}' does not exist",
                              "set pages.bucket to the bucket of the guest pages")
            return _aws_failure(error, "s3:PutObject", f"{bucket}/{prefix}*")
        except (BotoCoreError, NoCredentialsError) as error:
            return _unreachable("S3", error)
        try:
            s3.delete_object(Bucket=bucket, Key=key)
        except ClientError as error:
            return failed(f"the probe s3://{bucket}/{key} was written but could not be deleted "
                          f"({_code(error)})", "delete that object by hand")
        return passed(f"s3://{bucket}/{prefix} is writable (probe: put, then deleted, {key})")

    # -- CloudFront -------------------------------------------------------------------

    def cloudfront(self) -> Finding:
        distribution = self.config.pages.distribution_id
        client = aws_client("cloudfront", self.config, self.env)
        try:
            client.get_distribution(Id=distribution)
        except ClientError as error:
            if _code(error) == "NoSuchDistribution":
                return failed(f"distribution '{distribution}' does not exist",
                              "set pages.distribution_id to the distribution serving the "
                              "pages (CloudFront console, ID column)")
            return _aws_failure(error, "cloudfront:GetDistribution",
                                f"distribution/{distribution}")
        except (BotoCoreError, NoCredentialsError) as error:
            return _unreachable("CloudFront", error)
        try:
            client.list_invalidations(DistributionId=distribution, MaxItems="1")
        except ClientError as error:
            return _aws_failure(error, "cloudfront:ListInvalidations",
                                f"distribution/{distribution}")
        return passed(f"distribution '{distribution}' exists and its invalidations can be "
                      "listed (creating one is not tried: each is billed past the free "
                      "allowance; the bot needs cloudfront:CreateInvalidation on it)")

    # -- Slack ------------------------------------------------------------------------

    def _slack_client(self) -> WebClient:
        return web_client(token=self.env.slack_bot_token, base_url=self.env.slack_api_url,
                          timeout=15)

    def slack_token(self) -> Finding:
        if not self.env.slack_bot_token:
            self._slack_problem = "not checked: SLACK_BOT_TOKEN is not set"
            return failed("SLACK_BOT_TOKEN is not set",
                          "set it to the app's Bot User OAuth Token (xoxb-...)")
        try:
            answer = self._slack_client().auth_test()
        except SlackApiError as error:
            self._slack_problem = "not checked: the token does not work"
            return failed(f"auth.test refused the token ({error.response.get('error')})",
                          "copy the Bot User OAuth Token (xoxb-...) again from the app's "
                          "OAuth & Permissions page; reinstall the app if it was revoked")
        except (SlackClientError, OSError) as error:
            self._slack_problem = "not checked: Slack cannot be reached"
            return failed(f"Slack cannot be reached ({_first_line(error)})",
                          "check the network and SLACK_API_URL, if set")
        headers = {k.lower(): v for k, v in (answer.headers or {}).items()}
        scopes = headers.get("x-oauth-scopes")
        if isinstance(scopes, list):
            scopes = ",".join(scopes)
        self._slack = {"user_id": answer.get("user_id"), "user": answer.get("user"),
                       "team": answer.get("team"), "scopes": scopes}
        return passed(f"valid: bot @{answer.get('user')} in {answer.get('team')} (auth.test)")

    def slack_scopes(self) -> Finding:
        if self._slack is None:
            return failed(self._slack_problem, "fix the Slack token first")
        wanted = manifest_scopes()
        if self._slack["scopes"] is None:
            return failed("Slack did not say which scopes the token has",
                          "check that SLACK_API_URL, if set, is Slack's Web API")
        have = {s.strip() for s in self._slack["scopes"].split(",") if s.strip()}
        missing = [scope for scope in wanted if scope not in have]
        if missing:
            return failed(f"the token lacks {', '.join(missing)} (the manifest asks for "
                          f"{len(wanted)})",
                          "add them under OAuth & Permissions -> Bot Token Scopes (or "
                          "update the app from the manifest) and reinstall the app")
        return passed(f"has all {len(wanted)} scopes the manifest asks for")

    def slack_channel(self) -> Finding:
        channel = self.config.slack.channel
        if self._slack is None:
            return failed(self._slack_problem, "fix the Slack token first")
        wanted = channel.removeprefix("#")
        client = self._slack_client()
        cursor = None
        try:
            while True:
                page = client.users_conversations(
                    user=self._slack["user_id"], types="public_channel,private_channel",
                    exclude_archived=True, limit=200, cursor=cursor)
                channels: list[dict[str, Any]] = page.get("channels", [])
                for found in channels:
                    if wanted in (found.get("id"), found.get("name")):
                        return passed(f"the bot is in {channel} (users.conversations)")
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    break
        except SlackApiError as error:
            return failed(f"users.conversations refused ({error.response.get('error')})",
                          "give the app the channels:read and groups:read scopes and "
                          "reinstall it")
        except (SlackClientError, OSError) as error:
            return failed(f"Slack cannot be reached ({_first_line(error)})",
                          "check the network")
        return failed(f"the bot is not in {channel}",
                      f"in Slack, open {channel} and type /invite @{self._slack['user']}; "
                      "or set slack.channel to a channel it is in")

    def slack_app_token(self) -> Finding:
        """Socket Mode's token: apps.connections.open must answer it with a URL. Only
        asked for one: the bot would connect to it, the doctor does not."""
        token = self.env.slack_app_token or ""
        fix = ("create an app-level token with connections:write (the app's Basic "
               "Information -> App-Level Tokens; Socket Mode on) and set SLACK_APP_TOKEN to "
               "it (xapp-...)")
        if token.startswith("xox"):
            # The usual slip: the bot token pasted twice. Slack would refuse it anyway.
            return failed(f"SLACK_APP_TOKEN holds a {token[:4]}- token, not an app-level "
                          "token (xapp-...)", fix)
        client = web_client(token=None, base_url=self.env.slack_api_url, timeout=15)
        try:
            answer = client.apps_connections_open(app_token=token)
        except SlackApiError as error:
            return failed(f"apps.connections.open refused the token "
                          f"({error.response.get('error')})", fix)
        except (SlackClientError, OSError) as error:
            return failed(f"Slack cannot be reached ({_first_line(error)})",
                          "check the network and SLACK_API_URL, if set")
        if not str(answer.get("url") or "").startswith(("wss://", "ws://")):
            return failed("apps.connections.open answered without a WebSocket URL",
                          "check that SLACK_API_URL, if set, is Slack's Web API")
        return passed("valid: apps.connections.open gave a Socket Mode URL (not opened)")

    # -- audit store ------------------------------------------------------------------

    def audit_database(self) -> Finding:
        state = schema_state(self.env.database_url)
        where = "DATABASE_URL" if self.env.database_url else "the default ./charter-ops.sqlite3"
        if not state.reachable:
            return failed(f"{where}: {state.problem}",
                          "set DATABASE_URL to a reachable database; `charter-ops audit` "
                          "(or starting the bot) creates and migrates it")
        if state.current != state.head:
            return failed(f"{where}: the schema is at {state.current or 'nothing'}, this "
                          f"version needs {state.head}",
                          "`charter-ops audit` (or starting the bot) migrates it")
        return passed(f"{where} is reachable and migrated ({state.head})")


def manifest_scopes(path: Path | None = None) -> list[str]:
    """The bot scopes the Slack app manifest asks for."""
    manifest = yaml.safe_load((path or manifest_path()).read_text(encoding="utf-8"))
    return list(manifest["oauth_config"]["scopes"]["bot"])


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _aws_failure(error: ClientError, action: str, resource: str) -> Finding:
    code = _code(error)
    if code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
                "403", "Forbidden"):
        return failed(f"not allowed: {action} ({code})",
                      f"allow {action} on {resource} in the bot's IAM policy")
    return failed(f"{action} failed: {code} {error.response.get('Error', {}).get('Message', '')}"
                  .rstrip(), "see the error above")


def _unreachable(system: str, error: Exception) -> Finding:
    if isinstance(error, NoCredentialsError):
        return failed("no AWS credentials found",
                      "set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
                      "run with a role")
    return failed(f"{system} cannot be reached ({_first_line(error)})",
                  "check the network, dynamodb.region and AWS_ENDPOINT_URL, if set")


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
