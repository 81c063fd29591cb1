"""The layering rules between the project's apps, checked by reading every module's imports.

- ``core/`` is the toolbox every app may use, so it imports none of them.
- ``connection_types/`` is the catalog of connection types: it stores nothing, so it
  imports no app that stores data, and it knows nothing of the web (no ``django.http``).
- ``connections/`` does not know what uses a connection: it imports neither
  ``exports`` nor ``enrichments`` (they depend on it, not the other way round).
- ``demo/`` uses every app and no app uses it.

Every ``.py`` file under an app counts, management commands and migrations included.
Relative imports are resolved against the module's package, and ``import_module()``
with a literal name counts as an import. Nothing is imported to check it.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

import connections_admin

PACKAGE = connections_admin.__name__
PACKAGE_DIR = Path(connections_admin.__file__).resolve().parent
PROJECT_APPS = sorted(path.name for path in PACKAGE_DIR.iterdir() if (path / "apps.py").is_file())
# Apps whose models hold data; the catalog of connection types must not depend on them.
DATA_APPS = [
    "accounts",
    "audit",
    "connections",
    "customers",
    "demo",
    "enrichments",
    "exports",
    "segments",
]


@dataclass(frozen=True)
class Import:
    path: Path
    line: int
    name: str

    def __str__(self) -> str:
        return f"{self.path.relative_to(PACKAGE_DIR.parent)}:{self.line} imports {self.name}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def resolve(path: Path, node: ast.ImportFrom) -> str:
    """The absolute module of ``from <node.module> import ...``, relative or not."""
    if not node.level:
        return node.module or ""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()  # a module's package is its parent; a package's is itself
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(path: Path) -> list[Import]:
    """Every module ``path`` imports; ``from a import b`` yields ``a`` and ``a.b``
    (b may be a submodule)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Import(path, node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = resolve(path, node)
            found.append(Import(path, node.lineno, module))
            found += [
                Import(path, node.lineno, f"{module}.{alias.name}")
                for alias in node.names
                if alias.name != "*"
            ]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append(Import(path, node.lineno, node.args[0].value))
    return found


def modules_of(app: str) -> list[Path]:
    paths = sorted(
        path for path in (PACKAGE_DIR / app).rglob("*.py") if "__pycache__" not in path.parts
    )
    assert paths, f"no modules found under {PACKAGE}/{app}/"
    return paths


def is_within(name: str, module: str) -> bool:
    return name == module or name.startswith(module + ".")


def assert_imports_none(app: str, forbidden: list[str]) -> None:
    found = sorted(
        {
            str(imported)
            for path in modules_of(app)
            for imported in imports_of(path)
            if any(is_within(imported.name, module) for module in forbidden)
        }
    )
    assert not found, "forbidden imports:\n" + "\n".join(found)


def test_the_rules_know_the_apps_they_name():
    named = {"core", "connection_types", "connections", "demo"} | set(DATA_APPS)
    assert named <= set(PROJECT_APPS)


def test_core_imports_no_app_of_the_project():
    # Every other module or package of the project, settings and urls included: core's
    # code takes what it needs from django.conf.settings.
    others = [
        f"{PACKAGE}.{path.stem}"
        for path in PACKAGE_DIR.iterdir()
        if path.stem not in ("core", "__init__")
        and (path.suffix == ".py" or (path / "__init__.py").is_file())
    ]
    assert {f"{PACKAGE}.settings", f"{PACKAGE}.urls", f"{PACKAGE}.accounts"} <= set(others)
    assert_imports_none("core", others)


def test_connection_types_import_no_data_app_and_nothing_of_the_web():
    forbidden = [f"{PACKAGE}.{app}" for app in DATA_APPS] + ["django.http"]
    assert_imports_none("connection_types", forbidden)


def test_connections_import_neither_exports_nor_enrichments():
    forbidden = [f"{PACKAGE}.exports", f"{PACKAGE}.enrichments"]
    assert_imports_none("connections", forbidden)


def test_no_app_imports_the_demo_app():
    for app in PROJECT_APPS:
        if app != "demo":
            assert_imports_none(app, [f"{PACKAGE}.demo"])


@pytest.mark.parametrize(
    ("file", "source", "imported"),
    [
        ("connections/views.py", "from ..exports import services", "connections_admin.exports"),
        ("connections/views.py", "from .. import exports", "connections_admin.exports"),
        ("connections/views.py", "from . import dependants", "connections_admin.connections"),
        (
            "connections/__init__.py",
            "from .models import X",
            "connections_admin.connections.models",
        ),
        (
            "demo/management/commands/seed_demo.py",
            "from ...exports.services import export_save",
            "connections_admin.demo.exports.services",
        ),
        (
            "demo/management/commands/seed_demo.py",
            "from ....exports.services import export_save",
            "connections_admin.exports.services",
        ),
        ("core/htmx.py", "from django import http", "django.http"),
    ],
)
def test_relative_imports_are_resolved_against_the_module_package(file, source, imported):
    path = PACKAGE_DIR / file
    node = ast.parse(source).body[0]
    names = {resolve(path, node)} | {f"{resolve(path, node)}.{a.name}" for a in node.names}
    assert imported in names
