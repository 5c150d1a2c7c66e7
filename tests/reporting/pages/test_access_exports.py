"""Who may open the dashboards and reports, and the list exports: each list × role
returns only the rows that user may see, in CSV and XLSX, with no formula."""

import copy
import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ais.accounts.models import Role
from evaluation.models import Phase
from evaluation.schedule import current_version
from reporting.models import Report, ReportKind, ReportStatus
from tests.ais.factories import UserFactory
from tests.conftest import make_user, rows_for_the_module
from tests.essaimage.factories import SupportRequestFactory, TrainingFactory
from tests.projects.factories import InnovationFactory
from tests.reporting.pages.conftest import nimes, parcours_gardien, structure

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://exemple.test/?x="&A1;"cliquer")'


# Dashboards and reports ------------------------------------------------------------------


def _make_rows():
    """Parcours Gardien (the ``innovation`` fixture of conftest.py), VITA-Air, and the lists'
    rows: made once for the module rather than for each of its tests."""
    for phase in Phase.values:  # as _default_templates does for each test
        current_version(phase)
    innovation = parcours_gardien(nimes())
    other_innovation = InnovationFactory(name="VITA-Air")
    return {
        "innovation": innovation,
        "other_innovation": other_innovation,
        "lists": _lists(innovation, other_innovation),
    }


@pytest.fixture(scope="module")
def _export_rows(django_db_setup, django_db_blocker, tmp_path_factory):
    """The module's rows (tests/conftest.py: rows_for_the_module); each test sees them in a
    savepoint of its own."""
    with rows_for_the_module(django_db_blocker, tmp_path_factory, _make_rows) as (made, _media_root):
        yield made


@pytest.fixture
def _rows(db, _export_rows):
    """The module's rows, as model instances of the test's own (copies)."""
    return copy.deepcopy(_export_rows)


@pytest.fixture
def innovation(_rows):
    return _rows["innovation"]


@pytest.fixture
def other_innovation(_rows):
    return _rows["other_innovation"]


@pytest.mark.parametrize("name", ["reporting:innovation_dashboard", "reporting:report_list"])
def test_carrier_of_another_innovation_is_not_found(client, name, innovation, other_innovation, carrier_of):
    client.force_login(carrier_of(other_innovation))

    assert client.get(reverse(name, kwargs={"pk": innovation.pk})).status_code == 404
    assert client.get(reverse(name, kwargs={"pk": other_innovation.pk})).status_code == 200


def test_carrier_of_another_innovation_finds_none_of_its_reports(client, innovation, other_innovation, carrier_of):
    report = Report.objects.create(innovation=innovation, kind="final", status=ReportStatus.DONE)
    client.force_login(carrier_of(other_innovation))

    assert client.get(reverse("reporting:report_status", kwargs={"pk": report.pk})).status_code == 404
    download = reverse("reporting:report_download", kwargs={"pk": report.pk, "fmt": "pdf"})
    assert client.get(download).status_code == 404


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.STRUCTURE])
def test_committee_and_structures_may_not_open_dashboards(client, role, innovation):
    client.force_login(make_user(role))

    assert client.get(reverse("reporting:innovation_dashboard", kwargs={"pk": innovation.pk})).status_code == 403
    assert client.get(reverse("reporting:programme_dashboard")).status_code == 403


def test_yearly_report_is_for_administrators_only(client, manager, admin_user):
    yearly = Report.objects.create(kind=ReportKind.YEARLY, year=2025)
    client.force_login(manager)

    assert client.get(reverse("reporting:yearly_report")).status_code == 403
    assert client.post(reverse("reporting:yearly_report"), {"year": "2025"}).status_code == 403
    assert client.get(reverse("reporting:report_status", kwargs={"pk": yearly.pk})).status_code == 404
    assert Report.objects.count() == 1

    client.force_login(admin_user)
    assert client.get(reverse("reporting:yearly_report")).status_code == 200
    assert client.get(reverse("reporting:report_status", kwargs={"pk": yearly.pk})).status_code == 200


# Exports ----------------------------------------------------------------------------------


