"""The layers the tree shows are the layers the imports keep.

    services/domain/    pure: no I/O, no clients, nothing from the layers around it
    services/adapters/  one per external system: the domain and the ports, never the
                        application
    services/, services/usecases/
                        the application: the domain, the ports and the store's API;
                        never an adapter, the store's tables or engine, Slack or handlers
    store/              the audit store: nothing from services/
    handlers/           Slack listeners: the application and their views; no clients,
                        no adapters, no store
    handlers/views/     Block Kit from results: the domain and the use cases' results only
    bot/wiring.py       the composition root: the only module that builds adapters and
                        opens a database engine

No module imports another that imports it back, by any path (imports under
TYPE_CHECKING and inside functions included). Each rule fails naming the file, the line
and the import that breaks it, and each is shown to fail on a synthetic violation.
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
                                "sqlalchemy", "services.adapters", "store", "bot")),
    # A view is a pure function from results to Block Kit: it reads no system and
    # reaches for no dependency; the results it lays out are the domain's and the use
    # cases' own types.
    "handlers/views": dict(forbidden=(*CLIENTS, "services", "store", "bot", "handlers"),
                           allowed=("services.domain", "services.usecases", "handlers.views")),
}

# The application (services/*.py and services/usecases/): socket is allowed for the
# host name a runner is known by (services/runner.py), nothing that talks to a system.
APPLICATION_FORBIDDEN = (*(c for c in CLIENTS if c != "socket"), "services.adapters",
                         "store.schema", "store.database", "store.migrations", "handlers",
                         "bot")


def application_violations(*, root: Path = ROOT) -> list[str]:
    found = []
    paths = [*sorted((root / "services").glob("*.py")),
             *sorted((root / "services" / "usecases").rglob("*.py"))]
    for path in paths:
        for line, module in imports(path, root=root):
            if _under(module, APPLICATION_FORBIDDEN):
                found.append(f"{path.relative_to(root)}:{line} imports {module}")
    return found


def test_the_application_imports_no_adapter_no_table_and_no_slack() -> None:
    found = application_violations()
    assert not found, "the application breaks its layer:\n" + "\n".join(found)


def test_the_application_rule_names_the_offending_import(tmp_path: Path) -> None:
    usecases = tmp_path / "services" / "usecases"
    usecases.mkdir(parents=True)
    (tmp_path / "services" / "deps.py").write_text("from store.audit import AuditLog\n",
                                                  encoding="utf-8")
    (usecases / "sneaky.py").write_text(
        "from services.domain.models import Record\nfrom services.adapters.records import "
        "RecordStore\nimport slack_sdk\nfrom handlers.views.blocks import plain\n"
        "from store.schema import ChangeRow\n", encoding="utf-8")
    assert application_violations(root=tmp_path) == [
        "services/usecases/sneaky.py:2 imports services.adapters.records",
        "services/usecases/sneaky.py:2 imports services.adapters.records.RecordStore",
        "services/usecases/sneaky.py:3 imports slack_sdk",
        "services/usecases/sneaky.py:4 imports handlers.views.blocks",
        "services/usecases/sneaky.py:4 imports handlers.views.blocks.plain",
        "services/usecases/sneaky.py:5 imports store.schema",
        "services/usecases/sneaky.py:5 imports store.schema.ChangeRow"]


def test_a_view_that_reaches_for_a_dependency_is_named(tmp_path: Path) -> None:
    views = tmp_path / "handlers" / "views"
    views.mkdir(parents=True)
    (views / "sneaky.py").write_text(
        "from handlers.views.blocks import plain\nfrom services.usecases.status import S\n"
        "from services.deps import Deps\nfrom handlers.refusals import refused\n",
        encoding="utf-8")
    found = violations("handlers/views", root=tmp_path,
                       **RULES["handlers/views"])  # type: ignore[arg-type]
    assert found == ["handlers/views/sneaky.py:3 imports services.deps",
                     "handlers/views/sneaky.py:3 imports services.deps.Deps",
                     "handlers/views/sneaky.py:4 imports handlers.refusals",
                     "handlers/views/sneaky.py:4 imports handlers.refusals.refused"]


# Adapters are built, and the database engine opened, in one place per process.
ROOT_ONLY = ("services.adapters", "store.database.open_engine",
             "store.database.session_factory")
COMPOSITION_ROOT = "bot/wiring.py"


def composition_violations(*, root: Path = ROOT) -> list[str]:
    found = []
    for folder in ("bot", "handlers", "services", "common"):
        for path in sorted((root / folder).rglob("*.py")):
            where = path.relative_to(root)
            if str(where) == COMPOSITION_ROOT or where.parts[:2] == ("services", "adapters"):
                continue
            for line, module in imports(path, root=root):
                if _under(module, ROOT_ONLY):
                    found.append(f"{where}:{line} imports {module}")
    return found


def test_only_the_composition_root_builds_adapters_and_opens_the_database() -> None:
    found = composition_violations()
    assert not found, f"only {COMPOSITION_ROOT} may:\n" + "\n".join(found)


def test_the_composition_rule_names_the_offending_import(tmp_path: Path) -> None:
    (tmp_path / "bot").mkdir()
    (tmp_path / COMPOSITION_ROOT).write_text(
        "from services.adapters.cdn import Cdn\nfrom store.database import open_engine\n",
        encoding="utf-8")
    (tmp_path / "bot" / "watch.py").write_text(
        "from store.database import DEFAULT_URL, open_engine\n", encoding="utf-8")
    assert composition_violations(root=tmp_path) == [
        "bot/watch.py:1 imports store.database.open_engine"]


PACKAGES = ("bot", "handlers", "services", "store", "common")


def module_graph(*, root: Path = ROOT) -> dict[str, set[str]]:
    """Each of our modules and the modules of ours it imports. ``from package import
    name`` is an import of the submodule when ``name`` is one: importing a submodule
    runs its package's __init__, which is never a cycle of its own making."""
    files = {}
    for package in PACKAGES:
        for path in (root / package).rglob("*.py"):
            parts = path.relative_to(root).with_suffix("").parts
            files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path

    def known(module: str) -> str | None:
        parts = module.split(".")
        while parts and ".".join(parts) not in files:
            parts.pop()
        return ".".join(parts) or None

    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        targets: set[str] = set()
        imported = list(imports(path, root=root))
        lines = {line for line, _ in imported}
        for line in lines:
            modules = [m for at, m in imported if at == line]
            submodules = {m for m in modules if m in files}
            for module in modules:
                if any(s.startswith(module + ".") for s in submodules):
                    continue  # the package whose submodule this line imports
                target = known(module)
                if target and target != name:
                    targets.add(target)
        graph[name] = targets
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(graph.get(module, ())):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(found)


def test_no_module_imports_one_that_imports_it_back() -> None:
    cycles = import_cycles(module_graph())
    assert cycles == [], "import cycles:\n" + "\n".join(" ⇄ ".join(c) for c in cycles)


def test_a_cycle_closed_under_type_checking_is_found(tmp_path: Path) -> None:
    (tmp_path / "services" / "usecases").mkdir(parents=True)
    (tmp_path / "services" / "usecases" / "__init__.py").write_text(
        "from services.usecases import status\n", encoding="utf-8")
    (tmp_path / "services" / "usecases" / "status.py").write_text("", encoding="utf-8")
    (tmp_path / "services" / "deps.py").write_text(
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
        "    from services.chat import propose\n", encoding="utf-8")
    (tmp_path / "services" / "chat.py").write_text(
        "def reply():\n    from services import deps\n", encoding="utf-8")
    # A package importing its own submodule is no cycle; deps ⇄ chat is one.
    assert import_cycles(module_graph(root=tmp_path)) == [["services.chat", "services.deps"]]


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
