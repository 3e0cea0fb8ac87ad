"""A local Socket Mode server, as Slack runs one: a WebSocket (RFC 6455, over the stdlib) that
says ``hello``, sends envelopes, records the acks by ``envelope_id``, answers pings, and can
send Slack's ``disconnect`` or drop the connection the way a network does.

The Slack fake's ``apps.connections.open`` hands out :attr:`url`; every connection the bot
opens is one entry of :attr:`connections`.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import socket
import struct
import threading
import time
import uuid
from types import TracebackType
from typing import Any

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455, section 1.3
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


class _Connection:
    def __init__(self, sock: socket.socket, owner: SocketModeServer) -> None:
        self.sock, self.owner = sock, owner
        self.send_lock = threading.Lock()
        self.open = True

    def handshake(self) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed during the handshake")
            request += chunk
        headers = dict(line.split(": ", 1) for line in
                       request.decode().split("\r\n")[1:] if ": " in line)
        key = {k.lower(): v for k, v in headers.items()}["sec-websocket-key"].strip()
        accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
        self.sock.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                           "Connection: Upgrade\r\n"
                           f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode())

    def send_frame(self, opcode: int, data: bytes) -> None:
        size = len(data)  # server frames are never masked
        if size < 126:
            header = struct.pack("!BB", 0x80 | opcode, size)
        elif size < 1 << 16:
            header = struct.pack("!BBH", 0x80 | opcode, 126, size)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 127, size)
        with self.send_lock:
            self.sock.sendall(header + data)

    def send_json(self, message: dict[str, Any]) -> None:
        self.send_frame(TEXT, json.dumps(message).encode())

    def _read(self, count: int) -> bytes:
        data = b""
        while len(data) < count:
            chunk = self.sock.recv(count - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    def read_frame(self) -> tuple[int, bytes]:
        first, second = self._read(2)
        size = second & 0x7F
        if size == 126:
            size = struct.unpack("!H", self._read(2))[0]
        elif size == 127:
            size = struct.unpack("!Q", self._read(8))[0]
        mask = self._read(4) if second & 0x80 else b"\0\0\0\0"
        data = bytes(b ^ mask[i % 4] for i, b in enumerate(self._read(size)))
        return first & 0x0F, data

    def serve(self) -> None:
        try:
            self.handshake()
            self.send_json({"type": "hello", "num_connections": 1,
                            "connection_info": {"app_id": "A1"},
                            "debug_info": {"host": "local", "approximate_connection_time": 3600}})
            self.owner.connected(self)
            while True:
                opcode, data = self.read_frame()
                if opcode == PING:
                    self.send_frame(PONG, data)
                elif opcode == CLOSE:
                    self.send_frame(CLOSE, data[:2])
                    break
                elif opcode == TEXT:
                    self.owner.received(json.loads(data))
        except (ConnectionError, OSError, ValueError):
            pass  # the bot went away, or the test dropped the connection
        finally:
            self.close()

    def close(self) -> None:
        self.open = False
        with contextlib.suppress(OSError):  # already shut by the other side
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


class SocketModeServer:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.connections: list[_Connection] = []
        self.acks: dict[str, dict[str, Any]] = {}
        self._changed = threading.Condition()
        self._stopped = False

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link/?ticket=local"

    def __enter__(self) -> SocketModeServer:
        threading.Thread(target=self._accept, daemon=True, name="socket-mode-server").start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stopped = True
        self._listener.close()
        for connection in list(self.connections):
            connection.close()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=_Connection(sock, self).serve, daemon=True).start()

    def connected(self, connection: _Connection) -> None:
        with self._changed:
            self.connections.append(connection)
            self._changed.notify_all()

    def received(self, message: dict[str, Any]) -> None:
        with self._changed:
            if "envelope_id" in message:
                self.acks[message["envelope_id"]] = message
            self._changed.notify_all()

    def _wait(self, ready: Any, timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not (found := ready()):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"timed out waiting for {what}")
                self._changed.wait(timeout=0.05)
            return found

    def wait_for_connection(self, count: int = 1, timeout: float = 20.0) -> _Connection:
        """The ``count``-th connection the bot opened, once it is open."""
        return self._wait(lambda: len(self.connections) >= count
                          and self.connections[count - 1], timeout, f"connection {count}")

    def send(self, kind: str, payload: dict[str, Any], **extra: Any) -> str:
        """One envelope on the newest open connection; returns its ``envelope_id``."""
        connection = self._wait(lambda: next((c for c in reversed(self.connections) if c.open),
                                             None), 20.0, "an open connection")
        envelope_id = str(uuid.uuid4())
        connection.send_json({"envelope_id": envelope_id, "type": kind, "payload": payload,
                              "accepts_response_payload": kind != "events_api", **extra})
        return envelope_id

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        return self._wait(lambda: self.acks.get(envelope_id), timeout,
                          f"the ack of {envelope_id}")

    def send_disconnect(self) -> None:
        """Slack's notice that this connection is about to be refreshed."""
        self.connections[-1].send_json({"type": "disconnect", "reason": "refresh_requested",
                                        "debug_info": {"host": "local"}})

    def drop(self) -> None:
        """The newest connection cut without a close frame, as a network failure does."""
        self.connections[-1].close()
