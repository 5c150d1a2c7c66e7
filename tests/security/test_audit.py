"""The audit trail (django-simple-history) is complete: dossiers, committee scores and
reviews, session decisions, stage moves and plans, questionnaires and their answers
keep a history row for every change — including the changes made in bulk, which a
plain ``bulk_create`` or ``QuerySet.update`` would make without one — and the history
page shows who changed what, when, with the value before and after.

A static check reads the domain code for bulk writes (``.update()``, ``bulk_create``,
``bulk_update``) on audited models: a new one fails the suite unless it records
history (``simple_history.utils``) or is listed below with the reason it needs none.
"""

import ast
import html
from pathlib import Path

from django.apps import apps
from django.urls import reverse

from ais.accounts.models import Role
from evaluation import services as evaluation_services
from evaluation.models import Phase, QuestionnaireTemplate, ResponseStatus
from projects import accompaniment, committee, services
from projects.models import Dossier, Innovation, SelectionCriterion, SessionDecision, Stage, StagePlan
from tests.conftest import make_user
from tests.essaimage.factories import SpreadStructureFactory
from tests.evaluation.answer.helpers import schedule
from tests.projects.factories import (
    CallFactory,
    DossierFactory,
    EligibleDossierFactory,
    InnovationFactory,
    ReviewAssignmentFactory,
)

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_CODE = ["ais", "projects", "essaimage", "evaluation", "events"]
BULK_WRITES = {"update", "bulk_create", "bulk_update"}
# Bulk writes on audited models that need no history row of their own, and why.
ALLOWED_BULK_WRITES = {
    ("projects/services.py", "Dossier"): "optimistic lock on the version; the save that follows records the change",
    ("ais/accounts/apps.py", "User"): "last_login only, a field the user's history leaves out",
    ("devtools/datagen.py", "Call"): "generated demo data, documented as written without history",
    ("devtools/datagen.py", "SpreadStructure"): "generated demo data, documented as written without history",
    ("devtools/datagen.py", "SessionDecision"): "generated demo data, documented as written without history",
}


def _page(response) -> str:
    return html.unescape(response.content.decode())


def _audited_model_names() -> set[str]:
    return {model.__name__ for model in apps.get_models() if hasattr(model, "history")}


def _root_name(node) -> str | None:
    """``Response`` for ``Response.objects.filter(...).exclude(...)``."""
    while isinstance(node, (ast.Attribute, ast.Call)):
        if isinstance(node, ast.Attribute) and node.attr == "objects" and isinstance(node.value, ast.Name):
            return node.value.id
        node = node.value if isinstance(node, ast.Attribute) else node.func
    return None


def bulk_writes_without_history() -> list[str]:
    audited = _audited_model_names()
    found = []
    for folder in DOMAIN_CODE:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            relative = str(path.relative_to(ROOT))
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                    continue
                if node.func.attr not in BULK_WRITES:
                    continue
                model = _root_name(node.func.value)
                if model in audited and (relative, model) not in ALLOWED_BULK_WRITES:
                    found.append(f"{relative}:{node.lineno} {model}.objects….{node.func.attr}()")
    return found


# Bulk writes ---------------------------------------------------------------------------


def test_no_bulk_write_on_audited_model_without_history():
    found = bulk_writes_without_history()

    assert not found, (
        "Bulk writes leaving no history row (use simple_history.utils.bulk_create_with_history / "
        "bulk_update_with_history): " + ", ".join(found)
    )


def test_every_audited_model_uses_the_history_of_ais_core():
    """``ais.core.history.HistoricalRecords``: its manager class is made once per model, not
    at each save (simple-history's own makes it each time ``.history`` is read)."""
    from ais.core.history import _HistoryDescriptor

    audited = [model for model in apps.get_models() if hasattr(model, "history")]
    others = [model.__name__ for model in audited if type(model.__dict__["history"]) is not _HistoryDescriptor]

    assert len(audited) >= 20
    assert not others, f"history = HistoricalRecords() from simple_history.models, not ais.core.history: {others}"


