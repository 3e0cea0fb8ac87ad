"""The demo's live sync: the bot follows the emulator's calendar through push, and an edit
made there ("Danika moved to 4 PM") reaches the ops channel (or, with auto-fix,
DynamoDB, the page and the CDN) within seconds."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from datetime import time as clock_time
from typing import Any

from werkzeug.serving import make_server

from bot.push_http import PATH, notifications_app
from bot.sandbox.loopback import POLL_SECONDS
from bot.sandbox.sandbox import Sandbox
from bot.watch import alive_within
from handlers.views.alerts import alert_message
from handlers.views.blocks import Message
from services.changes import ChangeService
from services.domain.config import Config
from services.domain.reconcile.alerts import ChangeAlert
from services.live_sync import CheckReport, LiveSync
from services.push import Coalescer, PushChannels
from services.reconciling import Systems
from store.sync_state import SyncState


class PrintedAlerts:
    """The ops channel, in the terminal: each alert as a person would read it."""

    def __init__(self) -> None:
        self.posted: list[Message] = []

    def post(self, alert: ChangeAlert) -> tuple[str, str]:
        message = alert_message(alert)
        self.posted.append(message)
        _show(message, updated=False)
        return "C0OPS", f"{len(self.posted)}.0"

    def update(self, channel: str, ts: str, alert: ChangeAlert) -> None:
        _show(alert_message(alert), updated=True)


def _show(message: Message, *, updated: bool) -> None:
    print(f"\n#charter-ops {'(alert updated)' if updated else '(alert)'}")
    for block in message["blocks"]:
        if block["type"] == "section":
            print("  " + block["text"]["text"].replace("\n", "\n  "))
        elif block["type"] == "actions":
            print("  " + "  ".join(f"[{e['text']['text']}]" for e in block["elements"]))


def follow_an_edit(sandbox: Sandbox, systems: Systems, config: Config, *, sessions: Any,
                   service: ChangeService, auto_fix: bool = False) -> bool:
    """Start following the calendar, move Danika's charter to 4 PM in the emulator, and
    wait for the bot to say so. True when it did within ten seconds."""
    if auto_fix:
        config = config.model_copy(update={"sync": config.sync.model_copy(
            update={"auto_fix": ("RECORD_MISMATCH", "PAGE_STALE", "CACHE_STALE")})})
    channel = PrintedAlerts()
    state = SyncState(sessions)
    live = LiveSync(systems=systems, config=config, state=state, changes=service,
                    alerts=channel)
    live.check()  # the starting point (what it read reconciled); from now on only changes
    reports: list[CheckReport] = []
    coalescer = Coalescer(lambda: reports.append(live.check())).start()
    server = make_server("127.0.0.1", 0, lambda e, s: app(e, s), threaded=True)
    address = f"http://127.0.0.1:{server.server_port}{PATH}"
    push = PushChannels(api=systems.calendar.api, state=state,
                        calendar_id=config.boats[0].calendar_id,
                        address=address, runner_id=live.runner_id)
    app = notifications_app(push, coalescer)
    threading.Thread(target=server.serve_forever, args=(POLL_SECONDS,), daemon=True).start()
    try:
        push.ensure()
        event = next(e for e in sandbox.emulator.events(config.boats[0].calendar_id)
                     if e["summary"].startswith("Danika"))
        day = datetime.fromisoformat(event["start"]["dateTime"]).date()
        zone = event["start"].get("timeZone") or config.timezone
        print(f"\n— Live sync: the bot follows the calendar (pushed to {address}) —\n"
              f"In the calendar, someone moves Danika's charter on {day:%a %b %-d} to 4 PM.")
        started = time.monotonic()
        sandbox.emulator.patch_event(config.boats[0].calendar_id, event["id"], {
            "start": {"dateTime": datetime.combine(day, clock_time(16)).isoformat(),
                      "timeZone": zone},
            "end": {"dateTime": datetime.combine(day, clock_time(20)).isoformat(),
                    "timeZone": zone}})
        while time.monotonic() - started < 10 and not (channel.posted or any(
                r.fixed for r in reports)):
            time.sleep(0.05)
        took = time.monotonic() - started
        for report in reports:
            print("\n".join(report.lines()))
        done = bool(channel.posted or any(r.fixed for r in reports))
        print(f"\nThe bot knew {took:.1f} s after the edit." if done else
              "\nThe bot did not notice the edit within 10 s.")
        return done
    finally:
        coalescer.stop()
        push.leave(alive_within=alive_within(config))
        server.shutdown()
