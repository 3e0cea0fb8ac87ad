"""``/charter``: acknowledge at once, then do the work in a lazy listener."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, Respond

from common.errors import CharterOpsError, UnknownCharterError
from handlers.views import blocks
from services.domain.display import mrkdwn_text, typed_text
from services.operations import Operations

PICK = "pick_charter"


def register(app: App, ops: Operations) -> None:
    def acknowledge(ack: Ack) -> None:
        ack()

    def run(text: str, user: str, respond: Respond, client: Any) -> None:
        words = text.split()
        verb = words[0].lower() if words else "help"
        try:
            if verb == "help":
                respond(**ops.help(), response_type="ephemeral")
            elif verb == "status":
                respond(**ops.status(" ".join(words[1:])), response_type="ephemeral")
            elif verb == "sync":
                respond(text="Checking the calendar, DynamoDB and the guest pages…",
                        response_type="ephemeral")
                for message in ops.digest():
                    client.chat_postMessage(channel=ops.config.slack.channel, **message)
            elif verb == "ready":
                respond(**ops.ready(" ".join(words[1:])), response_type="ephemeral")
            elif verb == "audit":
                respond(**ops.audit_log(" ".join(words[1:])), response_type="ephemeral")
            elif verb in ("swap", "time"):
                if not ops.is_approver(user):
                    respond(**ops.refuse(user_id=user, what=f"/charter {text}",
                                         source="slash"), response_type="ephemeral")
                    return
                _, message = ops.plan(verb, words[1:])
                respond(**message, response_type="ephemeral")
            else:
                respond(**ops.help(not_understood=text), response_type="ephemeral")
        except UnknownCharterError as error:
            respond(**_pick(verb, words, error), response_type="ephemeral")
        except CharterOpsError as error:
            respond(text=f":warning: {mrkdwn_text(error)}", response_type="ephemeral")

    def charter(command: dict[str, Any], respond: Respond, client: Any) -> None:
        run(typed_text(command.get("text") or ""), command["user_id"], respond, client)

    def picked(body: dict[str, Any], action: dict[str, Any], respond: Respond,
               client: Any) -> None:
        run(json.loads(action["value"])["text"], body["user"]["id"], respond, client)

    app.command("/charter")(ack=acknowledge, lazy=[charter])
    app.action(PICK)(ack=acknowledge, lazy=[picked])


def _pick(verb: str, words: list[str], error: UnknownCharterError) -> blocks.Message:
    """Several charters match: one button each, which runs the same command on it."""
    if not error.candidates:
        return blocks.plain(f":warning: {mrkdwn_text(error)}")
    # swap and time name the charter in one word; status takes the rest of the line.
    rest = words[2:] if verb in ("swap", "time") else []
    buttons = [blocks.button(candidate, PICK, json.dumps(
        {"text": " ".join([verb, candidate, *rest])})) for candidate in error.candidates[:5]]
    text = f"'{mrkdwn_text(error.query)}' matches more than one charter. Which one?"
    return {"text": text, "blocks": [blocks.section(text),
                                     {"type": "actions", "block_id": "pick",
                                      "elements": buttons}]}
