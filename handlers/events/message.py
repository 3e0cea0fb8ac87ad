"""Plain chat messages: a captain reporting a swap or a time change gets a proposal in
thread; a clear change for a charter that does not exist gets an answer saying so, with
the charters it may have meant as buttons; everything else gets no reply."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from common.errors import CharterOpsError
from handlers.views.chat import reply_message
from services.domain.display import message_text, typed_text
from services.domain.mentions import with_names
from services.domain.roster import Roster
from services.usecases import chat_proposal

if TYPE_CHECKING:
    from services.deps import Deps

# Edits, deletions, joins and bots' posts are not new reports from a person.
_IGNORED_SUBTYPES = {"message_changed", "message_deleted", "bot_message", "channel_join",
                     "channel_leave", "thread_broadcast", "message_replied"}


def read(deps: Deps, event: dict[str, Any], client: Any) -> None:
    if event.get("subtype") in _IGNORED_SUBTYPES or event.get("bot_id"):
        return
    user = event.get("user")
    # A mention is the roster person it names; one the roster does not know, nobody.
    text = with_names(typed_text(event.get("text") or ""), Roster(deps.config.roster),
                      refuse_unknown=False)
    if not user or not text.strip():
        return
    thread = event.get("thread_ts") or event["ts"]
    try:
        reply = chat_proposal.propose(deps, text, user_id=user)
        answer = reply_message(reply) if reply is not None else None
    except CharterOpsError as error:
        answer = {"text": f":warning: I read that as a change, but: {message_text(error)}"}
    if answer is not None:
        client.chat_postMessage(channel=event["channel"], thread_ts=thread, **answer)
