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

The parser and the dispatch live here; each command's body is in ``bot.cli_commands``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from bot import __version__
from bot.environment import find_config, read_environment
from bot.exit_status import EXIT_ERROR, EXIT_OK
from common.errors import CharterOpsError, ConfigError, InputError
from services.domain.display import terminal_text

if TYPE_CHECKING:
    from services.reconciling import Systems

# What a command needs (the settings, the clients, the services) is imported once the
# line is parsed, by the command that needs it: --help, init and a usage error start in a
# few tens of milliseconds, with no AWS, Google, SQLAlchemy or Slack module loaded.


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


MAX_LIMIT = 10_000  # audit --limit: more than a screen could ever want, and a size SQL takes


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: '{text}'") from None
    if not 1 <= value <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"{text} is not a count from 1 to {MAX_LIMIT}")
    return value


def build_parser(*, prog: str = "python -m bot") -> argparse.ArgumentParser:
    parser = _Parser(
        prog=prog,
        description="Keeps the charter calendar, DynamoDB and the guest pages in agreement.",
    )
    parser.add_argument("--config", default=None,
                        help="settings file (default: $CHARTER_OPS_CONFIG, else ./app.yaml)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
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
    retime.add_argument("range", nargs="+",
                        help="3pm-7pm, 15:00-19:00, 3-7pm (spaces allowed: 4 pm - 8 pm)")

    undo = commands.add_parser("undo", help="revert a finished swap or time change")
    undo.add_argument("change_id", help="the change id shown by swap, time and audit")

    audit = commands.add_parser("audit", help="changes, decisions and refusals, newest first")
    audit.add_argument("event", nargs="?", help="record id or guest name")
    audit.add_argument("--actor", help="only this person's: Slack id, roster name or CLI user")
    audit.add_argument("--json", action="store_true")
    audit.add_argument("--limit", type=_count, default=20,
                       help=f"at most this many entries, 1 to {MAX_LIMIT} (default 20)")

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
    for sub in (reconcile, apply, status, ready):
        sub.add_argument("--boat", metavar="NAME", help="only this boat's charters (a fleet)")
    for sub in (reconcile, apply, status, swap, retime, undo, audit, demo, watch, ready,
                commands.choices["init"], commands.choices["doctor"]):
        sub.add_argument("--config", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser


class _TerminalStream:
    """Standard output or error with control characters from data shown as their codes
    (``\\x1b``): a calendar title with an escape sequence must not retitle or clear the
    operator's terminal, whichever command prints it."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(terminal_text(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main(argv: Sequence[str] | None = None, *, systems: Systems | None = None,
         now: Callable[[], datetime] = lambda: datetime.now(UTC),
         prog: str = "python -m bot") -> int:
    """``prog`` is the name the user typed (charter-ops or python -m bot), for usage lines."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _TerminalStream(out), _TerminalStream(err)
    try:
        return _main(argv, systems=systems, now=now, prog=prog)
    finally:
        sys.stdout, sys.stderr = out, err


def _main(argv: Sequence[str] | None, *, systems: Systems | None,
          now: Callable[[], datetime], prog: str) -> int:
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
            # The sandbox's own operator unless a file is named: an operator's app.yaml in
            # the working directory (still FILL IN, or real) is not the demo's.
            return _demo(config_path=args.config, assume_yes=args.yes,
                         auto_fix=args.auto_fix)
        from bot.config import load_config

        config = load_config(config_path)
        if args.command == "doctor":
            from bot.doctor import run_doctor

            return run_doctor(config, read_environment(), out=sys.stdout)
        from bot.cli_commands import run_command
        from bot.wiring import build_systems

        systems = systems or build_systems(config, read_environment())
        return run_command(args, config, systems, now())
    except CharterOpsError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERROR


# What the demo extra (moto[server]) brings that the sandbox imports.
DEMO_EXTRA_MODULES = frozenset({"moto", "werkzeug", "flask", "flask_cors"})


def _demo(*, config_path: str | None, assume_yes: bool, auto_fix: bool) -> int:
    try:
        from bot.sandbox.demo import run_demo
    except ModuleNotFoundError as error:
        if (error.name or "").partition(".")[0] not in DEMO_EXTRA_MODULES:
            raise
        raise ConfigError("the demo's sandbox needs moto, which production installs leave "
                          "out: pip install 'charter-ops[demo]' (from a checkout: pip "
                          "install -r requirements-demo.txt)") from None
    return run_demo(config_path=config_path, assume_yes=assume_yes, auto_fix=auto_fix)
