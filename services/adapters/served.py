"""The guest pages as guests get them: a plain GET of ``base_url/key``, nothing more.

No cache-busting query, no special header: the point is to see what an edge hands
a guest. A failure (timeout, refused connection, DNS, a 5xx) is raised as
SourceUnavailableError for the caller to turn into a note; a 4xx is an answer (a
cached 404 is exactly what a guest would get).
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request

from common.errors import SourceUnavailableError
from services.domain.pages.served import ServedResponse

# A guest's browser would wait longer; a check that runs every morning should not.
DEFAULT_TIMEOUT = 5.0
MAX_BODY = 2_000_000  # a guest page is a few kB: anything bigger is not one


class ServedPages:
    def __init__(self, *, base_url: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self._base = base_url.rstrip("/")
        self._timeout = timeout

    def url(self, key: str) -> str:
        return f"{self._base}/{key.lstrip('/')}"

    def fetch(self, key: str) -> ServedResponse:
        url = self.url(key)
        request = urllib.request.Request(url, headers={"User-Agent": "charter-ops served-check"})
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as answer:
                return ServedResponse(status=answer.status, body=answer.read(MAX_BODY),
                                      headers=dict(answer.headers.items()))
        except urllib.error.HTTPError as error:
            if error.code >= 500:
                raise SourceUnavailableError(f"GET {url} answered HTTP {error.code}") from None
            return ServedResponse(status=error.code, body=error.read(MAX_BODY),
                                  headers=dict(error.headers.items()))
        # URLError, timeouts and resets are OSErrors; a garbled answer is an HTTPException.
        except (OSError, http.client.HTTPException) as error:
            reason = getattr(error, "reason", error)
            raise SourceUnavailableError(f"GET {url} failed ({reason or 'timed out'})") \
                from None
