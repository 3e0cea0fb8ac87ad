"""How a field's value reads to a person, in every view (terminal, Slack, summaries). Pure."""

from __future__ import annotations

import re
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


# Text that came from the calendar, a record, a page or a person is data, never markup.
# Control characters (other than a line break and a tab), NUL and the bidi overrides that
# reorder what a reader sees are dropped where calendar text is read; emoji and every
# other character stay.
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What a person types may carry zero-width characters (pasted from elsewhere) that make
# 'danika' not match 'danika'. The joiner (U+200D) stays: emoji are built with it.
_ZERO_WIDTH = re.compile("[\u200b\u200c\u2060\ufeff]")


def clean_text(text: str) -> str:
    """Calendar text without control characters, NUL or bidi overrides."""
    return _HIDDEN.sub("", text)


# Slack's mrkdwn has no escape for its formatting marks. A mark from data where it could
# open or close formatting becomes a look-alike that formats nothing: every ``*``, ``~``
# and backtick, and an ``_`` at a word's edge (Slack italicises ``_word_``, never the
# ``_`` inside ``snake_case``, which stays as written).
_MARKS = re.compile(r"[*~`]|(?<!\w)_|_(?!\w)")
_INERT = {"*": "\u2217", "~": "\u223c", "`": "\u02cb", "_": "\u02cd"}  # ∗ ∼ ˋ ˍ
_MARKS_BUT_CODE = re.compile(r"[*~]|(?<!\w)_|_(?!\w)")


def mrkdwn_text(value: Any) -> str:
    """A value as text inside Slack mrkdwn: ``&``, ``<`` and ``>`` escaped, as Slack asks of
    text the app did not write, so ``<!channel>`` or ``<https://x|label>`` in a charter's
    title reads as typed instead of pinging a channel or disguising a link; and
    ``*bold*``, ``_italic_``, ``~strike~`` and backticks read as typed, not formatted.
    What a record or a person wrote may hold what the calendar's text is cleaned of: it
    goes too."""
    return _MARKS.sub(_inert, _escaped(value))


def message_text(error: Any) -> str:
    """A sentence the bot wrote with data in it (an error's message): as
    :func:`mrkdwn_text`, but its backticks stay, since the bot quotes commands in them
    (``Write it as `/charter time EVENT START-END` ``)."""
    return _MARKS_BUT_CODE.sub(_inert, _escaped(error))


def _escaped(value: Any) -> str:
    text = clean_text(str(value))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _inert(mark: re.Match[str]) -> str:
    return _INERT[mark.group()]


def typed_text(text: str) -> str:
    """What a person typed in Slack, as they typed it: Slack sends ``&``, ``<`` and ``>``
    encoded in command and message text; zero-width characters go."""
    decoded = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return _ZERO_WIDTH.sub("", decoded)


def terminal_text(text: str) -> str:
    """Text for a terminal: a control character from data (an escape sequence that would
    retitle or clear the screen) is shown as its code, ``\\x1b``, not obeyed; so is a bidi
    override, which would reorder the rest of the line."""
    return _HIDDEN.sub(lambda m: ascii(m.group())[1:-1], text)  # what clean_text drops
