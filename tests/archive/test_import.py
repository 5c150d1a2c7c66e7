"""The import of the history through its engine (``archive.services.run``): a small
programme imported whole, imported again (nothing created twice), corrected (updated in
place), and nothing sent or scheduled for a date in the past."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from ais.accounts.models import Organisation
from ais.outbox.models import OutgoingEmail
from archive import services
from archive.template import template_bytes
from essaimage.models import SpreadStructure, StructureStatus, Training
from evaluation.models import Answer, Reminder, Response, ResponseStatus
from evaluation.reminders import send_due_reminders
from projects.models import ClosureKind, Innovation, Stage, StagePlan, StageTransition
from reporting import definitions
from tests.archive.helpers import ACI_SIRET, counts, d, history, make_workbook

pytestmark = pytest.mark.usefixtures("communes")


def run(data, write=True, by=None):
    return services.run(data, write=write, by=by, name="historique.xlsx")


def test_history_is_imported_with_its_dates(admin_user):
    outcome = run(make_workbook(), by=admin_user)

    assert outcome.ok, outcome.issues
    assert outcome.counts["Innovations"] == {"create": 2, "update": 0, "unchanged": 0}
    assert outcome.counts["Structures"] == {"create": 3, "update": 0, "unchanged": 0}
    assert outcome.counts["Questionnaires"] == {"create": 3, "update": 0, "unchanged": 0}
    assert outcome.counts["Formations"] == {"create": 1, "update": 0, "unchanged": 0}
    assert outcome.counts["organisations"] == {"create": 5, "update": 0, "unchanged": 0}
    atelier = Innovation.objects.get(slug="atelier-emploi")
    assert (atelier.name, atelier.year_selected, atelier.stage) == ("Atelier Emploi", 2016, Stage.ESSAIMAGE)
    assert atelier.carrier.commune_id == "35238"
    assert atelier.accompaniment_start == d("01/09/2016")
    plans = {p.stage: (p.actual_start, p.actual_end) for p in StagePlan.objects.filter(innovation=atelier)}
    assert plans == {
        1: (d("01/09/2016"), d("16/01/2017")),
        2: (d("16/01/2017"), d("01/06/2017")),
        3: (d("01/06/2017"), None),
    }
    assert atelier.selected_on == d("24/06/2016") and not atelier.is_closed
    moves = StageTransition.objects.filter(innovation=atelier).order_by("to_stage")
    assert [(m.to_stage, m.effective_on, m.moved_by, m.is_exception) for m in moves] == [
        (2, d("16/01/2017"), admin_user, True),
        (3, d("01/06/2017"), admin_user, True),
    ]
    cap = Innovation.objects.get(slug="cap-metiers")
    assert (cap.stage, cap.year_selected, cap.selected_on) == (Stage.FEASIBILITY, 2017, None)
    assert (cap.closed_on, cap.closure_kind) == (d("15/09/2017"), ClosureKind.STOPPED)
    assert cap.closure_reason == "L'étude de faisabilité conclut à ne pas essaimer."
    aci = SpreadStructure.objects.get(organisation__siret=ACI_SIRET)
    assert aci.status == StructureStatus.WITHDRAWN
    assert (aci.selected_on, aci.start_date, aci.withdrawn_on) == (d("15/09/2017"), d("01/10/2017"), d("30/09/2018"))
    assert aci.organisation.kind == "aci"
    nord = SpreadStructure.objects.get(organisation__name="Régie de quartier Nord")
    assert nord.status == StructureStatus.SPREADING and nord.agreement_signed_on == d("03/04/2017")
    assert nord.organisation.commune_id == "44109"
    assert [(loc.valid_from, loc.commune_id, loc.recorded_by) for loc in nord.locations.all()] == [
        (d("01/09/2019"), "42218", admin_user)
    ]
    response = Response.objects.get(structure=nord, phase="implementation")
    assert response.status == ResponseStatus.VALIDATED
    assert timezone.localdate(response.submitted_at) == d("10/03/2018")
    assert timezone.localdate(response.validated_at) == d("15/03/2018")
    assert (response.opens_on, response.due_on) == (d("01/03/2018"), d("31/03/2018"))
    assert response.figures_on == d("10/03/2018")
    assert response.submitted_figures == {"people_accompanied": 30, "people_deld": 20, "exits_durable_employment": 8}
    answers = {a.question.code: a.value for a in response.answers.select_related("question")}
    assert answers["people_accompanied"] == 30 and answers["exits_durable_employment"] == 8
    assert answers["obstacles"] == ["Financement", "Mobilité des personnes"]
    appropriation = {
        a.question.code: a.value
        for a in Answer.objects.filter(response__structure=nord, response__phase="appropriation")
    }
    assert appropriation["local_authorities_informed"] is True
    training = Training.objects.get(title="Formation-action vague 1")
    assert sorted(day.date for day in training.days.all()) == [d("15/05/2017"), d("12/06/2017")]
    assert training.structures.count() == 2
    assert training.participants.count() == 3
    assert training.participants.filter(attendances__present=True).distinct().count() == 3
    # The audit trail names the administrator and the import.
    assert Answer.history.filter(history_user=admin_user, history_type="+").count() == Answer.objects.count() == 11
    record = atelier.history.first()
    assert record.history_user == admin_user
    assert "historique.xlsx" in record.history_change_reason


def test_second_import_of_the_same_file_creates_nothing(admin_user):
    data = make_workbook()
    run(data, by=admin_user)
    before = counts()

    outcome = run(data, by=admin_user)

    assert outcome.ok, outcome.issues
    for sheet in ("Innovations", "Structures", "Questionnaires", "Formations", "organisations"):
        assert outcome.counts[sheet]["create"] == 0 and outcome.counts[sheet]["update"] == 0, sheet
    assert counts() == before


def test_corrected_file_updates_in_place(admin_user):
    run(make_workbook(), by=admin_user)
    before = counts()
    data = history()
    data["Structures"][0]["date de démarrage"] = d("15/06/2017")
    data["Questionnaires"][1]["people_accompanied"] = 32
    data["Innovations"][1]["nom"] = "Cap Métiers Normandie"
    data["Formations"][0]["jours"] = "15/05/2017; 12/06/2017; 10/07/2017"

    outcome = run(make_workbook(data), by=admin_user)

    assert outcome.ok, outcome.issues
    assert outcome.counts["Structures"] == {"create": 0, "update": 1, "unchanged": 2}
    assert outcome.counts["Questionnaires"] == {"create": 0, "update": 2, "unchanged": 1}  # new dates of both phases
    assert outcome.counts["Innovations"] == {"create": 0, "update": 1, "unchanged": 1}
    assert outcome.counts["Formations"] == {"create": 0, "update": 1, "unchanged": 0}
    after = counts()
    assert after["SpreadStructure"] == before["SpreadStructure"] and after["Response"] == before["Response"]
    assert after["TrainingDay"] == before["TrainingDay"] + 1
    assert Innovation.objects.get(slug="cap-metiers").name == "Cap Métiers Normandie"
    nord = SpreadStructure.objects.get(organisation__name="Régie de quartier Nord")
    assert nord.start_date == d("15/06/2017")
    answer = Answer.objects.get(
        response__structure=nord, response__phase="implementation", question__code="people_accompanied"
    )
    assert (answer.value, answer.revision) == (32, 2)
    assert Response.objects.get(structure=nord, phase="appropriation").opens_on == d("15/09/2017")


def test_import_sends_no_email_and_schedules_no_reminder(admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outcome = run(make_workbook(), by=admin_user)
    assert outcome.ok, outcome.issues
    # Phases not in the file and already past are not created (Nord's impact, Lille's three;
    # the withdrawn ACI answers nothing more): nothing to remind.
    assert outcome.notes["past_phases_not_created"] == 4
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_due_reminders()

    assert sent == 0
    assert Reminder.objects.count() == 0
    assert OutgoingEmail.objects.count() == 0
    assert mail.outbox == []
    assert not Response.objects.filter(status__in=[ResponseStatus.SCHEDULED, ResponseStatus.IN_PROGRESS]).exists()


def test_a_recent_structure_gets_its_future_questionnaires_scheduled(admin_user):
    data = history()
    start = timezone.localdate() - datetime.timedelta(days=20)
    data["Structures"][2]["date de sélection"] = start - datetime.timedelta(days=10)
    data["Structures"][2]["date de démarrage"] = start

    outcome = run(make_workbook(data), by=admin_user)

    assert outcome.ok, outcome.issues
    lille = SpreadStructure.objects.get(organisation__name="Association Lille Emploi")
    scheduled = Response.objects.filter(structure=lille)
    assert sorted(r.phase for r in scheduled) == ["appropriation", "impact", "implementation"]
    assert all(r.status == ResponseStatus.SCHEDULED and r.opens_on > timezone.localdate() for r in scheduled)
    assert send_due_reminders() == 0


def test_check_without_writing_writes_nothing(admin_user):
    before = counts()

    outcome = run(make_workbook(), write=False, by=admin_user)

    assert outcome.ok and not outcome.written
    assert outcome.counts["Structures"]["create"] == 3
    assert counts() == before


def test_template_imports_nothing_but_its_examples_are_skipped(admin_user):
    before = counts()

    outcome = run(template_bytes(), by=admin_user)

    assert outcome.ok, outcome.issues
    assert outcome.examples == 4 and outcome.rows == 0
    assert counts() == before


def test_existing_organisation_is_found_by_name_and_municipality(admin_user):
    existing = Organisation.objects.create(name="REGIE DE QUARTIER NORD", commune_id="44109")

    outcome = run(make_workbook(), by=admin_user)

    assert outcome.ok, outcome.issues
    assert outcome.counts["organisations"] == {"create": 4, "update": 1, "unchanged": 0}
    assert SpreadStructure.objects.get(organisation__commune_id="44109").organisation == existing


def test_a_questionnaire_sent_again_later_keeps_the_date_of_its_figures(admin_user):
    data = history()
    resent = data["Questionnaires"][1]
    resent["date de soumission"] = d("10/03/2026") if timezone.localdate() >= d("10/03/2026") else timezone.localdate()
    resent["date de validation"] = resent["date de soumission"]
    resent["date des chiffres"] = d("10/03/2018")

    outcome = run(make_workbook(data), by=admin_user)

    assert outcome.ok, outcome.issues
    response = Response.objects.get(structure__organisation__name="Régie de quartier Nord", phase="implementation")
    assert timezone.localdate(response.submitted_at) == resent["date de soumission"]
    assert response.figures_on == d("10/03/2018")
    # The figures count from 2018, not from the later sending.
    assert definitions.people_reached(d("31/12/2018")) == 30 + 18


def test_imported_history_gives_the_figures_true_at_each_date(admin_user):
    outcome = run(make_workbook(), by=admin_user)
    assert outcome.ok, outcome.issues

    end_2016, end_2017, end_2018, end_2019 = (d(f"31/12/{year}") for year in (2016, 2017, 2018, 2019))
    assert definitions.innovations_selected(end_2016) == 1
    assert definitions.innovations_selected(end_2017) == 2
    assert definitions.innovations_accompanied_to_spreading(end_2016) == 0
    assert definitions.innovations_accompanied_to_spreading(end_2017) == 1
    assert definitions.innovations_in_progress(end_2017) == 1  # Cap Métiers stopped in September 2017
    assert definitions.structures_spread(end_2017) == 2
    assert definitions.structures_spread(end_2018) == 3
    assert definitions.structures_active(end_2018) == 2  # the ACI withdrew in September 2018
    assert [dep.code for dep in definitions.territories(end_2017).departments] == ["44", "69"]
    assert [dep.code for dep in definitions.territories(end_2019).departments] == ["42", "59", "69"]
    assert definitions.people_reached(end_2017) == 12
    assert definitions.people_reached(end_2018) == 30 + 18  # the withdrawn ACI keeps its 18
