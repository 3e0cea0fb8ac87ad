"""Live sync on N charters (default 5,000), in sync, in moto's server and the calendar
emulator: what an idle check costs, and how long a single-charter calendar edit takes
to reach DynamoDB, the guest page and CloudFront through push.

    python bench/live.py [--charters N] [--edits 20] [--idle 10]

Idle: ``--idle`` checks with nothing changed, requests counted at the emulator and
on every AWS client (target: 1 calendar request, 0 AWS requests, per check).
Edits: one charter's start moved an hour in the emulator, which POSTs its
notification to the bot's /calendar/notifications on loopback; the live sync
(auto-fix on) reads the change and fixes the record, the page and the cache. Times
are from the edit to each write having been answered (median and max), and the
requests each edit cost per service (target: at most 1 s and 8 requests in all).
"""

from __future__ import annotations

import argparse
import collections
import math
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3
from werkzeug.serving import make_server

from bench.reconcile import DRIFT, _seed, bench_config
from bot.config import load_config
from bot.push_http import PATH, notifications_app
from bot.sandbox.sandbox import running_sandbox
from bot.wiring import build_change_service, build_systems
from services.live_sync import CheckReport, LiveSync
from services.push import Coalescer, PushChannels
from store.audit import AuditLog
from store.database import open_engine, session_factory
from store.sync_state import SyncState

ROOT = Path(__file__).resolve().parents[1]
WRITES = {"dynamodb": "UpdateItem", "s3": "PutObject", "cloudfront": "CreateInvalidation"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--charters", type=int, default=5000)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--idle", type=int, default=10)
    args = parser.parse_args()
    n, days = args.charters, 60
    per_day = math.ceil(n / days)
    base = bench_config(load_config(ROOT / "app.yaml"), crew_size=2 * per_day + 2, days=days)
    # The edits are fixed without a person, whenever they leave: that is what is timed.
    sync = base.sync.model_copy(update={"auto_fix": ("RECORD_MISMATCH", "PAGE_STALE",
                                                     "CACHE_STALE"), "freeze_hours": 0})
    config = base.model_copy(update={"sync": sync})
    start_day = datetime.now(UTC).astimezone(config.tz).date() + timedelta(days=1)
    with running_sandbox(config) as box, tempfile.TemporaryDirectory() as workdir:
        config = box.config.model_copy(update={"sync": sync})
        print(f"seeding {n} charters over {days} days, in sync ...", flush=True)
        _seed(box, config, n, per_day, start_day, {kind: set() for kind in DRIFT})

        calls: list[tuple[float, str, str]] = []  # (answered at, service, operation)
        session = boto3.Session()
        session.events.register("after-call", lambda model, **_: calls.append(
            (time.perf_counter(), model.service_model.service_name, model.name)))
        boto3.DEFAULT_SESSION = session
        systems = build_systems(config, box.env)
        sessions = session_factory(open_engine(f"sqlite:///{workdir}/audit.sqlite3"))
        state = SyncState(sessions)
        live = LiveSync(systems=systems, config=config, state=state, alerts=None,
                        changes=build_change_service(systems, config, AuditLog(sessions)))
        live.check()  # the starting point: one full read of the window, reconciled

        box.emulator.reset_requests()
        calls.clear()
        for _ in range(args.idle):
            live.check()
        print(f"\nidle: {args.idle} checks, {len(box.emulator.requests)} calendar requests, "
              f"{len(calls)} AWS requests: {len(box.emulator.requests) / args.idle:.1f} "
              f"calendar and {len(calls) / args.idle:.1f} AWS requests per check")

        reports: list[CheckReport] = []
        coalescer = Coalescer(lambda: reports.append(live.check())).start()
        app_holder: list[object] = []
        server = make_server("127.0.0.1", 0, lambda e, s: app_holder[0](e, s),  # type: ignore
                             threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        push = PushChannels(api=systems.calendar.api, state=state,
                            calendar_id=config.boats[0].calendar_id, runner_id=live.runner_id,
                            address=f"http://127.0.0.1:{server.server_port}{PATH}")
        app_holder.append(notifications_app(push, coalescer))
        push.ensure()
        time.sleep(0.5)  # the channel's sync message

        times: dict[str, list[float]] = {service: [] for service in WRITES}
        per_edit: list[collections.Counter[str]] = []
        step = max(1, n // args.edits)
        for edit in range(args.edits):
            event_id = f"bench{edit * step:06d}"
            event = box.emulator.get_event(config.boats[0].calendar_id, event_id)
            assert event is not None
            day = event["start"]["dateTime"][:10]
            hour = 11 if event["start"]["dateTime"][11:13] == "10" else 10
            box.emulator.reset_requests()
            calls.clear()
            done_before = len(reports)
            t0 = time.perf_counter()
            box.emulator.patch_event(config.boats[0].calendar_id, event_id, {
                "start": {"dateTime": f"{day}T{hour:02d}:00:00", "timeZone": config.timezone},
                "end": {"dateTime": f"{day}T{hour + 4:02d}:00:00", "timeZone": config.timezone}})
            deadline = t0 + 30
            while len(reports) == done_before and time.perf_counter() < deadline:
                time.sleep(0.005)
            for service, operation in WRITES.items():
                answered = [at for at, s, op in calls if s == service and op == operation]
                times[service].append((answered[0] - t0) if answered else math.inf)
            counted = collections.Counter(s for _, s, _ in calls)
            counted["calendar"] = sum(1 for _, p in box.emulator.requests
                                      if p.startswith("/calendar/v3/calendars/"))
            per_edit.append(counted)
        coalescer.stop()
        push.leave(alive_within=timedelta(minutes=3))
        server.shutdown()

        print(f"\n{args.edits} single-charter edits, from the edit (the emulator notifies at "
              "once) to each write answered:")
        for service, operation in WRITES.items():
            got = times[service]
            print(f"  {service + ' ' + operation:<30} median {statistics.median(got):.3f} s   "
                  f"max {max(got):.3f} s")
        print("requests per edit (median, max):")
        services = ("calendar", "dynamodb", "s3", "cloudfront")
        for service in services:
            values = [c[service] for c in per_edit]
            print(f"  {service:<10} {statistics.median(values):>4}  {max(values):>4}")
        totals = [sum(c[s] for s in services) for c in per_edit]
        print(f"  {'all':<10} {statistics.median(totals):>4}  {max(totals):>4}")
        fixed = sum(1 for r in reports if r.fixed)
        print(f"edits fixed by the live sync: {fixed} of {args.edits}")


if __name__ == "__main__":
    main()
