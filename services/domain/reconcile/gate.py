"""The crew gate's two discrepancy kinds, from a charter's verdict. Pure.

``CREW_NOT_QUALIFIED``: one per charter, every reason about the people aboard and their
number; ``OVER_CAPACITY``: more guests than the boat carries. Neither has a fix: a person
changes the crew, the credentials in the roster or the booking. A charter whose boat is
not gated, or that passes, has neither.
"""

from __future__ import annotations

from services.domain.crew_gate import Code, Verdict
from services.domain.models import Discrepancy, Kind, Severity, System
from services.domain.reconcile.discrepancy import make_discrepancy


def gate_discrepancies(event_id: str, verdict: Verdict, *,
                       title: str = "") -> tuple[Discrepancy, ...]:
    """The discrepancies of the charter ``event_id`` (its calendar title, ``title``, in
    the summary where given). Ids are stable: the same reasons give the same id."""
    if not verdict.gated or verdict.passed:
        return ()
    crew = [r.text for r in verdict.reasons if r.code != Code.OVER_CAPACITY]
    over = [r.text for r in verdict.reasons if r.code == Code.OVER_CAPACITY]
    charter = f"'{title}'" if title else event_id
    found = []
    if crew:
        found.append(make_discrepancy(
            Kind.CREW_NOT_QUALIFIED, event_id, System.CALENDAR,
            expected=f"a crew qualified on {verdict.day.isoformat()}", actual=crew,
            severity=Severity.HIGH,
            summary=f"{charter} may not sail with this crew: {_sentences(crew)}"))
    if over:
        found.append(make_discrepancy(
            Kind.OVER_CAPACITY, event_id, System.CALENDAR,
            expected=verdict.max_passengers, actual=verdict.guests, severity=Severity.HIGH,
            summary=f"{charter} is over capacity: {_sentences(over)}"))
    return tuple(found)


def _sentences(texts: list[str]) -> str:
    return " ".join(f"{t[:1].upper()}{t[1:]}." for t in texts)
