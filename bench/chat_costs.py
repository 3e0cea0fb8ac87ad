"""What crew chat costs: reads per message and the time to a proposal in thread.

Part of ``python bench/ack.py``. Signed Events API messages go through Bolt's real
pipeline into the real services, against the seeded sandbox; reads are counted
where they arrive (the calendar emulator's request log, moto's server).
"""

from __future__ import annotations

import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from slack_bolt.request import BoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.sandbox.sandbox import Sandbox, install, running_sandbox
from bot.sandbox.scenario import seed_weekend
from bot.sandbox.slack_fake import SlackFake
from bot.slack_app import build_app
from bot.wiring import build_change_service, build_systems
from services.deps import Deps
from services.domain.config import Config
from services.domain.models import Window
from services.domain.pages.rendering import PageRenderer
from services.reconciling import run_reconcile
from store.audit import AuditLog
from store.database import open_engine, session_factory

SECRET = "bench-secret"
ZONE = "America/Los_Angeles"
SATURDAY = date(2026, 5, 30)
WINDOW = Window(date(2026, 5, 25), date(2026, 6, 24))
SYSTEMS = ("calendar", "dynamodb", "s3", "cloudfront")

# (author's Slack id, text, whether it makes a proposal or an answer in thread)
SMALL_TALK = [
    "morning all", "who has the dock keys?", "fuel dock closes at 5 today",
    "Bo, can you grab ice on the way in?", "great sail yesterday everyone", "thanks Tess!",
    "running 10 min late, traffic on the 5", "we need more sunscreen",
    "see you all saturday", "who's bringing the speaker?", "happy birthday Ana 🎂",
    "anyone free saturday for a beer? Marco is in", "the bilge pump light is on",
    "Darrell said yes to pizza saturday", "heads up, low tide at 3", "sounds good",
]
CHANGES = [
    ("U0GENE", "Ana is covering for Angelia on saturday"),
    ("U0ANGELIA", "can someone cover for me saturday? Marco said yes"),
    ("U0GENE", "Danika's now 4-8"),
    ("U0GENE", "cant make it friday — Darrell will take it"),
    ("U0DARRELL", "swap: Tess for Angelia on quinn"),
    ("U0GENE", "paola now 1-5pm"),
]


