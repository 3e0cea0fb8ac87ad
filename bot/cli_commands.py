"""The commands of ``python -m bot`` once their line is parsed: each builds what it uses,
calls the services and prints their results. ``bot/cli.py`` imports this module only
after parsing, so ``--help``, ``init`` and a usage error load none of it."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import datetime

from bot.environment import read_environment
from bot.exit_status import EXIT_DRIFT, EXIT_ERROR, EXIT_OK, EXIT_RUNNING_ELSEWHERE
from bot.terminal import (
    apply_report,
    audit_lines,
    change_line,
    ready_report,
    reconcile_report,
    status_json,
    status_table,
)
from bot.wiring import build_audit, build_change_service, direct_messages
from common.errors import InputError
from services.changes import ChangeOutcome, ChangeService
from services.domain.change.blast_radius import fix_preview_lines
from services.domain.config import Config
from services.domain.fleet import on_boat
from services.domain.models import Boat, ReconcileResult, Window
from services.domain.pages.rendering import PageRenderer
from services.domain.roster import Roster
from services.reconciling import Systems, make_window, run_reconcile
from services.usecases import audit_history, ready
from services.usecases.change_request import (
    ChangeRequest,
    api_event,
    carry_out,
    plan_change,
    time_range,
)
from services.usecases.status import charter_status


def run_command(args: argparse.Namespace, config: Config, systems: Systems,
                now: datetime) -> int:
    return COMMANDS[args.command](args, config, systems, now)


def _reconcile(args: argparse.Namespace, config: Config, systems: Systems,
               now: datetime) -> int:
    boat = _boat(args, config)
    window = make_window(config, now=now, start=args.start, end=args.end)
    result = on_boat(run_reconcile(systems, config, window=window, now=now,
                                     renderer=PageRenderer()), boat)
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
    boat = _boat(args, config)
    if args.dry_run:
        return _dry_apply(args, config, systems, now)
    service = _service_after_resuming(systems, config)
    window = make_window(config, now=now, start=args.start, end=args.end)
    result = on_boat(run_reconcile(systems, config, window=window, now=now,
                                     renderer=PageRenderer()), boat)
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
    result = on_boat(run_reconcile(systems, config, window=window, now=now,
                                     renderer=PageRenderer()), _boat(args, config))
    wanted = set(args.ids)
    chosen = [d for d in result.discrepancies if d.fix and (args.all or d.id in wanted)]
    missing = sorted(wanted - {d.id for d in chosen})
    print("\n".join(fix_preview_lines(chosen, result=result, config=config, now=now))
          or "Nothing to apply.")
    for item in missing:
        print(f"  {item}: no longer found (nothing would be done)")
    print("Dry run: nothing was written.")
    return EXIT_OK


def _boat(args: argparse.Namespace, config: Config) -> Boat | None:
    """The boat ``--boat`` names, refused (listing the boats) before anything is read."""
    name = getattr(args, "boat", None)
    return config.boat_named(name) if name is not None else None


def _partial(result: ReconcileResult) -> str:
    count = len(result.withheld)
    withheld = f" ({count} check{'s' if count != 1 else ''} withheld)" if count else ""
    return f"a source was read only in part{withheld}"


def _status(args: argparse.Namespace, config: Config, systems: Systems, now: datetime) -> int:
    boat = _boat(args, config)
    window = make_window(config, now=now, start=args.start, end=args.end)
    status = charter_status(systems, config, query=args.event, window=window, now=now,
                            audit=build_audit(read_environment()), boat=boat)
    if args.json:
        print(json.dumps(status_json(status), indent=2, default=str))
    else:
        print(status_table(status, tz=config.tz))
    return EXIT_OK


def _change(args: argparse.Namespace, config: Config, systems: Systems, now: datetime) -> int:
    if args.dry_run:
        return _dry_change(args, config, systems, now)
    service = _service_after_resuming(systems, config)
    window = make_window(config, now=now, start=args.start, end=args.end)
    outcome = carry_out(service=service, read=lambda: _planning_read(systems, config, window,
                                                                     now),
                        request=_request(args), config=config, today=window.start, now=now,
                        requested_by=_requester(), source="cli",
                        get_event=api_event(systems))
    return _report(outcome)


def _dry_change(args: argparse.Namespace, config: Config, systems: Systems,
                now: datetime) -> int:
    """The plan and its blast radius; no audit store is opened, nothing is resumed or
    written anywhere."""
    window = make_window(config, now=now, start=args.start, end=args.end)
    planned = plan_change(_planning_read(systems, config, window, now), _request(args),
                          config=config, today=window.start, now=now,
                          get_event=api_event(systems))
    print(f"Dry run: {planned.plan.summary}")
    print("\n".join(planned.preview.lines()))
    print("Nothing was written.")
    return EXIT_OK


def _request(args: argparse.Namespace) -> ChangeRequest:
    words = (args.role, args.person) if args.command == "swap" else (time_range(args.range),)
    return ChangeRequest(kind=args.command, charter=args.event, words=words)


def _planning_read(systems: Systems, config: Config, window: Window,
                   now: datetime) -> ReconcileResult:
    # Planning needs the charters, records and pages, not the CDN's history.
    return run_reconcile(systems, config, window=window, now=now, renderer=PageRenderer(),
                         read_cdn=False)


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
    query = audit_history.AuditQuery(event=(args.event or "").strip().lower() or None,
                                  actor=args.actor)
    items = audit_history.history(build_audit(read_environment()), query=query,
                               roster=Roster(config.roster), limit=args.limit)
    if args.json:
        print(json.dumps([audit_history.item_dict(i) for i in items], indent=2, default=str))
    else:
        scope = audit_history.describe(query)
        print("\n".join(audit_lines(items, tz=config.tz))
              or f"Nothing recorded{' ' + scope if scope else ''}.")
    return EXIT_OK


def _ready(args: argparse.Namespace, config: Config, systems: Systems, now: datetime) -> int:
    days = (args.date,) if args.date else ready.parse_day(
        None, today=now.astimezone(config.tz).date())
    boat = _boat(args, config)
    report = ready.check_readiness(systems, config, days=days, now=now,
                                   audit=build_audit(read_environment()), boat=boat)
    if args.json:
        print(json.dumps([d.to_dict() for d in report.departures], indent=2))
    else:
        print(ready_report(report.departures, days=days, boats=config.boats))
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


COMMANDS = {"reconcile": _reconcile, "apply": _apply, "status": _status, "swap": _change,
             "time": _change, "undo": _undo, "audit": _audit, "watch": _watch,
             "ready": _ready}
