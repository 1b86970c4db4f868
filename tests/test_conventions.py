"""Conventions that keep tenancy and layering honest, checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

from app.settings import PROJECT_ROOT

SQL_BUILDERS = {"select", "update", "insert", "delete"}
PACKAGES = ("app", "tenants", "modules", "workers")


def _python_files() -> list[Path]:
    return [p for pkg in PACKAGES for p in (PROJECT_ROOT / pkg).rglob("*.py")]


def _sqlalchemy_builders(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            names |= {a.asname or a.name for a in node.names if a.name in SQL_BUILDERS}
    return names


def test_sql_statements_are_built_only_in_repositories():
    """STYLE.md: all SQL of a module lives in its repository, on a tenant-scoped base, so a
    query can never forget the tenant filter in a route or service."""
    offenders = []
    for path in _python_files():
        if path.name.startswith("repository") or path.parent.name == "repository":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        builders = _sqlalchemy_builders(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id in builders:
                    offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}")
    assert not offenders, "SQL built outside a repository: " + ", ".join(offenders)


def test_no_sqlite_anywhere():
    hits = [p for p in _python_files() if "sqlite" in p.read_text(encoding="utf-8").lower()]
    assert not hits


# --- One module shape (STYLE.md "Shape of a module") -------------------------------------

MODULES = PROJECT_ROOT / "modules"
TEMPLATES = PROJECT_ROOT / "templates"
ROOMS = {"routes", "service", "repository", "models", "schemas", "domain", "permissions",
         "tasks", "demo", "cli"}  # fmt: skip
PACKAGES_ONLY = {"routes", "service", "repository"}
SURFACES = {"console", "api", "public", "terminal", "device"}
# Templates of the kernel and the platform's own pages (tenants/: the console shell, staff,
# settings, the operators' pages, the landing page and sign-up), not of a module.
KERNEL_TEMPLATES = {"_partials", "console", "platform", "public", "base.html", "error.html"}


def _modules() -> list[Path]:
    return sorted(p for p in MODULES.iterdir() if p.is_dir() and p.name != "__pycache__")


def _entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name != "__pycache__")


def _room(path: Path) -> str | None:
    """The room an entry is (`models.py` and `models/` are both `models`), or None."""
    if path.is_dir():
        return path.name if (path / "__init__.py").exists() else None
    return path.stem if path.suffix == ".py" else None


def test_every_module_has_only_the_rooms_of_the_shape():
    problems = []
    for module in _modules():
        for entry in _entries(module):
            if entry.name == "__init__.py":
                continue
            room = _room(entry)
            if room not in ROOMS:
                problems.append(f"{entry.relative_to(PROJECT_ROOT)} is not a room of the shape")
            elif room in PACKAGES_ONLY and not entry.is_dir():
                problems.append(f"{entry.relative_to(PROJECT_ROOT)} must be a package ({room}/)")
        for required in ("routes", "service", "permissions.py"):
            if not (module / required).exists():
                problems.append(f"{module.name} has no {required}")
    assert not problems, "\n".join(problems)


def test_routes_hold_one_file_or_package_per_surface():
    problems = []
    for module in _modules():
        routes = module / "routes"
        if not routes.is_dir():
            continue
        for entry in _entries(routes):
            if entry.name == "__init__.py":
                continue
            if _room(entry) not in SURFACES:
                problems.append(
                    f"{entry.relative_to(PROJECT_ROOT)}: routes/ holds only "
                    f"{', '.join(sorted(SURFACES))} (a file or a package each)"
                )
    assert not problems, "\n".join(problems)


def test_services_export_by_name():
    problems = []
    for module in _modules():
        init = module / "service" / "__init__.py"
        if not init.exists():
            continue
        tree = ast.parse(init.read_text(encoding="utf-8"))
        if any(
            isinstance(n, ast.ImportFrom) and any(a.name == "*" for a in n.names)
            for n in ast.walk(tree)
        ):
            problems.append(f"{init.relative_to(PROJECT_ROOT)} uses import *")
        if not any(
            (
                isinstance(n, ast.Assign)
                and any(getattr(t, "id", "") == "__all__" for t in n.targets)
            )
            or (isinstance(n, ast.AnnAssign) and getattr(n.target, "id", "") == "__all__")
            for n in tree.body
        ):
            problems.append(f"{init.relative_to(PROJECT_ROOT)} has no __all__")
    assert not problems, "\n".join(problems)


def test_module_templates_live_under_the_module():
    names = {m.name for m in _modules()}
    strays = [
        p.name
        for p in _entries(TEMPLATES)
        if p.name not in names and p.name not in KERNEL_TEMPLATES
    ]
    assert not strays, f"templates outside templates/<module>/: {strays}"
    odd = [
        str(p.relative_to(TEMPLATES))
        for name in names
        if (TEMPLATES / name).is_dir()
        for p in (TEMPLATES / name).rglob("_*")
        if p.is_dir() and p.name != "_partials"
    ]
    assert not odd, f"fragments belong in templates/<module>/_partials/: {odd}"


def test_shared_ideas_live_once_in_the_kernel():
    """The acting person and the PDF response are the kernel's (app/actor.py,
    app/web/responses.py); a module defining its own copy drifts from the rest."""
    problems = []
    for path in MODULES.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name == "Actor":
                problems.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno} class Actor")
            if isinstance(node, ast.FunctionDef) and node.name == "pdf_response":
                problems.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno} pdf_response")
    assert not problems, "\n".join(problems)


def test_routes_declare_typed_guards_not_untyped_options():
    """`opt={"access": ..., "roles": ...}` strings meant no check when misspelt; routes
    declare `opt={"guard": ...}` with the kernel's Role and Scope enums."""
    problems = []
    for path in [*MODULES.rglob("*.py"), *(PROJECT_ROOT / "tenants").rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                if keys & {"access", "roles", "scopes"} and (
                    keys & {"guard", "owns"} or "access" in keys
                ):
                    problems.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}")
    assert not problems, "untyped route options at: " + ", ".join(problems)