def _lists(innovation, other_innovation):
    """Parcours Gardien (2 answered structures from the ``innovation`` fixture, plus one
    whose name is a formula, with a contact), VITA-Air (one structure); a training and
    a hotline entry on each."""
    own = structure(innovation, name=FORMULA)
    contact = UserFactory(roles=[(Role.STRUCTURE, own.organisation)])
    vita = structure(other_innovation, name="Association VITA Lyon")
    TrainingFactory(innovation=innovation, title="Formation gardiens").structures.set([own])
    TrainingFactory(innovation=other_innovation, title="Formation VITA")
    SupportRequestFactory(structure=own, question="=1+1 comment remplir le questionnaire ?")
    SupportRequestFactory(structure=vita, question="Quels outils pour l'air intérieur ?")
    return {"contact": contact, "carrier": UserFactory(roles=[(Role.CARRIER, innovation.carrier)])}


@pytest.fixture
def lists(_rows):
    return _rows["lists"]


def _user(role, lists):
    if role == "carrier":
        return lists["carrier"]
    if role == "structure":
        return lists["contact"]
    return make_user(role)


def _csv(client, name):
    response = client.get(reverse("reporting:export_list", kwargs={"name": name, "fmt": "csv"}))
    assert response.status_code == 200, response.status_code
    assert response["Content-Disposition"].startswith(f'attachment; filename="ais-emploi-{name}-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    return rows[0], rows[1:]


# list → role → the values expected in the given column, sorted
EXPECTED = {
    "innovations": (
        0,
        {
            "manager": ["Parcours Gardien", "VITA-Air"],
            "carrier": ["Parcours Gardien"],
            "structure": ["Parcours Gardien"],
        },
    ),
    "structures": (
        1,
        {
            "manager": [
                "'" + FORMULA,
                "Association VITA Lyon",
                "Chantier Nîmes Solidarité",
                "Régie de quartier Saint-Nicaise",
            ],
            "carrier": ["'" + FORMULA, "Chantier Nîmes Solidarité", "Régie de quartier Saint-Nicaise"],
            "structure": ["'" + FORMULA],
        },
    ),
    "trainings": (
        1,
        {
            "manager": ["Formation VITA", "Formation gardiens"],
            "carrier": ["Formation gardiens"],
            "structure": ["Formation gardiens"],
        },
    ),
    "questionnaires": (
        1,
        {
            # Three phases per structure.
            "manager": sorted(
                ["'" + FORMULA, "Association VITA Lyon", "Chantier Nîmes Solidarité", "Régie de quartier Saint-Nicaise"]
                * 3
            ),
            "carrier": sorted(["'" + FORMULA, "Chantier Nîmes Solidarité", "Régie de quartier Saint-Nicaise"] * 3),
            "structure": ["'" + FORMULA] * 3,
        },
    ),
    "support": (
        5,
        {
            "manager": ["'=1+1 comment remplir le questionnaire ?", "Quels outils pour l'air intérieur ?"],
            "carrier": ["'=1+1 comment remplir le questionnaire ?"],
        },
    ),
}
CASES = [(name, role) for name, (_column, roles) in EXPECTED.items() for role in roles]


@pytest.mark.parametrize(("name", "role"), CASES)
def test_export_csv_has_only_the_rows_the_user_may_see(client, lists, name, role):
    column, roles = EXPECTED[name]
    client.force_login(_user(role, lists))

    header, rows = _csv(client, name)

    assert sorted(row[column] for row in rows) == sorted(roles[role])
    assert all(len(row) == len(header) for row in rows)


@pytest.mark.parametrize("name", ["innovations", "structures", "trainings", "questionnaires", "support"])
def test_committee_members_may_not_export(client, lists, name):
    client.force_login(make_user(Role.COMMITTEE))

    response = client.get(reverse("reporting:export_list", kwargs={"name": name, "fmt": "csv"}))

    assert response.status_code == 403


def test_structure_contacts_do_not_export_the_hotline_log(client, lists):
    client.force_login(lists["contact"])

    response = client.get(reverse("reporting:export_list", kwargs={"name": "support", "fmt": "xlsx"}))
    page = client.get(reverse("reporting:exports")).content.decode()

    assert response.status_code == 403
    assert "/suivi/exports/support.csv" not in page
    assert "/suivi/exports/structures.csv" in page


def test_questionnaire_export_is_a_status_list_without_answers(client, manager, lists):
    client.force_login(manager)

    header, rows = _csv(client, "questionnaires")

    assert len(header) == 9
    assert not any("Témoignage" in cell for row in rows for cell in row)
    assert {row[3] for row in rows} == {"Appropriation (3 mois)", "Mise en œuvre (9 mois)", "Impact (18 mois)"}


@pytest.mark.parametrize("name", ["innovations", "structures", "trainings", "questionnaires", "support"])
def test_export_xlsx_reopens_with_the_same_rows_and_no_formula(client, manager, lists, name):
    client.force_login(manager)

    response = client.get(reverse("reporting:export_list", kwargs={"name": name, "fmt": "xlsx"}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    column, roles = EXPECTED[name]
    values = sorted(str(row[column].value) for row in sheet.iter_rows(min_row=2))
    assert values == sorted(value.removeprefix("'") for value in roles["manager"])
    assert not [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]


def test_unknown_list_or_format_is_not_found(client, manager):
    client.force_login(manager)

    assert client.get(reverse("reporting:export_list", kwargs={"name": "dossiers", "fmt": "csv"})).status_code == 404
    assert client.get(reverse("reporting:export_list", kwargs={"name": "structures", "fmt": "pdf"})).status_code == 404


def test_exports_page_counts_the_rows_of_each_list(client, lists):
    client.force_login(lists["carrier"])

    page = client.get(reverse("reporting:exports")).content.decode()

    assert "/suivi/exports/support.xlsx" in page
    # The carrier's innovation has three structures (one of them unknown to the contact's view).
    assert '<td class="text-end">3</td>' in page


def test_events_export_counts_registrations_once_each_and_is_for_staff(client, manager, db):
    from django.utils import timezone

    from events.models import RegistrationStatus
    from tests.events.factories import EventFactory, RegistrationFactory, SessionFactory

    event = EventFactory(title="=Journée nationale 2026", capacity=3)
    SessionFactory(event=event)
    SessionFactory(event=event, room="Salle 2")  # two sessions must not double the counts
    RegistrationFactory(event=event, organisation="Régie A", checked_in_at=timezone.now())
    RegistrationFactory(event=event, organisation="Régie A")
    RegistrationFactory(event=event, organisation="ACI B")
    RegistrationFactory(event=event, organisation="ACI C", status=RegistrationStatus.WAITING)
    client.force_login(manager)

    header, rows = _csv(client, "events")

    assert len(rows) == 1 and len(rows[0]) == len(header)
    row = dict(zip(header, rows[0], strict=True))
    assert row["Événement"] == "'=Journée nationale 2026"  # never a formula
    assert (row["Sessions"], row["Inscriptions confirmées"], row["Liste d'attente"], row["Présents"]) == (
        "2",
        "3",
        "1",
        "1",
    )
    assert row["Organisations représentées"] == "2"
    client.force_login(make_user(Role.CARRIER))
    assert client.get(reverse("reporting:export_list", kwargs={"name": "events", "fmt": "csv"})).status_code == 403


def test_questionnaire_export_gives_the_status_as_the_structure_sees_it(client, manager, lists):
    """A questionnaire open but never started reads "À remplir", as on the pages."""
    from evaluation.models import Response, ResponseStatus

    opened = Response.objects.filter(status=ResponseStatus.SCHEDULED).order_by("pk").first()
    assert opened is not None
    today = timezone.localdate()
    Response.objects.filter(pk=opened.pk).update(
        opens_on=today - datetime.timedelta(days=3), due_on=today + datetime.timedelta(days=27)
    )
    client.force_login(manager)

    _header, rows = _csv(client, "questionnaires")

    assert "À remplir" in {row[6] for row in rows}
