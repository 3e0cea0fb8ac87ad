"""Reconcile N charters (default 5,000) in moto's server and the calendar emulator.

Prints wall time, peak memory, each system's read time, the engine's time, the
ratio of the wall time to the slowest system's reads plus the engine (what reading
the systems at the same time can reach), and the requests sent to each service next to
the lower bound: calendar pages of 2,500 events, DynamoDB Scan pages of 1 MB,
S3 list pages of 1,000 keys, no GET per page, and one calendar look-up per
record that looks orphaned (its event may have moved out of the window: only
a look-up tells a postponed charter from a cancelled one). ``--in-sync``
seeds no drift: then nothing looks orphaned and nothing is looked up.

    python bench/reconcile.py [--charters N] [--seed S] [--in-sync] [--boats K]

``--boats K``: a fleet of K boats, one calendar each, the charters dealt round the boats
(``--boats 5 --charters 5000``: five boats of 1,000); each calendar is read on its own.

The calendar emulator runs in this process, which seeds it; moto's server in a process
of its own (two Python servers in one process would take turns on one interpreter lock,
and reading the systems at the same time could not show); the reconcile itself runs in a
child process of its own, through the same
composition root as ``python -m bot reconcile``, so the peak memory (RSS) and the
CPU time printed are the product's alone. Calendar requests are counted at the
emulator; AWS calls in the child (each call, and each HTTP send with retries).
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3
from boto3.dynamodb.types import TypeSerializer

from bot.config import load_config
from bot.environment import read_environment
from bot.wiring import build_systems
from services.domain.config import Config
from services.domain.models import Window
from services.domain.pages.rendering import PageRenderer
from services.reconciling import run_reconcile

ROOT = Path(__file__).resolve().parents[1]
DRIFT = {  # share of charters given each kind of drift
    "RECORD_MISSING": 0.03, "RECORD_MISMATCH": 0.03, "RECORD_ORPHANED": 0.02,
    "PAGE_MISSING": 0.03, "PAGE_STALE": 0.03, "CACHE_STALE": 0.02,
    "CALENDAR_INCOMPLETE": 0.01, "UNKNOWN_CREW": 0.01, "CREW_CONFLICT": 0.01,
}


def bench_config(base: Config, crew_size: int, days: int, boats: int = 1) -> Config:
    crew = [{"name": f"Crew{n:03d}", "roles": ["captain", "mate"], "phone": f"+1 619 555 {n:04d}",
             "email": f"crew{n:03d}@sailjada.com"} for n in range(crew_size)]
    data = base.model_dump(mode="json")
    data["crew"] = crew
    data["calendar"]["window_days"] = days - 1
    if boats > 1:
        data["calendar"].update(id=None, ical_url=None)
        data["calendars"] = [{"name": f"Boat {k + 1}", "id": f"boat{k + 1}@group.calendar"
                              ".google.com"} for k in range(boats)]
    return Config.model_validate(data)


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        _child(*sys.argv[2:5])
        return
    # Not imported by the child: moto and its server would count as the product's memory.
    from bot.sandbox.sandbox import running_sandbox

    parser = argparse.ArgumentParser()
    parser.add_argument("--charters", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--in-sync", action="store_true", help="seed no drift at all")
    parser.add_argument("--boats", type=int, default=1, help="a fleet of this many calendars")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    n = args.charters
    days = 60
    per_day = math.ceil(n / days)
    config = bench_config(load_config(ROOT / "app.yaml"), crew_size=2 * per_day + 2, days=days,
                          boats=args.boats)
    start_day = date.today() + timedelta(days=1)
    window = Window(start_day, start_day + timedelta(days=days - 1))

    with _moto_elsewhere() as aws_endpoint, running_sandbox(
            config, aws_endpoint=aws_endpoint) as box:
        config = box.config
        drift = {kind: set(rng.sample(range(n), 0 if args.in_sync else int(n * share)))
                 for kind, share in DRIFT.items()}
        print(f"seeding {n} charters over {days} days ...", flush=True)
        t0 = time.perf_counter()
        _seed(box, config, n, per_day, start_day, drift)
        print(f"seeded in {time.perf_counter() - t0:.1f} s", flush=True)

        box.emulator.reset_requests()
        measured = _reconcile_in_child(box, config, window)
        counted = collections.Counter(measured["calls"])
        calendar_requests = list(box.emulator.requests)  # frozen: the bound's reads come next
        wall, phases = measured["wall"], measured["phases"]

        found = collections.Counter(measured["kinds"])
        table_bytes = _table_bytes(box, config)
        calendar_lists = sum(1 for m, p in calendar_requests
                             if m == "GET" and p.endswith("/events"))
        calendar_gets = sum(1 for m, p in calendar_requests
                            if m == "GET" and "/events/" in p)
        token_calls = sum(1 for _, p in calendar_requests if p == "/token")
        print(f"\nboats: {len(config.boats)}  charters checked: "
              f"{measured['charters_checked']}  source: "
              f"{measured['source']}  complete: {measured['complete']}")
        print(f"the product alone (its own process): wall {wall:.2f} s, CPU "
              f"{measured['cpu']:.2f} s, peak RSS {measured['peak_rss_mib']:.0f} MiB "
              f"({measured['start_rss_mib']:.0f} MiB of it before reading anything: the "
              "libraries)")
        engine = measured["engine"]
        print("  reading each system (its own reads, end to end): " + ", ".join(
            f"{name} {seconds:.2f} s" for name, seconds in phases.items())
              + f"; the engine: {engine:.2f} s")
        # The reads of the systems can overlap; the engine needs them all, and the served
        # pages' GETs compare with its rendering: those come after it, whatever overlaps.
        slowest = max((s for name, s in phases.items() if name != "served"), default=0.0)
        bound = slowest + engine + phases.get("served", 0.0)
        print(f"  wall {wall:.2f} s against the slowest system's reads plus the engine"
              f"{' and the served pages' if 'served' in phases else ''} {bound:.2f} s: "
              f"ratio {wall / bound:.2f}x (the reads one after another: "
              f"{sum(phases.values()) + engine:.2f} s)")
        print("discrepancies by kind (expected ~ seeded):")
        for kind in DRIFT:
            print(f"  {kind:<20} {found.get(kind, 0):>5}   seeded {len(drift[kind])}")
        print("\nrequests per service (lower bound):")
        rows = [
            # The bench's orphans have no calendarEventId: each is looked up by its link
            # (events.list with privateExtendedProperty); linked ones would be an events.get.
            ("calendar events.list", calendar_lists,
             sum(math.ceil(len(range(k, n, args.boats)) / 2500) for k in range(args.boats))
             # A record that names no boat may be any boat's: each calendar is asked.
             + len(drift["RECORD_ORPHANED"]) * args.boats),
            ("calendar events.get", calendar_gets, 0),
            ("calendar token", token_calls, 1),
            (f"dynamodb Scan ({table_bytes / 1e6:.2f} MB)", counted["dynamodb:Scan"],
             max(1, math.ceil(table_bytes / 1e6))),
            ("s3 ListObjectsV2", counted["s3:ListObjectsV2"], math.ceil(_page_count(box, config)
                                                                      / 1000)),
            ("s3 GetBucketEncryption", counted["s3:GetBucketEncryption"], 0),
            ("s3 GetObject/HeadObject", counted["s3:GetObject"] + counted["s3:HeadObject"], 0),
            ("cloudfront ListInvalidations", counted["cloudfront:ListInvalidations"], 1),
            ("cloudfront GetInvalidation", counted["cloudfront:GetInvalidation"],
             counted["cloudfront:GetInvalidation"]),
        ]
        total, bound = 0, 0
        for name, got, low in rows:
            total, bound = total + got, bound + low
            print(f"  {name:<30} {got:>4}  ({low})")
        print(f"  {'all':<30} {total:>4}  ({bound})  ratio {total / max(bound, 1):.2f}x")
        print(f"  AWS HTTP sends, retries included: {counted['http sends']}")


@contextmanager
def _moto_elsewhere() -> Iterator[str]:
    """moto's server in a process of its own, on a free loopback port: its address."""
    from bot.sandbox.sandbox import SANDBOX_AWS_ENV

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env={**os.environ, **SANDBOX_AWS_ENV}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def _reconcile_in_child(box: Any, config: Config, window: Window) -> dict[str, Any]:
    from bot.sandbox.sandbox import sandbox_environ, write_config

    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "app.yaml"
        write_config(config, path)
        child = subprocess.run(
            [sys.executable, __file__, "--child", str(path), window.start.isoformat(),
             window.end.isoformat()],
            env={**os.environ, **sandbox_environ(box)}, capture_output=True, text=True,
            timeout=3600)
    if child.returncode != 0:
        sys.exit(f"the reconcile failed:\n{child.stderr[-3000:]}")
    return dict(json.loads(child.stdout.strip().splitlines()[-1]))


