"""Reads ``app.yaml`` once and turns every problem into a ConfigError naming the key."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.settings_yaml import SettingsYamlError, load_settings
from common.errors import ConfigError
from services.domain.config import Config


def load_config(path: str | Path) -> Config:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text (byte 0x{error.object[error.start]:02x} at "
                          f"offset {error.start}); save it as UTF-8") from None
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file (pass --config PATH or set CHARTER_OPS_CONFIG; "
                          "charter-ops init writes a new app.yaml)") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read ({error.strerror})") from None
    return parse_config(text, source=str(path), base=path.parent)


def parse_config(text: str, *, source: str = "app.yaml", base: Path | None = None) -> Config:
    """``base``: the folder a relative template path is read from (app.yaml's; the
    current directory when None)."""
    try:
        data = load_settings(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "invalid YAML"
        kind = "refused" if isinstance(error, SettingsYamlError) else "not valid YAML"
        raise ConfigError(f"{source}: {kind}{where}: {problem}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of settings at the top level")
    unfilled = _unfilled(data)
    if unfilled:
        raise ConfigError("\n".join(f"{source}: {key}: still the placeholder '{value}'; "
                                     "replace it" for key, value in unfilled))
    try:
        config = Config.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_describe(source, error)) from None
    return _templates_checked(config, source=source, base=base or Path.cwd())


def _templates_checked(config: Config, *, source: str, base: Path) -> Config:
    """The operator's guest page and e-mail templates rendered against a sample now, so
    that one that does not parse or names a missing variable stops the start, naming the
    file and the line; their paths made absolute (a command run elsewhere finds them)."""
    if config.pages.template is not None:
        from services.domain.pages.own_template import check_page_template

        page = (base / config.pages.template).resolve()
        try:
            check_page_template(page)
        except ConfigError as error:
            raise ConfigError(f"{source}: {error}") from None
        pages = config.pages.model_copy(update={"template": str(page)})
        config = config.model_copy(update={"pages": pages})
    if config.guests.template_dir is None:
        return config
    from services.domain.guests.mail import MailTemplates

    folder = (base / config.guests.template_dir).resolve()
    try:
        MailTemplates(folder).check()
    except ConfigError as error:
        raise ConfigError(f"{source}: {error}") from None
    guests = config.guests.model_copy(update={"template_dir": str(folder)})
    return config.model_copy(update={"guests": guests})


_NAMED_KEY = re.compile(r"([A-Za-z_]\w*(?:\.\w+|\[\d+\])*): (.*)", re.S)


def _describe(source: str, error: ValidationError) -> str:
    lines = []
    for problem in error.errors():
        key = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":
            message = "unknown key (check the spelling against the comments in app.yaml)"
        # A check across keys names the exact one it refuses (calendars[2].name) itself.
        named = _NAMED_KEY.fullmatch(message)
        if named and (key == "(top level)" or named[1].startswith(key)):
            key, message = named[1], named[2]
        lines.append(f"{source}: {key}: {message}")
    return "\n".join(lines)


def _unfilled(data: object, key: str = "") -> list[tuple[str, str]]:
    """The values ``charter-ops init`` left to fill in ("<FILL IN: ...>"), by key."""
    if isinstance(data, dict):
        return [found for name, value in data.items()
                for found in _unfilled(value, f"{key}.{name}" if key else str(name))]
    if isinstance(data, list):
        return [found for index, value in enumerate(data)
                for found in _unfilled(value, f"{key}[{index}]")]
    return [(key, data)] if isinstance(data, str) and data.startswith("<FILL IN") else []