def test_history_manager_class_made_once_and_bound_to_the_instance(db):
    dossier = DossierFactory()

    assert type(dossier.history) is type(Dossier.history)
    assert dossier.history.instance == dossier
    assert list(dossier.history.values_list("history_type", flat=True)) == ["+"]


def test_history_models_are_named_in_the_users_language():
    from django.utils import translation

    history_model = Dossier.history.model
    with translation.override("fr"):
        assert str(history_model._meta.verbose_name_plural) == f"{Dossier._meta.verbose_name_plural} (historique)"
    with translation.override("en"):  # the library's own English, which the migrations hold
        assert str(history_model._meta.verbose_name) == f"historical {Dossier._meta.verbose_name}"


def test_history_page_shows_a_json_field_as_code_value_pairs():
    from types import SimpleNamespace

    from evaluation.models import Response
    from portal.history import _display

    field = Response._meta.get_field("submitted_figures")

    assert _display(SimpleNamespace(submitted_figures={"partners_informed": 5, "trained": 12}), field) == (
        "partners_informed : 5, trained : 12"
    )
    assert _display(SimpleNamespace(submitted_figures={}), field) == "—"


def test_bulk_write_detector_finds_queryset_update():
    source = "Response.objects.filter(pk=1).exclude(version=2).update(version=2)"
    node = ast.parse(source).body[0].value

    assert node.func.attr == "update"
    assert _root_name(node.func.value) == "Response"
    assert "Response" in _audited_model_names()


def test_default_grid_of_call_records_history(db):
    call = CallFactory(grid=False)

    criteria = services.add_default_grid(call)

    assert criteria
    rows = SelectionCriterion.history.filter(call_id=call.pk)
    assert rows.count() == len(criteria)
    assert set(rows.values_list("history_type", flat=True)) == {"+"}


def test_stage_plans_created_in_bulk_record_history(db):
    innovation = InnovationFactory(stage=Stage.FEASIBILITY)

    plans = accompaniment.ensure_stage_plans(innovation)

    assert StagePlan.history.filter(innovation_id=innovation.pk).count() == len(plans) == len(Stage.values)


def test_publishing_version_records_history_of_moved_questionnaires(db):
    manager = make_user(Role.MANAGER, first_name="Camille", last_name="Martin")
    structure = SpreadStructureFactory()
    waiting = schedule(structure, opened_days_ago=-30, phase=Phase.IMPLEMENTATION)[Phase.IMPACT]
    assert waiting.status == ResponseStatus.SCHEDULED
    old_version = waiting.version
    template = QuestionnaireTemplate.objects.get(phase=Phase.IMPACT)
    draft = evaluation_services.new_draft_version(template, by=manager)

    evaluation_services.publish_version(draft, by=manager)

    waiting.refresh_from_db()
    assert waiting.version == draft
    newest = waiting.history.order_by("-history_date", "-history_id").first()
    assert newest.history_type == "~"
    assert newest.history_user == manager
    assert newest.version_id == draft.pk
    assert newest.prev_record.version_id == old_version.pk


def test_session_decisions_opened_in_bulk_record_history(db):
    manager = make_user(Role.MANAGER)
    call = CallFactory()
    EligibleDossierFactory(call=call)
    EligibleDossierFactory(call=call)

    session = committee.open_session(call, held_on="2026-03-05T14:00:00+01:00", place="Paris", by=manager)

    decisions = SessionDecision.objects.filter(session=session)
    assert decisions.count() == 2
    rows = SessionDecision.history.filter(session_id=session.pk)
    assert rows.count() == 2 and {row.history_user for row in rows} == {manager}


# Single changes: who, when, before and after ------------------------------------------------


