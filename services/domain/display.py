"""How a field's value reads to a person, in every view (terminal, Slack, summaries). Pure."""

from __future__ import annotations

from typing import Any


def show_value(value: Any, *, empty: str = "—") -> str:
    """'Bo, Tess' for a list, ``empty`` for nothing, 'the rendered page' for a page hash."""
    if value is None or value == "" or value == []:
        return empty
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        if "md5" in value:
            return "the rendered page"
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return str(value)
