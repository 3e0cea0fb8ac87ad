"""The correction e-mail, rendered from Jinja2 templates: the product's own (beside this
module, under ``templates/``) or the operator's (``guests.template_dir``), file by file.

Three templates: ``subject.txt.j2``, ``correction.txt.j2`` (the text part) and
``correction.html.j2`` (the HTML part, autoescaped: a guest named ``<script>`` is text).
A file the operator's folder lacks is the product's. Every template gets the same
variables (docs/contracts.md): ``operator_name``, ``guest_name``, ``changes`` (each with
``fact``, ``label``, ``old``, ``new``, ``sentence``), ``old`` and ``new`` (the facts:
``date``, ``arrival``, ``location``, ``boat``, ``captain``) and ``page_url``.

A name a template uses that is not one of them is an error (StrictUndefined), and
``check()`` renders a sample correction when the settings load: a template that does not
parse or names a missing variable fails at start, naming the file and the line, not
when the first guest is due a correction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from common.errors import ConfigError
from services.domain.guests.facts import FactChange, GuestFacts

if TYPE_CHECKING:
    from jinja2 import Template

SUBJECT, TEXT, HTML = "subject.txt.j2", "correction.txt.j2", "correction.html.j2"
TEMPLATES = (SUBJECT, TEXT, HTML)
SETTING = "guests.template_dir"


@dataclass(frozen=True)
class Correction:
    """What one correction tells one guest."""

    operator_name: str
    guest_name: str
    changes: tuple[FactChange, ...]
    old: GuestFacts
    new: GuestFacts
    page_url: str | None = None


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


# What check() renders: a correction using every variable, so that a template's misspelt
# name is found whichever part of it names it.
SAMPLE = Correction(
    operator_name="Queen of San Diego", guest_name="Danika",
    changes=(FactChange("arrival", "2:00–6:00 PM", "3:00–7:00 PM"),
             FactChange("captain", "Gene", "Ana")),
    old=GuestFacts("Saturday, May 30, 2026", "2:00–6:00 PM", "Harbor Dock 3",
                   "Queen of San Diego", "Gene"),
    new=GuestFacts("Saturday, May 30, 2026", "3:00–7:00 PM", "Harbor Dock 3",
                   "Queen of San Diego", "Ana"),
    page_url="https://guests.example.com/charters/guests/danika-guest.html")


def _html(name: str | None) -> bool:
    return name is not None and ".html" in name


class MailTemplates:
    """Loads the templates once; render() is then a pure function of the correction."""

    def __init__(self, template_dir: str | Path | None = None) -> None:
        # Jinja is loaded with the first mail: a command that tells no guest never pays.
        from jinja2 import (
            ChoiceLoader,
            Environment,
            FileSystemLoader,
            PackageLoader,
            StrictUndefined,
        )

        shipped = PackageLoader("services.domain.guests", "templates")
        self._dir = Path(template_dir) if template_dir is not None else None
        loader: Any = shipped
        if self._dir is not None:
            if not self._dir.is_dir():
                raise ConfigError(f"{SETTING}: {self._dir} is not a folder")
            own = [name for name in TEMPLATES if (self._dir / name).is_file()]
            if not own:
                raise ConfigError(f"{SETTING}: {self._dir} holds none of "
                                  f"{', '.join(TEMPLATES)}; name the files so")
            loader = ChoiceLoader([FileSystemLoader(str(self._dir)), shipped])
        self._env = Environment(loader=loader, autoescape=_html, undefined=StrictUndefined,
                                keep_trailing_newline=True)
        self._templates: dict[str, Template] = {}

    def _template(self, name: str) -> Template:
        if name not in self._templates:
            self._templates[name] = self._env.get_template(name)
        return self._templates[name]

    def render(self, correction: Correction) -> RenderedMail:
        values = _variables(correction)
        subject = self._template(SUBJECT).render(values)
        return RenderedMail(subject=" ".join(subject.split()),  # a header: one line
                            text=self._template(TEXT).render(values),
                            html=self._template(HTML).render(values))

    def check(self) -> None:
        """Each template parsed and rendered against SAMPLE; ConfigError naming the file
        and the line of the first that fails."""
        from jinja2 import TemplateError, TemplateSyntaxError

        for name in TEMPLATES:
            try:
                template = self._template(name)
                template.render(_variables(SAMPLE))
            except TemplateSyntaxError as error:
                where = error.filename or name
                raise ConfigError(f"{SETTING}: {where}, line {error.lineno}: "
                                  f"{error.message}") from None
            except TemplateError as error:
                where, line = failing_line(error, self._template(name).filename or name)
                raise ConfigError(f"{SETTING}: {where}, line {line}: {error}") from None


def _variables(correction: Correction) -> dict[str, object]:
    """What every template receives (docs/contracts.md lists them)."""
    return {"operator_name": correction.operator_name, "guest_name": correction.guest_name,
            "changes": list(correction.changes), "old": correction.old,
            "new": correction.new, "page_url": correction.page_url}


def failing_line(error: BaseException, filename: str) -> tuple[str, int | str]:
    """The template file and line an error was raised at: Jinja rewrites the traceback so
    that its frames carry the template's file and line, the innermost last."""
    found: tuple[str, int | str] = (filename, "?")
    trace = error.__traceback__
    while trace is not None:
        code = trace.tb_frame.f_code.co_filename
        if code.endswith(".j2") or code == filename:
            found = (code, trace.tb_lineno)
        trace = trace.tb_next
    return found
