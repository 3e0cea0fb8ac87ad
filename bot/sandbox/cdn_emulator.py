"""A small CloudFront stand-in on loopback, in front of moto's S3: what guests get.

It serves ``base_url/<key>`` from the bucket, keeps each object it fetched for
``ttl`` seconds (so it can serve a copy S3 no longer holds, as an edge does), drops a
cached copy when an invalidation created in moto after it was cached covers its path
(read from moto, as CloudFront would act on it), and answers with ``Age`` and
``X-Cache`` as CloudFront does. Every GET is recorded, so tests can count them.
Setting ``stall`` makes it accept and not answer: a CDN timing out.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from botocore.exceptions import ClientError

from bot.sandbox.loopback import POLL_SECONDS


@dataclass
class _Copy:
    body: bytes
    etag: str
    last_modified: str
    cached_at: float  # time.time(): compared with invalidations' CreateTime
    status: int = 200


class CdnEmulator:
    def __init__(self, *, s3: Any, cloudfront: Any, bucket: str, distribution_id: str,
                 ttl: float) -> None:
        self._s3, self._cf = s3, cloudfront
        self._bucket, self._distribution, self._ttl = bucket, distribution_id, ttl
        self._cache: dict[str, _Copy] = {}
        self._paths: dict[str, tuple[float, tuple[str, ...]]] = {}  # invalidation id -> ...
        self._lock = threading.Lock()
        self.requests: list[str] = []  # the path of every GET received
        self.stall = False
        self._released = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> CdnEmulator:
        threading.Thread(target=self._server.serve_forever, args=(POLL_SECONDS,),
                         daemon=True).start()
        return self

    def stop(self) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()

    def get(self, path: str) -> tuple[int, bytes, dict[str, str]]:
        """What a guest asking for ``path`` gets: (status, body, headers)."""
        key = path.lstrip("/")
        with self._lock:
            now = time.time()
            copy = self._cache.get(key)
            if copy is not None and (now - copy.cached_at >= self._ttl
                                     or self._invalidated(path, since=copy.cached_at)):
                copy = None
            hit = copy is not None
            if copy is None:
                copy = self._origin(key, now)
                self._cache[key] = copy
        headers = {"X-Cache": f"{'Hit' if hit else 'Miss'} from cloudfront",
                   "Age": str(int(time.time() - copy.cached_at)),
                   "Content-Type": "text/html; charset=utf-8"}
        if copy.etag:
            headers |= {"ETag": copy.etag, "Last-Modified": copy.last_modified}
        return copy.status, copy.body, headers

    def _origin(self, key: str, now: float) -> _Copy:
        try:
            obj = self._s3.get_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if error.response["Error"]["Code"] in ("NoSuchKey", "404"):
                return _Copy(b"Not Found", "", "", now, status=404)  # cached, as CloudFront does
            raise
        return _Copy(obj["Body"].read(), obj["ETag"],
                     obj["LastModified"].strftime("%a, %d %b %Y %H:%M:%S GMT"), now)

    def _invalidated(self, path: str, *, since: float) -> bool:
        listing = self._cf.list_invalidations(DistributionId=self._distribution)
        for summary in listing["InvalidationList"].get("Items", []):
            known = self._paths.get(summary["Id"])
            if known is None:
                found = self._cf.get_invalidation(DistributionId=self._distribution,
                                                  Id=summary["Id"])["Invalidation"]
                known = (found["CreateTime"].timestamp(),
                         tuple(found["InvalidationBatch"]["Paths"].get("Items", [])))
                self._paths[summary["Id"]] = known
            created, paths = known
            if created >= since and any(
                    path == p or (p.endswith("*") and path.startswith(p[:-1])) for p in paths):
                return True
        return False

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                emulator.requests.append(self.path)
                if emulator.stall:
                    emulator._released.wait(timeout=30)  # past any client's timeout
                    return
                status, body, headers = emulator.get(self.path.split("?")[0])
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: the demo prints its own story

        return Handler


@contextmanager
def running_cdn(**kwargs: Any) -> Iterator[CdnEmulator]:
    cdn = CdnEmulator(**kwargs).start()
    try:
        yield cdn
    finally:
        cdn.stop()
