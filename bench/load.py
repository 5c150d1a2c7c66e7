"""Load benchmark on the generated ten-year programme (see docs/performance.md).

    .venv/bin/python bench/load.py [--duration 60] [--rate 30] [--workers 4] [--keep-data]

It needs locust, which scripts/bootstrap does not install (requirements/dev.lock): first
``.venv/bin/pip install -r requirements/bench.lock``.

What it does, in one run:

1. starts its own PostgreSQL and Redis (``ais.devstack.Stack``, data in ``.data/bench-load``,
   ports 54377 and 63847), creates a fresh database ``ais_load``, migrates, loads the
   territories and runs ``generate_data --seed 1 --password …`` (``--keep-data`` reuses the
   database of an earlier run instead);
2. logs in a programme manager, a carrier, a committee member and a structure contact of
   the generated data (and a superuser for the Django admin), collects the static files and
   serves the app with gunicorn on 127.0.0.1:8077, DEBUG off, static files by WhiteNoise;
3. requests each page alone (warm-up; the second request's time is printed as "alone"),
   then drives a mixed load of the main pages with locust at a fixed arrival rate
   (``--rate`` requests per second for ``--duration`` seconds) and prints, per page, p50, p95,
   p99, throughput and errors;
4. times the list pages and the Django admin's changelist of the same rows, one request
   at a time, and prints the ratio ours / admin;
5. stops gunicorn and times, in this process: the final report of the innovation whose
   number of structures is closest to 50 and the yearly report (``reporting.reports.generate``,
   as ``bench/reports.py``), the XLSX export of the structures as a manager
   (``reporting.list_exports.export_file``), and the reminder sweep
   (``evaluation.reminders.send_due_reminders`` on the data's "today") with its number of
   queries, on this data and on a second database generated at ``--scale 0.1``.

The figures are also written to ``.data/bench-load/results.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PASSWORD = "bench-load-password"  # noqa: S105 - generated users of a throw-away database
HOST = "127.0.0.1"
SEED = 1
YEAR = 2025  # generate_data's default: 31 December 2025 is the "today" of the data


def _environment() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ais.settings")
    os.environ.setdefault("AIS_DATA_DIR", str(BASE_DIR / ".data" / "bench-load"))
    os.environ.setdefault("AIS_PG_PORT", "54377")
    os.environ.setdefault("AIS_REDIS_PORT", "63847")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")  # gunicorn speaks plain http here
    os.environ.setdefault("LOG_LEVEL", "WARNING")


def _say(message: str = "") -> None:
    print(message, flush=True)


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def _database(url: str, name: str, *, fresh: bool) -> tuple[str, bool]:
    """The URL of database ``name`` next to the one in ``url``, created (dropped first when
    ``fresh``); returns it and whether it was created now."""
    import psycopg2

    base, _, _name = url.rpartition("/")
    connection = psycopg2.connect(f"{base}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        if fresh:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        created = cursor.fetchone() is None
        if created:
            cursor.execute(f"CREATE DATABASE {name}")
    connection.close()
    return f"{base}/{name}", created


def _manage(*args: str, env: dict | None = None) -> None:
    subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), *args], cwd=BASE_DIR, env=env, check=True)


def _build_data(url: str, *, scale: float) -> float:
    """Migrate, load the territories and generate the programme in the database at ``url``;
    returns the seconds ``generate_data`` took."""
    env = {**os.environ, "DATABASE_URL": url}
    _manage("migrate", "--verbosity", "0", env=env)
    _manage("load_territories", "--verbosity", "0", env=env)
    started = time.perf_counter()
    _manage("generate_data", "--seed", str(SEED), "--scale", str(scale), "--password", PASSWORD, env=env)
    return time.perf_counter() - started


# Pages ---------------------------------------------------------------------------------


def _people():
    """The users the load logs in, chosen in the generated data (deterministic)."""
    from django.db.models import Count

    from ais.accounts.models import Membership, Role, User
    from essaimage.models import SpreadStructure
    from evaluation.models import EDITABLE_STATUSES, Response
    from projects.models import Innovation, ReviewAssignment

    innovation = Innovation.objects.annotate(n=Count("spread_structures")).order_by("-n", "pk").first()
    carrier = Membership.objects.filter(role=Role.CARRIER, organisation=innovation.carrier).order_by("pk").first().user
    manager = Membership.objects.filter(role=Role.MANAGER).order_by("pk").first().user
    latest = ReviewAssignment.objects.order_by("-dossier__call__closes_at", "pk").first()
    committee = latest.member
    questionnaire = (
        Response.objects.filter(status__in=EDITABLE_STATUSES, structure__organisation__memberships__role=Role.STRUCTURE)
        .order_by("pk")
        .first()
    )
    contact = questionnaire.structure.organisation.memberships.filter(role=Role.STRUCTURE).first().user
    admin, _created = User.objects.get_or_create(
        email="bench-admin@generated.ais-emploi.test", defaults={"is_staff": True, "is_superuser": True}
    )
    admin.set_password(PASSWORD)
    admin.save()
    structure = SpreadStructure.objects.filter(innovation=innovation).order_by("pk").first()
    return {
        "manager": manager,
        "carrier": carrier,
        "committee": committee,
        "structure": contact,
        "superuser": admin,
        "innovation": innovation,
        "structure_record": structure,
        "questionnaire": questionnaire,
    }


def _session_cookies(people) -> dict:
    """A logged-in session per role: Django's test client checks the password with the
    authentication backends and saves the session where gunicorn reads it."""
    from django.conf import settings
    from django.http import HttpRequest
    from django.test import Client

    cookies = {"anonymous": ""}
    for role in ("manager", "carrier", "committee", "structure", "superuser"):
        client = Client()
        request = HttpRequest()  # django-axes wants the request the credentials came with
        request.META["REMOTE_ADDR"] = HOST
        if not client.login(request=request, username=people[role].email, password=PASSWORD):
            raise SystemExit(f"Could not log in the {role} {people[role].email}")
        cookies[role] = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return cookies


def _pages(people) -> list[dict]:
    """The mixed load: (label, role, path, weight)."""
    from django.urls import reverse

    from events.models import Event
    from projects.models import Call

    innovation = people["innovation"]
    pk = {"pk": innovation.pk}
    event = Event.objects.filter(is_published=True).order_by("-date", "pk").first()
    call = Call.objects.order_by("-closes_at").first()
    rows = [
        # public
        ("home", "anonymous", reverse("portal:home"), 2),
        ("catalogue", "anonymous", reverse("portal:catalogue"), 3),
        ("innovation (public)", "anonymous", reverse("portal:innovation_public", args=[innovation.slug]), 2),
        ("calls for projects", "anonymous", reverse("projects:call_list"), 2),
        ("calls for structures", "anonymous", reverse("essaimage:call_list_public"), 1),
        ("events", "anonymous", reverse("events:event_list"), 2),
        ("event", "anonymous", reverse("events:event_detail", kwargs={"slug": event.slug}), 1),
        ("resources", "anonymous", reverse("events:resource_list"), 1),
        # programme manager
        ("manager dashboard", "manager", reverse("portal:dashboard"), 3),
        ("innovations list", "manager", reverse("projects:innovation_list"), 2),
        ("innovation", "manager", reverse("projects:innovation_detail", kwargs=pk), 2),
        ("structures list", "manager", reverse("essaimage:structure_list"), 3),
        ("structure", "manager", reverse("essaimage:structure_detail", args=[people["structure_record"].pk]), 2),
        ("trainings list", "manager", reverse("essaimage:training_list"), 2),
        ("questionnaire follow-up", "manager", reverse("evaluation:followup"), 2),
        ("programme dashboard", "manager", reverse("reporting:programme_dashboard"), 1),
        ("innovation dashboard", "manager", reverse("reporting:innovation_dashboard", kwargs=pk), 1),
        ("hotline log", "manager", reverse("essaimage:support_list"), 1),
        ("site visits", "manager", reverse("essaimage:visit_list"), 1),
        ("support summary", "manager", reverse("essaimage:support_summary"), 1),
        ("events (manage)", "manager", reverse("events:manage_list"), 1),
        ("calls (manage)", "manager", reverse("projects:call_manage_list"), 1),
        ("screening", "manager", reverse("projects:screening", kwargs={"pk": call.pk}), 1),
        # carrier
        ("carrier dashboard", "carrier", reverse("portal:dashboard"), 2),
        ("carrier's dossiers", "carrier", reverse("projects:my_dossiers"), 1),
        ("carrier's innovation", "carrier", reverse("projects:innovation_detail", kwargs=pk), 1),
        # committee member
        ("committee dashboard", "committee", reverse("portal:dashboard"), 1),
        ("committee reviews", "committee", reverse("projects:my_reviews"), 2),
        # structure contact
        ("structure dashboard", "structure", reverse("portal:dashboard"), 1),
        ("structure questionnaires", "structure", reverse("evaluation:my_questionnaires"), 2),
        ("questionnaire", "structure", reverse("evaluation:response", kwargs={"pk": people["questionnaire"].pk}), 1),
    ]
    return [{"name": name, "role": role, "path": path, "weight": weight} for name, role, path, weight in rows]


def _admin_pairs(people) -> list[tuple[str, str, str]]:
    """(label, our list page, the Django admin's changelist of the same rows)."""
    from django.db.models import Count

    from projects.models import Innovation

    small = (
        Innovation.objects.annotate(n=Count("spread_structures"))
        .filter(n__gt=0, n__lte=25)
        .order_by("-n", "pk")
        .first()
    )
    return [
        ("structures, first page", "/suivi/structures/", "/django-admin/essaimage/spreadstructure/"),
        (
            f"structures of one innovation ({small.n})",
            f"/suivi/structures/?innovation={small.pk}",
            f"/django-admin/essaimage/spreadstructure/?innovation__id__exact={small.pk}",
        ),
        ("innovations", "/suivi/innovations/", "/django-admin/projects/innovation/"),
    ]


# Serving ---------------------------------------------------------------------------------


def _gunicorn(port: int, workers: int, static_root: Path, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "load_settings",
        "PYTHONPATH": f"{BASE_DIR / 'bench'}:{BASE_DIR}",
        "BENCH_STATIC_ROOT": str(static_root),
        "DEBUG": "false",
    }
    subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    process = subprocess.Popen(
        [
            str(BASE_DIR / ".venv" / "bin" / "gunicorn"),
            "ais.wsgi",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--chdir",
            str(BASE_DIR),
            "--timeout",
            "120",
            # The time each request spent in gunicorn's worker, to tell it from the waiting.
            "--access-logfile",
            str(log.with_name("access.log")),
            "--access-logformat",
            "%(U)s %(s)s %(M)s",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    import urllib.request

    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=5)  # noqa: S310 - local server
            return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit(f"gunicorn did not answer; see {log}")


def _timed_get(port: int, path: str, cookie: str) -> tuple[float, int]:
    """One GET on a new connection (redirects not followed): milliseconds and status."""
    import http.client

    connection = http.client.HTTPConnection(HOST, port, timeout=120)
    started = time.perf_counter()
    connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = connection.getresponse()
    response.read()
    elapsed = (time.perf_counter() - started) * 1000
    connection.close()
    return elapsed, response.status


def _alone(port: int, pages: list[dict], cookies: dict) -> dict:
    """Warm-up: each page three times in a row; the median of the last two, in ms."""
    results = {}
    for page in pages:
        times = []
        for _ in range(3):
            elapsed, status = _timed_get(port, page["path"], cookies[page["role"]])
            if status != 200:
                raise SystemExit(f"{page['name']} ({page['path']}) answered {status} as {page['role']}")
            times.append(elapsed)
        results[page["name"]] = {"first": times[0], "alone": statistics.median(times[1:])}
    return results


def _locust(base: str, pages: list[dict], cookies: dict, *, rate: float, duration: int, out: Path) -> list[dict]:
    plan = out / "plan.json"
    plan.write_text(
        json.dumps({"pages": [{**page, "cookie": cookies[page["role"]]} for page in pages]}, ensure_ascii=False)
    )
    per_user = 0.5
    users = max(1, round(rate / per_user))
    prefix = out / "locust"
    subprocess.run(
        [
            str(BASE_DIR / ".venv" / "bin" / "locust"),
            "-f",
            str(BASE_DIR / "bench" / "locustfile.py"),
            "--headless",
            "--host",
            base,
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{duration}s",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--stop-timeout",
            "30",
        ],
        env={**os.environ, "BENCH_PLAN": str(plan), "BENCH_USER_RATE": str(per_user)},
        check=False,
        stdout=(out / "locust.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    with open(f"{prefix}_stats.csv", newline="") as stats:
        return list(csv.DictReader(stats))


def _admin_ratio(port: int, pairs, cookies: dict, repeat: int = 15) -> list[dict]:
    results = []
    for label, ours, theirs in pairs:
        ours_ms, admin_ms = [], []
        for _ in range(2):  # warm-up
            _timed_get(port, ours, cookies["manager"])
            _timed_get(port, theirs, cookies["superuser"])
        for _ in range(repeat):
            elapsed, status = _timed_get(port, ours, cookies["manager"])
            assert status == 200, (ours, status)
            ours_ms.append(elapsed)
            elapsed, status = _timed_get(port, theirs, cookies["superuser"])
            assert status == 200, (theirs, status)
            admin_ms.append(elapsed)
        ours_median, admin_median = statistics.median(ours_ms), statistics.median(admin_ms)
        results.append(
            {
                "label": label,
                "ours": ours,
                "admin": theirs,
                "ours_ms": ours_median,
                "admin_ms": admin_median,
                "ratio": ours_median / admin_median,
            }
        )
    return results


# Documents and the sweep -------------------------------------------------------------------


def _documents(people) -> dict:
    from django.conf import settings

    from essaimage.models import SpreadStructure
    from reporting import list_exports, reports
    from reporting.models import ReportKind

    settings.MEDIA_ROOT = str(Path(os.environ["AIS_DATA_DIR"]) / "media")
    reports._queue = lambda report: None  # the benchmark runs the task's function itself
    manager = people["manager"]
    from django.db.models import Count
    from django.db.models.functions import Abs

    from projects.models import Innovation

    innovation = (
        Innovation.objects.annotate(n=Count("spread_structures"))
        .annotate(distance=Abs(Count("spread_structures") - 50))
        .order_by("distance", "pk")
        .first()
    )
    reports.save_narrative(
        innovation,
        ReportKind.FINAL,
        summary="Les structures ont adopté l'innovation.",
        conclusions="Les structures se sont approprié le modèle.",
        recommendations="Poursuivre l'essaimage.",
        quotes=[],
        revision=reports.narrative_for(innovation, ReportKind.FINAL).revision,
        by=manager,
    )
    results = {}
    started = time.perf_counter()
    report = reports.generate(reports.request_report(innovation, ReportKind.FINAL, by=manager).pk)
    results["final_report"] = {
        "seconds": time.perf_counter() - started,
        "structures": innovation.n,
        "pdf_kb": report.pdf.size // 1024,
        "status": report.status,
    }
    _say(f"  final report ({innovation.n} structures): {results['final_report']['seconds']:.2f} s")
    started = time.perf_counter()
    report = reports.generate(reports.request_yearly_report(YEAR, by=manager).pk)
    results["yearly_report"] = {
        "seconds": time.perf_counter() - started,
        "year": YEAR,
        "pdf_kb": report.pdf.size // 1024,
        "xlsx_kb": report.xlsx.size // 1024 if report.xlsx else 0,
        "status": report.status,
    }
    _say(f"  yearly report {YEAR}: {results['yearly_report']['seconds']:.2f} s")
    export = list_exports.BY_NAME["structures"]
    started = time.perf_counter()
    content = list_exports.export_file(export, manager, "xlsx")
    results["xlsx_export"] = {
        "seconds": time.perf_counter() - started,
        "rows": SpreadStructure.objects.count(),
        "kb": len(content) // 1024,
    }
    _say(f"  XLSX export of {results['xlsx_export']['rows']} structures: {results['xlsx_export']['seconds']:.2f} s")
    return results


def sweep() -> dict:
    """Run the reminder sweep on the data's "today", count its queries, and roll it back
    (so that a later run finds the same work; the e-mails it would queue on commit are
    not sent)."""
    import datetime

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from evaluation.models import Response
    from evaluation.reminders import send_due_reminders

    today = datetime.date(YEAR, 12, 31)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        recorded = send_due_reminders(today)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    writes = sum(1 for q in queries.captured_queries if not q["sql"].lstrip().upper().startswith("SELECT"))
    return {
        "questionnaires": Response.objects.count(),
        "seconds": seconds,
        "queries": len(queries),
        "reads": len(queries) - writes,
        "writes": writes,
        "reminders": recorded,
    }


def _sweep_at_small_scale(url: str, scale: float) -> dict:
    small, _created = _database(url, "ais_load_small", fresh=True)
    _build_data(small, scale=scale)
    output = subprocess.run(
        [sys.executable, __file__, "--sweep-only"],
        env={**os.environ, "DATABASE_URL": small},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


# Report --------------------------------------------------------------------------------------


def _print_table(stats: list[dict], alone: dict, pages: list[dict], duration: int) -> list[dict]:
    by_name = {row["Name"]: row for row in stats}
    rows = []
    _say(f"\n{'page':<28}{'role':<11}{'alone':>7}{'p50':>7}{'p95':>7}{'p99':>7}{'req/s':>7}{'reqs':>6}{'err':>5}")
    for page in [*pages, {"name": "Aggregated", "role": "all"}]:
        row = by_name.get(page["name"])
        if row is None:
            continue
        figures = {
            "page": page["name"],
            "role": page["role"],
            "path": page.get("path", ""),
            "alone_ms": alone.get(page["name"], {}).get("alone"),
            "first_ms": alone.get(page["name"], {}).get("first"),
            "p50": float(row["50%"]),
            "p95": float(row["95%"]),
            "p99": float(row["99%"]),
            "max": float(row["Max Response Time"]),
            "requests": int(row["Request Count"]),
            "errors": int(row["Failure Count"]),
            "rps": int(row["Request Count"]) / duration,
        }
        rows.append(figures)
        alone_text = f"{figures['alone_ms']:7.0f}" if figures["alone_ms"] is not None else f"{'':7}"
        _say(
            f"{figures['page']:<28}{figures['role']:<11}{alone_text}{figures['p50']:7.0f}{figures['p95']:7.0f}"
            f"{figures['p99']:7.0f}{figures['rps']:7.2f}{figures['requests']:6d}{figures['errors']:5d}"
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (default 60)")
    parser.add_argument("--rate", type=float, default=30, help="requests per second (default 30)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--port", type=int, default=8077, help="gunicorn's port (default 8077)")
    parser.add_argument("--keep-data", action="store_true", help="reuse the database of an earlier run")
    parser.add_argument("--skip-documents", action="store_true", help="no reports, export and sweep")
    parser.add_argument("--sweep-only", action="store_true", help=argparse.SUPPRESS)  # internal
    args = parser.parse_args()

    _environment()
    if args.sweep_only:  # a child of the main run, on the database in DATABASE_URL
        import django

        django.setup()
        print(json.dumps(sweep()))
        return 0

    from ais.devstack import Stack

    out = Path(os.environ["AIS_DATA_DIR"])
    out.mkdir(parents=True, exist_ok=True)
    results: dict = {"uptime_start": _uptime(), "rate": args.rate, "duration": args.duration, "workers": args.workers}
    _say(f"Start: {results['uptime_start']}")
    with Stack():
        server_url = os.environ["DATABASE_URL"]
        url, created = _database(server_url, "ais_load", fresh=not args.keep_data)
        os.environ["DATABASE_URL"] = url
        if created:
            _say("Building the data (migrate, territories, generate_data --seed 1)…")
            results["generate_seconds"] = _build_data(url, scale=1.0)
        import django

        django.setup()
        people = _people()
        cookies = _session_cookies(people)
        pages = _pages(people)
        pairs = _admin_pairs(people)
        base = f"http://{HOST}:{args.port}"
        _say(f"Serving with gunicorn ({args.workers} workers) on {base}…")
        server = _gunicorn(args.port, args.workers, out / "static", out / "gunicorn.log")
        try:
            _say("Warm-up: each page alone…")
            alone = _alone(args.port, pages, cookies)
            _say(f"Load: {args.rate:g} requests/s for {args.duration} s (locust)…")
            stats = _locust(base, pages, cookies, rate=args.rate, duration=args.duration, out=out)
            results["uptime_after_load"] = _uptime()
            results["pages"] = _print_table(stats, alone, pages, args.duration)
            _say("\nList pages against the Django admin (one request at a time, median of 15):")
            results["admin"] = _admin_ratio(args.port, pairs, cookies)
            for row in results["admin"]:
                _say(
                    f"  {row['label']:<36} ours {row['ours_ms']:6.0f} ms   admin {row['admin_ms']:6.0f} ms"
                    f"   ratio {row['ratio']:.2f}"
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
        if not args.skip_documents:
            _say("\nDocuments and the reminder sweep:")
            results.update(_documents(people))
            results["sweep"] = {"1": sweep()}
            _say(f"  sweep (scale 1): {results['sweep']['1']}")
            results["sweep"]["0.1"] = _sweep_at_small_scale(server_url, 0.1)
            _say(f"  sweep (scale 0.1): {results['sweep']['0.1']}")
    results["uptime_end"] = _uptime()
    _say(f"End: {results['uptime_end']}")
    (out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    _say(f"Figures written to {out / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
