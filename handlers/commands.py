"""``/charter``: acknowledge at once, then do the work in a lazy listener."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from services.errors import CharterOpsError
from services.operations import Operations


def register(app: App, ops: Operations) -> None:
    def acknowledge(ack: Ack) -> None:
        ack()

    def charter(command: dict[str, Any], respond: Respond, client: Any) -> None:
        words = (command.get("text") or "").split()
        verb = words[0].lower() if words else "help"
        user = command["user_id"]
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
            elif verb == "audit":
                respond(**ops.audit_log(" ".join(words[1:])), response_type="ephemeral")
            elif verb in ("swap", "time"):
                if not ops.is_approver(user):
                    respond(**ops.refuse(user_id=user, what=f"{verb} {' '.join(words[1:])}",
                                         source="slash"), response_type="ephemeral")
                    return
                _, message = ops.plan(verb, words[1:])
                respond(**message, response_type="ephemeral")
            else:
                respond(**ops.help(not_understood=" ".join(words)), response_type="ephemeral")
        except CharterOpsError as error:
            respond(text=f":warning: {error}", response_type="ephemeral")

    app.command("/charter")(ack=acknowledge, lazy=[charter])
