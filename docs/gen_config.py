"""The settings reference, generated from the code so that it cannot drift from it.

Every ``app.yaml`` key, its type, its default and its bounds are read from the pydantic
model the bot validates the file with (``services.domain.config.Config``); every
environment variable the bot reads is found by calling ``bot.environment.read_environment``
with a mapping that records what it is asked for. Only the sentence saying what each one
is for is written by hand, in ``docs/settings.yaml``; a key or variable without its
sentence, or a sentence for one the code no longer has, stops the build.

Used two ways: as an MkDocs hook (``hooks:`` in mkdocs.yml), which replaces the markers
``<!-- settings:app.yaml -->`` and ``<!-- settings:environment -->`` in a page with the
tables; and from the command line, ``python docs/gen_config.py``, which prints them.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # mkdocs loads a hook by path, from any directory
    sys.path.insert(0, str(ROOT))

from bot.environment import read_environment  # noqa: E402
from services.domain.config import Config  # noqa: E402

DESCRIPTIONS = Path(__file__).with_name("settings.yaml")
SETTINGS_MARKER = "<!-- settings:app.yaml -->"
ENVIRONMENT_MARKER = "<!-- settings:environment -->"
# The code the variables read outside read_environment must still be found in.
CODE = ("bot", "services", "store", "common")


class ReferenceError(Exception):
    """The code and docs/settings.yaml disagree: a key or variable without its sentence,
    or a sentence for one the code does not have."""


def _model(annotation: Any) -> type[BaseModel] | None:
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) \
        else None


def settings(model: type[BaseModel] = Config, prefix: str = "") -> Iterator[tuple[str, FieldInfo]]:
    """Every key as the docs name it: ``calendar.id``, ``crew``, ``crew[].name``.

    A section that is always there (``calendar``) gives only its keys; a section that may
    be left out (``calendar.vessel``) is a key itself, with its keys dotted under it; a
    list of entries (``crew``) is a key, with ``crew[].name`` for each entry's keys."""
    for name, field in model.model_fields.items():
        key = prefix + name
        inner = _model(field.annotation)
        if inner is not None:
            yield from settings(inner, key + ".")
            continue
        yield key, field
        args = getattr(field.annotation, "__args__", ())
        if args and (entry := _model(args[0])) is not None:
            optional = type(None) in args
            yield from settings(entry, key + ("." if optional else "[]."))


def _yaml_value(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list, frozenset)):
        return "[" + ", ".join(str(item) for item in value) + "]" if value else "[]"
    if isinstance(value, dict):
        return "{}" if not value else str(value)
    if isinstance(value, BaseModel):
        return "(its keys' defaults)"
    return str(value)


def default(field: FieldInfo) -> str:
    if field.default is not PydanticUndefined:
        return f"`{_yaml_value(field.default)}`" if field.default is not None else "none"
    if field.default_factory is not None:
        # pydantic types a factory as taking no argument or the validated data; ours take none.
        return f"`{_yaml_value(field.default_factory())}`"  # type: ignore[call-arg]
    return "required"


_TYPES = {str: "text", int: "integer", float: "number", bool: "true or false"}


def kind(annotation: Any) -> str:
    """The value's type as a person writing YAML reads it."""
    args = [arg for arg in getattr(annotation, "__args__", ()) if arg is not type(None)]
    origin = getattr(annotation, "__origin__", None)
    if annotation in _TYPES:
        return _TYPES[annotation]
    if _model(annotation) is not None:
        return "mapping"
    if origin in (tuple, list, frozenset):
        item = args[0] if args else str
        return "list of " + ("entries" if _model(item) else kind(item) + "s")
    if origin is dict:
        return "mapping"
    if args and len(args) < len(getattr(annotation, "__args__", ())):  # X | None
        return kind(args[0]) if len(args) == 1 else " or ".join(kind(a) for a in args)
    name = getattr(annotation, "__name__", str(annotation))
    return {"date": "date (`2027-03-01`)"}.get(name, name)


def bounds(field: FieldInfo) -> str:
    words = []
    for rule in field.metadata:
        for attr, sign in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<"),
                           ("min_length", "length ≥")):
            if (value := getattr(rule, attr, None)) is not None:
                words.append(f"{sign} {value}")
    return ", ".join(words)


def _descriptions() -> dict[str, dict[str, str]]:
    loaded = yaml.safe_load(DESCRIPTIONS.read_text(encoding="utf-8"))
    return {"settings": loaded["settings"], "environment": loaded["environment"]}


def _sentence(key: str, written: dict[str, str]) -> str | None:
    if key in written:
        return written[key]
    # A boat's manning rules read the same for one boat (calendar.vessel...) and for each
    # boat of a fleet (calendars[].vessel...): written once, as vessel....
    shared = re.sub(r"^calendars?(\[\])?\.", "", key)
    return written.get(shared) if shared.startswith("vessel") else None


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def settings_table() -> str:
    written = _descriptions()["settings"]
    rows, used, missing = [], set(), []
    for key, field in settings():
        sentence = _sentence(key, written)
        if sentence is None:
            missing.append(key)
            continue
        used.add(key if key in written else re.sub(r"^calendars?(\[\])?\.", "", key))
        rows.append(f"| `{key}` | {_cell(kind(field.annotation))} | {default(field)} | "
                    f"{bounds(field)} | {_cell(sentence)} |")
    stale = sorted(set(written) - used)
    if missing or stale:
        raise ReferenceError(f"docs/settings.yaml: no sentence for {missing}; "
                             f"sentences for keys the code does not have: {stale}")
    return "\n".join(["| key | type | default | bounds | what it sets |",
                      "|---|---|---|---|---|", *rows])


def environment_variables() -> list[str]:
    """The variables read_environment reads, in the order it reads them."""
    read: list[str] = []

    class Recording(dict[str, str]):
        def get(self, key: str, default: Any = None) -> Any:
            read.append(key)
            return default

    read_environment(Recording())
    return list(dict.fromkeys(read))


def _in_code(name: str) -> bool:
    return any(name in path.read_text(encoding="utf-8")
               for folder in CODE for path in (ROOT / folder).rglob("*.py"))


def environment_table() -> str:
    written = _descriptions()["environment"]
    read = environment_variables()
    missing = [name for name in read if name not in written]
    # A variable read elsewhere (the Lambda's, $PORT, boto3's own) is kept while the code
    # still names it.
    stale = [name for name in written if name not in read and "_" in name
             and name.isupper() and not _in_code(name)]
    if missing or stale:
        raise ReferenceError(f"docs/settings.yaml: no sentence for variables {missing}; "
                             f"sentences for variables the code does not read: {stale}")
    rows = [f"| `{name}` | {_cell(text)} |" if name.isupper() else f"| {name} | {_cell(text)} |"
            for name, text in written.items()]
    return "\n".join(["| variable | what it is for |", "|---|---|", *rows])


def on_page_markdown(markdown: str, **_: Any) -> str:
    """MkDocs hook: the tables in place of their markers (a ReferenceError fails the build)."""
    if SETTINGS_MARKER in markdown:
        markdown = markdown.replace(SETTINGS_MARKER, settings_table())
    if ENVIRONMENT_MARKER in markdown:
        markdown = markdown.replace(ENVIRONMENT_MARKER, environment_table())
    return markdown


if __name__ == "__main__":
    print(settings_table(), environment_table(), sep="\n\n")
