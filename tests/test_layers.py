"""The layers the tree shows are the layers the imports keep.

    services/domain/    pure: no I/O, no clients, nothing from the layers around it
    services/adapters/  one per external system: may use the domain, never the services
    services/           the application: composes domain, adapters and the store
    store/              the audit store: nothing from services/
    handlers/           Slack listeners: no AWS or Google clients, no adapters

Each rule fails naming the file, the line and the import that breaks it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = ("boto3", "botocore", "googleapiclient", "google", "google_auth_httplib2",
           "httplib2", "slack_sdk", "slack_bolt", "sqlalchemy", "alembic", "requests",
           "urllib3", "urllib.request", "http.client", "socket", "waitress", "apscheduler")


def imports(path: Path, *, root: Path = ROOT) -> Iterator[tuple[int, str]]:
    """Every module a file imports, with its line (relative imports made absolute)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            yield node.lineno, base
            for alias in node.names:  # "from services import blocks" imports services.blocks
                yield node.lineno, f"{base}.{alias.name}"


def _under(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def violations(folder: str, *, forbidden: tuple[str, ...], allowed: tuple[str, ...] = (),
               root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted((root / folder).rglob("*.py")):
        for line, module in imports(path, root=root):
            if _under(module, forbidden) and not _under(module, allowed):
                found.append(f"{path.relative_to(root)}:{line} imports {module}")
    return found


def application_modules() -> tuple[str, ...]:
    return tuple(f"services.{p.stem}" for p in (ROOT / "services").glob("*.py")
                 if p.stem != "__init__")


RULES = {
    "services/domain": dict(
        forbidden=(*CLIENTS, "store", "bot", "handlers", "services"),
        allowed=("services.domain",)),
    "services/adapters": dict(
        forbidden=("store", "bot", "handlers", "slack_sdk", "slack_bolt", "sqlalchemy",
                   "services"),
        allowed=("services.domain", "services.adapters")),
    "store": dict(forbidden=("services", "bot", "handlers")),
    "common": dict(forbidden=("services", "store", "bot", "handlers", *CLIENTS)),
    "handlers": dict(forbidden=("boto3", "botocore", "googleapiclient", "google", "httplib2",
                                "sqlalchemy", "services.adapters", "store")),
}


@pytest.mark.parametrize("folder", list(RULES))
def test_each_layer_imports_only_what_it_may(folder: str) -> None:
    found = violations(folder, **RULES[folder])  # type: ignore[arg-type]
    assert not found, f"{folder} breaks its layer:\n" + "\n".join(found)


def test_the_application_services_are_not_imported_by_the_adapters() -> None:
    found = violations("services/adapters", forbidden=application_modules())
    assert not found, "\n".join(found)


def test_the_rule_names_the_offending_import(tmp_path: Path) -> None:
    # The check itself can fail: a pure module that reaches for boto3 or an adapter is
    # named, line and all.
    package = tmp_path / "services" / "domain"
    package.mkdir(parents=True)
    (package / "sneaky.py").write_text(
        "import json\n\nimport boto3\nfrom services.adapters import cdn\n", encoding="utf-8")
    found = violations("services/domain", root=tmp_path,
                       **RULES["services/domain"])  # type: ignore[arg-type]
    assert found == ["services/domain/sneaky.py:3 imports boto3",
                     "services/domain/sneaky.py:4 imports services.adapters",
                     "services/domain/sneaky.py:4 imports services.adapters.cdn"]


# The ports (services/ports.py) are the application's own interfaces: the application
# and the adapters may import them; they import only the domain (and common).
PORTS = "services/ports.py"
PORTS_RULE = dict(forbidden=(*CLIENTS, "store", "bot", "handlers", "services"),
                  allowed=("services.domain",))


def port_violations(*, root: Path = ROOT) -> list[str]:
    path = root / PORTS
    return [f"{PORTS}:{line} imports {module}" for line, module in imports(path, root=root)
            if _under(module, PORTS_RULE["forbidden"])
            and not _under(module, PORTS_RULE["allowed"])]


def test_the_ports_import_only_the_domain() -> None:
    found = port_violations()
    assert not found, "the ports break their layer:\n" + "\n".join(found)


def test_the_ports_rule_names_the_offending_import(tmp_path: Path) -> None:
    (tmp_path / "services").mkdir()
    (tmp_path / PORTS).write_text(
        "from common.errors import ConflictError\nfrom services.domain.models import Record\n"
        "from services.adapters.records import RecordStore\n", encoding="utf-8")
    assert port_violations(root=tmp_path) == [
        "services/ports.py:3 imports services.adapters.records",
        "services/ports.py:3 imports services.adapters.records.RecordStore"]
