"""The layers of docs/architecture.md that import-linter cannot state.

import-linter (make lint) checks that imports point down. These tests keep the rest of the
picture true: indicators stays a domain library without pages, and every top-level module of
the project package sits in a declared layer, so a new module cannot slip in unlayered.
"""

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Modules of the project package that are plumbing or composition, not a layer of their own.
PLUMBING = {"__init__", "settings", "wsgi", "apps", "urls", "admin", "demo"}
WEB_MODULES = ("django.shortcuts", "django.views", "django_htmx", "django.template")


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def _contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return config["tool"]["importlinter"]["contracts"]


def test_indicators_has_no_pages():
    package = ROOT / "indicators"
    assert not (package / "views.py").exists()
    assert not (package / "urls.py").exists()
    assert not (ROOT / "templates" / "indicators").exists()
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name for name in _imports(path) if name.startswith(WEB_MODULES)
        )
        for path in package.rglob("*.py")
        if "migrations" not in path.parts
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_every_project_module_sits_in_a_layer():
    layers = next(c for c in _contracts() if c["id"] == "layers")["layers"]
    layered = {
        name.strip().removeprefix("perfgoals.")
        for layer in layers
        for name in layer.replace("|", ":").split(":")
        if name.strip().startswith("perfgoals.")
    }
    modules = {
        path.stem if path.is_file() else path.name
        for path in (ROOT / "perfgoals").iterdir()
        if (path.suffix == ".py" or (path / "__init__.py").exists())
        and path.name not in ("migrations", "__pycache__")
    }
    assert modules - PLUMBING - layered == set()


def test_the_kernel_contract_names_every_kernel_module():
    kernel = next(c for c in _contracts() if c["id"] == "kernel")["source_modules"]
    layers = next(c for c in _contracts() if c["id"] == "layers")["layers"]
    assert set(kernel) == {name.strip() for name in layers[-1].split(":")}


def test_no_ratchet_exemptions_are_left():
    assert all(not contract.get("ignore_imports") for contract in _contracts())
