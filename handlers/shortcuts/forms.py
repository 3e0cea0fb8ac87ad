"""The forms the shortcuts open, filled in: the swap form, empty, for the global shortcut;
for the message shortcut, the form with what the chat reader understood of that message,
or empty with a line saying nothing was."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handlers.modals.change_form import fill
from services.domain.display import typed_text
from services.domain.mentions import with_names
from services.domain.roster import Roster
from services.usecases import change_form

if TYPE_CHECKING:
    from services.deps import Deps


def change(deps: Deps, body: dict[str, Any], client: Any) -> None:
    fill(deps, client, body["trigger_id"], lambda: change_form.change_form(deps, "swap"),
         channel=None)


def propose(deps: Deps, body: dict[str, Any], client: Any) -> None:
    # A time change asked in the message is not read into a form yet: the swap form
    # opens, saying it read no swap.
    message = body.get("message") or {}
    fill(deps, client, body["trigger_id"], lambda: change_form.form_from_message(
        deps, _typed(message.get("text") or "", deps), author_id=message.get("user")),
        channel=(body.get("channel") or {}).get("id"))


def _typed(text: str, deps: Deps) -> str:
    return with_names(typed_text(text), Roster(deps.config.roster), refuse_unknown=False)
