"""What an apply did, fix by fix and system by system, from the steps it ran. Pure."""

from __future__ import annotations

from services.domain.models import Discrepancy, FixAction, Kind, Severity, System
from services.domain.reconcile.fixes import (
    APPLIED,
    CONFLICT,
    FAILED,
    PARTLY,
    Reached,
    reached,
    reached_line,
    step_outcomes,
)
from store.audit import DONE, PENDING, StepEntry

KEY = "charters/guests/danika-guest.html"
RECORD_FIX = Discrepancy(
    id="danika-may31:mate:1", kind=Kind.RECORD_MISMATCH, event_id="danika-may31",
    system=System.DYNAMODB, field="mate", expected="Ana", actual="Angelia",
    severity=Severity.HIGH, summary="DynamoDB mate is Angelia; the calendar says Ana",
    fix=(FixAction("update_record", "danika-may31", {"set": {"mate": "Ana"}}),))
PAGE_FIX = Discrepancy(
    id="danika-may31:page-stale:2", kind=Kind.PAGE_STALE, event_id="danika-may31",
    system=System.PAGE, field=None, expected=None, actual=None, severity=Severity.HIGH,
    summary=f"the guest page {KEY} differs from the calendar",
    fix=(FixAction("put_page", KEY), FixAction("invalidate", "/" + KEY)))
REFUSED = "CloudFront invalidation failed: TooManyInvalidationsInProgress"


def step(seq: int, system: str, target: str, status: str, error: str | None = None
         ) -> StepEntry:
    return StepEntry(seq, system, "x", target, None, None, status, error)


def test_a_refused_invalidation_leaves_record_fixes_applied_and_page_fixes_partly() -> None:
    steps = (step(1, "dynamodb", "danika-may31", DONE), step(2, "page", KEY, DONE),
             step(3, "cdn", "/" + KEY, FAILED, REFUSED))
    record, page = step_outcomes([RECORD_FIX, PAGE_FIX], steps, change_status=FAILED,
                                 error=REFUSED)
    assert (record.status, page.status) == (APPLIED, PARTLY)
    assert page.message == (f"the guest page {KEY} differs from the calendar: guest page "
                            f"written; CloudFront invalidation not done ({REFUSED}; the next "
                            "apply finishes it)")
    assert reached(steps) == (Reached("dynamodb", 1, 1), Reached("page", 1, 1),
                              Reached("cdn", 0, 1, REFUSED))
    assert reached_line(reached(steps)) == (
        f"DynamoDB: 1 of 1 record written · S3: 1 of 1 page uploaded · CloudFront: "
        f"invalidation not done ({REFUSED})")


def test_a_conflict_first_leaves_the_rest_not_done_and_says_why() -> None:
    conflict = "record danika-may31 changed since the plan; nothing was overwritten"
    steps = (step(1, "dynamodb", "danika-may31", "conflict", conflict),
             step(2, "page", KEY, PENDING), step(3, "cdn", "/" + KEY, PENDING))
    record, page = step_outcomes([RECORD_FIX, PAGE_FIX], steps, change_status=CONFLICT,
                                 error=conflict)
    assert (record.status, page.status) == (CONFLICT, CONFLICT)
    assert page.message == conflict
    assert reached(steps)[1] == Reached(
        "page", 0, 1, "not run: DynamoDB record danika-may31 failed first")


def test_everything_done_is_applied() -> None:
    steps = (step(1, "dynamodb", "danika-may31", DONE), step(2, "page", KEY, DONE),
             step(3, "cdn", "/" + KEY, DONE))
    outcomes = step_outcomes([RECORD_FIX, PAGE_FIX], steps, change_status=DONE, error=None)
    assert [o.status for o in outcomes] == [APPLIED, APPLIED]
    assert reached_line(reached(steps)) == ("DynamoDB: 1 of 1 record written · S3: 1 of 1 page "
                                            "uploaded · CloudFront: invalidation sent")
