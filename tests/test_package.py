"""The package as an operator gets it: ``pip install .``, then ``charter-ops`` anywhere.

The wheel is built from a copy of the checkout and installed with ``--no-deps`` into a
fresh virtual environment that borrows this environment's third-party packages through
a ``.pth`` file (never the checkout), and the command runs from a directory outside the
checkout. So a template, a migration or a module left out of the wheel fails here, as
it would for the operator, instead of being found in the checkout by accident.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
# What the command table of docs/cli.md documents.
COMMANDS = ("reconcile", "apply", "status", "swap", "time", "undo", "audit", "watch", "demo",
            "init", "doctor")
# The first setuptools that builds wheels by itself (no separate `wheel` package).
OFFLINE_SETUPTOOLS = Version("70.1")


@dataclass(frozen=True)
class Installed:
    bin: Path  # the venv's bin/, where charter-ops is
    site_packages: Path
    elsewhere: Path  # a working directory outside the checkout
    env: dict[str, str]

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(args), cwd=self.elsewhere, env=self.env, text=True,
                              capture_output=True, timeout=timeout, check=False)


def _source_copy(target: Path) -> Path:
    """The files a fresh clone would have (tracked, or new and not ignored): building in
    a copy keeps setuptools' build/ and *.egg-info out of the checkout."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the work tree is not there
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def _build_wheel(source: Path, dist: Path) -> Path:
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(dist)]
    try:
        offline = Version(metadata.version("setuptools")) >= OFFLINE_SETUPTOOLS
    except metadata.PackageNotFoundError:
        offline = False
    # requirements-dev.txt brings a setuptools that builds offline; an environment made
    # before it did falls back to pip's isolated build, which fetches setuptools.
    command += ["--no-build-isolation", "--no-index"] if offline else []
    built = subprocess.run([*command, str(source)], capture_output=True, text=True,
                           timeout=300, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = dist.glob("charter_ops-*.whl")
    return wheel


def _environment_without_checkout(home: Path) -> tuple[Path, Path]:
    """A venv that sees the running environment's packages but not the checkout."""
    venv.EnvBuilder(with_pip=False).create(home)
    python = home / "bin" / "python"
    site_packages = Path(subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True).stdout.strip())
    # Only site-packages (CI's may sit in the checkout's .venv: that is fine, the sources
    # are not in it). A .pth file there, such as an editable install's, is not read, and
    # these come after the venv's own site-packages, so what the wheel installed wins.
    borrowed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site_packages / "_borrowed_packages.pth").write_text("\n".join(sorted(borrowed)) + "\n")
    return python, site_packages


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("package")
    wheel = _build_wheel(_source_copy(base / "source"), base / "dist")
    home = base / "venv"
    python, site_packages = _environment_without_checkout(home)
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", str(wheel)], capture_output=True, text=True, timeout=300, check=False)
    assert install.returncode == 0, install.stdout + install.stderr
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSAFEPATH")}
    env["PATH"] = f"{home / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return Installed(bin=home / "bin", site_packages=site_packages,
                     elsewhere=elsewhere, env=env)


def test_the_command_comes_from_the_installed_package_not_the_checkout(
        installed: Installed) -> None:
    shown = installed.run(str(installed.bin / "python"), "-c",
                          "import bot, handlers, services, store; "
                          "print('\\n'.join(m.__file__ for m in (bot, handlers, services, store)))")
    assert shown.returncode == 0, shown.stderr
    for location in shown.stdout.split():
        assert Path(location).resolve().is_relative_to(installed.site_packages.resolve())
    assert shutil.which("charter-ops", path=installed.env["PATH"]) == \
        str(installed.bin / "charter-ops")


def test_templates_and_every_migration_ship_inside_the_package(installed: Installed) -> None:
    site = installed.site_packages
    assert (site / "services" / "domain" / "pages" / "templates" / "guest_page.html.j2").is_file()
    assert (site / "store" / "migrations" / "env.py").is_file()
    # What `charter-ops init` writes and the manifest `doctor` reads the scopes from.
    assert (site / "bot" / "templates" / "app.yaml").is_file()
    assert (site / "bot" / "templates" / "slack-manifest.yaml").is_file()
    shipped = sorted(p.name for p in (site / "store" / "migrations" / "versions").glob("*.py"))
    in_checkout = sorted(p.name for p in (ROOT / "store" / "migrations" / "versions")
                         .glob("*.py"))
    assert shipped == in_checkout and shipped


def test_charter_ops_help_lists_the_commands(installed: Installed) -> None:
    helped = installed.run("charter-ops", "--help")
    assert helped.returncode == 0, helped.stderr
    # Named as the operator typed it, not as python -m bot.
    assert helped.stdout.startswith("usage: charter-ops "), helped.stdout
    for command in COMMANDS:
        assert re.search(rf"\b{command}\b", helped.stdout), f"{command} missing:\n{helped.stdout}"


def test_charter_ops_demo_runs_offline_from_outside_the_checkout(installed: Installed) -> None:
    # Where an operator has just run init: the template's FILL IN values are the operator's
    # to fill, and the demo runs on the settings it ships with.
    assert installed.run("charter-ops", "init").returncode == 0
    demo = installed.run("charter-ops", "demo", "--yes", timeout=300)
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    # The fixes were applied (guest pages rendered from the shipped template, the audit
    # store migrated with the shipped migrations), then a second reconcile finds nothing.
    applied = re.search(r"^(\d+) of (\d+) applied\.$", demo.stdout, re.MULTILINE)
    assert applied and applied[1] == applied[2] != "0", demo.stdout[-3000:]
    after = demo.stdout.split("Reconciling again:", 1)[1].strip().splitlines()[0]
    assert after.endswith("all in sync"), after


def _pins(name: str) -> dict[str, Requirement]:
    """The exact versions a requirements file pins itself (not those it includes with -r)."""
    locked = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-r"):
            pin = Requirement(line)
            locked[canonicalize_name(pin.name)] = pin
    return locked


@pytest.mark.parametrize("group, lock", [("dependencies", "requirements.txt"),
                                         ("demo", "requirements-demo.txt")])
def test_declared_dependencies_are_the_locked_ones_in_compatible_ranges(group: str,
                                                                       lock: str) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = project[group] if group == "dependencies" else \
        project["optional-dependencies"][group]
    declared = {canonicalize_name(r.name): r for r in map(Requirement, listed)}
    locked = _pins(lock)
    assert sorted(declared) == sorted(locked)
    for name, pin in locked.items():
        (version,) = [s.version for s in pin.specifier]
        assert declared[name].specifier.contains(version), \
            f"{name}: the lock's {version} is outside pyproject's {declared[name].specifier}"
        assert declared[name].extras == pin.extras, name


def test_charter_ops_init_writes_the_shipped_template_outside_the_checkout(
        installed: Installed) -> None:
    (installed.elsewhere / "first-hour").mkdir()
    target = installed.elsewhere / "first-hour" / "app.yaml"
    first = installed.run("charter-ops", "init", "--config", str(target))
    assert first.returncode == 0, first.stderr
    assert "charter-ops doctor" in first.stdout
    assert target.read_text() == (ROOT / "bot" / "templates" / "app.yaml").read_text()
    again = installed.run("charter-ops", "init", "--config", str(target))
    assert again.returncode == 1 and "already exists; nothing was changed" in again.stderr
