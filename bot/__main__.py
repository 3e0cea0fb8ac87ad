"""``python -m bot`` and the ``charter-ops`` command: the same CLI (bot.cli)."""

import sys
from pathlib import Path
from typing import NoReturn

from bot.cli import main


def run() -> NoReturn:
    """The console script's entry point: the CLI's return value is the exit status.

    Usage lines name the command as it was typed (``charter-ops``, or whatever the
    script was installed or linked as)."""
    sys.exit(main(prog=Path(sys.argv[0]).name or "charter-ops"))


if __name__ == "__main__":
    sys.exit(main(prog="python -m bot"))
