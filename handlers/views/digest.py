"""The digest in Block Kit: the departures on top, the charters' entries, and the stale
line as a context on top (handlers/views/blocks.py and readiness.py lay out each part)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.views.blocks import Message, digest_messages, with_note
from handlers.views.readiness import with_departures

if TYPE_CHECKING:
    from services.usecases.digest import Digest


def digest_message_list(digest: Digest, *, all_clear: bool) -> list[Message]:
    messages = digest_messages(digest.result, all_clear=all_clear, previews=digest.previews)
    return with_note(with_departures(messages, digest.departures, days=digest.days),
                     digest.stale)
