"""``python -m bot`` and the ``charter-ops`` command: the same CLI (bot.cli)."""

import os
import sys
from pathlib import Path
from typing import NoReturn

from bot.cli import main

# What a command whose reader went away exits with: 128 + SIGPIPE, as a tool that
# SIGPIPE ends does (`set -o pipefail` sees it), and neither an error (1) nor drift (2).
EXIT_OUTPUT_CLOSED = 141


def _run(prog: str) -> int:
    """The CLI, ended quietly when its standard output is closed (``| head -1``): the
    reader had what it wanted, so no traceback. The recipe in the Python docs of the
    signal module (SIGPIPE's default action would also kill the bot on any socket a peer
    closed, so it stays ignored, and the error is caught here instead)."""
    try:
        code = main(prog=prog)
        sys.stdout.flush()  # a closed pipe shows here, inside the try, not at exit
        return code
    except BrokenPipeError:
        # Python flushes stdout once more at exit: point it at /dev/null, so that
        # flush finds nothing to fail on either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OUTPUT_CLOSED


def run() -> NoReturn:
    """The console script's entry point: the CLI's return value is the exit status.

    Usage lines name the command as it was typed (``charter-ops``, or whatever the
    script was installed or linked as)."""
    sys.exit(_run(prog=Path(sys.argv[0]).name or "charter-ops"))


if __name__ == "__main__":
    sys.exit(_run(prog="python -m bot"))
