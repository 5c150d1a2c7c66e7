"""Deployment files stay consistent with the settings (no database needed).

Checks docker-compose.yml, the Dockerfile and .dockerignore against ais/settings.py,
and that ``manage.py check --deploy`` is clean with production values.
"""

from __future__ import annotations

import os
import re
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

BASE_DIR = Path(__file__).resolve().parent.parent
COMPOSE_FILE = BASE_DIR / "docker-compose.yml"
DOCKERFILE = BASE_DIR / "Dockerfile"
DOCKERIGNORE = BASE_DIR / ".dockerignore"
SETTINGS_FILE = BASE_DIR / "ais" / "settings.py"

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


def test_dockerfile_installs_from_requirements_lock():
    runs = [arguments for keyword, arguments in _dockerfile_instructions() if keyword == "RUN"]
    assert any(re.search(r"pip install\b.*-r\s+\S*requirements\.lock", run) for run in runs), (
        "the Dockerfile must 'pip install -r requirements.lock'"
    )


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
