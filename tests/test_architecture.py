"""The layers of docs/architecture.md, enforced by import-linter's contracts (pyproject.toml).

The first test runs ``lint-imports`` on the code; the others run the same contracts on a
small tree of empty packages with one forbidden import each, to show that the contracts
do catch what they are meant to (a contract that cannot fail is worth nothing).
"""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def _lint(cwd: Path, *args: str, env_path: Path | None = None) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(env_path or cwd), "DJANGO_SETTINGS_MODULE": ""}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", *args], cwd=cwd, env=env, capture_output=True, text=True)


def test_code_keeps_every_import_contract():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_contracts_cover_every_app_of_the_project():
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")} | {"ais"}
    assert set(CONFIG["root_packages"]) == apps
    layered = {name.strip() for layer in CONFIG["contracts"][0]["layers"] for name in layer.split("|")}
    assert layered == apps


def _tree(tmp_path: Path, forbidden: tuple[str, str]) -> Path:
    """Empty packages named like the apps, and ``importer`` importing ``imported``."""
    for package in CONFIG["root_packages"]:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    importer, imported = forbidden
    (tmp_path / importer / "bad.py").write_text(f"import {imported}\n")
    lines = ["[tool.importlinter]", f"root_packages = {CONFIG['root_packages']!r}".replace("'", '"')]
    for contract in CONFIG["contracts"]:
        lines += ["", "[[tool.importlinter.contracts]]"]
        for key, value in contract.items():
            lines.append(f"{key} = {value!r}".replace("'", '"'))
    (tmp_path / "pyproject.toml").write_text("\n".join(lines) + "\n")
    return tmp_path


@pytest.mark.parametrize(
    "forbidden",
    [
        ("ais", "projects"),  # the core imports no domain app
        ("ais", "devtools"),
        ("projects", "essaimage"),  # no import back down the stack: register a hook instead
        ("essaimage", "evaluation"),
        ("evaluation", "reporting"),
        ("evaluation", "events"),  # siblings are independent
        ("events", "evaluation"),
        ("reporting", "portal"),
        ("archive", "reporting"),  # the import sits below the reports that read what it writes
        ("evaluation", "archive"),  # and above the apps it writes
        ("projects", "archive"),
        ("portal", "devtools"),
    ],
)
def test_a_forbidden_import_breaks_the_contracts(tmp_path, forbidden):
    result = _lint(_tree(tmp_path, forbidden))
    assert result.returncode == 1, result.stdout
    assert f"{forbidden[0]}.bad -> {forbidden[1]}" in result.stdout


@pytest.mark.parametrize(
    "allowed",
    [
        ("devtools", "ais"),
        ("portal", "reporting"),
        ("essaimage", "projects"),
        ("archive", "evaluation"),
        ("reporting", "archive"),
    ],
)
def test_an_import_down_the_stack_is_allowed(tmp_path, allowed):
    result = _lint(_tree(tmp_path, allowed))
    assert result.returncode == 0, result.stdout


def test_data_migrations_call_frozen_code_not_live_modules():
    """A data migration copies what it needs: importing the app's live code would make an
    old migration do something else once that code changes."""
    import ast

    apps = set(CONFIG["root_packages"])
    offenders = []
    for path in sorted(ROOT.glob("**/migrations/0*.py")):
        if ".venv" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef):
                continue
            for inner in ast.walk(node):
                names = []
                if isinstance(inner, ast.Import):
                    names = [alias.name for alias in inner.names]
                elif isinstance(inner, ast.ImportFrom) and inner.module:
                    names = [inner.module]
                offenders += [f"{path.relative_to(ROOT)}: {name}" for name in names if name.split(".")[0] in apps]
    assert not offenders


def test_one_initial_migration_per_app():
    """Squashed at 0.1.0 (no production data): each app starts from one ``0001_initial``,
    data migrations follow it."""
    for path in sorted(ROOT.glob("**/migrations")):
        if ".venv" in path.parts:
            continue
        initial = sorted(p.name for p in path.glob("0001_*.py"))
        assert initial in ([], ["0001_initial.py"]), path


def test_no_code_cites_a_document_outside_the_repository():
    """Comments point at docs/ of this repository, never at a design card the reader does not have."""
    offenders = []
    for path in sorted(ROOT.rglob("*")):
        if path.suffix not in {".py", ".html", ".txt"} or {".venv", ".data", "node_modules"} & set(path.parts):
            continue
        if path == Path(__file__):
            continue
        text = path.read_text(errors="ignore")
        if "DESIGN.md" in text or "CONVENTIONS.md" in text or "../shared/" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders
