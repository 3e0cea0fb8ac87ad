"""``python -m bot ...``: a thin shell over the services.

Exit status: 0 ok (reconcile: in sync), 2 drift found (reconcile) or a departure not
ready (ready), 1 error,
3 the same change is still running in another process (swap, time, undo); and, from
bot/__main__.py, 141 when the reader of the output went away (``| head -1``).
Errors include a source read only in part (nothing found there is not "in
sync"; apply could not do everything) and usage errors (a bad date, an unknown
flag, a missing argument): argparse's own status 2 must never escape, since 2
is reconcile's "drift found".
Errors the product raises on purpose print one clear line on stderr.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NoReturn

from bot.config import find_config, load_config
from bot.environment import read_environment
from bot.terminal import (
    apply_report,
    audit_lines,
    change_line,
    reconcile_report,
    status_table,
)
from bot.wiring import build_audit, build_change_service, build_systems, direct_messages
from common.errors import CharterOpsError, InputError
from services import audit_view, readiness
from services.changes import ChangeOutcome, ChangeService
from services.domain import readiness_blocks
from services.domain.blast_radius import change_preview, fix_preview_lines
from services.domain.config import Config
from services.domain.models import ReconcileResult
from services.domain.page_reading import read_page_fields
from services.domain.page_rendering import PageRenderer
from services.domain.resolve import resolve_event
from services.domain.roster import Roster
from services.reconciling import Systems, make_window, run_reconcile
from services.requests import carry_out, plan_request

EXIT_OK, EXIT_ERROR, EXIT_DRIFT, EXIT_RUNNING_ELSEWHERE = 0, 1, 2, 3


class UsageError(InputError):
    """The command line itself is wrong; ``usage`` is the command's usage line."""

    def __init__(self, message: str, *, usage: str) -> None:
        super().__init__(message)
        self.usage = usage


class _Parser(argparse.ArgumentParser):
    """argparse, with its usage errors raised rather than exited on with status 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}", usage=self.format_usage())


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-05-31") from None


def build_parser(*, prog: str = "python -m bot") -> argparse.ArgumentParser:
    parser = _Parser(
        prog=prog,
        description="Keeps the charter calendar, DynamoDB and the guest pages in agreement.",
    )
    parser.add_argument("--config", default=None,
                        help="settings file (default: $CHARTER_OPS_CONFIG, else ./app.yaml)")
    commands = parser.add_subparsers(dest="command")

    reconcile = commands.add_parser("reconcile", help="print every discrepancy and its fix plan")
    reconcile.add_argument("--json", action="store_true", help="one JSON object on stdout")

    apply = commands.add_parser("apply", help="apply fixes, as an approval would")
    apply.add_argument("ids", nargs="*", help="discrepancy ids from reconcile")
    apply.add_argument("--all", action="store_true", help="every fixable discrepancy")

    status = commands.add_parser("status", help="one charter as each system sees it")
    status.add_argument("event", help="record id, guest name, or date (danika, may31)")
    status.add_argument("--json", action="store_true")

    swap = commands.add_parser("swap", help="replace a person on a charter (calendar first)")
    swap.add_argument("event", help="record id, guest name, or date")
    swap.add_argument("role", help="captain, mate, or the person being replaced")
    swap.add_argument("person", help="who takes over (a name in the roster)")

    retime = commands.add_parser("time", help="change a charter's start and end")
    retime.add_argument("event", help="record id, guest name, or date")
    retime.add_argument("range", help="3pm-7pm, 15:00-19:00, 3-7pm")

    undo = commands.add_parser("undo", help="revert a finished swap or time change")
    undo.add_argument("change_id", help="the change id shown by swap, time and audit")

    audit = commands.add_parser("audit", help="changes, decisions and refusals, newest first")
    audit.add_argument("event", nargs="?", help="record id or guest name")
    audit.add_argument("--actor", help="only this person's: Slack id, roster name or CLI user")
    audit.add_argument("--json", action="store_true")
    audit.add_argument("--limit", type=int, default=20)

    watch = commands.add_parser("watch", help="follow the calendar as it changes (live sync)")
    watch.add_argument("--once", action="store_true",
                       help="one incremental check, then exit (0 done, 2 alerts left, 1 error)")

    commands.add_parser("init", help="write a commented app.yaml to fill in")
    commands.add_parser("doctor", help="check every connection and permission the bot needs")

    ready = commands.add_parser("ready", help="is each departure ready? (today and tomorrow)")
    ready.add_argument("date", nargs="?", type=_day, help="one date (YYYY-MM-DD) instead")
    ready.add_argument("--json", action="store_true", help="a JSON list of departures")

    for sub in (swap, retime, apply):
        sub.add_argument("--dry-run", action="store_true",
                         help="show what would change and who saw the old data; write nothing")

    demo = commands.add_parser("demo", help="the whole product offline on an embedded sandbox")
    demo.add_argument("--yes", action="store_true", help="apply the fixes without asking")
    demo.add_argument("--auto-fix", action="store_true",
                      help="let the live sync fix the calendar edit it is shown")
    for sub in (reconcile, apply, status, swap, retime):
        sub.add_argument("--from", dest="start", type=_day, help="first date (YYYY-MM-DD)")
        sub.add_argument("--to", dest="end", type=_day, help="last date (YYYY-MM-DD)")
    for sub in (reconcile, apply, status, swap, retime, undo, audit, demo, watch, ready,
                commands.choices["init"], commands.choices["doctor"]):
        sub.add_argument("--config", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None, *, systems: Systems | None = None,
         now: Callable[[], datetime] = lambda: datetime.now(UTC),
         prog: str = "python -m bot") -> int:
    """``prog`` is the name the user typed (charter-ops or python -m bot), for usage lines."""
    try:
        args = build_parser(prog=prog).parse_args(argv)
    except UsageError as error:
        print(f"{error.usage.rstrip()}\nerror: {error}", file=sys.stderr)
        return EXIT_ERROR
    try:
        config_path = str(find_config(args.config, env=read_environment()))
        if args.command == "init":
            from bot.init_config import next_steps, write_template

            write_template(Path(config_path))
            print(next_steps(Path(config_path), prog=prog))
            return EXIT_OK
        if args.command is None:
            from bot.serve import serve

            return serve(config_path)
        if args.command == "demo":
            from bot.sandbox.demo import run_demo

            return run_demo(config_path=config_path, assume_yes=args.yes,
                            auto_fix=args.auto_fix)
        config = load_config(config_path)
        if args.command == "doctor":
            from bot.doctor import run_doctor

            return run_doctor(config, read_environment(), out=sys.stdout)
        systems = systems or build_systems(config, read_environment())
        return _COMMANDS[args.command](args, config, systems, now())
    except CharterOpsError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERROR


def _reconcile(args: argparse.Namespace, config: Config, systems: Systems,
               now: datetime) -> int:
    window = make_window(config, now=now, start=args.start, end=args.end)
    result = run_reconcile(systems, config, window=window, now=now, renderer=PageRenderer())
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, default=str))
    else:
        print(reconcile_report(result))
    if result.discrepancies:
        return EXIT_DRIFT
    if not result.complete:
        # Nothing found in part of the data is not "in sync": a cron job must not read 0.
        print(f"error: {_partial(result)}; nothing can be said to be in sync.", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


def _apply(args: argparse.Namespace, config: Config, systems: Systems, now: datetime) -> int:
    if not args.ids and not args.all:
        raise InputError("name the discrepancy ids to apply, or pass --all")
    if args.ids and args.all:
        raise InputError("pass either discrepancy ids or --all, not both")
    if args.dry_run:
        return _dry_apply(args, config, systems, now)
    service = _service_after_resuming(systems, config)
    window = make_window(config, now=now, start=args.start, end=args.end)
    result = run_reconcile(systems, config, window=window, now=now, renderer=PageRenderer())
    ids = [d.id for d in result.discrepancies if d.fix] if args.all else args.ids
    report = service.apply_fixes(result, ids, requested_by=_requester(), source="cli")
    if report.outcomes:
        print(apply_report(report))
    # What --all left alone, and why: each waits for a person (a refused page key, say).
    human = [d for d in result.discrepancies if not d.fix] if args.all else []
    for found in human:
        print(f"  {'needs a human':>14}  {found.id}  {found.summary}")
    if not report.outcomes:
        print("Nothing to apply: all in sync." if result.complete else
              "Nothing to apply from what could be read.")
    if not result.complete:
        print(f"error: {_partial(result)}; what depends on it was neither checked nor "
              "applied (see: python -m bot reconcile).", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK if report.ok else EXIT_ERROR


def _dry_apply(args: argparse.Namespace, config: Config, systems: Systems,
               now: datetime) -> int:
    """What ``apply`` would write, charter by charter, and how close each is to leaving;
    nothing is written and no audit row is made."""
    window = make_window(config, now=now, start=args.start, end=args.end)
    result = run_reconcile(systems, config, window=window, now=now, renderer=PageRenderer())
    wanted = set(args.ids)
    chosen = [d for d in result.discrepancies if d.fix and (args.all or d.id in wanted)]
    missing = sorted(wanted - {d.id for d in chosen})
    print("\n".join(fix_preview_lines(chosen, result=result, config=config, now=now))
          or "Nothing to apply.")
    for item in missing:
        print(f"  {item}: no longer found (nothing would be done)")
    print("Dry run: nothing was written.")
    return EXIT_OK


def _partial(result: ReconcileResult) -> str:
    count = len(result.withheld)
    withheld = f" ({count} check{'s' if count != 1 else ''} withheld)" if count else ""
    return f"a source was read only in part{withheld}"


def _status(args: argparse.Namespace, config: Config, systems: Systems, now: datetime) -> int:
    window = make_window(config, now=now, start=args.start, end=args.end)
    result = run_reconcile(systems, config, window=window, now=now, renderer=PageRenderer())
    event_id = resolve_event(args.event, result.desired, today=window.start)
    want = result.desired[event_id]
    page_url = f"{config.pages.base_url}/{want.page_key}"
    html = systems.pages.fetch(want.page_key) if want.deployed_page else None
    fields = read_page_fields(html) if html else {}
    mine = [d for d in result.discrepancies if d.event_id == event_id]
    if args.json:
        print(json.dumps({
            "event_id": event_id,
            "calendar": dict(want.record),
            "dynamodb": dict(want.current_record.attributes) if want.current_record else None,
            "page": {"key": want.page_key, "url": page_url, "deployed": want.deployed_page
                     is not None, "in_sync": bool(want.deployed_page and
                                                  want.deployed_page.content_md5 ==
                                                  want.page_md5), "shows": fields},
            "discrepancies": [d.to_dict() for d in mine],
        }, indent=2, default=str))
    else:
        print(status_table(want, page_url=page_url, page_fields=fields))
        for item in mine:
            print(f"  [{item.severity}] {item.kind}: {item.summary}")
    return EXIT_OK


def _change(args: argparse.Namespace, config: Config, systems: Systems, now: datetime) -> int:
    if args.dry_run:
        return _dry_change(args, config, systems, now)
    service = _service_after_resuming(systems, config)
    window = make_window(config, now=now, start=args.start, end=args.end)
    # Planning needs the charters, records and pages, not the CDN's history.
    result = run_reconcile(systems, config, window=window, now=now, renderer=PageRenderer(),
                           read_cdn=False)
    words = [args.role, args.person] if args.command == "swap" else [args.range]
    outcome = carry_out(service=service, charters=result.desired, kind=args.command,
                        event=args.event, words=words, config=config, today=window.start,
                        requested_by=_requester(), source="cli", now=now)
    return _report(outcome)


def _dry_change(args: argparse.Namespace, config: Config, systems: Systems,
                now: datetime) -> int:
    """The plan and its blast radius; no audit store is opened, nothing is resumed or
    written anywhere."""
    window = make_window(config, now=now, start=args.start, end=args.end)
    result = run_reconcile(systems, config, window=window, now=now, renderer=PageRenderer(),
                           read_cdn=False)
    words = [args.role, args.person] if args.command == "swap" else [args.range]
    event_id = resolve_event(args.event, result.desired, today=window.start)
    plan = plan_request(charters=result.desired, kind=args.command, event=event_id,
                        words=words, config=config, today=window.start)
    preview = change_preview(plan=plan, want=result.desired[plan.event_id], config=config,
                             now=now)
    print(f"Dry run: {plan.summary}")
    print("\n".join(preview.lines()))
    print("Nothing was written.")
    return EXIT_OK


def _service_after_resuming(systems: Systems, config: Config) -> ChangeService:
    """The change service, once the changes a crash or an outage left half done are finished."""
    env = read_environment()
    service = build_change_service(systems, config, build_audit(env), tell=direct_messages(env))
    for resumed in service.resume():
        news = f" — {resumed.news}" if resumed.news else ""
        print(f"resumed an interrupted change: {change_line(resumed)}{news}", file=sys.stderr)
    return service


def _undo(args: argparse.Namespace, config: Config, systems: Systems, now: datetime) -> int:
    env = read_environment()
    service = build_change_service(systems, config, build_audit(env), tell=direct_messages(env))
    return _report(service.undo(args.change_id, requested_by=_requester(), source="cli"))


def _report(outcome: ChangeOutcome) -> int:
    """The outcome on stdout; a request that was already made says so on stderr instead."""
    out = sys.stderr if outcome.repeated else sys.stdout
    if outcome.running_elsewhere:
        print(f"still running in another process: {change_line(outcome)}", file=sys.stderr)
        return EXIT_RUNNING_ELSEWHERE
    print(change_line(outcome), file=out)
    for step in outcome.steps:
        print(f"  {step.seq}. {step.system:<8} {step.action:<14} {step.target}  {step.status}"
              + (f"  ({step.error})" if step.error else ""), file=out)
    if outcome.news:
        print(f"  {outcome.news}", file=out)
    return EXIT_OK if outcome.status == "done" else EXIT_ERROR


def _audit(args: argparse.Namespace, config: Config, systems: Systems, now: datetime) -> int:
    query = audit_view.AuditQuery(event=(args.event or "").strip().lower() or None,
                                  actor=args.actor)
    items = audit_view.history(build_audit(read_environment()), query=query,
                               roster=Roster(config.roster), limit=args.limit)
    if args.json:
        print(json.dumps([audit_view.item_dict(i) for i in items], indent=2, default=str))
    else:
        scope = audit_view.describe(query)
        print("\n".join(audit_lines(items, tz=config.tz))
              or f"Nothing recorded{' ' + scope if scope else ''}.")
    return EXIT_OK


def _ready(args: argparse.Namespace, config: Config, systems: Systems, now: datetime) -> int:
    days = (args.date,) if args.date else readiness.parse_day(
        None, today=now.astimezone(config.tz).date())
    report = readiness.check_readiness(systems, config, days=days, now=now)
    if args.json:
        print(json.dumps([d.to_dict() for d in report.departures], indent=2))
    else:
        print(readiness_blocks.text_report(report.departures, days=days))
    for note in report.result.notes:
        print(f"note: {note}", file=sys.stderr)
    # 2, as reconcile's drift: something a person must see to before the boat leaves.
    return EXIT_OK if report.ready else EXIT_DRIFT


def _requester() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _watch(args: argparse.Namespace, config: Config, systems: Systems, now: datetime) -> int:
    from bot.watch import build_live_sync, build_push, run_watch, slack_alerts

    env = read_environment()
    live = build_live_sync(systems, config, env, alerts=slack_alerts(config, env))
    push = None if args.once else build_push(live, systems, config)
    return run_watch(live, config, once=args.once, push=push)


_COMMANDS = {"reconcile": _reconcile, "apply": _apply, "status": _status, "swap": _change,
             "time": _change, "undo": _undo, "audit": _audit, "watch": _watch,
             "ready": _ready}
