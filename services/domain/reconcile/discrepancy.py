"""Making a Discrepancy with its stable id. Pure."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from services.domain.models import Discrepancy, FixAction, Kind, Severity, System


def discrepancy_id(kind: Kind, event_id: str, field: str | None, expected: Any,
                   actual: Any) -> str:
    """Stable across runs for the same drift, different when the drift changes."""
    payload = json.dumps([str(kind), event_id, field, expected, actual], sort_keys=True,
                         default=str)
    digest = hashlib.sha256(payload.encode()).hexdigest()[:6]
    label = field or str(kind).lower().replace("_", "-")
    return f"{event_id}:{label}:{digest}"


def make_discrepancy(kind: Kind, event_id: str, system: System, *, field: str | None = None,
                     expected: Any = None, actual: Any = None, severity: Severity,
                     fix: Sequence[FixAction] = (), summary: str) -> Discrepancy:
    return Discrepancy(
        id=discrepancy_id(kind, event_id, field, expected, actual),
        kind=kind, event_id=event_id, system=system, field=field, expected=expected,
        actual=actual, severity=severity, fix=tuple(fix), summary=summary,
    )
