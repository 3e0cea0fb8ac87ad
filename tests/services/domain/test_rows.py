"""A Row reads as the dict it was made from, in less memory."""

from __future__ import annotations

import json
import sys

import pytest

from services.domain.models import Record
from services.domain.reconcile.rows import Row

ITEM = {"eventId": "danika-0614", "guestCount": 6, "crew": ["Tess"], "status": "SCHEDULED"}


def test_a_row_reads_as_its_dict() -> None:
    row = Row(ITEM)
    assert row == ITEM
    # A test's Record of a dict equals the adapter's Record of a Row, either way round.
    assert Record(dict(ITEM)) == Record(row) and Record(row) == Record(dict(ITEM))
    assert list(row) == list(ITEM) and len(row) == 4
    assert row["guestCount"] == 6 and row.get("mate") is None and row.get("mate", "-") == "-"
    assert "crew" in row and "mate" not in row
    assert json.loads(json.dumps(dict(row))) == ITEM
    with pytest.raises(KeyError):
        row["mate"]


def test_rows_of_the_same_attributes_share_their_names() -> None:
    first, second = Row(ITEM), Row({**ITEM, "eventId": "quinn-0615"})
    assert first._index is second._index
    assert second["eventId"] == "quinn-0615" and first["eventId"] == "danika-0614"


def test_a_row_is_under_half_the_size_of_its_dict() -> None:
    item = {f"attribute{n}": n for n in range(15)}
    row = Row(item)
    assert sys.getsizeof(row) + sys.getsizeof(row._values) < sys.getsizeof(item) / 2
