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
