"""Modals: the swap and time-change forms, from their opening to the confirmed change.

A form opens in the ack, as a loading modal (modals/loading.py); what reads, checks and
confirms (modals/change_form.py) is imported on its first call, so that registering (a
Lambda's cold start) loads none of the use cases or views. A submission is checked in
its ack, since Slack shows a field's error only from there."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from handlers import acknowledge
from handlers.modals.loading import open_loading
from handlers.views.ids import CONFIRM_FORM, PICK_CHARTER, SWAP, SWAP_FORM, TIME, TIME_FORM

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from services.deps import Deps


def register(app: App, deps: Deps) -> None:
    def from_home(kind: str) -> tuple[Callable[..., None], Callable[..., None]]:
        def ack_open(ack: Ack, body: dict[str, Any], client: Any) -> None:
            open_loading(client, body["trigger_id"], kind)
            ack()

        def fill_in(body: dict[str, Any], action: dict[str, Any], client: Any) -> None:
            from handlers.modals import change_form

            change_form.fill_from_home(deps, kind, body, action, client)

        return ack_open, fill_in

    for action_id, kind in ((SWAP, "swap"), (TIME, "time")):
        ack_open, fill_in = from_home(kind)
        app.action(action_id)(ack=ack_open, lazy=[fill_in])

    def charter_chosen(body: dict[str, Any], client: Any) -> None:
        from handlers.modals import change_form

        change_form.charter_chosen(deps, body, client)

    app.action(PICK_CHARTER)(ack=acknowledge, lazy=[charter_chosen])

    searched: dict[str, Any] = {}  # the charter menu's last read, kept between keystrokes

    @app.options(PICK_CHARTER)
    def charter_search(ack: Ack, body: dict[str, Any]) -> None:
        from handlers.modals import change_form

        change_form.charter_search(deps, ack, body, searched)

    def submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        from handlers.modals import change_form

        change_form.submitted(deps, ack, body, view)

    app.view(SWAP_FORM)(submitted)
    app.view(TIME_FORM)(submitted)

    def confirm(body: dict[str, Any], view: dict[str, Any], client: Any) -> None:
        from handlers.modals import change_form

        change_form.confirm(deps, body, view, client)

    app.view(CONFIRM_FORM)(ack=acknowledge, lazy=[confirm])
