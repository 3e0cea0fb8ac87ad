"""Time a crew swap end to end (calendar, DynamoDB, page, CloudFront) against moto's server
and the calendar emulator, and count the requests each swap costs.

    python bench/propagate.py [--runs N]

Each run swaps Danika's mate back and forth on the seed's weekend exactly as
``python -m bot swap`` does it in a new process: fresh clients (no cache from the
run before), plan from a reconcile of the window, then the durable change with its
audit rows (SQLite). Reads per swap are printed for the first swap of the day and
for the one after 20 changes: they must not grow with the day's history (target:
at most 6 reads, and 4 writes, one per system).
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3

from bot.config import load_config
from bot.sandbox.sandbox import install, running_sandbox
from bot.sandbox.scenario import seed_weekend
from bot.wiring import build_change_service, build_systems
from services.domain.models import Window
from services.domain.pages.rendering import PageRenderer
from services.reconciling import run_reconcile
from services.usecases.change_request import ChangeRequest, carry_out
from store.audit import AuditLog
from store.database import open_engine, session_factory

ROOT = Path(__file__).resolve().parents[1]
WINDOW = Window(date(2026, 5, 25), date(2026, 6, 24))
WRITES = {"calendar PATCH", "dynamodb UpdateItem", "dynamodb PutItem", "s3 PutObject",
          "cloudfront CreateInvalidation"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    config = load_config(ROOT / "app.yaml")
    with running_sandbox(config) as box, tempfile.TemporaryDirectory() as workdir:
        config = box.config
        pages = config.pages
        install(box, seed_weekend(
            date(2026, 5, 30), waiver_base=pages.waiver_url, prefix=pages.prefix,
            phones={m.name: m.phone for m in config.roster},
            emails={m.name: m.email for m in config.roster},
            photo_url=pages.photo_upload_url or f"{pages.base_url}/charters/photos"))
        calls: collections.Counter[str] = collections.Counter()
        session = boto3.Session()
        session.events.register("before-call", lambda model, **_: calls.update(
            [f"{model.service_model.service_name} {model.name}"]))
        boto3.DEFAULT_SESSION = session
        audit = AuditLog(session_factory(open_engine(f"sqlite:///{workdir}/audit.sqlite3")))
        plan_times, apply_times = [], []
        per_swap: list[collections.Counter[str]] = []
        box.emulator.reset_requests()
        for run in range(args.runs + 1):
            new, old = ("Tess", "Ana") if run % 2 == 0 else ("Ana", "Tess")
            before_aws, before_cal = collections.Counter(calls), len(box.emulator.requests)
            systems = build_systems(config, box.env)  # a new process: nothing cached
            service = build_change_service(systems, config, audit)
            t0 = time.perf_counter()
            result = run_reconcile(systems, config, window=WINDOW, now=datetime.now(UTC),
                                   renderer=PageRenderer(), read_cdn=False)
            t1 = time.perf_counter()
            outcome = carry_out(service=service, read=lambda result=result: result,
                                request=ChangeRequest(kind="swap", charter="danika",
                                                      words=(old, new)),
                                config=config, today=WINDOW.start, now=datetime.now(UTC),
                                requested_by="bench", source="cli")
            t2 = time.perf_counter()
            assert outcome.status == "done" and not outcome.repeated, outcome
            plan_times.append(t1 - t0)
            apply_times.append(t2 - t1)
            this = collections.Counter(calls)
            this.subtract(before_aws)
            this.update(f"calendar {m}" for m, p in box.emulator.requests[before_cal:]
                        if p != "/token")
            per_swap.append(+this)
        calls.clear()
        for counted in per_swap[1:]:
            calls.update(counted)
        calendar = collections.Counter({k: v for k, v in calls.items()
                                        if k.startswith("calendar ")})
        print(f"{args.runs} swaps of Danika's mate, each: reconcile the window + plan, then "
              "the durable change (4 steps, audited)")
        for name, samples in (("reconcile + plan", plan_times), ("durable change", apply_times)):
            ms = sorted(s * 1000 for s in samples)
            print(f"  {name:<17} median {statistics.median(ms):7.1f} ms   "
                  f"max {ms[-1]:7.1f} ms")
        print("\nrequests per swap (mean over runs), all phases:")
        for name, count in sorted({**calls, **calendar}.items()):
            print(f"  {name:<36} {count / args.runs:5.1f}")
        print("\nwrites per swap, the lower bound being one per system: calendar PATCH "
              f"{calendar['calendar PATCH'] / args.runs:.1f}, DynamoDB UpdateItem "
              f"{calls['dynamodb UpdateItem'] / args.runs:.1f}, S3 PutObject "
              f"{calls['s3 PutObject'] / args.runs:.1f}, CloudFront CreateInvalidation "
              f"{calls['cloudfront CreateInvalidation'] / args.runs:.1f}")
        print("\nreads per swap, as a new process each time:")
        for label, counted in (("first swap of the day", per_swap[0]),
                               (f"after {args.runs} changes", per_swap[-1])):
            reads = {k: v for k, v in sorted(counted.items()) if k not in WRITES}
            print(f"  {label:<22} {sum(reads.values()):3d} reads, "
                  f"{sum(counted[k] for k in WRITES)} writes   "
                  + ", ".join(f"{k} {v}" for k, v in reads.items()))


if __name__ == "__main__":
    main()
