"""Slack mentions in what a person typed: ``<@U0ANA>`` or ``<@U0ANA|ana>`` is the roster
member whose ``slack_id`` is U0ANA, written as the name the commands and the chat reader
know. Pure."""

from __future__ import annotations

import re

from common.errors import InputError
from services.domain.roster import Roster

_MENTION = re.compile(r"<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>")


def names_in_words(words: list[str], roster: Roster) -> list[str]:
    """Typed words with each mention the member's whole name, as one word even when it
    has a space in it (``Roster.find`` takes it whole); an unknown mention refused."""
    by_id = {m.slack_id: m for m in roster.members if m.slack_id}
    out = []
    for word in words:
        match = _MENTION.fullmatch(word)
        if match is None:
            out.append(with_names(word, roster))  # a mention inside a word, if any
            continue
        member = by_id.get(match.group(1))
        if member is None:
            raise InputError(f"The person mentioned as @{match.group(1)} is not in the "
                             "roster (no roster entry in app.yaml has that slack_id).")
        out.append(member.name)
    return out


def with_names(text: str, roster: Roster, *, refuse_unknown: bool = True) -> str:
    """``text`` with each user mention replaced by the member's name (their first name
    where it alone finds them, since commands take one word a person). A mention of
    someone the roster does not know is refused, naming them (``refuse_unknown``), or
    left as their bare user id, which names nobody."""
    by_id = {m.slack_id: m for m in roster.members if m.slack_id}

    def name(match: re.Match[str]) -> str:
        member = by_id.get(match.group(1))
        if member is None:
            if refuse_unknown:
                raise InputError(f"The person mentioned as @{match.group(1)} is not in the "
                                 "roster (no roster entry in app.yaml has that slack_id).")
            return match.group(1)
        first = member.name.split()[0]
        return first if roster.find(first) is member else member.name

    return _MENTION.sub(name, text)
