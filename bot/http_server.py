"""The HTTP server of ``python -m bot`` and ``watch``: waitress, with limits that keep it
answering when connections are held open on purpose.

waitress's defaults let about a hundred idle connections stop it: it takes no new
connection past ``connection_limit`` (100), and closes one only after ``channel_timeout``
(120 s) without a byte, so a client dripping a byte every few seconds holds its place
for ever. Here:

- up to CONNECTION_LIMIT connections (Slack sends a few at a time), with the process's
  open-file limit raised to fit them, and ``poll()`` rather than ``select()``, which
  cannot watch a descriptor numbered past 1024;
- each connection gets REQUEST_SECONDS to deliver a whole request, counted from when it
  opened or its last answer, however many bytes it drips meanwhile (an idle keep-alive
  connection is closed after as long). A request being answered is never cut.

A buffering reverse proxy in front (docs/deploying.md) keeps slow clients away from
the bot altogether; these limits keep it answering without one.
"""

from __future__ import annotations

import logging
import time
from typing import Any, cast

from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer

from bot.http_guard import MAX_BODY_BYTES, Wsgi

logger = logging.getLogger(__name__)

CONNECTION_LIMIT = 1000
# Slack's requests arrive whole in milliseconds, and Slack gives up on an answer after 3 s.
REQUEST_SECONDS = 10
# Descriptors besides the connections: the database pool, AWS, Google and Slack clients,
# log files, the listening socket.
OTHER_DESCRIPTORS = 200
# A Slack request's headers are well under 4 KB; waitress would hold 256 KB a connection.
MAX_HEADER_BYTES = 32 * 1024


class _Channel(HTTPChannel):
    """A connection that knows since when it has owed a whole request."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owing_since = self.creation_time

    def service(self) -> None:  # a worker thread, once a request arrived whole
        try:
            super().service()
        finally:
            self.owing_since = time.time()


class _Server(TcpWSGIServer):
    channel_class = _Channel

    def maintenance(self, now: float) -> None:
        """Every ``cleanup_interval``: close each connection that has owed a request for
        longer than ``channel_timeout``, bytes or no bytes (waitress's own rule counts from
        the last byte)."""
        cutoff = now - self.adj.channel_timeout
        # types-waitress declares active_channels as one HTTPChannel; it is a dict of them.
        channels = cast("dict[int, _Channel]", self.active_channels)
        for channel in list(channels.values()):
            if not channel.requests and channel.owing_since < cutoff:
                channel.will_close = True


def http_server(app: Wsgi, *, port: int, threads: int) -> Any:
    """A waitress server of ``app`` on 0.0.0.0:``port``, not yet running (``.run()``)."""
    return _Server(
        app, host="0.0.0.0", port=port, threads=threads,
        connection_limit=connection_limit(CONNECTION_LIMIT), channel_timeout=REQUEST_SECONDS,
        cleanup_interval=1, asyncore_use_poll=True, max_request_header_size=MAX_HEADER_BYTES,
        # waitress buffers a body before the app sees it: it refuses a long one too (its
        # limit is exclusive), so no more than the limit is ever held.
        max_request_body_size=MAX_BODY_BYTES + 1)


def connection_limit(wanted: int) -> int:
    """``wanted``, once the process may open that many descriptors and more (its soft
    limit raised toward the hard one); fewer, said in the log, where the hard limit is
    lower."""
    try:
        import resource
    except ImportError:  # not a Unix: no such limit to raise
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = wanted + OTHER_DESCRIPTORS
    if soft != resource.RLIM_INFINITY and soft < needed:
        raised = needed if hard == resource.RLIM_INFINITY else min(hard, needed)
        resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
        soft = raised
    if soft != resource.RLIM_INFINITY and soft < needed:
        fitted = max(soft - OTHER_DESCRIPTORS, soft // 2)
        logger.warning("the open-file limit is %d (hard): at most %d connections at once, "
                       "not %d", soft, fitted, wanted)
        return fitted
    return wanted
