"""Ack latency of the Slack app, and what crew chat costs.

    python bench/ack.py [--requests N] [--work-seconds S] [--chat N] [--chat-charters M]

1. Chat: N signed Events API messages (small talk and proposals mixed, default 50)
   through Bolt against the seeded sandbox (moto's server, the calendar emulator),
   with M more charters in the window (default 200).
   Prints, per message, the reads each system received (counted where they arrive)
   and the time from the delivery to the proposal in thread; then the totals, next
   to what one full reconcile of the window reads (what every message used to cost).
2. Acks: 1,000 signed slash commands and button clicks while the work behind each
   takes a full second (a slow AWS). Prints the median and 99th percentile of the
   time from dispatch to the ack. Target: p99 under 50 ms.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slack_bolt.request import BoltRequest
from slack_sdk.signature import SignatureVerifier

from bench.chat_costs import run_chat
from bot.config import load_config
from bot.sandbox.slack_fake import SlackFake
from bot.slack_app import build_app
from common.errors import SourceUnavailableError
from services.changes import ChangeService
from services.deps import Deps
from services.domain.models import ReconcileResult, Window
from store.audit import AuditLog
from store.database import open_engine, session_factory

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-secret"


class SlowOperations(Deps):
    """Every reconcile takes ``work_seconds`` and then fails, like a slow, flaky AWS."""

    work_seconds = 1.0

    def reconcile(self) -> ReconcileResult:
        time.sleep(self.work_seconds)
        raise SourceUnavailableError("benchmark: no systems behind this bot")


def signed(body: str) -> BoltRequest:
    ts = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body)
    return BoltRequest(body=body, headers={
        "content-type": ["application/x-www-form-urlencoded"],
        "x-slack-request-timestamp": [ts], "x-slack-signature": [signature]})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--work-seconds", type=float, default=1.0)
    parser.add_argument("--chat", type=int, default=50, help="chat messages (0: skip)")
    parser.add_argument("--chat-charters", type=int, default=200,
                        help="charters added to the seed's, for the chat part")
    args = parser.parse_args()
    config = load_config(ROOT / "app.yaml")
    if args.chat:
        run_chat(config, messages=args.chat, padding=args.chat_charters)
    SlowOperations.work_seconds = args.work_seconds
    # A real audit store: each click is claimed there before its listener runs (a click
    # delivered twice is dropped), and that claim is part of the ack.
    workdir = tempfile.mkdtemp(prefix="charter-ack-")
    audit = AuditLog(session_factory(open_engine(f"sqlite:///{workdir}/audit.sqlite3")))
    ops = SlowOperations(systems=None, config=config, audit=audit,  # type: ignore[arg-type]
                         changes=ChangeService(systems=None, config=config,  # type: ignore
                                               audit=audit),
                         window=lambda: Window(date(2026, 5, 25), date(2026, 6, 24)),
                         clock=lambda: datetime.now(UTC))
    with SlackFake() as slack:
        app = build_app(ops, token="xoxb-bench", signing_secret=SECRET, api_url=slack.api_url)
        command = urlencode({"command": "/charter", "text": "status danika",
                             "user_id": "U0123ABCD", "team_id": "T1", "channel_id": "C1",
                             "response_url": slack.response_url(), "trigger_id": "1"})
        payload: dict[str, Any] = {
            "type": "block_actions", "user": {"id": "U0123ABCD"}, "team": {"id": "T1"},
            "channel": {"id": "C1"}, "response_url": slack.response_url(),
            "trigger_id": "1", "message": {"ts": "1.1", "text": "d", "blocks": []},
            "container": {"type": "message", "message_ts": "1.1", "channel_id": "C1"},
            "actions": [{"type": "button", "action_id": "digest_approve_all",
                         "block_id": "decide:all", "value": "all", "action_ts": "1"}]}
        latencies = {"slash command": [], "button click": []}
        for n in range(args.requests):
            payload["actions"][0]["action_ts"] = f"{n}.000"  # each click a click of its own
            click = "payload=" + quote(json.dumps(payload))
            kind, body = ("slash command", command) if n % 2 == 0 else ("button click", click)
            request = signed(body)
            t0 = time.perf_counter()
            response = app.dispatch(request)
            latencies[kind].append((time.perf_counter() - t0) * 1000)
            assert response.status == 200, response.body
        # The deferred work is still queued; its failures once the fake stops are noise.
        logging.disable(logging.CRITICAL)
    everything = sorted(x for values in latencies.values() for x in values)
    print(f"{args.requests} requests, each with {args.work_seconds:.1f} s of deferred work")
    for kind, values in (*latencies.items(), ("all", everything)):
        values = sorted(values)
        p99 = values[max(0, int(len(values) * 0.99) - 1)]
        print(f"  {kind:<14} ack median {statistics.median(values):6.2f} ms   "
              f"p99 {p99:6.2f} ms   max {values[-1]:6.2f} ms", flush=True)
    os._exit(0)  # do not wait for a thousand seconds of deferred work to drain


if __name__ == "__main__":
    main()
