"""Who is running a change: an id per runner that says which process holds a lease.

A lease expires on its own, but waiting out its expiry after a crash is needless
when the holder is known to be dead. The id names the kernel boot and the PID
namespace, so a PID is only ever checked where it means the same process: on
the same machine, in the same container. Anywhere else a lease is trusted until
it expires.
"""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path


def _place() -> str:
    """The kernel boot and PID namespace this process's PIDs belong to (or the host name)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.readlink("/proc/self/ns/pid")  # e.g. "pid:[4026531836]"
        return f"{boot}.{namespace.strip('pid:[]')}"
    except OSError:  # not Linux: a host name is the best there is
        return socket.gethostname()


def new_runner_id() -> str:
    return f"{_place()}/{os.getpid()}/{uuid.uuid4().hex[:8]}"


def runner_is_dead(runner_id: str) -> bool:
    """True only when the runner was a process here that no longer exists."""
    place, _, rest = runner_id.partition("/")
    pid_text = rest.partition("/")[0]
    if place != _place() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False  # another runner in this very process: alive
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # exists, owned by someone else
    return False
