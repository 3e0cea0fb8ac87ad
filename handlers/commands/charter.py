"""``/charter``'s deferred half: the verb run (each verb is a module of its own), or the
form filled in that the ack opened; a charter named ambiguously gets one button per
candidate."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from slack_bolt import Respond

from common.errors import CharterOpsError, UnknownCharterError
from handlers.commands import audit, change, help, ready, status, sync
from handlers.modals.change_form import fill
from handlers.modals.loading import form_kind
from handlers.views import blocks
from handlers.views.ids import PICK_COMMAND
from services.deps import Deps
from services.domain.display import message_text, mrkdwn_text, typed_text
from services.domain.mentions import names_in_words
from services.domain.roster import Roster
from services.usecases import change_form

# The verbs whose words name crew, who may be mentioned (`<@U0ANA>`). Elsewhere a mention
# is kept as typed: the audit's "by <@U0GENE>" looks for that Slack id, a charter's name
# is matched as written, and help repeats what was typed, as text.
NAMES_PEOPLE = {"swap", "time"}

# A verb's listener: (deps, the words after the verb, the whole text, user, respond, client).
Verb = Callable[[Deps, list[str], str, str, Respond, Any], None]
VERBS: dict[str, Verb] = {
    "help": help.run, "status": status.run, "sync": sync.run, "ready": ready.run,
    "audit": audit.run, "swap": change.run, "time": change.run,
}


def charter(deps: Deps, command: dict[str, Any], respond: Respond, client: Any) -> None:
    text = typed_text(command.get("text") or "")
    kind = form_kind(text)
    if kind and command.get("trigger_id"):
        words = text.split()
        fill(deps, client, command["trigger_id"], lambda: change_form.change_form(
            deps, kind, chosen=words[1] if len(words) > 1 else None),
            channel=command.get("channel_id"), kind=kind)
        return
    run(deps, text, command["user_id"], respond, client)


def picked(deps: Deps, body: dict[str, Any], action: dict[str, Any], respond: Respond,
           client: Any) -> None:
    run(deps, json.loads(action["value"])["text"], body["user"]["id"], respond, client)


def run(deps: Deps, text: str, user: str, respond: Respond, client: Any) -> None:
    words = text.split()
    verb = words[0].lower() if words else "help"
    listener = VERBS.get(verb, help.not_understood)
    try:
        if verb in NAMES_PEOPLE:
            # `/charter swap danika <@U0ANGELIA> <@U0ANA>` is `swap danika Angelia Ana`.
            words = names_in_words(words, Roster(deps.config.roster))
            text = " ".join(words)
        listener(deps, [verb, *words[1:]], text, user, respond, client)
    except UnknownCharterError as error:
        respond(**_pick(verb, words, error), response_type="ephemeral")
    except CharterOpsError as error:
        respond(text=f":warning: {message_text(error)}", response_type="ephemeral")


def _pick(verb: str, words: list[str], error: UnknownCharterError) -> blocks.Message:
    """Several charters match: one button each, which runs the same command on it."""
    if not error.candidates:
        return blocks.plain(f":warning: {message_text(error)}")
    # swap and time name the charter in one word; status takes the rest of the line.
    rest = words[2:] if verb in ("swap", "time") else []
    buttons = [blocks.button(label, PICK_COMMAND, json.dumps(
        {"text": " ".join([verb, candidate, *rest])}))
        for candidate, label in list(zip(error.candidates, error.labels, strict=True))[:5]]
    text = f"'{mrkdwn_text(error.query)}' matches more than one charter. Which one?"
    return {"text": text, "blocks": [blocks.section(text),
                                     {"type": "actions", "block_id": "pick",
                                      "elements": buttons}]}