def _child(config_path: str, first: str, last: str) -> None:
    """The product's side: reconcile the window as ``python -m bot reconcile`` would."""
    config = load_config(config_path)
    calls: collections.Counter[str] = collections.Counter()
    session = boto3.Session()
    session.events.register("before-call", lambda model, **_: calls.update(
        [f"{model.service_model.service_name}:{model.name}"]))
    # Retries are separate HTTP sends of one call: count them too, to see them.
    session.events.register("before-send", lambda **_: calls.update(["http sends"]))
    boto3.DEFAULT_SESSION = session
    systems = build_systems(config, read_environment())
    phases = _time_phases(systems)
    engine = _time_engine()
    before_kib = _peak_rss_kib()
    window = Window(date.fromisoformat(first), date.fromisoformat(last))
    cpu0, t0 = time.process_time(), time.perf_counter()
    result = run_reconcile(systems, config, window=window, now=datetime.now(UTC),
                           renderer=PageRenderer())
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    peak_kib = _peak_rss_kib()
    print(json.dumps({
        "wall": wall, "cpu": cpu, "peak_rss_mib": peak_kib / 1024,
        "start_rss_mib": before_kib / 1024, "phases": phases, "engine": engine[0],
        "calls": dict(calls), "kinds": [str(d.kind) for d in result.discrepancies],
        "charters_checked": result.charters_checked, "source": result.source,
        "complete": result.complete}))


