"""The swap and time-change modals: the form (charter, who leaves, who joins; or charter,
starts, ends), what a submitted form says, and the confirmation with the plan. Pure.

Every choice is a menu of what the bot read, so a person on a phone never types a name;
what they chose is still checked on submit (services/usecases/change_form.py), since
the calendar may have moved while the form was open.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, time, tzinfo
from typing import Any

from handlers.views.blocks import context, section
from handlers.views.change import plan_sections
from handlers.views.ids import CONFIRM_FORM, PICK_CHARTER, SWAP_FORM, TIME_FORM
from handlers.views.loading import TITLES
from services.domain.display import mrkdwn_text
from services.usecases.change_form import (
    CHARTER_ID,
    MAX_VALUE,
    ChangeForm,
    CharterChoice,
    SwapAnswer,
    TimeAnswer,
    menu_value,
)
from services.usecases.change_request import ChangeRequest, PlannedChange

CHARTER, LEAVES, JOINS, STARTS, ENDS = "charter", "leaves", "joins", "starts", "ends"
MAX_OPTIONS = 100  # a static menu's limit; past it the charter menu is searched
# To someone neither in the roster nor an approver: the chat's rule, said on the form.
UNREADABLE = "This form could not be read. Close it and open it again."
MAX_METADATA = 3000  # Slack's limit of a view's private_metadata
# What the metadata holds and how long each may be (a plan's key, an event id, a channel).
_SHORT = {"kind": 4, "channel": 24, "key": 128, "event": 1000}
MAX_WORD = 1000  # a person's name in a plan's words (the roster's, which may be long)
_CHANNEL = re.compile(r"[A-Z0-9]{1,24}")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_CLOCK = re.compile(r"\d{2}:\d{2}")
NOT_CREW = ("Sorry, only the crew in app.yaml (by their Slack id) and the approvers can "
            "propose a change. Ask one of them.")


def form_view(form: ChangeForm, *, channel: str | None, tz: tzinfo) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = []
    if form.note:
        blocks.append(context(mrkdwn_text(form.note)))
    if not form.choices:
        blocks.append(section("No charter is still to leave in the calendar's window."))
    else:
        blocks.append(_input(CHARTER, "Charter", _charter_menu(form), dispatch=True))
        chosen = form.choice(form.chosen)
        # Slack keeps what was chosen in a block across an update of the same block id:
        # the fields carry the charter, so a new charter brings its own crew and times.
        tag = _tag(chosen.event_id if chosen else "")
        if form.kind == "swap":
            crew = chosen.crew if chosen else form.roster
            blocks.append(_input(f"{LEAVES}.{tag}", "Who leaves",
                                 _menu(LEAVES, crew, form.leaves)))
            blocks.append(_input(f"{JOINS}.{tag}", "Who joins",
                                 _menu(JOINS, form.roster, form.joins)))
        else:
            start = chosen.charter.start.astimezone(tz) if chosen else None
            end = chosen.charter.end.astimezone(tz) if chosen else None
            blocks.append(_input(f"{STARTS}.{tag}", "Starts",
                                 _clock(STARTS, start.time() if start else None)))
            blocks.append(_input(f"{ENDS}.{tag}", "Ends",
                                 _clock(ENDS, end.time() if end else None)))
    view = {"type": "modal", "callback_id": SWAP_FORM if form.kind == "swap" else TIME_FORM,
            "title": _plain(TITLES[form.kind]), "close": _plain("Cancel"),
            "private_metadata": json.dumps({"kind": form.kind, "channel": channel}),
            "blocks": blocks}
    if form.choices:
        view["submit"] = _plain("Next")
    return view


def charter_options(choices: tuple[CharterChoice, ...], typed: str = "") -> list[dict[str, Any]]:
    """The charters as menu options; ``typed``: what a person typed in a searched menu."""
    words = typed.casefold().split()
    found = [c for c in choices if all(w in _label(c).casefold() for w in words)]
    return [_option(_label(c), _value(c)) for c in found[:MAX_OPTIONS]]


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    """What the form carries from one view to the next, each entry only in the shape the
    bot wrote it: a value of another shape or size (a view's ``private_metadata`` is
    Slack's to bound at 3,000 characters, but a request may say anything) is left out,
    so that it is never copied into the next view or used as a channel."""
    text = view.get("private_metadata") or "{}"
    if not isinstance(text, str) or len(text) > MAX_METADATA:
        return {}
    try:
        found = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(found, dict):
        return {}
    kept: dict[str, Any] = {k: v for k, v in found.items()
                            if k in _SHORT and isinstance(v, str) and len(v) <= _SHORT[k]}
    if kept.get("kind") not in ("swap", "time"):
        kept.pop("kind", None)
    if not _CHANNEL.fullmatch(kept.get("channel", "")):
        kept.pop("channel", None)
    words = found.get("words")
    if isinstance(words, list) and len(words) <= 3 and all(
            isinstance(w, str) and len(w) <= MAX_WORD for w in words):
        kept["words"] = words
    return kept


def chosen_charter(view: dict[str, Any]) -> str | None:
    """The chosen charter's event id."""
    chosen = _charter_of(_selected(view, CHARTER))
    return chosen[1] if chosen else None


def swap_answer(view: dict[str, Any]) -> SwapAnswer | None:
    chosen = _charter_of(_selected(view, CHARTER))
    leaves, joins = (_selected(view, b) for b in (LEAVES, JOINS))
    if not (chosen and leaves and joins):
        return None
    return SwapAnswer(chosen[1], leaves, joins, day=chosen[0])


def time_answer(view: dict[str, Any]) -> TimeAnswer | None:
    chosen = _charter_of(_selected(view, CHARTER))
    starts, ends = (_time(view, b) for b in (STARTS, ENDS))
    if not (chosen and starts and ends):
        return None
    return TimeAnswer(chosen[1], starts, ends, day=chosen[0])


def missing(view: dict[str, Any]) -> dict[str, str]:
    """Each field empty or not as its menu or picker gives it, by block (Slack checks
    required inputs; this is the backstop for a request that says something else)."""
    kind = metadata(view).get("kind")
    fields = (CHARTER, LEAVES, JOINS) if kind == "swap" else (CHARTER, STARTS, ENDS)
    reader = _time if kind == "time" else _selected
    errors = {f: "Choose one." for f in fields
              if not (_charter_of(_selected(view, f)) if f == CHARTER else reader(view, f))}
    return on_blocks(view, errors or {CHARTER: UNREADABLE})


def on_blocks(view: dict[str, Any], errors: dict[str, str]) -> dict[str, str]:
    """Errors by field (charter, leaves, …) keyed by the view's own block ids."""
    ids = {str(b.get("block_id", "")).split(".")[0]: str(b.get("block_id", ""))
           for b in view.get("blocks", [])}
    return {ids.get(field, field): text for field, text in errors.items()}


def confirm_view(planned: PlannedChange, *, channel: str | None,
                 approver: bool) -> dict[str, Any]:
    """The plan, what it will touch and who already saw the old data, as the typed command
    shows it; submitting it is Confirm (or, for someone who is not an approver, Propose)."""
    request = planned.request
    blocks = plan_sections(planned)
    if not approver:
        blocks.append(context("You are not an approver: this is posted to the ops channel "
                              "for one of them to approve."))
    return {"type": "modal", "callback_id": CONFIRM_FORM,
            "title": _plain("Confirm change" if approver else "Propose change"),
            "submit": _plain("Confirm" if approver else "Propose"),
            "close": _plain("Back out"),
            "private_metadata": json.dumps({
                "kind": request.kind, "words": request.all_words, "key": planned.key,
                "event": planned.event_id, "channel": channel}),
            "blocks": blocks}


def confirmed(view: dict[str, Any]) -> tuple[ChangeRequest, str, str, str | None]:
    """(the request, the plan's key, the charter, the channel the form came from)."""
    data = metadata(view)
    words = [str(w) for w in data.get("words", [])]
    request = ChangeRequest.typed(str(data.get("kind", "")), words)
    return request, str(data.get("key", "")), str(data.get("event", "")), data.get("channel")


def _value(choice: CharterChoice) -> str:
    """A charter option's value: its day and event id, so that a submitted form reads
    only that day again (within Slack's 3 seconds)."""
    day = choice.charter.local_date.isoformat()
    return f"{day}|{menu_value(choice.event_id, limit=CHARTER_ID)}"


def _charter_of(value: str | None) -> tuple[date, str] | None:
    day, separator, event_id = (value or "").partition("|")
    if not (separator and event_id and _DAY.fullmatch(day)):
        return None
    try:
        return date.fromisoformat(day), event_id
    except ValueError:
        return None


def _label(choice: CharterChoice) -> str:
    c = choice.charter
    return f"{c.start:%a %b %-d %H:%M} · {c.guest_name}"


def _charter_menu(form: ChangeForm) -> dict[str, Any]:
    chosen = form.choice(form.chosen)
    if len(form.choices) > MAX_OPTIONS:
        menu: dict[str, Any] = {"type": "external_select", "action_id": PICK_CHARTER,
                                "placeholder": _plain("Type a guest or a day"),
                                "min_query_length": 0}
    else:
        menu = {"type": "static_select", "action_id": PICK_CHARTER,
                "placeholder": _plain("Choose a charter"),
                "options": charter_options(form.choices)}
    if chosen is not None:
        menu["initial_option"] = _option(_label(chosen), _value(chosen))
    return menu


def _menu(block: str, names: tuple[str, ...], initial: str | None) -> dict[str, Any]:
    options = [_option(n, menu_value(n)) for n in names[:MAX_OPTIONS]] or [
        _option("(nobody)", "-")]
    menu: dict[str, Any] = {"type": "static_select", "action_id": f"form_{block}",
                            "placeholder": _plain("Choose a person"), "options": options}
    if initial and initial in names:
        menu["initial_option"] = _option(initial, menu_value(initial))
    return menu


def _clock(block: str, initial: time | None) -> dict[str, Any]:
    picker: dict[str, Any] = {"type": "timepicker", "action_id": f"form_{block}"}
    if initial is not None:
        picker["initial_time"] = f"{initial:%H:%M}"
    return picker


def _input(block: str, label: str, element: dict[str, Any], *,
           dispatch: bool = False) -> dict[str, Any]:
    found: dict[str, Any] = {"type": "input", "block_id": block, "label": _plain(label),
                             "element": element}
    if dispatch:
        found["dispatch_action"] = True  # a new charter brings its own crew and times
    return found


def _option(text: str, value: str) -> dict[str, Any]:
    """``value`` is within Slack's limit already (menu_value). A text past Slack's 75
    characters keeps its end as well as its start, which is where two long names that
    begin alike differ."""
    shown = text if len(text) <= 75 else f"{text[:37]}…{text[-37:]}"
    return {"text": _plain(shown), "value": value}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:75]}


def _tag(event_id: str) -> str:
    return hashlib.sha256(event_id.encode()).hexdigest()[:10]


def _state(view: dict[str, Any], block: str) -> dict[str, Any]:
    """The field's value, whichever charter its block id carries; {} for anything not
    in the shape Slack sends."""
    state = _dict(_dict(view.get("state")).get("values"))
    values = _dict(next((v for k, v in state.items()
                         if k == block or str(k).startswith(block + ".")), None))
    return _dict(next(iter(values.values()), None))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _selected(view: dict[str, Any], block: str) -> str | None:
    value = _dict(_state(view, block).get("selected_option")).get("value")
    return value if isinstance(value, str) and 0 < len(value) <= MAX_VALUE \
        and value != "-" else None


def _time(view: dict[str, Any], block: str) -> time | None:
    """A timepicker's 'HH:mm', and nothing else: an offset ('15:00+05:00') or seconds
    would make a time the rest of the form cannot compare with the other."""
    value = _state(view, block).get("selected_time")
    if not (isinstance(value, str) and _CLOCK.fullmatch(value)):
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        return None
