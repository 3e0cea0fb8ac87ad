"""Home openings: the reads of the three systems and the time each opening costs.

300 departures over the Home's seven days (the window the Home reads), in moto's server
and the calendar emulator; a bot through Bolt's real pipeline (signed app_home_opened
events, the Slack fake taking views.publish). Thirty people open their Home in a minute
(one every two seconds, on the clock the shared read keeps time by, so the bench does
not wait the minute out), then thirty at once (7 AM, everyone at the dock). Each is run
twice: every opening reading the systems itself (as before the shared read), and with
the read shared for ``HOME_READ_SECONDS`` (single flight: those who open it while it is
read wait for that read).

    python bench/home.py [--departures N] [--openings K]

Printed per run: calendar events.list requests, DynamoDB Scans, S3 list requests, each
per opening, and the time from the event to its views.publish (median and slowest).
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3
from slack_sdk.signature import SignatureVerifier

from bench.reconcile import DRIFT, _seed, bench_config
from bot.config import load_config
from bot.sandbox.sandbox import running_sandbox
from bot.sandbox.slack_fake import SlackFake
from bot.slack_app import build_app
from bot.wiring import build_change_service, build_systems
from services.deps import HOME_READ_SECONDS, Deps
from services.domain.models import Window
from services.shared_read import SharedRead
from store.audit import AuditLog
from store.database import open_engine, session_factory

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-signing-secret"
DAYS = 7
SPACING = 2.0  # seconds between two openings: thirty in a minute


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--departures", type=int, default=300)
    parser.add_argument("--openings", type=int, default=30)
    args = parser.parse_args()
    n, per_day = args.departures, -(-args.departures // DAYS)
    config = bench_config(load_config(ROOT / "app.yaml"), crew_size=2 * per_day + 2,
                          days=DAYS)
    start = date.today()
    calls: collections.Counter[str] = collections.Counter()
    session = boto3.Session()
    session.events.register("before-call", lambda model, **_: calls.update(
        [f"{model.service_model.service_name}:{model.name}"]))
    boto3.DEFAULT_SESSION = session
    with running_sandbox(config) as box, SlackFake() as slack, \
            tempfile.TemporaryDirectory() as workdir:
        print(f"seeding {n} departures over {DAYS} days ...", flush=True)
        _seed(box, box.config, n, per_day, start, {kind: set() for kind in DRIFT})
        systems = build_systems(box.config, box.env)
        audit = AuditLog(session_factory(open_engine(f"sqlite:///{workdir}/audit.sqlite3")))
        window = Window(start, start + timedelta(days=DAYS - 1))
        deps = Deps(systems=systems, config=box.config, audit=audit,
                    changes=build_change_service(systems, box.config, audit),
                    window=lambda: window, clock=lambda: datetime.now(UTC))
        app = build_app(deps, token="xoxb-bench", signing_secret=SECRET,
                        api_url=slack.api_url)
        print(f"{args.openings} openings of a Home of {n} departures "
              f"(approvers: decisions too; one every {SPACING:.0f} s, then all at once)\n")
        print(f"{'':34} {'events.list':>11} {'Scan':>6} {'S3 list':>8} "
              f"{'median':>8} {'slowest':>8}   (per opening)")
        for keep, name in ((0.0, "each opening reads (before)"),
                           (HOME_READ_SECONDS, f"shared {HOME_READ_SECONDS:.0f} s (after)")):
            for together in (False, True):
                row = _run(app, deps, box, slack, calls, keep=keep, together=together,
                           openings=args.openings)
                label = f"{name}, {'at once' if together else 'in a minute'}"
                print(f"{label:<34} {row['lists']:>11.2f} {row['scans']:>6.2f} "
                      f"{row['s3']:>8.2f} {row['median']:>7.3f}s {row['slowest']:>7.3f}s",
                      flush=True)


def _run(app: Any, deps: Deps, box: Any, slack: SlackFake,
         calls: collections.Counter[str], *, keep: float, together: bool,
         openings: int) -> dict[str, float]:
    clock = [0.0]
    deps.home_reads = SharedRead(keep_for=keep, clock=lambda: clock[0]) if keep \
        else _EveryTime()  # type: ignore[assignment]
    box.emulator.reset_requests()
    calls.clear()
    people = [f"U0B{n:05d}" for n in range(openings)]
    sent, took = {}, []
    base = len(slack.wait_for(0, method="views.publish"))
    if together:
        for person in people:
            sent[person] = time.perf_counter()
            app.dispatch(_opened(person))
        seen = base
        deadline = time.monotonic() + 600
        while seen < base + openings and time.monotonic() < deadline:
            done = slack.wait_for(seen + 1, method="views.publish", timeout=1)
            now = time.perf_counter()
            took += [now - sent[p["user_id"]] for _, p in done[seen:]]
            seen = len(done)
    else:
        for index, person in enumerate(people):
            clock[0] = index * SPACING
            t0 = time.perf_counter()
            app.dispatch(_opened(person))
            slack.wait_for(base + index + 1, method="views.publish", timeout=600)
            took.append(time.perf_counter() - t0)
    lists = sum(1 for m, p in box.emulator.requests
                if m == "GET" and p.split("?")[0].endswith("/events"))
    return {"lists": lists / openings, "scans": calls["dynamodb:Scan"] / openings,
            "s3": calls["s3:ListObjectsV2"] / openings,
            "median": statistics.median(took), "slowest": max(took)}  # event to publish


class _EveryTime:
    """What the Home did before the shared read: each opening reads the systems."""

    def get(self, _key: Any, read: Any) -> Any:
        return read()

    def forget(self) -> None:
        return None


def _opened(user: str) -> Any:
    from slack_bolt.request import BoltRequest

    body = json.dumps({"type": "event_callback", "team_id": "T1", "api_app_id": "A1",
                       "event_id": f"Ev{time.time_ns()}", "event_time": int(time.time()),
                       "event": {"type": "app_home_opened", "user": user, "tab": "home",
                                 "channel": "D0HOME", "event_ts": str(time.time())}})
    ts = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body)
    return BoltRequest(body=body, headers={
        "content-type": ["application/json"], "x-slack-request-timestamp": [ts],
        "x-slack-signature": [signature]})


if __name__ == "__main__":
    main()
