"""Workbooks for the import's tests: a small programme history (two innovations, three
structures in three departments, their questionnaires and a training), written with
openpyxl in the template's format, and helpers to break it one cell at a time."""

import copy
import datetime
import io

from openpyxl import Workbook

from archive.sheets import INNOVATIONS, QUESTIONNAIRES, SHEETS, STRUCTURES, TRAININGS
from tests.ais.factories import CommuneFactory, DepartmentFactory, RegionFactory


def siret(first13: str) -> str:
    """A SIRET passing the Luhn check, from its first 13 digits."""
    for last in "0123456789":
        digits = first13 + last
        total = 0
        for index, char in enumerate(reversed(digits)):
            value = int(char) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return digits
    raise AssertionError("unreachable")


ACI_SIRET = siret("4433221100003")

# (region, department, commune code, commune name)
PLACES = [
    (("53", "Bretagne"), ("35", "Ille-et-Vilaine"), "35238", "Rennes"),
    (("52", "Pays de la Loire"), ("44", "Loire-Atlantique"), "44109", "Nantes"),
    (("84", "Auvergne-Rhône-Alpes"), ("69", "Rhône"), "69123", "Lyon"),
    (("32", "Hauts-de-France"), ("59", "Nord"), "59350", "Lille"),
    (("84", "Auvergne-Rhône-Alpes"), ("38", "Isère"), "38185", "Grenoble"),
    (("28", "Normandie"), ("76", "Seine-Maritime"), "76540", "Rouen"),
    (("84", "Auvergne-Rhône-Alpes"), ("42", "Loire"), "42218", "Saint-Étienne"),
]


def make_communes() -> None:
    for (region_code, region_name), (department_code, department_name), code, name in PLACES:
        region = RegionFactory(code=region_code, name=region_name)
        department = DepartmentFactory(code=department_code, name=department_name, region=region)
        CommuneFactory(code=code, name=name, department=department, postal_codes="")


def d(day: str) -> datetime.date:
    return datetime.datetime.strptime(day, "%d/%m/%Y").date()


HISTORY = {
    INNOVATIONS: [
        {
            "identifiant": "atelier-emploi",
            "nom": "Atelier Emploi",
            "résumé": "Des ateliers collectifs qui mènent à l'emploi.",
            "porteur": "Association Atelier Emploi",
            "code commune du porteur": "35238",
            "code commune d'origine": "35238",
            "année de sélection": 2016,
            "date de sélection": d("24/06/2016"),
            "modèle d'essaimage": "formation_action",
            "début étape I": d("01/09/2016"),
            "début étape II": d("16/01/2017"),
            "début étape III": d("01/06/2017"),
        },
        {
            "identifiant": "cap-metiers",
            "nom": "Cap Métiers",
            "porteur": "Cap Métiers Rouen",
            "code commune du porteur": "76540",
            "année de sélection": 2017,
            "début étape I": d("01/03/2017"),
            "date de clôture": d("15/09/2017"),
            "type de clôture": "arrêtée",
            "motif de clôture": "L'étude de faisabilité conclut à ne pas essaimer.",
        },
    ],
    STRUCTURES: [
        {
            "innovation": "atelier-emploi",
            "structure": "Régie de quartier Nord",
            "code commune": "44109",
            "type": "Régie de quartier",
            "vague": 1,
            "date de sélection": d("10/03/2017"),
            "date de signature de la convention": d("03/04/2017"),
            "date de démarrage": d("01/06/2017"),
            "déménagements": "42218 le 01/09/2019",
        },
        {
            "innovation": "atelier-emploi",
            "SIRET": ACI_SIRET,
            "structure": "ACI Les Jardins du Rhône",
            "code commune": "69123",
            "type": "aci",
            "vague": 1,
            "date de sélection": d("15/09/2017"),
            "date de démarrage": d("01/10/2017"),
            "date de retrait": d("30/09/2018"),
            "motif de retrait": "Fin du financement du poste d'accompagnateur.",
        },
        {
            "innovation": "atelier-emploi",
            "structure": "Association Lille Emploi",
            "code commune": "59350",
            "vague": 2,
            "date de sélection": d("05/01/2018"),
            "date de démarrage": d("01/02/2018"),
        },
    ],
    QUESTIONNAIRES: [
        {
            "innovation": "atelier-emploi",
            "structure": "Régie de quartier Nord",
            "code commune": "44109",
            "phase": "appropriation",
            "date de soumission": d("15/09/2017"),
            "date de validation": d("20/09/2017"),
            "people_accompanied": 12,
            "professionals_trained": 3,
            "fidelity": "Conforme au modèle",
            "local_authorities_informed": "oui",
        },
        {
            "innovation": "atelier-emploi",
            "structure": "Régie de quartier Nord",
            "code commune": "44109",
            "phase": "mise_en_oeuvre",
            "date de soumission": d("10/03/2018"),
            "date de validation": d("15/03/2018"),
            "people_accompanied": 30,
            "people_deld": 20,
            "exits_durable_employment": 8,
            "obstacles": "Financement; Mobilité des personnes",
        },
        {
            "innovation": "atelier-emploi",
            "SIRET": ACI_SIRET,
            "structure": "ACI Les Jardins du Rhône",
            "phase": "mise_en_oeuvre",
            "date de soumission": d("02/07/2018"),
            "date de validation": d("10/07/2018"),
            "people_accompanied": 18,
            "people_deld": 11,
            "exits_durable_employment": 4,
        },
    ],
    TRAININGS: [
        {
            "innovation": "atelier-emploi",
            "intitulé": "Formation-action vague 1",
            "formateurs": "Association Atelier Emploi et Ansa",
            "vague": 1,
            "jours": "15/05/2017; 12/06/2017",
            "structures présentes": f"Régie de quartier Nord (44109); {ACI_SIRET}",
            "nombre de stagiaires": 3,
        }
    ],
}


def history() -> dict:
    return copy.deepcopy(HISTORY)


def headers(sheet: str, rows: list[dict]) -> list[str]:
    names = [column.header for column in SHEETS[sheet].columns]
    for row in rows:
        names += [key for key in row if key not in names]
    return names


def make_workbook(
    data: dict | None = None, *, sheet_headers: dict | None = None, extra_sheets=(), rename=None
) -> bytes:
    """An XLSX of ``data`` ({sheet: [{header: value}]}); ``sheet_headers`` replaces a
    sheet's header row; ``rename`` ({sheet: new title}) misnames a sheet."""
    data = history() if data is None else data
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in (INNOVATIONS, STRUCTURES, QUESTIONNAIRES, TRAININGS):
        rows = data.get(sheet, [])
        names = (sheet_headers or {}).get(sheet) or headers(sheet, rows)
        worksheet = workbook.create_sheet((rename or {}).get(sheet, sheet))
        worksheet.append(names)
        for row in rows:
            worksheet.append([row.get(name) for name in names])
    for title in extra_sheets:
        workbook.create_sheet(title)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def counts() -> dict:
    """Rows of every table the import writes."""
    from ais.accounts.models import Organisation
    from essaimage.models import (
        Attendance,
        SpreadStructure,
        StructureLocation,
        Training,
        TrainingDay,
        TrainingParticipant,
    )
    from evaluation.models import Answer, Reminder, Response
    from projects.models import Innovation, StagePlan, StageTransition

    models = [
        StructureLocation,
        Organisation,
        Innovation,
        StagePlan,
        StageTransition,
        SpreadStructure,
        Response,
        Answer,
        Reminder,
        Training,
        TrainingDay,
        TrainingParticipant,
        Attendance,
    ]
    return {model.__name__: model.objects.count() for model in models}
