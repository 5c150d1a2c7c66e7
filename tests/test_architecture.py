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
        ("portal", "devtools"),
    ],
)
def test_a_forbidden_import_breaks_the_contracts(tmp_path, forbidden):
    result = _lint(_tree(tmp_path, forbidden))
    assert result.returncode == 1, result.stdout
    assert f"{forbidden[0]}.bad -> {forbidden[1]}" in result.stdout


@pytest.mark.parametrize("allowed", [("devtools", "ais"), ("portal", "reporting"), ("essaimage", "projects")])
def test_an_import_down_the_stack_is_allowed(tmp_path, allowed):
    result = _lint(_tree(tmp_path, allowed))
    assert result.returncode == 0, result.stdout
