"""``python -m bot demo``: the seed's weekend, moved to the coming one, reconciled and fixed.

Runs in one process with no credentials and no network: moto's server and the
calendar emulator on loopback. The same services and adapters as production
do the work; only the endpoints differ.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources

from bot.config import load_config
from bot.sandbox.console import HINT, SlackConsole
from bot.sandbox.live_demo import follow_an_edit
from bot.sandbox.sandbox import Sandbox, install, running_sandbox
from bot.sandbox.scenario import coming_saturday, seed_weekend
from bot.sandbox.slack_fake import SlackFake
from bot.slack_app import build_app
from bot.terminal import apply_report, reconcile_report
from bot.wiring import build_change_service, build_systems, database_sessions
from services.changes import ChangeService
from services.deps import Deps
from services.domain.calendar.event_ids import base_event_id
from services.domain.config import Config
from services.domain.pages.rendering import PageRenderer
from services.reconciling import Systems, default_window, run_reconcile
from store.audit import AuditLog

DEMO_SECRET = "demo-signing-secret"
# The unattended console session: a status, a captain's swap in chat approved by an
# approver, and the audit of that charter.
SCRIPT = (
    "/charter status danika",
    "Gene: Ana is covering for Angelia on saturday",
    "press 1",
    "/charter audit quinn",
)


# The sandbox's operator (the seed's JADA), shipped with the package: the demo needs no
# settings file of the user's. The repository's app.yaml is the same file.
DEMO_CONFIG = "demo.yaml"


def demo_config() -> Config:
    with resources.as_file(resources.files("bot.sandbox").joinpath(DEMO_CONFIG)) as path:
        return load_config(path)


def run_demo(*, config_path: str | None, assume_yes: bool, auto_fix: bool = False) -> int:
    """``config_path``: an operator's file to run the sandbox with; None, the shipped one."""
    config = load_config(config_path) if config_path else demo_config()
    now = datetime.now(UTC)
    today = now.astimezone(config.tz).date()
    saturday = coming_saturday(today)
    print(f"Starting the sandbox: moto (DynamoDB, S3, CloudFront) and a Google Calendar "
          f"emulator on 127.0.0.1; the seed's weekend moved to {saturday:%a %b %d}.\n")
    with running_sandbox(config) as sandbox, tempfile.TemporaryDirectory() as workdir:
        config = sandbox.config
        photo_url = config.pages.photo_upload_url or f"{config.pages.base_url}/charters/photos"
        install(sandbox, seed_weekend(
            saturday, waiver_base=config.pages.waiver_url, prefix=config.pages.prefix,
            phones={m.name: m.phone for m in config.roster},
            emails={m.name: m.email for m in config.roster}, photo_url=photo_url))
        config = _check_served_pages_through(sandbox, saturday=saturday, now=now)
        systems = build_systems(config, sandbox.env)
        renderer = PageRenderer()
        window = default_window(config, now=now)
        result = run_reconcile(systems, config, window=window, now=now, renderer=renderer)
        print(reconcile_report(result))
        fixable = [d.id for d in result.discrepancies if d.fix]
        if not fixable:
            return 0
        print(f"\n{len(fixable)} fixes planned: DynamoDB first, then the guest pages, then one "
              "CloudFront invalidation. The calendar is not touched.")
        if not assume_yes and not _confirm("Apply them? [y/N] "):
            print("Nothing applied.")
            return 0
        audit = AuditLog(database_sessions(f"sqlite:///{workdir}/audit.sqlite3"))
        service = build_change_service(systems, config, audit)
        report = service.apply_fixes(result, fixable, requested_by="demo", source="cli")
        print(apply_report(report))
        again = run_reconcile(systems, config, window=window, now=datetime.now(UTC),
                              renderer=renderer)
        print("\nReconciling again:")
        print(reconcile_report(again))
        in_sync = report.ok and not [d for d in again.discrepancies if d.fix]
        followed = follow_an_edit(sandbox, systems, config, sessions=audit.sessions,
                                  service=service, auto_fix=auto_fix)
        console_ok = _console(config, systems, audit, service, interactive=not assume_yes)
        return 0 if in_sync and followed and console_ok else 1


def _check_served_pages_through(sandbox: Sandbox, *, saturday: date, now: datetime) -> Config:
    """One page right in S3 that the CDN still serves wrong: a guest opened it while S3
    held a bad copy, and the right one went back without an invalidation. The served-page
    check looks through the seed's second weekend, so the demo shows it whatever today is."""
    config = sandbox.config
    pages = config.pages
    key = f"{pages.prefix}{base_event_id('Lindqvist', saturday + timedelta(days=6))}.html"
    s3 = sandbox.client("s3")
    right = s3.get_object(Bucket=pages.bucket, Key=key)["Body"].read()
    s3.put_object(Bucket=pages.bucket, Key=key, Body=right.replace(b"Tess", b"Bo"),
                  ContentType="text/html; charset=utf-8")
    if sandbox.cdn is not None:
        sandbox.cdn.get("/" + key)
    s3.put_object(Bucket=pages.bucket, Key=key, Body=right,
                  ContentType="text/html; charset=utf-8")
    last = datetime.combine(saturday + timedelta(days=9), time(0), config.tz)
    hours = max(pages.served_check_hours, (last - now).total_seconds() / 3600)
    return config.model_copy(update={"pages": pages.model_copy(
        update={"served_check_hours": hours})})


def _console(config: Config, systems: Systems, audit: AuditLog, service: ChangeService, *,
             interactive: bool) -> bool:
    """The same Bolt app as production, signed requests in, a local Slack fake out."""
    approver = config.slack.approvers[0] if config.slack.approvers else "U0APPROVER"
    ops = Deps(systems=systems, config=config, audit=audit, changes=service,
                     window=lambda: default_window(config, now=datetime.now(UTC)),
                     clock=lambda: datetime.now(UTC))
    with SlackFake() as slack:
        app = build_app(ops, token="xoxb-demo", signing_secret=DEMO_SECRET,
                        api_url=slack.api_url)
        console = SlackConsole(app=app, slack=slack, secret=DEMO_SECRET, approver=approver,
                               roster=config.roster)
        print("\n— Slack, through the bot's real listeners and a local Slack fake —")
        if not interactive or not sys.stdin.isatty():
            for line in SCRIPT:
                print(console.handle(line))
            return any("*done*" in str(p.get("text", "")) for _, p in slack.calls)
        print(HINT)
        while True:
            try:
                line = input("slack> ")
            except EOFError:
                return True
            if line.strip() in ("quit", "exit", "q"):
                return True
            if line.strip():
                print(console.handle(line))


def _confirm(prompt: str) -> bool:
    if not sys.stdin.isatty():
        print(prompt + "(no terminal: pass --yes to apply)")
        return False
    return input(prompt).strip().lower() in ("y", "yes")
