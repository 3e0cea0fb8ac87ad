"""One read shared by a process's askers: those who ask while it runs wait for it, it is
kept a few seconds, and a read that was running when a change landed is not kept."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from services.shared_read import SharedRead


def test_askers_during_a_read_wait_for_it_and_it_is_kept_for_a_while() -> None:
    now = [0.0]
    shared: SharedRead[int] = SharedRead(keep_for=5, clock=lambda: now[0])
    reads, release = [], threading.Event()

    def read() -> int:
        reads.append(1)
        release.wait(5)
        return len(reads)

    with ThreadPoolExecutor(8) as pool:
        askers = [pool.submit(shared.get, "window", read) for _ in range(8)]
        release.set()
        assert [a.result() for a in askers] == [1] * 8
    assert shared.get("window", read) == 1 and len(reads) == 1
    now[0] = 5.0  # kept no longer: read again
    assert shared.get("window", read) == 2
    assert shared.get("another window", read) == 3


def test_a_read_running_when_a_change_landed_is_not_kept() -> None:
    shared: SharedRead[str] = SharedRead(keep_for=60)
    inside, release = threading.Event(), threading.Event()

    def before() -> str:
        inside.set()
        release.wait(5)
        return "before the change"

    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(shared.get, "window", before)
        inside.wait(5)
        shared.forget()  # the change landed while the read ran
        release.set()
        assert running.result() == "before the change"
    assert shared.get("window", lambda: "after the change") == "after the change"
