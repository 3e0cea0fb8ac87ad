"""The path of a ``/charter swap`` through the code, as a newcomer would read it.

Runs the seed's weekend in the sandbox, types ``/charter swap danika Ana Tess`` and
clicks Confirm through Bolt's real pipeline, and follows the Python frames of this
project's own code (bot/, handlers/, services/, store/, common/): from the listener to
the message with Confirm, and from the Confirm listener to the DynamoDB write
(``RecordStore.update``). It prints, for each leg, the files crossed, how often the path
comes back to a file it had left (counted on the middle: listeners, views, use cases and
wiring, leaving aside the pure core and the adapters it calls), and the sequence itself.

    python bench/swap_path.py [--sequence] [--without-views]

``--without-views`` leaves the Block Kit views out of the middle as well, which is how
the path was counted before they moved from the pure core to handlers/views/.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OURS = tuple(str(ROOT / name) + "/" for name in ("bot", "handlers", "services", "store",
                                                 "common"))


EDGES = ("services/domain/", "services/adapters/", "store/", "common/")


class Inline:
    """An executor that runs the deferred half at once, in this thread (so it is traced)."""

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        return future

    def shutdown(self, wait: bool = True) -> None:
        pass


def ours(frame: Any) -> str | None:
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith(OURS) and "/sandbox/" not in name:
            return str(Path(name).relative_to(ROOT))
        frame = frame.f_back
    return None


class FramePath:
    """The sequence of our files the running code is in, between a start and a stop."""

    def __init__(self, *, start: Callable[[Any], bool], stop: Callable[[Any], bool]) -> None:
        self.start, self.stop = start, stop
        self.on = self.done = False
        self.files: list[str] = []
        self.also_edges: tuple[str, ...] = ()

    def __call__(self, frame: Any, event: str, arg: Any) -> None:
        if self.done or event not in ("call", "return"):
            return
        if event == "call" and not self.on and self.start(frame):
            self.on = True
        if not self.on:
            return
        where = ours(frame if event == "call" else frame.f_back)
        if where and (not self.files or self.files[-1] != where):
            self.files.append(where)
        if event == "call" and self.stop(frame):
            self.done = True

    def middle(self) -> list[str]:
        """The path through the middle only (listeners, views, use cases, the composition
        root): the pure core and the adapters are where it goes, not how it gets there."""
        kept = [f for f in self.files if not f.startswith(EDGES + self.also_edges)]
        return [f for i, f in enumerate(kept) if i == 0 or kept[i - 1] != f]

    def summary(self) -> tuple[int, int, int]:
        middle = self.middle()
        seen: set[str] = set()
        returns = 0
        for name in middle:
            returns += name in seen
            seen.add(name)
        return len(set(self.files)), len(seen), returns


def is_listener(name: str) -> Callable[[Any], bool]:
    return lambda frame: (frame.f_code.co_name == name
                          and "/handlers/" in frame.f_code.co_filename)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequence", action="store_true", help="print each leg's files")
    parser.add_argument("--without-views", action="store_true",
                        help="leave handlers/views/ out of the middle too")
    args = parser.parse_args()
    import handlers
    from bot.config import load_config
    from bot.sandbox.sandbox import running_sandbox
    from bot.sandbox.slack_fake import SlackFake
    from tests.conftest import SEED_SATURDAY, install_seed
    from tests.handlers.slack_requests import click, command, make_bot, responses, signed

    config = load_config(ROOT / "app.yaml")
    with running_sandbox(config) as box, SlackFake() as slack, \
            tempfile.TemporaryDirectory() as tmp:
        install_seed(box, saturday=SEED_SATURDAY)
        kwargs: dict[str, Any] = {"executor": Inline()}
        app, _ = make_bot(box, slack, Path(tmp) / "audit.sqlite3", **kwargs)
        # As in a warm process: a lazy listener imports its module on its first call, and
        # the path is what the code calls, not what importing it runs.
        for module in pkgutil.walk_packages(handlers.__path__, "handlers."):
            importlib.import_module(module.name)
        plan_leg = FramePath(start=is_listener("charter"),
                         stop=lambda f: f.f_code.co_name in ("respond", "__call__")
                         and "slack_bolt/context/respond" in f.f_code.co_filename)
        sys.setprofile(plan_leg)
        app.dispatch(signed(command(slack, "swap danika Ana Tess")))
        sys.setprofile(None)
        [plan] = responses(slack, 1)
        confirm = next(e for b in plan["blocks"] if b["type"] == "actions"
                       for e in b["elements"] if e["action_id"] == "change_confirm")
        message = {"ts": "1.1", "text": plan["text"], "blocks": plan["blocks"]}
        write_leg = FramePath(start=is_listener("confirm"),
                          stop=lambda f: f.f_code.co_name == "update"
                          and f.f_code.co_filename.endswith("services/adapters/records.py"))
        sys.setprofile(write_leg)
        app.dispatch(signed(click(slack, "change_confirm", confirm["value"], block_id="plan",
                                  message=message)))
        sys.setprofile(None)
        assert write_leg.done, "the Confirm click never reached RecordStore.update"
    for title, leg in (("/charter swap → the plan with Confirm", plan_leg),
                       ("Confirm → the DynamoDB write", write_leg)):
        leg.also_edges = ("handlers/views/",) if args.without_views else ()
        files, middle, returns = leg.summary()
        print(f"{title}: {files} files in all; through the middle {middle} files, "
              f"{returns} returns to a file it had left")
        if args.sequence:
            print("  " + " → ".join(leg.middle()))


if __name__ == "__main__":
    main()