def _peak_rss_kib() -> float:
    """This process's peak resident memory. VmHWM belongs to the memory the process has
    since its exec; ru_maxrss would also count the parent's, inherited at fork."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1])
    except OSError:
        pass
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _time_phases(systems: Any) -> dict[str, float]:
    """Wrap each adapter's read so the report can split emulator time from ours."""
    phases: dict[str, float] = {}
    for name, adapter, method in (("calendar", systems.calendar, "snapshot"),
                                  ("calendar", systems.calendar, "look_up"),
                                  ("dynamodb", systems.records, "snapshot"),
                                  ("s3", systems.pages, "snapshot"),
                                  ("cloudfront", systems.cdn, "recent_invalidations")):
        original = getattr(adapter, method)

        def timed(*a: Any, _original: Any = original, _name: str = name, **k: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return _original(*a, **k)
            finally:
                phases[_name] = phases.get(_name, 0.0) + time.perf_counter() - t0

        setattr(adapter, method, timed)
    _time_served(phases)
    return phases


def _time_served(phases: dict[str, float]) -> None:
    """The served pages' check end to end (its GETs go a few at a time: their sum would
    not be the time it takes)."""
    import services.reconciling as reconciling

    original = reconciling.check_served

    def timed(*a: Any, **k: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return original(*a, **k)
        finally:
            phases["served"] = phases.get("served", 0.0) + time.perf_counter() - t0

    reconciling.check_served = timed  # type: ignore[assignment]


def _time_engine() -> list[float]:
    """The pure engine's time in the reconcile (the one figure no overlap of reads helps)."""
    import services.reconciling as reconciling

    spent = [0.0]
    original = reconciling.find_discrepancies

    def timed(*a: Any, **k: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return original(*a, **k)
        finally:
            spent[0] += time.perf_counter() - t0

    reconciling.find_discrepancies = timed  # type: ignore[assignment]
    return spent


def _seed(box: Any, config: Config, n: int, per_day: int, start_day: date,
          drift: dict[str, set[int]]) -> None:
    """Charters in the calendar; records and pages as the calendar implies, then drift."""
    crew = [m.name for m in config.roster]
    for i in range(n):
        day = start_day + timedelta(days=i // per_day)
        slot = i % per_day
        captain, mate = crew[2 * slot], crew[2 * slot + 1]
        if i in drift["CREW_CONFLICT"] and slot > 0:
            mate = crew[2 * (slot - 1)]  # the previous charter's captain, same hours
        if i in drift["UNKNOWN_CREW"]:
            mate = "Stranger"
        lines = [f"Captain: {captain}" if i not in drift["CALENDAR_INCOMPLETE"] else "",
                 f"Mate: {mate}", f"Guests: {6 + i % 20}", f"Guest: Guest{i}"]
        box.emulator.add_event(config.boats[i % len(config.boats)].calendar_id, {
            "id": f"bench{i:06d}", "summary": f"Guest{i} — Sail", "location": "Dock B",
            "description": "\n".join(lines),
            "start": {"dateTime": f"{day}T10:00:00", "timeZone": config.timezone},
            "end": {"dateTime": f"{day}T14:00:00", "timeZone": config.timezone},
        })
    systems = build_systems(config, box.env)
    now = datetime.now(UTC)
    window = Window(start_day, start_day + timedelta(days=n // per_day + 1))
    empty = run_reconcile(systems, config, window=window, now=now, renderer=PageRenderer())
    serializer = TypeSerializer()
    dynamodb, s3 = box.client("dynamodb"), box.client("s3")
    items = []
    pages: dict[str, str] = {}
    for i, want in enumerate(sorted(empty.desired.values(), key=lambda w: w.charter.
                                    calendar_event_id)):
        record = dict(want.record, updatedAt="2026-01-01T00:00:00Z")
        if i in drift["RECORD_MISMATCH"]:
            record["startTime"] = "09:00"
        if i not in drift["RECORD_MISSING"]:
            items.append(record)
        if i not in drift["PAGE_MISSING"]:
            html = want.page_html
            if i in drift["PAGE_STALE"]:
                html = html.replace("10:00", "9:00")
            pages[want.page_key] = html
    for i in drift["RECORD_ORPHANED"]:
        items.append({"eventId": f"orphan{i}-x", "eventDate": start_day.isoformat(),
                      "status": "CREW_ASSIGNED"})
    for chunk in range(0, len(items), 25):
        dynamodb.batch_write_item(RequestItems={config.dynamodb.table: [
            {"PutRequest": {"Item": {k: serializer.serialize(v) for k, v in item.items()
                                     if v is not None}}} for item in items[chunk:chunk + 25]]})
    cache_stale = [key for i, key in enumerate(sorted(pages)) if i in drift["CACHE_STALE"]]
    for key, html in pages.items():
        if key not in cache_stale:
            s3.put_object(Bucket=config.pages.bucket, Key=key, Body=html.encode(),
                          ContentType="text/html; charset=utf-8")
    box.client("cloudfront").create_invalidation(
        DistributionId=config.pages.distribution_id,
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/" + config.pages.prefix + "*"]},
                           "CallerReference": "bench-seed"})
    time.sleep(1.1)  # the next uploads are a whole second after the invalidation
    for key in cache_stale:
        s3.put_object(Bucket=config.pages.bucket, Key=key, Body=pages[key].encode(),
                      ContentType="text/html; charset=utf-8")


def _value_bytes(value: dict[str, Any]) -> int:
    """DynamoDB's item-size accounting: UTF-8 bytes of strings, digits of numbers."""
    (kind, inner), = value.items()
    if kind == "L":
        return sum(_value_bytes(v) for v in inner)
    if kind == "M":
        return sum(len(k.encode()) + _value_bytes(v) for k, v in inner.items())
    if kind == "BOOL" or kind == "NULL":
        return 1
    return len(str(inner).encode())


def _table_bytes(box: Any, config: Config) -> int:
    size = 0
    paginator = box.client("dynamodb").get_paginator("scan")
    for page in paginator.paginate(TableName=config.dynamodb.table):
        for item in page["Items"]:
            size += sum(len(name.encode()) + _value_bytes(v) for name, v in item.items())
    return size


def _page_count(box: Any, config: Config) -> int:
    paginator = box.client("s3").get_paginator("list_objects_v2")
    return sum(page.get("KeyCount", 0) for page in paginator.paginate(
        Bucket=config.pages.bucket, Prefix=config.pages.prefix))


if __name__ == "__main__":
    main()
