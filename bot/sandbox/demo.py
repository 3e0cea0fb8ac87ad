"""``python -m bot demo``: the seed's weekend, moved to the coming one, reconciled and fixed.

Runs in one process with no credentials and no network: moto's server and the
calendar emulator on loopback. The same services and adapters as production
do the work; only the endpoints differ.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, date, datetime

from bot.config import load_config
from bot.sandbox.sandbox import install, running_sandbox
from bot.sandbox.scenario import coming_saturday, seed_weekend
from bot.terminal import apply_report, audit_lines, change_line, reconcile_report
from bot.wiring import build_change_service, build_systems
from services.change_plan import plan_swap
from services.changes import ChangeService
from services.checkup import default_window, run_reconcile
from services.config import Config
from services.guest_page import PageRenderer
from services.models import ReconcileResult
from store.audit import AuditLog
from store.database import open_engine, session_factory


def run_demo(*, config_path: str, assume_yes: bool) -> int:
    config = load_config(config_path)
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
        audit = AuditLog(session_factory(open_engine(f"sqlite:///{workdir}/audit.sqlite3")))
        service = build_change_service(systems, config, audit)
        report = service.apply_fixes(result, fixable, requested_by="demo", source="cli")
        print(apply_report(report))
        again = run_reconcile(systems, config, window=window, now=datetime.now(UTC),
                              renderer=renderer)
        print("\nReconciling again:")
        print(reconcile_report(again))
        in_sync = report.ok and not [d for d in again.discrepancies if d.fix]
        return 0 if in_sync and _swap(service, again, config, today) else 1


def _swap(service: ChangeService, result: ReconcileResult, config: Config, today: date) -> bool:
    """A captain's message, the way the CLI and Slack turn it into a durable change."""
    print("\nAngelia can't make Saturday; Tess covers her: "
          "python -m bot swap quinn Angelia Tess")
    plan = plan_swap(charters=result.desired, event="quinn", role_or_person="Angelia",
                     new_person="Tess", config=config, today=today)
    outcome = service.apply(plan, requested_by="demo", source="cli")
    print(change_line(outcome))
    print("\nThe audit log (python -m bot audit):")
    print("\n".join(audit_lines(service.audit.recent())))
    return outcome.status == "done"


def _confirm(prompt: str) -> bool:
    if not sys.stdin.isatty():
        print(prompt + "(no terminal: pass --yes to apply)")
        return False
    return input(prompt).strip().lower() in ("y", "yes")
