"""What guests are actually served: the served-page check's decisions. Pure.

S3 having the right page is not the guest seeing it: an edge may keep an old copy
past what app.yaml's TTL says, or past an invalidation that raced an upload. So for
the charters leaving soon, each page is fetched the way a guest does and its bytes
compared with the fresh rendering. Which pages to fetch and what a response means
are decided here; the fetching is the application's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from services.domain.models import (
    DesiredCharter,
    Discrepancy,
    FixAction,
    Kind,
    ReconcileResult,
    ServedPage,
    Severity,
    System,
    path_for_key,
)
from services.domain.reconcile.discrepancy import make_discrepancy

# What the CDN said, kept in the discrepancy's ``actual``.
CDN_HEADERS = ("Age", "X-Cache", "ETag", "Last-Modified")
# S3 itself is wrong: the served copy is not looked at, and not reported a second time.
_S3_WRONG = {Kind.PAGE_STALE: "The page in S3 is itself out of date (PAGE_STALE): guests "
                              "see the old one until it is fixed.",
             Kind.PAGE_MISSING: "There is no page in S3 (PAGE_MISSING): guests find nothing."}


@dataclass(frozen=True)
class ServedResponse:
    status: int
    body: bytes
    headers: Mapping[str, str]

    def header(self, name: str) -> str | None:
        folded = {k.casefold(): v for k, v in self.headers.items()}
        return folded.get(name.casefold())


def due(result: ReconcileResult, *, now: datetime, hours: float) -> list[DesiredCharter]:
    """The charters leaving within ``hours`` whose page S3 has right: one GET each."""
    horizon = now + timedelta(hours=hours)
    s3_wrong = {d.event_id for d in result.discrepancies if d.kind in _S3_WRONG}
    return [w for w in result.desired.values()
            if now <= w.charter.start <= horizon and w.fixable and w.deployed_page is not None
            and w.event_id not in s3_wrong]


def with_served(result: ReconcileResult, fetched: Mapping[str, ServedResponse | str], *,
                now: datetime, hours: float) -> ReconcileResult:
    """``result`` with what the guests are served: a PAGE_SERVED_STALE per page served
    wrong (replacing that page's CACHE_STALE, a guess the fetch settled), a note per page
    that could not be fetched (``fetched`` holds the reason), and the verdicts."""
    horizon = now + timedelta(hours=hours)
    verdicts: dict[str, ServedPage] = {}
    for item in result.discrepancies:
        want = result.desired.get(item.event_id)
        if item.kind in _S3_WRONG and want and now <= want.charter.start <= horizon:
            verdicts[item.event_id] = ServedPage(False, _S3_WRONG[item.kind])
    found: list[Discrepancy] = []
    notes: list[str] = []
    for event_id, answer in fetched.items():
        want = result.desired[event_id]
        if isinstance(answer, str):
            notes.append(f"The served-page check could not fetch {want.page_key}: {answer}")
            verdicts[event_id] = ServedPage(None, f"Not checked: {answer}.")
            continue
        verdict, stale = judge(want, answer)
        verdicts[event_id] = verdict
        if stale is not None:
            found.append(stale)
    settled = {d.event_id for d in found}
    kept = [d for d in result.discrepancies
            if not (d.kind == Kind.CACHE_STALE and d.event_id in settled)]
    return replace(result, discrepancies=(*kept, *found), notes=(*result.notes, *notes),
                   served={**result.served, **verdicts})


def judge(want: DesiredCharter, answer: ServedResponse) -> tuple[ServedPage, Discrepancy | None]:
    """One page's response against the fresh rendering."""
    served_md5 = hashlib.md5(answer.body, usedforsecurity=False).hexdigest()
    said = {name: answer.header(name) for name in CDN_HEADERS}
    cache = ", ".join(f"{k} {v}" for k, v in said.items() if v and k in ("Age", "X-Cache"))
    if answer.status == 200 and served_md5 == want.page_md5:
        return ServedPage(True, "Guests are served the page as the calendar has it"
                          + (f" ({cache})." if cache else ".")), None
    path = path_for_key(want.page_key)
    what = "an old copy" if answer.status == 200 else f"HTTP {answer.status}"
    stale = make_discrepancy(
        Kind.PAGE_SERVED_STALE, want.event_id, System.CDN, field=None,
        expected={"md5": want.page_md5},
        actual={"status": answer.status, "md5": served_md5, **said},
        severity=Severity.HIGH, fix=[FixAction("invalidate", path)],
        summary=f"CloudFront serves {what} of {want.page_key} though S3 has it right"
                + (f" ({cache})" if cache else ""))
    return ServedPage(False, f"Guests are served {what} of the page"
                      + (f" ({cache})" if cache else "")
                      + f"; invalidating {path} fixes it."), stale
