"""``python -m bot`` in HTTP mode keeps answering while connections are held open on
purpose: two hundred clients each dripping a byte of a request every second or two."""

from __future__ import annotations

import json
import resource
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bot.http_server import REQUEST_SECONDS
from bot.sandbox.sandbox import Sandbox
from bot.sandbox.slack_fake import SlackFake
from tests.bot.test_serve_http import ROOT, bot_process, post, signature

HELD = 200


class Drippers:
    """``count`` connections, each sending one byte of an endless header every ``every``
    seconds (all of them from one background thread)."""

    def __init__(self, port: int, *, count: int, every: float) -> None:
        self.sockets = [socket.create_connection(("127.0.0.1", port), timeout=5)
                        for _ in range(count)]
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drip, daemon=True)

    def _drip(self) -> None:
        for sock in self.sockets:
            with suppress(OSError):
                sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nX-Slow: ")
        while not self._stop.wait(self._every):
            for sock in self.sockets:
                with suppress(OSError):  # closed by the server: that is its right
                    sock.sendall(b"a")

    def __enter__(self) -> Drippers:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        for sock in self.sockets:
            sock.close()

    def still_open(self) -> int:
        """How many of the connections the server has not closed."""
        count = 0
        for sock in self.sockets:
            sock.setblocking(False)
            try:
                count += sock.recv(1) != b""  # an answer, if any: still it came
            except BlockingIOError:
                count += 1
            except OSError:
                pass
        return count


@pytest.fixture
def bot(seeded: Sandbox, tmp_path: Path) -> Iterator[tuple[str, SlackFake]]:
    with SlackFake() as slack, bot_process(seeded, slack, tmp_path,
                                           tmp_path / "audit.sqlite3") as url:
        yield url, slack


def timed(call: Callable[[], object]) -> tuple[float, object]:
    started = time.monotonic()
    result = call()
    return time.monotonic() - started, result


def test_two_hundred_dripping_connections_leave_slack_and_the_probes_answered(
        bot: tuple[str, SlackFake]) -> None:
    url, slack = bot
    port = int(url.split(":")[2].split("/")[0])
    body = urlencode({"command": "/charter", "text": "help", "user_id": "U0123ABCD",
                      "team_id": "T1", "channel_id": "C1",
                      "response_url": slack.response_url(), "trigger_id": "1"})

    def healthz() -> dict[str, str]:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3) as answer:
            return dict(json.load(answer))

    with Drippers(port, count=HELD, every=1.5) as drippers:
        time.sleep(2)  # every connection has started its request, and dripped once
        assert drippers.still_open() == HELD
        seconds, alive = timed(healthz)
        assert alive == {"status": "alive"} and seconds < 3
        seconds, status = timed(lambda: post(url, body, signature(body)))
        assert status == 200 and seconds < 3
        [(_, reply)] = slack.wait_for(1, method="/response/r1")
        assert "/charter status danika" in reply["text"]
        # However often they drip, none of them is let to hold its place for long.
        deadline = time.monotonic() + REQUEST_SECONDS + 5
        while drippers.still_open() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert drippers.still_open() == 0


def test_an_open_file_limit_below_the_connections_is_raised_at_start() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip(f"the hard open-file limit here is {hard}")
    shown = subprocess.run(
        [sys.executable, "-c", "import resource\n"
         "soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)\n"
         "resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))\n"
         "from bot.http_server import connection_limit\n"
         "print(connection_limit(1000), resource.getrlimit(resource.RLIMIT_NOFILE)[0])"],
        cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert shown == ["1000", "1200"]