def test_score_change_recorded_with_member_and_values(db):
    assignment = ReviewAssignmentFactory(declared=True)
    member = assignment.member
    criterion = assignment.dossier.call.criteria.order_by("position").first()

    committee.save_review(
        assignment, scores={criterion.pk: (2, "")}, recommendation="", comment="", submit=False, by=member
    )
    committee.save_review(
        assignment, scores={criterion.pk: (4, "Solide")}, recommendation="", comment="", submit=False, by=member
    )

    score = criterion.scores.get()
    rows = list(score.history.order_by("history_date", "history_id"))
    assert [(row.history_type, row.value) for row in rows] == [("+", 2), ("~", 4)]
    assert {row.history_user for row in rows} == {member}
    assert assignment.review.history.filter(history_user=member).exists()


def test_answer_change_recorded_with_author(db):
    contact = make_user(Role.STRUCTURE)
    response = schedule(SpreadStructureFactory())[Phase.IMPLEMENTATION]
    question = response.version.questions.get(code="people_accompanied")

    evaluation_services.save_answer(response, question, "12", revision=0, by=contact)
    evaluation_services.save_answer(response, question, "15", revision=1, by=contact)

    answer = response.answers.get(question=question)
    rows = list(answer.history.order_by("history_date", "history_id"))
    assert [row.value for row in rows] == [12, 15]
    assert {row.history_user for row in rows} == {contact}
    assert response.history.filter(status=ResponseStatus.IN_PROGRESS, history_user=contact).exists()


def test_stage_move_recorded_with_manager(db):
    manager = make_user(Role.MANAGER)
    innovation = InnovationFactory(stage=Stage.FEASIBILITY)

    accompaniment.advance_stage(innovation, by=manager, exception_reason="Étude rendue oralement")

    newest = Innovation.objects.get(pk=innovation.pk).history.first()
    assert newest.history_user == manager
    assert (newest.prev_record.stage, newest.stage) == (Stage.FEASIBILITY, Stage.MOBILISATION)


def test_dossier_change_recorded(db):
    dossier = DossierFactory(innovation_name="Jardin solidaire")
    carrier = dossier.created_by

    dossier._history_user = carrier
    dossier.innovation_name = "Jardin partagé"
    dossier.save()

    newest = Dossier.objects.get(pk=dossier.pk).history.first()
    assert newest.history_user == carrier
    assert (newest.prev_record.innovation_name, newest.innovation_name) == ("Jardin solidaire", "Jardin partagé")


# The history page ------------------------------------------------------------------------------


def test_history_page_lists_scores_decisions_and_questionnaires(client, db):
    manager = make_user(Role.MANAGER)
    client.force_login(manager)

    kinds = dict(client.get(reverse("portal:history")).context["kinds"])

    for label in (
        "projects.Dossier",
        "projects.Review",
        "projects.Score",
        "projects.SessionDecision",
        "projects.Innovation",
        "projects.StagePlan",
        "evaluation.Response",
        "evaluation.Answer",
    ):
        assert label in kinds, f"{label} is not offered by the history page"


def test_history_page_shows_score_change_before_and_after(client, db):
    manager = make_user(Role.MANAGER)
    assignment = ReviewAssignmentFactory(declared=True)
    member = assignment.member
    criterion = assignment.dossier.call.criteria.order_by("position").first()
    for value in (2, 4):
        committee.save_review(
            assignment, scores={criterion.pk: (value, "")}, recommendation="", comment="", submit=False, by=member
        )
    client.force_login(manager)

    page = _page(client.get(reverse("portal:history"), {"type": "projects.Score"}))

    assert "<td>Note</td><td>2</td><td>4</td>" in page.replace("\n", "")
    assert str(member) in page


def test_history_page_shows_questionnaire_moved_by_publication(client, db):
    manager = make_user(Role.MANAGER, first_name="Camille", last_name="Martin")
    structure = SpreadStructureFactory()
    schedule(structure, opened_days_ago=-30, phase=Phase.IMPLEMENTATION)
    draft = evaluation_services.new_draft_version(QuestionnaireTemplate.objects.get(phase=Phase.IMPACT), by=manager)
    evaluation_services.publish_version(draft, by=manager)
    client.force_login(manager)

    page = _page(client.get(reverse("portal:history"), {"type": "evaluation.Response"}))

    assert "Camille Martin" in page
    assert "Modification" in page
