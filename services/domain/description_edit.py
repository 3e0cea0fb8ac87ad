"""Changing who is on a charter in the event description, leaving every other line alone.

Google stores descriptions as HTML when they were written in its editor; an
edited description is written back as plain lines (Google shows them the same).
Pure: text in, text out.
"""

from __future__ import annotations

import re

from services.domain.description import key_of_line, plain_text

_LABELS = {"captain": "Captain", "mate": "Mate", "crew": "Crew"}


def set_people(description: str, *, role: str, names: list[str]) -> str:
    """The description with the line for ``role`` saying ``names`` (added if absent)."""
    lines = plain_text(description or "").strip("\n").split("\n") if description else []
    value = ", ".join(names)
    replaced = False
    out = []
    for line in lines:
        if key_of_line(line) == role:
            if not replaced and value:
                out.append(f"{_LABELS[role]}: {value}")
            replaced = True
            continue
        out.append(line)
    if not replaced and value:
        # Keep the block together: after the last crew line, else at the top.
        at = max((i + 1 for i, line in enumerate(out) if key_of_line(line) in _LABELS), default=0)
        out.insert(at, f"{_LABELS[role]}: {value}")
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n")
