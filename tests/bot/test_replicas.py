"""Two ``python -m bot`` processes on one PostgreSQL, as an operator scales out: the jobs
both schedulers fire post one digest and apply each nightly fix once, both retry jobs
finish an interrupted change once, and the same Approve click delivered to both replicas
makes one change."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from bot.sandbox.fault_proxy import FaultProxy
from bot.sandbox.sandbox import Sandbox, sandbox_environ, write_config
from bot.sandbox.slack_fake import SlackFake
from services.domain.pages.reading import read_page_fields
from store.audit import AuditLog, ChangeEntry
from store.database import open_engine, session_factory
from tests.bot.test_serve_http import ROOT, bot_process, post, signature

APPROVER = "U0123ABCD"
# Enough for two bot processes to start one after the other on a busy machine (about
# 6 s on two loaded cores).
START_SECONDS = 15


@contextmanager
def two_replicas(box: Sandbox, slack: SlackFake, tmp_path: Path,
                 database_url: str) -> Iterator[list[str]]:
    with ExitStack() as stack:
        urls = []
        for name in ("a", "b"):  # one after the other: the first applies the migrations
            (tmp_path / name).mkdir()
            urls.append(stack.enter_context(bot_process(box, slack, tmp_path / name,
                                                        database_url)))
        yield urls


def changes(database_url: str) -> list[ChangeEntry]:
    return AuditLog(session_factory(open_engine(database_url))).recent(limit=100)


def test_both_schedulers_fire_yet_one_digest_is_posted_and_each_fix_applied_once(
        this_weekend: Sandbox, tmp_path: Path, postgres_url: str) -> None:
    config = this_weekend.config
    # A moment both processes start before: both schedulers fire at it. Given to the
    # second (HH:MM:SS), so the test waits seconds for it rather than the next minute.
    due = (datetime.now(config.tz) + timedelta(seconds=START_SECONDS)).replace(microsecond=0)
    at = due.strftime("%H:%M:%S")
    box = replace(this_weekend, config=config.model_copy(update={
        "slack": config.slack.model_copy(update={"digest_at": at}),
        "sync": config.sync.model_copy(update={
            "nightly_at": at, "auto_fix": ("RECORD_MISMATCH", "RECORD_MISSING"),
            "freeze_hours": 0})}))
    with SlackFake() as slack, two_replicas(box, slack, tmp_path, postgres_url):
        assert datetime.now(config.tz) < due, "the replicas started after their jobs' moment"
        time.sleep(max(0.0, (due - datetime.now(config.tz)).total_seconds()))
        [(_, digest)] = slack.wait_for(1, method="chat.postMessage", timeout=60)
        deadline = time.monotonic() + 60
        while not (done := changes(postgres_url)) or any(c.status != "done" for c in done):
            assert time.monotonic() < deadline, f"the nightly fixes did not finish: {done}"
            time.sleep(0.5)
        time.sleep(3)  # time for a second digest or a second fix, were there going to be one
        posts = [p for m, p in slack.calls if m == "chat.postMessage"
                 and not p["channel"].startswith("U")]  # the crew's direct messages aside
        told = Counter((p["channel"], p["text"]) for m, p in slack.calls
                       if m == "chat.postMessage" and p["channel"].startswith("U"))
        fixes = changes(postgres_url)
    logs = [(tmp_path / name / "bot.log").read_text() for name in ("a", "b")]
    # Both fired: the one that lost the day's claim says so.
    assert all('Running job "morning digest' in log for log in logs)
    assert sum("already posted by another process" in log for log in logs) == 1
    assert len(posts) == 1, [p["text"][:80] for p in posts]
    # The fixes moved records' crew and times: each person told once, not once per replica.
    assert told and set(told.values()) == {1}, told
    assert not digest["text"].startswith(":warning:")
    # Each set of discrepancies fixed by one change, made by the scheduler, done.
    assert fixes and all((c.kind, c.source, c.status) == ("fix", "scheduler", "done")
                         for c in fixes)
    assert len({c.idempotency_key for c in fixes}) == len(fixes)
    fixed = [d for c in fixes for d in c.params["discrepancies"]]
    assert len(fixed) == len(set(fixed))


PAGE = "charters/guests/danika-guest.html"


def lines(log: Path, text: str) -> int:
    return log.read_text().count(text)


def test_both_retry_jobs_fire_yet_an_interrupted_change_is_finished_once(
        this_weekend: Sandbox, tmp_path: Path, postgres_url: str) -> None:
    config = this_weekend.config
    with FaultProxy(this_weekend.aws_endpoint) as aws, \
            FaultProxy(this_weekend.emulator.url) as calendar:
        # Every process reaches AWS and the calendar through the proxies, which count
        # each write; the replicas look for interrupted changes every second.
        box = replace(this_weekend, env=replace(
            this_weekend.env, aws_endpoint_url=aws.url,
            google_calendar_api_endpoint=f"{calendar.url}/calendar/v3/"),
            config=config.model_copy(update={
                "sync": config.sync.model_copy(update={"retry_seconds": 1})}))
        with SlackFake() as slack, two_replicas(box, slack, tmp_path, postgres_url):
            logs = [tmp_path / name / "bot.log" for name in ("a", "b")]
            # A swap from the command line, killed as it was about to write the record:
            # its calendar edit is done, the rest is not, and its lease names a dead process.
            record = aws.hold("POST", operation="UpdateItem")
            page = aws.hold("PUT", path=f"/{PAGE}")
            write_config(box.config, tmp_path / "app.yaml")
            swap = subprocess.Popen(
                [sys.executable, "-m", "bot", "--config", str(tmp_path / "app.yaml"),
                 "swap", "danika", "Ana", "Tess"], cwd=tmp_path, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, env={**os.environ, **sandbox_environ(box),
                                             "DATABASE_URL": postgres_url,
                                             "PYTHONPATH": str(ROOT)})
            assert record.reached.wait(60) or swap.poll() is not None, "no write in 60 s"
            assert swap.poll() is None, swap.communicate()
            swap.send_signal(signal.SIGKILL)
            swap.wait(30)
            record.abandon()  # its write never left the process
            # A replica's retry took the change over and is uploading the page: the other
            # replica's retry fires meanwhile, and must leave the change to it.
            assert page.reached.wait(30), "no replica resumed the change"
            before = [lines(log, 'Running job "retry of interrupted changes') for log in logs]
            time.sleep(3)
            during = [lines(log, 'Running job "retry of interrupted changes') for log in logs]
            page.release()
            deadline = time.monotonic() + 30
            while (status := changes(postgres_url)[0].status) != "done":
                assert time.monotonic() < deadline, f"the change is still {status}"
                time.sleep(0.25)
            time.sleep(3)  # time for a second run, were there going to be one
            [change] = changes(postgres_url)
        resumed = [lines(log, f"retry: resumed change {change.id}: done") for log in logs]
        writes = {"calendar": calendar.count("PATCH", path="/events/evtdanika"),
                  "record": aws.count("POST", operation="UpdateItem", done="forwarded"),
                  "page": aws.count("PUT", path=f"/{PAGE}", done="held+forwarded")
                  + aws.count("PUT", path=f"/{PAGE}", done="forwarded"),
                  "invalidation": aws.count("POST", path="/invalidation$")}
    assert sorted(resumed) == [0, 1], resumed  # one replica finished it...
    other = resumed.index(0)
    assert during[other] > before[other]  # ...while the other's retry ran, and let it be
    assert (change.kind, change.status) == ("swap", "done")
    assert [s.status for s in change.steps] == ["done"] * 4
    assert writes == {"calendar": 1, "record": 1, "page": 1, "invalidation": 1}
    item = this_weekend.client("dynamodb").get_item(
        TableName=config.dynamodb.table, Key={"eventId": {"S": str(change.event_id)}})["Item"]
    html = this_weekend.client("s3").get_object(Bucket=config.pages.bucket, Key=PAGE)["Body"]
    assert item["mate"]["S"] == "Tess"
    assert "Tess" in read_page_fields(html.read().decode())["crew"]


def approve_click(slack: SlackFake, digest: dict[str, Any]) -> str:
    decide = next(b for b in digest["blocks"] if b.get("block_id", "").startswith("decide:")
                  and b["block_id"] != "decide:all")
    approve = next(e for e in decide["elements"] if e["action_id"] == "digest_approve")
    message = {"ts": "1700000000.000001", "text": digest["text"], "blocks": digest["blocks"]}
    payload = {
        "type": "block_actions", "user": {"id": APPROVER}, "team": {"id": "T1"},
        "channel": {"id": "C1"}, "response_url": slack.response_url(), "trigger_id": "1.2.3",
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": "C1"},
        "message": message,
        "actions": [{"type": "button", "action_id": "digest_approve",
                     "block_id": decide["block_id"], "value": approve["value"],
                     "action_ts": str(time.time())}]}
    return "payload=" + quote(json.dumps(payload))


def test_the_same_approve_click_on_both_replicas_makes_one_change(
        this_weekend: Sandbox, tmp_path: Path, postgres_url: str) -> None:
    with SlackFake() as slack, two_replicas(this_weekend, slack, tmp_path,
                                            postgres_url) as urls:
        sync = urlencode({"command": "/charter", "text": "sync", "user_id": APPROVER,
                          "team_id": "T1", "channel_id": "C1",
                          "response_url": slack.response_url(), "trigger_id": "1"})
        assert post(urls[0], sync, signature(sync)) == 200
        [(_, digest)] = slack.wait_for(1, method="chat.postMessage", timeout=30)
        click = approve_click(slack, digest)
        # Slack retried, or a load balancer repeated it: both replicas get the click at once.
        with ThreadPoolExecutor(2) as pool:
            statuses = list(pool.map(lambda url: post(url, click, signature(click)), urls))
        assert statuses == [200, 200]
        [(_, update)] = slack.wait_for(1, method="chat.update", timeout=30)
        # The same delivery once more, late, to the other replica: acknowledged, dropped.
        assert post(urls[1], click, signature(click)) == 200
        time.sleep(3)  # time for a second update, were there going to be one
        updates = [u for m, u in slack.calls if m == "chat.update"]
    assert updates == [update]
    text = json.dumps(update, ensure_ascii=False)
    # Applied, once: "N of M applied" with N > 0 (the digest's own "0 of 1 ready", on a day
    # with departures, is not the approval's outcome).
    assert re.search(r"Approved by <@U0123ABCD> at \d\d:\d\d: [1-9]\d* of \d+ applied", text)
    [change] = changes(postgres_url)
    assert (change.kind, change.status) == ("fix", "done")
