"""Benchmark of the import of the history (not a test): a ten-year programme written as the
template's workbook — 40 innovations, 2,000 structures each with its own organisation,
6,000 questionnaires answering every question of the default templates, about 300
trainings — then imported into an empty database, as ``manage.py import_history`` does.

    .venv/bin/python bench/import_history.py [--structures 2000] [--keep-file PATH] [--no-report]

It starts its own PostgreSQL and Redis (``ais.devstack.Stack``; ``AIS_DATA_DIR``,
``AIS_PG_PORT`` and ``AIS_REDIS_PORT`` as for the tests, defaults ``.data/bench-import``,
54378 and 63848) unless ``DATABASE_URL`` is set, builds a fresh database ``ais_bench_import``
with the real territories referential, and prints:

- the workbook's size and rows, and the time to generate it (not part of the figure);
- the check alone (``services.run(write=False)``: read, check every row, compare with the
  database — what the preview costs);
- **the import** (``services.run(write=True)``: the same, then every row written in one
  transaction with its history records) — the target is 60 s;
- the same file imported a second time (nothing created, nothing updated);
- the yearly programme report of a past year on the imported data (``reporting.reports.generate``)
  and the since-the-start report, unless ``--no-report``.

The data are drawn from ``random.Random(seed)``: the same for a given seed and size. Every
date is in the past (the programme runs from 2015 to the end of last year), so nothing is
scheduled; the figures respect the templates' consistency rules.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
FIRST_YEAR = 2015
PHASES = ("appropriation", "mise_en_oeuvre", "impact")


def _environment() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ais.settings")
    os.environ.setdefault("AIS_DATA_DIR", str(BASE_DIR / ".data" / "bench-import"))
    os.environ.setdefault("AIS_PG_PORT", "54378")
    os.environ.setdefault("AIS_REDIS_PORT", "63848")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1")


def _fresh_database(url: str) -> str:
    import psycopg2

    base, _, _name = url.rpartition("/")
    connection = psycopg2.connect(f"{base}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS ais_bench_import WITH (FORCE)")
        cursor.execute("CREATE DATABASE ais_bench_import")
    connection.close()
    return f"{base}/ais_bench_import"


def _siret(rng: random.Random) -> str:
    first = "".join(str(rng.randint(0, 9)) for _ in range(13))
    for last in "0123456789":
        digits = first + last
        total = 0
        for index, char in enumerate(reversed(digits)):
            value = int(char) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return digits
    raise AssertionError


def _months(day: datetime.date, months: int) -> datetime.date:
    from dateutil.relativedelta import relativedelta

    return day + relativedelta(months=months)


def _answer(question, people: int, rng: random.Random, day: datetime.date):
    """A cell for ``question`` as an administrator would type it."""
    from evaluation.models import QuestionKind

    code, kind = question.code, question.kind
    if code == "people_accompanied":
        return people
    if code == "people_deld":
        return rng.randint(people // 3, people)
    if code.startswith("exits_"):
        return rng.randint(0, people // 4)
    if kind == QuestionKind.INTEGER:
        low = question.min_value or 0
        high = min(question.max_value if question.max_value is not None else 200, 200)
        return rng.randint(low, max(low, min(high, 5 + people // 2)))
    if kind == QuestionKind.PERCENTAGE:
        return rng.randint(40, 95)
    if kind == QuestionKind.SCALE:
        return rng.randint(2, 5)
    if kind == QuestionKind.YES_NO:
        return "oui" if rng.random() < 0.75 else "non"
    if kind == QuestionKind.SINGLE_CHOICE:
        return rng.choice(question.choices)
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return "; ".join(rng.sample(question.choices, k=min(rng.randint(1, 3), len(question.choices))))
    if kind == QuestionKind.DATE:
        return day
    sentences = [
        "Les salariés en insertion ont trouvé leur place dans l'équipe.",
        "Le soutien des élus locaux a été décisif pour démarrer.",
        "Nous avons adapté les ateliers au rythme des personnes accompagnées.",
        "Les entreprises du territoire se sont mobilisées au-delà de nos attentes.",
    ]
    return " ".join(rng.sample(sentences, k=2))


def build_workbook(structure_count: int, seed: int = 1) -> tuple[bytes, dict]:
    """The workbook of a ten-year programme and its row counts."""
    from openpyxl import Workbook

    from ais.territories.models import Commune
    from archive.plan import question_codes
    from archive.sheets import INNOVATIONS, QUESTIONNAIRES, SHEETS, STRUCTURES, TRAININGS
    from evaluation.models import PHASE_ORDER
    from evaluation.schedule import current_version

    rng = random.Random(seed)
    last_year = datetime.date.today().year - 1
    communes = list(Commune.objects.filter(population__gte=2000).values_list("code", flat=True).order_by("code"))
    codes = question_codes()
    questions = {phase: list(current_version(phase).questions.all()) for phase in PHASE_ORDER}
    kinds = ["aci", "ei", "ai", "etti", "regie", "association", "maison_emploi", "mission_locale"]
    models = ["formation_action", "intensive", "pilot_tooling"]

    innovations, structures, responses, trainings = [], [], [], []
    # 40 innovations, four a year from 2015; the older, the further their stages went.
    for number in range(40):
        year = FIRST_YEAR + number // 4
        stage_1 = datetime.date(year, rng.randint(9, 11), rng.randint(1, 28))
        stages = [stage_1]
        for _stage in range(3):
            following = _months(stages[-1], rng.randint(5, 9))
            if following.year > last_year or rng.random() < 0.05:
                break
            stages.append(following)
        commune = rng.choice(communes)
        innovations.append(
            {
                "identifiant": f"innovation-{number + 1:02d}",
                "nom": f"Innovation n°{number + 1:02d}",
                "résumé": "Un accompagnement vers l'emploi durable des chômeurs de longue durée.",
                "SIRET du porteur": _siret(rng),
                "porteur": f"Porteur de l'innovation n°{number + 1:02d}",
                "code commune du porteur": commune,
                "code commune d'origine": commune,
                "année de sélection": year,
                "modèle d'essaimage": rng.choice(models),
                **{f"début étape {roman}": day for roman, day in zip(("I", "II", "III", "IV"), stages, strict=False)},
            }
        )
    # Structures start early enough for their 18-month questionnaire to be in the past.
    latest = datetime.date(last_year, 12, 31) - datetime.timedelta(days=18 * 31 + 60)
    spreading = [
        i
        for i in innovations
        if i.get("début étape III") and i["début étape III"] <= latest - datetime.timedelta(days=120)
    ]
    weights = [1 + (last_year - i["année de sélection"]) for i in spreading]
    per_innovation = {i["identifiant"]: 0 for i in spreading}
    for _index in range(structure_count):
        innovation = rng.choices(spreading, weights=weights)[0]
        per_innovation[innovation["identifiant"]] += 1
    for innovation in spreading:
        slug = innovation["identifiant"]
        stage_3 = innovation["début étape III"]
        waves: dict[int, list] = {}
        for index in range(per_innovation[slug]):
            wave = 1 + index // 12
            selected = _months(stage_3, 2 * (wave - 1)) + datetime.timedelta(days=rng.randint(0, 40))
            selected = min(selected, latest - datetime.timedelta(days=60))
            start = selected + datetime.timedelta(days=rng.randint(20, 60))
            name = f"Structure {slug[-2:]}.{index + 1:03d}"
            commune = rng.choice(communes)
            with_siret = rng.random() < 0.5
            row = {
                "innovation": slug,
                "SIRET": _siret(rng) if with_siret else None,
                "structure": name,
                "code commune": commune,
                "type": rng.choice(kinds),
                "vague": wave,
                "date de sélection": selected,
                "date de signature de la convention": selected + datetime.timedelta(days=rng.randint(5, 20)),
                "date de démarrage": start,
            }
            if rng.random() < 0.06:
                row["date de retrait"] = _months(start, 20)
                row["motif de retrait"] = "Fin du financement du poste d'accompagnateur."
            structures.append(row)
            waves.setdefault(wave, []).append(row)
            people = rng.randint(3, 25)
            for phase, name_of_phase in zip(PHASE_ORDER, PHASES, strict=True):
                people += rng.randint(0, 40)
                opens = _months(start, {"appropriation": 3, "implementation": 9, "impact": 18}[phase])
                submitted = opens + datetime.timedelta(days=rng.randint(0, 25))
                response = {
                    "innovation": slug,
                    "SIRET": row["SIRET"],
                    "structure": name,
                    "code commune": commune,
                    "phase": name_of_phase,
                    "date de soumission": submitted,
                    "date de validation": submitted + datetime.timedelta(days=rng.randint(1, 15)),
                }
                for question in questions[phase]:
                    response[question.code] = _answer(question, people, rng, submitted)
                responses.append(response)
        for wave, members in waves.items():
            first_day = min(r["date de démarrage"] for r in members) - datetime.timedelta(days=30)
            days = [first_day + datetime.timedelta(days=28 * n) for n in range(4)]
            present = [r["SIRET"] or f"{r['structure']} ({r['code commune']})" for r in members]
            trainings.append(
                {
                    "innovation": slug,
                    "intitulé": f"Formation-action vague {wave}",
                    "formateurs": "Équipe du porteur et Ansa",
                    "vague": wave,
                    "jours": "; ".join(day.strftime("%d/%m/%Y") for day in days),
                    "structures présentes": "; ".join(present),
                    "nombre de stagiaires": 2 * len(members),
                }
            )
    workbook = Workbook(write_only=True)
    data = {INNOVATIONS: innovations, STRUCTURES: structures, QUESTIONNAIRES: responses, TRAININGS: trainings}
    for sheet_name, rows in data.items():
        headers = [column.header for column in SHEETS[sheet_name].columns]
        if sheet_name == QUESTIONNAIRES:
            headers += codes
        sheet = workbook.create_sheet(sheet_name)
        sheet.append(headers)
        for row in rows:
            sheet.append([row.get(header) for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), {name: len(rows) for name, rows in data.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--structures", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep-file", default="", help="also write the generated workbook there")
    parser.add_argument("--no-report", action="store_true", help="skip the yearly reports")
    parser.add_argument(
        "--reports-only",
        action="store_true",
        help="reuse the database of an earlier run (no import): time the reports only",
    )
    parser.add_argument("--profile", default="", help="write a cProfile of the past-year report there (.prof)")
    args = parser.parse_args()

    _environment()
    from ais.devstack import Stack

    with Stack():
        if args.reports_only:
            base = os.environ["DATABASE_URL"].rpartition("/")[0]
            os.environ["DATABASE_URL"] = f"{base}/ais_bench_import"
        else:
            os.environ["DATABASE_URL"] = _fresh_database(os.environ["DATABASE_URL"])
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        settings.MEDIA_ROOT = str(Path(os.environ["AIS_DATA_DIR"]) / "media")
        if args.reports_only:
            from ais.accounts.models import User

            _time_reports(User.objects.get(email="bench-admin@exemple.fr"), args.profile)
            return 0
        call_command("migrate", verbosity=0)
        call_command("load_territories", verbosity=0)

        from django.core.files.uploadedfile import SimpleUploadedFile

        from ais.accounts.models import Membership, Role, User
        from archive import services
        from archive.workbook import check_file
        from essaimage.models import SpreadStructure, TrainingParticipant
        from evaluation.models import Answer, Reminder, Response

        started = time.perf_counter()
        data, rows = build_workbook(args.structures, args.seed)
        size = len(data) / 1024 / 1024
        print(f"Workbook: {size:.1f} MB, rows {rows}, generated in {time.perf_counter() - started:.1f} s")
        if args.keep_file:
            Path(args.keep_file).write_bytes(data)
        admin = User.objects.create_user(email="bench-admin@exemple.fr", password=None)
        Membership.objects.create(user=admin, role=Role.ADMIN)

        started = time.perf_counter()
        check_file(SimpleUploadedFile("historique.xlsx", data))
        print(f"File checks (type, zip, macros): {time.perf_counter() - started:.2f} s")

        check = services.run(data, write=False, by=admin, name="historique.xlsx")
        assert check.ok, check.issues[:5]
        print(f"Check only (the preview): {check.seconds:.1f} s — {check.counts}")

        outcome = services.run(data, write=True, by=admin, name="historique.xlsx")
        assert outcome.ok and outcome.written, outcome.issues[:5]
        print(
            f"IMPORT: {outcome.seconds:.1f} s (target ≤ 60 s) — {SpreadStructure.objects.count()} structures, "
            f"{Response.objects.count()} questionnaires, {Answer.objects.count()} answers, "
            f"{TrainingParticipant.objects.count()} trainees; notes {outcome.notes}; "
            f"reminders {Reminder.objects.count()}"
        )

        again = services.run(data, write=True, by=admin, name="historique.xlsx")
        created = sum(counts["create"] + counts["update"] for counts in again.counts.values())
        print(f"Same file again: {again.seconds:.1f} s, {created} rows created or updated")

        if not args.no_report:
            _time_reports(admin, args.profile)
    return 0


def _time_reports(admin, profile: str = "") -> None:
    """Time the yearly report of a past year and the since-the-start report (each as the
    Celery task does it: ``reports.generate``); with ``profile``, the first under cProfile."""
    from reporting import reports

    reports._queue = lambda report: None  # the benchmark runs the task's function itself
    year = datetime.date.today().year - 4
    for label, period in ((f"Yearly report {year}", year), ("Since-the-start report", None)):
        report_id = reports.request_yearly_report(period, by=admin).pk
        started = time.perf_counter()
        if profile and period is not None:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            report = profiler.runcall(reports.generate, report_id)
            seconds = time.perf_counter() - started
            profiler.dump_stats(profile)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        else:
            report = reports.generate(report_id)
            seconds = time.perf_counter() - started
        print(f"{label}: {seconds:.2f} s ({report.status})", flush=True)


if __name__ == "__main__":
    sys.exit(main())
