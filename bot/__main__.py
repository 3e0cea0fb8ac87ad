"""``python -m bot`` and the ``charter-ops`` command: the same CLI (bot.cli)."""

import sys
from typing import NoReturn

from bot.cli import main


def run() -> NoReturn:
    """The console script's entry point: the CLI's return value is the exit status."""
    sys.exit(main())


if __name__ == "__main__":
    run()
