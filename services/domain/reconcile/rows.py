"""A read-only mapping for the two records every charter of a window keeps. Pure.

A reconcile holds each charter's DynamoDB record and its desired record at
once: 100,000 dicts of some fifteen attributes for a window of 50,000. A
:class:`Row` keeps its values in a tuple and shares the names' positions with
every row of the same attributes: under half a dict's size.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

# Positions by attribute names. Records have a few shapes; the bound only keeps odd
# tables from growing this without end (their rows then carry positions of their own).
_SHAPES: dict[tuple[str, ...], dict[str, int]] = {}
_MOST_SHAPES = 256


class Row(Mapping[str, Any]):
    __slots__ = ("_index", "_values")

    def __init__(self, values: Mapping[str, Any]) -> None:
        names = tuple(values)
        index = _SHAPES.get(names)
        if index is None:
            index = {name: n for n, name in enumerate(names)}
            if len(_SHAPES) < _MOST_SHAPES:
                _SHAPES[names] = index
        self._index = index
        self._values = tuple(values.values())

    def __getitem__(self, name: str) -> Any:
        return self._values[self._index[name]]

    def get(self, name: str, default: Any = None) -> Any:
        n = self._index.get(name)
        return default if n is None else self._values[n]

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __repr__(self) -> str:
        return f"Row({dict(self)!r})"
