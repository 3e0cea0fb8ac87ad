"""The swap and time-change forms. Opened from ``/charter swap`` or ``/charter time`` without
their people or times, from the Home's buttons and from the shortcuts: the ack opens a
loading modal on the request's trigger (modals/loading.py), filled in here from a fresh read.
Choosing a charter brings its crew (or its times); submitting checks each field and
answers with the field's error, or with the plan to confirm; confirming makes the change
once (the plan's key), tells the crew, and posts the outcome to the person and to the
channel the command came from. Someone who is not an approver proposes it instead, in
``slack.channel``, for an approver's button."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from common.errors import CharterOpsError
from handlers.modals.loading import external_id
from handlers.views.change import outcome_message, proposal_message
from handlers.views.change_form import (
    NOT_CREW,
    UNREADABLE,
    charter_options,
    chosen_charter,
    confirm_view,
    confirmed,
    form_view,
    metadata,
    missing,
    on_blocks,
    swap_answer,
    time_answer,
)
from services.domain.display import message_text, mrkdwn_text
from services.usecases import change_form, change_request
from services.usecases.change_form import ChangeForm

if TYPE_CHECKING:
    from slack_bolt import Ack

    from services.deps import Deps

logger = logging.getLogger(__name__)

SEARCH_KEPT = 30.0  # seconds a searched charter menu answers from one read


def fill_from_home(deps: Deps, kind: str, body: dict[str, Any], action: dict[str, Any],
                   client: Any) -> None:
    fill(deps, client, body["trigger_id"], lambda: change_form.change_form(
        deps, kind, chosen=action.get("value")), channel=None, kind=kind)


def charter_chosen(deps: Deps, body: dict[str, Any], client: Any) -> None:
    view = body["view"]
    data = metadata(view)
    kind = str(data.get("kind") or "swap")
    try:
        form = change_form.change_form(deps, kind, chosen=chosen_charter(view))
    except CharterOpsError as error:
        form = ChangeForm(kind=kind, choices=(), roster=(),
                          note=f"The calendar could not be read: {error}")
    try:
        client.views_update(view_id=view["id"], hash=view.get("hash"),
                            view=form_view(form, channel=data.get("channel"),
                                           tz=deps.config.tz))
    except Exception as error:  # edited meanwhile (the hash), or closed
        logger.warning("the %s form was not updated: %s", kind, error)


def charter_search(deps: Deps, ack: Ack, body: dict[str, Any],
                   searched: dict[str, Any]) -> None:
    """More charters than a menu holds: searched as the person types, each keystroke
    answered within Slack's 3 seconds from one read kept (in ``searched``) for half a
    minute."""
    now = time.monotonic()
    if searched.get("at", -SEARCH_KEPT) + SEARCH_KEPT < now:
        try:
            searched.update(at=now, choices=change_form.change_form(deps, "swap").choices)
        except CharterOpsError as error:
            logger.warning("the charter menu could not be read: %s", error)
            ack(options=[])
            return
    ack(options=charter_options(searched["choices"], str(body.get("value") or "")))


def submitted(deps: Deps, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
    """Answered in the ack itself: Slack shows a field's error only from it."""
    user = body["user"]["id"]
    kind = metadata(view).get("kind")
    if kind is None:  # not a view the bot wrote as it wrote it
        ack(response_action="errors", errors=on_blocks(view, {"charter": UNREADABLE}))
        return
    answer = swap_answer(view) if kind == "swap" else time_answer(view)
    if answer is None:
        ack(response_action="errors", errors=missing(view))
        return
    if change_form.refused_proposer(deps, user, asked=answer.request):
        ack(response_action="errors", errors=on_blocks(view, {"charter": NOT_CREW}))
        return
    try:
        errors, planned = (change_form.check_swap(deps, answer)  # type: ignore[arg-type]
                           if kind == "swap" else
                           change_form.check_time(deps, answer))  # type: ignore[arg-type]
    except CharterOpsError as error:
        ack(response_action="errors", errors=on_blocks(view, {"charter": str(error)[:150]}))
        return
    if planned is None:
        ack(response_action="errors", errors=on_blocks(view, errors))
        return
    ack(response_action="update",
        view=confirm_view(planned, channel=metadata(view).get("channel"),
                          approver=deps.is_approver(user)))


def confirm(deps: Deps, body: dict[str, Any], view: dict[str, Any], client: Any) -> None:
    user = body["user"]["id"]
    try:
        request, key, event_id, channel = confirmed(view)
        if deps.is_approver(user):
            done = change_request.confirm(deps, request, key=key, event_id=event_id,
                                          user_id=user, source=change_form.FORM)
            message = outcome_message(done.outcome)
            # A second submission is answered to the person only: the channel saw it.
            also = [channel] if channel and not done.outcome.repeated else []
            for where in dict.fromkeys([user, *also]):
                _post(client, where, message)
            return
        # Asked again here: the Propose may come long after the Next, or from a view
        # that never went through it.
        if change_form.refused_proposer(deps, user, asked=request):
            _post(client, user, {"text": NOT_CREW})
            return
        planned = change_request.propose(deps, deps.reconcile(), request, user_id=user,
                                         source=change_form.FORM)
        _post(client, deps.config.slack.channel, proposal_message(planned, user_id=user))
        _post(client, user, {"text": (
            f"Proposed `{mrkdwn_text(request.command)}` in "
            f"{mrkdwn_text(deps.config.slack.channel)} for an approver.")})
    except CharterOpsError as error:
        _post(client, user, {"text": f":warning: {message_text(error)}"})


def fill(deps: Deps, client: Any, trigger_id: str, read: Callable[[], ChangeForm], *,
         channel: str | None, kind: str = "swap") -> None:
    """The deferred half: the form read and put in place of the loading modal; a read
    that fails says why in the modal."""
    try:
        form = read()
    except CharterOpsError as error:
        form = ChangeForm(kind=kind, choices=(), roster=(),
                          note=f"The calendar could not be read: {error}")
    try:
        client.views_update(external_id=external_id(trigger_id),
                            view=form_view(form, channel=channel, tz=deps.config.tz))
    except Exception as error:  # the person closed it meanwhile, or it never opened
        logger.warning("the %s form could not be filled in: %s", kind, error)


def _post(client: Any, channel: str, message: dict[str, Any]) -> None:
    """One destination's message; one that refuses it (a channel the bot is not in) is
    logged and does not keep the others from theirs."""
    try:
        client.chat_postMessage(channel=channel, **message)
    except Exception as error:
        logger.warning("a form's outcome was not posted to %s: %s", channel, error)
