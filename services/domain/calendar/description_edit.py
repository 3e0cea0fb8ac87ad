"""Changing who is on a charter in the event description, leaving every other line alone.

Google stores descriptions as HTML when they were written in its editor. Such a
description is edited in place: only the crew line's own segment (between two line
breaks) is rewritten, as plain escaped text that keeps the segment's tags (so nothing
is left open), and links, bold text and every other line keep their markup. The edit
is then read back: unless it says exactly who the plain rewrite says, with no new
problem, the description is written back as plain lines instead, which is always
read right. A plain description stays plain. Pure: text in, text out.
"""

from __future__ import annotations

import html
import re

from services.domain.calendar.description import key_of_line, parse_description, plain_text

_LABELS = {"captain": "Captain", "mate": "Mate", "crew": "Crew"}

# Markup Google's editor writes; a description with none of it is plain text.
_MARKUP = re.compile(r"<\s*/?\s*(br|p|div|li|ul|ol|b|strong|i|em|u|a|span|html-blob|h[1-6]|hr)"
                     r"\b", re.IGNORECASE)
# What ends a line in such HTML, as the description reader sees it: the segment between
# two of these is one line.
_LINE_END = re.compile(
    r"(<br\s*/?>|</?(?:p|div|li|ul|ol|dl|dt|dd|tr|table|thead|tbody|h[1-6]|blockquote|pre|"
    r"hr|section|article)\b[^>]*>|\r\n|\n|\r)", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def set_people(description: str, *, role: str, names: list[str]) -> str:
    """The description with the line for ``role`` saying ``names`` (added if absent)."""
    plain = _set_in_plain(description, role=role, names=names)
    if description and _MARKUP.search(description):
        edited = _set_in_html(description, role=role, names=names)
        if _reads_as(edited, plain):
            return edited
    return plain


def _reads_as(edited: str, plain: str) -> bool:
    """Whether the HTML edit says who is aboard exactly as the plain rewrite does."""
    want, got = parse_description(plain), parse_description(edited)
    return (got.captain, got.mate, got.crew, got.problems) == (
        want.captain, want.mate, want.crew, want.problems)


def _set_in_plain(description: str, *, role: str, names: list[str]) -> str:
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
    # A description is read as HTML whatever it looks like: a line that says '<' or '&'
    # is written escaped, so that it reads back as it was ('Mallory <!channel>' stays).
    out = [html.escape(line, quote=False) if "<" in line or "&" in line else line
           for line in out]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n")


def _set_in_html(description: str, *, role: str, names: list[str]) -> str:
    # re.split with a group keeps the separators: text, end, text, end, ..., text.
    parts = _LINE_END.split(description)
    value = ", ".join(names)
    line = html.escape(f"{_LABELS[role]}: {value}", quote=False)
    out: list[str] = []
    replaced, last_crew = False, None
    for index in range(0, len(parts), 2):
        segment = parts[index]
        end = parts[index + 1] if index + 1 < len(parts) else ""
        key = key_of_line(plain_text(segment).strip())
        if key == role:
            # The segment's own tags stay (emptied), so no element is left open or unclosed.
            tags = "".join(_TAG.findall(segment))
            if not replaced and value:
                out += [tags + line, end]
                last_crew = len(out)
            else:  # a second line for the role, or an emptied role: its text goes, and
                # its break with it unless that closes an element (a list item stays empty)
                out += [tags, end if tags or end.startswith("</") else ""]
            replaced = True
        else:
            out += [segment, end]
            if key in _LABELS:
                last_crew = len(out)
    if not replaced and value:
        # After the last crew line (with a break of its own), else at the top.
        at = last_crew if last_crew is not None else 0
        ended = at == 0 or bool(out[at - 1])  # the line before has its own break
        out[at:at] = [line, "<br>"] if ended else ["<br>", line]
    return "".join(out)
