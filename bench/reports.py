"""Benchmark of the reports: the final report of an innovation with 50 adopting structures,
and the yearly programme report (PDF and XLSX) of a full year.

    .venv/bin/python bench/reports.py [--structures 50] [--innovations 8] [--repeat 3]

It starts its own PostgreSQL and Redis (in ``.data/bench``, other ports than the demo and
the tests) unless DATABASE_URL is set, builds the data in a fresh database ``ais_bench``
with the real territories referential, then times ``reporting.reports.generate`` — the
function the Celery worker runs — and prints one line per run and the median.

The data: ``--innovations`` innovations (the first one is the 50-structure innovation of
the final report), each with ``--structures`` structures spread over random communes of
France, all three questionnaires answered and validated (every question of the default
templates, values consistent with the consistency rules), two trainings per innovation
with ten trainees; the yearly report covers the year the structures started in.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
YEAR = 2025


def _environment() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ais.settings")
    os.environ.setdefault("AIS_DATA_DIR", str(BASE_DIR / ".data" / "bench"))
    os.environ.setdefault("AIS_PG_PORT", "54371")
    os.environ.setdefault("AIS_REDIS_PORT", "63841")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1")


def _fresh_database(url: str) -> str:
    """Drop and create the ``ais_bench`` database next to the one in ``url``."""
    import psycopg2

    base, _, _name = url.rpartition("/")
    connection = psycopg2.connect(f"{base}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS ais_bench WITH (FORCE)")
        cursor.execute("CREATE DATABASE ais_bench")
    connection.close()
    return f"{base}/ais_bench"


def _value(question, rng: random.Random, people: int):
    """A plausible answer to ``question`` for a structure that accompanied ``people``."""
    from evaluation.models import QuestionKind

    code, kind = question.code, question.kind
    if code == "people_accompanied":
        return people
    if kind == QuestionKind.INTEGER:
        high = question.max_value if question.max_value is not None else people
        low = question.min_value or 0
        # Figures bounded by the people accompanied stay below a quarter of them, so that
        # every "exits ≤ people" consistency rule holds.
        return rng.randint(low, max(low, min(high, people // 4)))
    if kind == QuestionKind.PERCENTAGE:
        return rng.randint(40, 95)
    if kind == QuestionKind.SCALE:
        return rng.randint(2, 5)
    if kind == QuestionKind.YES_NO:
        return rng.random() < 0.7
    if kind == QuestionKind.SINGLE_CHOICE:
        return rng.choice(question.choices)
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return rng.sample(question.choices, k=min(2, len(question.choices)))
    if kind == QuestionKind.DATE:
        return f"{YEAR}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
    sentences = [
        "Les salariés en insertion ont trouvé leur place dans l'équipe.",
        "Le soutien des élus locaux a été décisif pour démarrer.",
        "Nous avons adapté les ateliers au rythme des personnes accompagnées.",
        "Les entreprises du territoire se sont mobilisées au-delà de nos attentes.",
    ]
    return " ".join(rng.sample(sentences, k=2))


def build(structures_per_innovation: int, innovations: int, seed: int = 7) -> list[int]:
    """The data set; returns the innovations' ids (the first is the final report's)."""
    from django.core.management import call_command
    from django.utils import timezone

    from ais.accounts.models import Organisation, OrganisationType
    from ais.territories.models import Commune
    from essaimage.models import SpreadStructure, StructureStatus, Training, TrainingDay, TrainingParticipant
    from evaluation.models import Answer, Response, ResponseStatus
    from evaluation.schedule import schedule_for_structure
    from projects.models import Innovation, Stage

    rng = random.Random(seed)
    call_command("load_territories", verbosity=0)
    communes = list(Commune.objects.filter(population__gte=5000).values_list("pk", flat=True))
    submitted = timezone.make_aware(datetime.datetime(YEAR, 11, 15, 10))
    kinds = [OrganisationType.ASSOCIATION, OrganisationType.ACI, OrganisationType.EI, OrganisationType.REGIE]
    ids = []
    for number in range(innovations):
        carrier = Organisation.objects.create(
            name=f"Porteur n°{number + 1}", kind=OrganisationType.ASSOCIATION, commune_id=rng.choice(communes)
        )
        innovation = Innovation.objects.create(
            name=f"Innovation de mesure n°{number + 1}",
            slug=f"innovation-de-mesure-{number + 1}",
            summary="Un accompagnement vers l'emploi durable des chômeurs de longue durée.",
            carrier=carrier,
            origin_commune_id=rng.choice(communes),
            stage=Stage.EVALUATION,
            is_published=True,
        )
        ids.append(innovation.pk)
        structures = []
        for index in range(structures_per_innovation):
            organisation = Organisation.objects.create(
                name=f"Structure {number + 1}.{index + 1}",
                kind=rng.choice(kinds),
                commune_id=rng.choice(communes),
            )
            structures.append(
                SpreadStructure.objects.create(
                    innovation=innovation,
                    organisation=organisation,
                    status=StructureStatus.EVALUATED,
                    wave=1 + index % 3,
                    is_qpv=index % 4 == 0,
                    is_rural=index % 5 == 0,
                    start_date=datetime.date(YEAR, 1 + index % 6, 1),
                )
            )
        for structure in structures:
            responses = schedule_for_structure(structure.pk)
            people = rng.randint(8, 60)
            answers = []
            for response in responses:
                for question in response.version.questions.all():
                    answers.append(
                        Answer(response=response, question=question, value=_value(question, rng, people), revision=1)
                    )
            Answer.objects.bulk_create(answers)
            Response.objects.filter(pk__in=[r.pk for r in responses]).update(
                status=ResponseStatus.VALIDATED, submitted_at=submitted
            )
        for session in range(2):
            training = Training.objects.create(
                innovation=innovation,
                title=f"Formation-action {session + 1}",
                kind="formation_action",
                mode="on_site",
                trainers="Équipe du porteur et Ansa",
            )
            for month in (3, 6):
                TrainingDay.objects.create(training=training, date=datetime.date(YEAR, month + session, 10))
            TrainingParticipant.objects.bulk_create(
                TrainingParticipant(training=training, structure=structure, full_name=f"Stagiaire {i}")
                for i, structure in enumerate(structures[:10])
            )
    return ids


def _time(label: str, function, repeat: int) -> float:
    durations = []
    for run in range(repeat):
        started = time.perf_counter()
        detail = function()
        durations.append(time.perf_counter() - started)
        print(f"  {label} run {run + 1}: {durations[-1]:.2f} s {detail}")
    median = statistics.median(durations)
    print(f"{label}: median {median:.2f} s over {repeat} runs")
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--structures", type=int, default=50)
    parser.add_argument("--innovations", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    _environment()
    from ais.devstack import Stack

    with Stack():
        os.environ["DATABASE_URL"] = _fresh_database(os.environ["DATABASE_URL"])
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        settings.MEDIA_ROOT = str(Path(os.environ["AIS_DATA_DIR"]) / "media")
        call_command("migrate", verbosity=0)

        from ais.accounts.models import User
        from essaimage.models import SpreadStructure
        from evaluation.models import Answer
        from reporting import reports
        from reporting.models import Report, ReportKind

        started = time.perf_counter()
        ids = build(args.structures, args.innovations)
        print(
            f"Data: {len(ids)} innovations, {SpreadStructure.objects.count()} structures, "
            f"{Answer.objects.count()} answers, built in {time.perf_counter() - started:.1f} s"
        )
        manager = User.objects.create_user(email="bench@exemple.fr", password=None)
        reports._queue = lambda report: None  # the benchmark runs the task's function itself
        from projects.models import Innovation

        innovation = Innovation.objects.get(pk=ids[0])
        reports.save_narrative(
            innovation,
            ReportKind.FINAL,
            summary="Cinquante structures ont adopté l'innovation.",
            conclusions="Les structures se sont approprié le modèle.",
            recommendations="Poursuivre l'essaimage.",
            quotes=[],
            revision=reports.narrative_for(innovation, ReportKind.FINAL).revision,
            by=manager,
        )

        def final_report():
            report = reports.generate(reports.request_report(innovation, ReportKind.FINAL, by=manager).pk)
            return f"({report.pdf.size // 1024} kB PDF, {innovation.spread_structures.count()} structures)"

        def yearly_report():
            report = reports.generate(reports.request_yearly_report(YEAR, by=manager).pk)
            return f"({report.pdf.size // 1024} kB PDF, {report.xlsx.size // 1024} kB XLSX)"

        def since_start_report():
            report = reports.generate(reports.request_yearly_report(None, by=manager).pk)
            return f"({report.pdf.size // 1024} kB PDF, {report.xlsx.size // 1024} kB XLSX)"

        final = _time("Final report", final_report, args.repeat)
        yearly = _time(f"Yearly report {YEAR}", yearly_report, args.repeat)
        _time("Programme report since the start", since_start_report, args.repeat)
        print(f"\nSUMMARY final report ({args.structures} structures): {final:.2f} s (target ≤ 10 s)")
        print(f"SUMMARY yearly report ({SpreadStructure.objects.count()} structures): {yearly:.2f} s (target ≤ 30 s)")
        print(f"Reports generated: {Report.objects.count()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