class TimedSlack(SlackFake):
    """The Slack fake, noting when each call arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: list[float] = []

    def record(self, method: str, payload: dict[str, Any], *,
               token: str | None = None) -> dict[str, Any]:
        self.arrived.append(time.perf_counter())
        return super().record(method, payload, token=token)


def _event(text: str, user: str, ts: str) -> BoltRequest:
    body = json.dumps({"type": "event_callback", "team_id": "T1", "api_app_id": "A1",
                       "event_id": f"Ev{time.time_ns()}", "event_time": int(time.time()),
                       "event": {"type": "message", "user": user, "text": text, "ts": ts,
                                 "channel": "C0CREW", "channel_type": "channel"}})
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
    return BoltRequest(body=body, headers={"content-type": ["application/json"],
                                           "x-slack-request-timestamp": [stamp],
                                           "x-slack-signature": [signature]})


def _messages(count: int) -> list[tuple[str, str]]:
    """Small talk with a change about every eighth message, as a busy crew channel."""
    out, talk, changes = [], 0, 0
    for n in range(count):
        if n % 8 == 7:
            out.append(CHANGES[changes % len(CHANGES)])
            changes += 1
        else:
            out.append(("U0BO", SMALL_TALK[talk % len(SMALL_TALK)]))
            talk += 1
    return out


def _pad(box: Sandbox, count: int) -> None:
    """More charters, records and pages, from June 15 on (after the seed's): a month of an
    operator's bookings, so that the whole window costs what it would."""
    dynamodb, s3 = box.client("dynamodb"), box.client("s3")
    for n in range(count):
        day = date(2026, 6, 15) + timedelta(days=n % 10)
        guest, start = f"Guest{n}", 8 + (n // 10) % 10
        box.emulator.add_event(box.config.boats[0].calendar_id, {
            "id": f"evtpad{n}", "summary": f"{guest} — Sail", "location": "Dock B",
            "description": f"Captain: Skipper{n}\nMate: Deck{n}\nGuests: 10\nGuest: {guest}",
            "start": {"dateTime": f"{day}T{start:02d}:00:00", "timeZone": ZONE},
            "end": {"dateTime": f"{day}T{start + 2:02d}:00:00", "timeZone": ZONE}})
        event_id = f"guest{n}-jun{day.day}"
        dynamodb.put_item(TableName=box.config.dynamodb.table, Item={
            "eventId": {"S": event_id}, "eventDate": {"S": day.isoformat()},
            "guestName": {"S": guest}, "calendarEventId": {"S": f"evtpad{n}"},
            "notes": {"S": "x" * 400}})
        s3.put_object(Bucket=box.config.pages.bucket,
                      Key=f"{box.config.pages.prefix}{event_id}.html", Body=b"<p>" * 1500)


def _full_reconcile(box: Sandbox) -> tuple[dict[str, int], dict[str, int]]:
    box.reset_requests()
    run_reconcile(build_systems(box.config, box.env), box.config, window=WINDOW,
                  now=datetime.now(UTC), renderer=PageRenderer())
    return box.reads(), box.read_bytes()


def run_chat(config: Config, *, messages: int, padding: int) -> None:
    with running_sandbox(config) as box, TimedSlack() as slack:
        pages = box.config.pages
        install(box, seed_weekend(SATURDAY, waiver_base=pages.waiver_url, prefix=pages.prefix,
                                  phones={m.name: m.phone for m in config.roster},
                                  emails={m.name: m.email for m in config.roster},
                                  photo_url=f"{pages.base_url}/charters/photos"))
        _pad(box, padding)
        systems = build_systems(box.config, box.env)
        database = Path(f"/tmp/charter-ops-bench-{time.time_ns()}.sqlite3")
        audit = AuditLog(session_factory(open_engine(f"sqlite:///{database}")))
        ops = Deps(systems=systems, config=box.config, audit=audit,
                         changes=build_change_service(systems, box.config, audit),
                         window=lambda: WINDOW, clock=lambda: datetime.now(UTC))
        # One worker: each message's work is finished before the next one is timed.
        pool = ThreadPoolExecutor(max_workers=1)
        app = build_app(ops, token="xoxb-bench", signing_secret=SECRET, api_url=slack.api_url,
                        executor=pool)
        full, full_bytes = _full_reconcile(box)
        print(f"{messages} chat messages through Bolt against the sandbox ({6 + padding} "
              "charters in the window); reads: calendar / DynamoDB / S3 / CloudFront")
        talk_reads, change_reads, change_bytes, to_reply = [], [], [], []
        for n, (user, text) in enumerate(_messages(messages)):
            box.reset_requests()
            before = len(slack.calls)
            started = time.perf_counter()
            assert app.dispatch(_event(text, user, f"1716{n:06d}.000100")).status == 200
            pool.submit(lambda: None).result()
            reads = box.reads()
            replies = [slack.arrived[i] for i in range(before, len(slack.calls))
                       if slack.calls[i][0] == "chat.postMessage"]
            shown = " / ".join(str(reads[s]) for s in SYSTEMS)
            if replies:
                to_reply.append((replies[0] - started) * 1000)
                change_reads.append(sum(reads.values()))
                change_bytes.append(sum(box.read_bytes().values()))
                reply = slack.calls[before][1]["text"].split(". ")[0][:60]
                print(f"  {shown:<13} {to_reply[-1]:7.1f} ms  {text[:52]:<52} → {reply}")
            else:
                talk_reads.append(sum(reads.values()))
                print(f"  {shown:<13}    —        {text[:52]}")
        pool.shutdown(wait=True)
        database.unlink(missing_ok=True)
    print(f"  small talk: {len(talk_reads)} messages, {sum(talk_reads)} reads in all")
    if change_reads:
        print(f"  changes:    {len(change_reads)} messages, "
              f"{statistics.mean(change_reads):.1f} reads and "
              f"{statistics.mean(change_bytes) / 1024:.0f} KB each; time to the reply in "
              f"thread: median {statistics.median(to_reply):.0f} ms, max {max(to_reply):.0f} ms")
    print(f"  for comparison, what every message cost before (one full reconcile of the "
          f"window): {sum(full.values())} reads ({' / '.join(str(full[s]) for s in SYSTEMS)}),"
          f" {sum(full_bytes.values()) / 1024:.0f} KB\n", flush=True)
