"""The digest's Approve / Dismiss / Approve all: approvers only; the entry is rewritten in
place from a fresh read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from common.errors import CharterOpsError
from handlers.events import home
from handlers.refusals import refused_button
from handlers.views.approvals import entries_in, request_of, requests_in
from handlers.views.decision import approved_message, dismissed_message
from handlers.views.ids import DISMISS
from services.domain.display import message_text, mrkdwn_text
from services.usecases import digest_decision
from services.usecases import home as home_case

if TYPE_CHECKING:
    from handlers.views.blocks import Message
    from services.deps import Deps


def decide(deps: Deps, body: dict[str, Any], action: dict[str, Any], client: Any) -> None:
    if (body.get("container") or {}).get("type") == "view":
        decide_on_home(deps, body, action, client)
        return
    user, channel = body["user"]["id"], body["channel"]["id"]
    action_id, value = action["action_id"], action["value"]
    if not deps.is_approver(user):
        client.chat_postEphemeral(channel=channel, user=user, **refused_button(
            deps, user_id=user, action_id=action_id, value=value, source="digest"))
        return
    message = body["message"]
    updated = decided(deps, action_id=action_id, value=value, user_id=user, message=message)
    if updated is not None:
        client.chat_update(channel=channel, ts=message["ts"], **updated)


def decided(deps: Deps, *, action_id: str, value: str, user_id: str,
            message: dict[str, Any]) -> Message | None:
    """The digest message (or live-sync alert) as it reads after an approver's decision;
    None when the button decides nothing."""
    when = deps.clock().astimezone(deps.config.tz).strftime("%H:%M")
    request = None if value == "all" else request_of(value)
    if action_id == DISMISS:
        if request is None:
            return None  # the digest has no "Dismiss all"
        count = digest_decision.dismiss(deps, request, user_id=user_id)
        return dismissed_message(message, request, count=count, user_id=user_id, when=when)
    blocks = message.get("blocks", [])
    approval = digest_decision.approve(deps, request=request, posted=requests_in(blocks),
                                       entries=entries_in(blocks), user_id=user_id)
    return approved_message(message, approval, request=request, user_id=user_id, when=when)


def decide_on_home(deps: Deps, body: dict[str, Any], action: dict[str, Any],
                   client: Any) -> None:
    """The same decision from the Home tab: applied and audited as from the digest, then
    the person's Home published again, with what came of it on top."""
    user, action_id, value = body["user"]["id"], action["action_id"], action["value"]
    if not deps.is_approver(user):  # the Home shows them no buttons: a forged click
        refused_button(deps, user_id=user, action_id=action_id, value=value, source="home")
        return
    when = deps.clock().astimezone(deps.config.tz).strftime("%H:%M")
    request = None if value == "all" else request_of(value)
    if action_id == DISMISS:
        if request is None:
            return
        count = digest_decision.dismiss(deps, request, user_id=user, source="home")
        note = f"Dismissed by <@{user}> at {when}: dismissed {count}"
    else:
        blocks = (body.get("view") or {}).get("blocks", [])
        # Approve all on a Home applies what it showed: not the charters cut off below,
        # nor what an approver dismissed.
        approval = digest_decision.approve(deps, request=request, posted=requests_in(blocks),
                                           entries=entries_in(blocks), user_id=user,
                                           source="home", only_shown=True,
                                           skip=home_case.dismissed(deps))
        note = f"Approved by <@{user}> at {when}: {mrkdwn_text(approval.outcome)}"
    try:
        fresh = home_case.opened(deps, user)
    except CharterOpsError as error:  # applied; only the fresh Home could not be read
        client.chat_postMessage(channel=user, text=f"{note}\n:warning: Your Home could not "
                                f"be refreshed: {message_text(error)}")
        return
    home.publish(client, fresh, deps=deps, note=note)
