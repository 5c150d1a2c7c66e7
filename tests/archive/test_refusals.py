"""Wrong and hostile workbooks: each is refused with a message naming its sheet, row and
column (or the file) and what was expected, and nothing is written (every table the
import touches keeps its row count)."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from archive import services
from archive.workbook import WorkbookRefused, check_file, describe
from tests.archive.helpers import ACI_SIRET, counts, d, headers, history, make_workbook

pytestmark = pytest.mark.usefixtures("communes")


def refusal(data: bytes, name: str = "historique.xlsx") -> list[str]:
    """The messages refusing ``data``: from the file's check, else from the import."""
    try:
        check_file(SimpleUploadedFile(name, data))
    except WorkbookRefused as refused:
        return [str(issue) for issue in refused.issues]
    outcome = services.run(data, write=True, name=name)
    assert not outcome.ok and not outcome.written
    return [describe(issue) for issue in outcome.issues]


def assert_refused(data, expected: str, name: str = "historique.xlsx"):
    before = counts()
    messages = refusal(data, name)
    assert counts() == before
    assert any(expected in message for message in messages), "\n".join(messages)
    return messages


def _zip(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _members(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


# The file itself --------------------------------------------------------------------------


def test_not_a_workbook_is_refused(db):
    assert_refused(b"nom;code commune\nRegie;44109\n", "n'est pas un document accepté. Formats acceptés : Excel (XLSX)")


def test_pdf_named_xlsx_is_refused(db):
    assert_refused(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "« historique.xlsx » n'est pas un document accepté")


def test_zip_bomb_is_refused_before_openpyxl_opens_it(db):
    members = _members(make_workbook())
    members["xl/worksheets/sheet1.xml"] = b" " * (30 * 1024 * 1024)  # 30 MB of blanks, 30 kB compressed

    assert_refused(_zip(members), "taille anormale")


def test_workbook_with_macros_is_refused(db):
    members = _members(make_workbook())
    members["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 macro"

    assert_refused(_zip(members), "macros", name="historique.xlsm")


def test_macro_free_workbook_renamed_xlsm_is_refused(db):
    assert_refused(make_workbook(), "extension", name="historique.xlsm")


def test_workbook_declaring_xml_entities_is_refused(db):
    members = _members(make_workbook())
    content = members["xl/workbook.xml"]
    if content.startswith(b"<?xml"):
        content = content.split(b"?>", 1)[1]
    members["xl/workbook.xml"] = b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol">]>' + content

    assert_refused(_zip(members), "entités XML")


def test_sheet_of_100000_rows_is_refused(db):
    workbook = Workbook(write_only=True)
    for title in ("Innovations", "Structures", "Questionnaires", "Formations"):
        sheet = workbook.create_sheet(title)
        sheet.append(headers(title, []))
        if title == "Structures":
            for number in range(100_000):
                sheet.append(["atelier-emploi", "", f"Structure n°{number}", f"{44000 + number % 999:05d}"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    messages = assert_refused(buffer.getvalue(), "lignes : découpez l'historique en plusieurs fichiers.")
    assert messages[0].startswith("Feuille « Structures » : plus de 20")


def test_formula_is_refused_with_its_cell(db):
    data = history()
    data["Questionnaires"][1]["people_accompanied"] = "=SUM(20,10)"

    assert_refused(
        make_workbook(data),
        "Feuille « Questionnaires », ligne 3, colonne « people_accompanied » : une formule (=SUM(20,10)) "
        "n'est pas acceptée",
    )


def test_wrong_sheet_name_is_refused(db):
    messages = assert_refused(
        make_workbook(rename={"Structures": "Structure"}),
        "Feuille « Structure » : cette feuille ne fait pas partie du format",
    )
    assert any("Feuille « Structures » : la feuille manque" in message for message in messages)


def test_missing_required_column_is_refused(db):
    data = history()
    names = [name for name in headers("Structures", data["Structures"]) if name != "date de sélection"]

    assert_refused(
        make_workbook(data, sheet_headers={"Structures": names}),
        "Feuille « Structures », colonne « date de sélection » : cette colonne manque.",
    )


def test_unknown_column_is_refused(db):
    data = history()
    data["Questionnaires"][0]["people_helped"] = 12

    assert_refused(make_workbook(data), "Feuille « Questionnaires », colonne « people_helped » : colonne inconnue")


# The rows ------------------------------------------------------------------------------


def test_unknown_municipality_code_is_refused(db):
    data = history()
    data["Structures"][2]["code commune"] = "59999"

    assert_refused(
        make_workbook(data),
        "Feuille « Structures », ligne 4, colonne « code commune » : 59999 n'est pas un code commune INSEE",
    )


def test_malformed_municipality_code_is_refused(db):
    data = history()
    data["Structures"][0]["code commune"] = "4410"

    assert_refused(
        make_workbook(data),
        "Feuille « Structures », ligne 2, colonne « code commune » : un code commune INSEE de 5 caractères est "
        "attendu, par exemple 75056 ou 2A004 ; trouvé « 4410 »",
    )


def test_unknown_innovation_is_refused(db):
    data = history()
    data["Structures"][1]["innovation"] = "atelier-emplois"

    assert_refused(
        make_workbook(data),
        "Feuille « Structures », ligne 3, colonne « innovation » : innovation inconnue « atelier-emplois »",
    )


def test_date_in_the_future_is_refused(db):
    data = history()
    data["Structures"][2]["date de démarrage"] = d("01/02/2099")

    assert_refused(
        make_workbook(data),
        "Feuille « Structures », ligne 4, colonne « date de démarrage » : la date 01/02/2099 est dans le futur",
    )


def test_exits_greater_than_people_accompanied_are_refused(db):
    data = history()
    data["Questionnaires"][2]["exits_durable_employment"] = 25  # 18 people accompanied

    assert_refused(
        make_workbook(data),
        "Feuille « Questionnaires », ligne 4, colonne « exits_durable_employment » : « Sorties vers l'emploi "
        "durable » ne peut pas dépasser le nombre de personnes accompagnées (exits_durable_employment = 25, "
        "people_accompanied = 18)",
    )


def test_duplicate_structure_is_refused(db):
    data = history()
    twin = dict(data["Structures"][1], structure="ACI Les Jardins du Rhône", SIRET=ACI_SIRET)
    data["Structures"].append(twin)

    assert_refused(
        make_workbook(data),
        "Feuille « Structures », ligne 5, colonne « structure » : cette structure figure déjà ligne 3 pour "
        "l'innovation « atelier-emploi »",
    )


def test_withdrawal_without_reason_is_refused(db):
    data = history()
    data["Structures"][1]["motif de retrait"] = None

    assert_refused(
        make_workbook(data),
        "Feuille « Structures », ligne 3, colonne « motif de retrait » : un retrait a besoin de son motif.",
    )


def test_questionnaire_before_the_start_is_refused(db):
    data = history()
    data["Questionnaires"][0]["date de soumission"] = d("15/05/2017")

    assert_refused(
        make_workbook(data),
        "Feuille « Questionnaires », ligne 2, colonne « date de soumission » : soumis le 15/05/2017, avant le "
        "démarrage de l'essaimage (01/06/2017)",
    )


def test_text_in_a_number_question_is_refused(db):
    data = history()
    data["Questionnaires"][1]["people_deld"] = "vingt"

    assert_refused(
        make_workbook(data),
        "Feuille « Questionnaires », ligne 3, colonne « people_deld » : saisissez un nombre ; trouvé « vingt »",
    )


def test_question_of_another_phase_is_refused(db):
    data = history()
    data["Questionnaires"][0]["retention_6_months"] = 80  # an impact question on the 3-month row

    assert_refused(
        make_workbook(data),
        "Feuille « Questionnaires », ligne 2, colonne « retention_6_months » : cette question ne fait pas partie "
        "du questionnaire « appropriation »",
    )


def test_stage_dates_out_of_order_are_refused(db):
    data = history()
    data["Innovations"][0]["début étape III"] = d("01/01/2017")

    assert_refused(
        make_workbook(data),
        "Feuille « Innovations », ligne 2, colonne « début étape III » : Étape III – Essaimage commence le "
        "01/01/2017, avant Étape II",
    )


def test_training_with_a_structure_of_another_innovation_is_refused(db):
    data = history()
    data["Formations"][0]["structures présentes"] = "Régie de quartier Nord (44109); Inconnue (38185)"

    assert_refused(
        make_workbook(data),
        "Feuille « Formations », ligne 2, colonne « structures présentes » : « Inconnue (38185) » n'est pas une "
        "structure de l'innovation « atelier-emploi »",
    )


def test_organisation_described_differently_is_refused(db):
    data = history()
    data["Structures"].append(
        dict(
            data["Structures"][2],
            innovation="cap-metiers",
            **{"code commune": "38185", "date de sélection": d("01/03/2018")},
        )
    )
    data["Structures"][3]["SIRET"] = ACI_SIRET

    assert_refused(
        make_workbook(data),
        "Feuille « Structures », ligne 5, colonne « structure » : cette organisation s'appelle « ACI Les Jardins du "
        "Rhône » dans la feuille « Structures », ligne 3",
    )


def test_many_errors_are_all_counted_and_nothing_is_written(db):
    data = history()
    for row in data["Structures"]:
        row["code commune"] = "00000"

    before = counts()
    outcome = services.run(make_workbook(data), write=True)

    assert outcome.issue_count >= 3
    assert counts() == before


def test_closure_without_its_reason_is_refused(db):
    data = history()
    data["Innovations"][1]["motif de clôture"] = None

    assert_refused(
        make_workbook(data),
        "Feuille « Innovations », ligne 3, colonne « motif de clôture » : une clôture a besoin de sa date, de son "
        "type et de son motif.",
    )


def test_stopped_after_feasibility_at_stage_three_is_refused(db):
    data = history()
    data["Innovations"][0].update(
        {"date de clôture": d("01/09/2018"), "type de clôture": "arrêtée", "motif de clôture": "Fin du projet."}
    )

    assert_refused(
        make_workbook(data),
        "Feuille « Innovations », ligne 2, colonne « type de clôture » : « Arrêtée après l'étude de faisabilité » "
        "n'est possible qu'à partir de « Étape I – Étude de faisabilité »",
    )


def test_selection_year_and_date_that_disagree_are_refused(db):
    data = history()
    data["Innovations"][0]["année de sélection"] = 2015

    assert_refused(
        make_workbook(data),
        "Feuille « Innovations », ligne 2, colonne « année de sélection » : la date de sélection est en 2016 et "
        "l'année de sélection est 2015",
    )


def test_move_to_an_unknown_municipality_is_refused(db):
    data = history()
    data["Structures"][0]["déménagements"] = "42999 le 01/09/2019"

    assert_refused(
        make_workbook(data),
        "Feuille « Structures », ligne 2, colonne « déménagements » : 42999 n'est pas un code commune INSEE",
    )


def test_figures_dated_after_their_sending_are_refused(db):
    data = history()
    data["Questionnaires"][0]["date des chiffres"] = d("20/09/2017")

    assert_refused(
        make_workbook(data),
        "Feuille « Questionnaires », ligne 2, colonne « date des chiffres » : les chiffres sont datés du 20/09/2017",
    )
