"""The documentation a user reads stays inside the repository and true to the code.

What is checked here is what a reader would trip over: a link to a file they do not
have, a discrepancy kind the bot prints that the docs never explain, a JSON field,
an app.yaml key or an environment variable missing from the docs.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from bot.environment import read_environment
from services.domain.config import Config
from services.domain.models import (
    Discrepancy,
    FixAction,
    Kind,
    ReconcileResult,
    Severity,
    System,
    Window,
)

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
# Written in two pieces so that this file does not itself contain what it forbids: the
# design document of the team's workspace, which nobody who clones the repository has.
OUTSIDE = ("../" + "shared", "shared/" + "DESIGN", str(Path("/") / "work" / "shared"))


def _tracked_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                            check=True).stdout.decode().split("\0")
    return [ROOT / name for name in listed if name and (ROOT / name).is_file()]


def test_no_tracked_file_points_outside_the_repository() -> None:
    offenders = []
    for path in _tracked_files():
        text = path.read_bytes().decode("utf-8", errors="ignore")
        for number, line in enumerate(text.splitlines(), start=1):
            if any(pointer in line for pointer in OUTSIDE):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def _documented_kinds() -> set[str]:
    text = (DOCS / "discrepancies.md").read_text(encoding="utf-8")
    return set(re.findall(r"^### `([A-Z_]+)`$", text, re.MULTILINE))


def test_every_discrepancy_kind_the_code_defines_has_its_section() -> None:
    missing = sorted({str(kind) for kind in Kind} - _documented_kinds())
    assert not missing, f"docs/discrepancies.md has no '### `KIND`' section for {missing}"


def test_no_section_documents_a_kind_the_code_does_not_define() -> None:
    stale = sorted(_documented_kinds() - {str(kind) for kind in Kind})
    assert not stale, f"docs/discrepancies.md documents kinds that no longer exist: {stale}"


def test_every_reconcile_json_field_is_documented() -> None:
    found = Discrepancy(id="x", kind=Kind.RECORD_MISMATCH, event_id="x", system=System.DYNAMODB,
                        field="startTime", expected="15:00", actual="14:00",
                        severity=Severity.HIGH, fix=(FixAction("invalidate", "/x"),),
                        summary="x")
    result = ReconcileResult(window=Window(date(2026, 5, 31), date(2026, 6, 1)), source="api",
                             complete=True, charters_checked=1, discrepancies=(found,),
                             desired={})
    output = result.to_dict()
    fields = {*output, *output["window"], *found.to_dict(), *found.fix[0].to_dict()}
    text = (DOCS / "discrepancies.md").read_text(encoding="utf-8")
    missing = sorted(f for f in fields if f"`{f}`" not in text)
    assert not missing, f"docs/discrepancies.md does not describe {missing}"


def _config_keys(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    """Every setting as the docs name it: ``calendar.id``, ``crew``, ``crew[].name``."""
    for name, field in model.model_fields.items():
        key = prefix + name
        inner: Any = field.annotation
        args = getattr(inner, "__args__", ())
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            yield from _config_keys(inner, key + ".")  # a section: only its keys
            continue
        yield key
        if args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
            # A section that may be left out (calendar.vessel) keeps its dots; a list of
            # entries (crew) is crew[].name.
            optional = type(None) in args
            yield from _config_keys(args[0], key + ("." if optional else "[]."))


def _configuration_page() -> str:
    """docs/configuration.md as the site shows it: its tables generated from the code."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_config", DOCS / "gen_config.py")
    assert spec and spec.loader
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    page = (DOCS / "configuration.md").read_text(encoding="utf-8")
    return generator.on_page_markdown(page)


def test_every_app_yaml_key_is_in_the_configuration_reference() -> None:
    text = _configuration_page()
    missing = [key for key in _config_keys(Config) if f"| `{key}` |" not in text]
    assert not missing, f"docs/configuration.md's app.yaml table lacks {missing}"


def test_every_environment_variable_the_bot_reads_is_in_the_configuration_reference() -> None:
    read: list[str] = []

    class Recording(dict[str, str]):
        def get(self, key: str, default: Any = None) -> Any:
            read.append(key)
            return default

    read_environment(Recording())
    text = _configuration_page()
    missing = [name for name in read if f"| `{name}` |" not in text]
    assert read and not missing, f"docs/configuration.md does not describe {missing}"


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_links_in_the_readme_and_docs_lead_somewhere() -> None:
    broken = []
    for page in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue  # an absolute URL: not ours to check offline
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            if not linked.exists():
                broken.append(f"{page.name}: {target}")
            elif anchor and linked.is_file():
                headings = re.findall(r"^#+ (.+)$", linked.read_text(encoding="utf-8"),
                                      re.MULTILINE)
                if anchor not in {_anchor(h) for h in headings}:
                    broken.append(f"{page.name}: {target} (no such heading)")
    assert not broken, "\n".join(broken)


def test_the_designs_tree_names_every_module() -> None:
    # The engineer who inherits the code reads the structure first (the README sends them
    # to docs/design.md's tree): a module it does not name is one they will not know to
    # look for.
    readme = (DOCS / "design.md").read_text(encoding="utf-8")
    modules = [path for folder in ("bot", "handlers", "handlers/commands", "handlers/actions",
                                   "handlers/events", "handlers/views", "handlers/modals",
                                   "handlers/shortcuts", "services",
                                   "services/usecases", "services/domain",
                                   "services/domain/calendar", "services/domain/reconcile",
                                   "services/domain/change", "services/domain/pages",
                                   "services/domain/chat", "services/adapters", "store",
                                   "common")
               for path in sorted((ROOT / folder).glob("*.py"))
               if path.name != "__init__.py"]
    assert modules
    missing = [str(path.relative_to(ROOT)) for path in modules if path.name not in readme]
    assert missing == []
