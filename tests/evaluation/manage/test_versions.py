"""Questionnaire templates: drafts, editing, publishing. A published version never
changes, and publishing never touches answers given on an older version."""

import datetime
import html
from html.parser import HTMLParser

import pytest
import time_machine
from django.urls import reverse

from evaluation.models import (
    Answer,
    ConsistencyRule,
    Phase,
    Question,
    QuestionKind,
    QuestionnaireTemplate,
    Response,
    ResponseStatus,
    Section,
    TemplateVersion,
)
from evaluation.services import new_draft_version, publish_version
from projects.models import Stage
from tests.evaluation.manage.helpers import D, answer, bring_to, questionnaire, structure_with_questionnaires
from tests.projects.factories import InnovationFactory

pytestmark = pytest.mark.django_db

FROZEN = time_machine.travel(datetime.datetime(2026, 6, 15, 8, 0, tzinfo=datetime.UTC), tick=False)


def _template(phase=Phase.APPROPRIATION):
    return QuestionnaireTemplate.objects.get(phase=phase)


def _content(response) -> str:
    return html.unescape(response.content.decode())


# Publishing -----------------------------------------------------------------------------


@FROZEN
def test_publishing_keeps_answers_on_v1_and_moves_only_unstarted_questionnaires(client, staff):
    innovation = InnovationFactory(stage=Stage.ESSAIMAGE)
    submitted, started, unstarted, later = (
        questionnaire(structure_with_questionnaires(innovation=innovation, start=start), Phase.APPROPRIATION)
        for start in (D(2025, 1, 1), D(2026, 2, 1), D(2026, 5, 1), D(2026, 6, 1))
    )
    bring_to(submitted, "submitted", by=staff)
    answer(started, "political_support", "2", by=staff)
    v1 = submitted.version
    before = list(Answer.objects.order_by("pk").values_list("pk", "response_id", "question_id", "value", "revision"))
    client.force_login(staff)

    created = client.post(reverse("evaluation:draft_create", kwargs={"pk": _template().pk}))
    draft = TemplateVersion.objects.get(template=_template(), published_at__isnull=True)
    question = draft.questions.get(code="political_support")
    question.label = "Votre gouvernance soutient-elle le projet (nouvelle formulation) ?"
    question.save()
    published = client.post(reverse("evaluation:version_publish", kwargs={"pk": draft.pk}))

    assert created.url == reverse("evaluation:version_edit", kwargs={"pk": draft.pk})
    assert published.url == reverse("evaluation:version_detail", kwargs={"pk": draft.pk})
    draft.refresh_from_db()
    assert draft.is_published and draft.number == 2 and draft.published_by == staff
    versions = {r.pk: r.version_id for r in Response.objects.filter(phase=Phase.APPROPRIATION)}
    assert versions[submitted.pk] == v1.pk  # answered: keeps v1
    assert versions[started.pk] == v1.pk  # started: keeps v1
    assert versions[unstarted.pk] == draft.pk  # nobody started it: moves to v2
    assert versions[later.pk] == draft.pk
    after = list(Answer.objects.order_by("pk").values_list("pk", "response_id", "question_id", "value", "revision"))
    assert after == before  # not one answer changed
    assert v1.questions.get(code="political_support").label.startswith("Votre gouvernance (bureau")
    assert all(a.question.version_id == v1.pk for a in Answer.objects.select_related("question"))


@FROZEN
def test_answers_on_v1_display_with_v1_questions_after_publishing(client, staff):
    structure = structure_with_questionnaires(innovation=InnovationFactory(), start=D(2025, 1, 1))
    response = questionnaire(structure, Phase.APPROPRIATION)
    answer(response, "professionals_trained", "7", by=staff)
    draft = new_draft_version(_template(), by=staff)
    draft.questions.filter(code="professionals_trained").delete()  # v2 no longer asks it
    publish_version(draft, by=staff)
    client.force_login(staff)

    page = client.get(reverse("evaluation:response_manage", kwargs={"pk": response.pk}))

    content = _content(page)
    assert "Nombre de professionnels de la structure formés au modèle" in content
    assert '<span class="eval-answer">7</span>' in content


def test_published_version_cannot_be_edited(client, staff):
    v1 = _template().current_version()
    label = v1.questions.get(code="political_support").label
    client.force_login(staff)

    shown = client.get(reverse("evaluation:version_edit", kwargs={"pk": v1.pk}))
    posted = client.post(
        reverse("evaluation:version_edit", kwargs={"pk": v1.pk}), {"version-notes": "Essai"}, follow=True
    )

    detail = reverse("evaluation:version_detail", kwargs={"pk": v1.pk})
    assert shown.status_code == 302 and shown.url == detail
    assert posted.redirect_chain == [(detail, 302)]
    v1.refresh_from_db()
    assert v1.notes != "Essai"
    assert v1.questions.get(code="political_support").label == label
    assert 'name="questions-TOTAL_FORMS"' not in _content(posted)


def test_publishing_twice_is_refused(client, staff):
    v1 = _template().current_version()
    published_at = v1.published_at
    client.force_login(staff)

    response = client.post(reverse("evaluation:version_publish", kwargs={"pk": v1.pk}), follow=True)

    v1.refresh_from_db()
    assert v1.published_at == published_at
    assert response.redirect_chain == [(reverse("evaluation:version_detail", kwargs={"pk": v1.pk}), 302)]
    assert list(response.context["messages"])[0].level_tag == "error"


def test_publish_errors_are_shown_and_the_draft_stays_a_draft(client, staff):
    draft = new_draft_version(_template(), by=staff)
    draft.questions.filter(code="fidelity").update(choices=["Conforme au modèle"])
    client.force_login(staff)

    response = client.post(reverse("evaluation:version_publish", kwargs={"pk": draft.pk}), follow=True)

    draft.refresh_from_db()
    assert not draft.is_published
    assert response.redirect_chain == [(reverse("evaluation:version_edit", kwargs={"pk": draft.pk}), 302)]
    messages = [str(m) for m in response.context["messages"]]
    assert any("fidelity" in message for message in messages)  # names the question with too few choices


def test_draft_create_reuses_the_existing_draft(client, staff):
    client.force_login(staff)
    url = reverse("evaluation:draft_create", kwargs={"pk": _template().pk})

    first = client.post(url)
    second = client.post(url)

    assert first.url == second.url
    assert TemplateVersion.objects.filter(template=_template(), published_at__isnull=True).count() == 1


# Editing a draft ------------------------------------------------------------------------


def _editor_data(draft, **changes):
    """The edit form as the page sends it, with ``changes`` applied."""
    data = {"version-notes": draft.notes}
    sections = list(Section.objects.filter(version=draft))
    questions = list(Question.objects.filter(version=draft).order_by("section__position", "position", "pk"))
    rules = list(ConsistencyRule.objects.filter(version=draft))
    for prefix, objects in (("sections", sections), ("questions", questions), ("rules", rules)):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(len(objects) + 1),
                f"{prefix}-INITIAL_FORMS": str(len(objects)),
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    for i, section in enumerate(sections):
        data.update(
            {
                f"sections-{i}-id": section.pk,
                f"sections-{i}-version": draft.pk,
                f"sections-{i}-position": section.position,
                f"sections-{i}-title": section.title,
                f"sections-{i}-description": section.description,
            }
        )
    for i, q in enumerate(questions):
        data.update(
            {
                f"questions-{i}-id": q.pk,
                f"questions-{i}-version": draft.pk,
                f"questions-{i}-section": q.section_id,
                f"questions-{i}-position": q.position,
                f"questions-{i}-code": q.code,
                f"questions-{i}-label": q.label,
                f"questions-{i}-help_text": q.help_text,
                f"questions-{i}-kind": q.kind,
                f"questions-{i}-min_value": "" if q.min_value is None else q.min_value,
                f"questions-{i}-max_value": "" if q.max_value is None else q.max_value,
                f"questions-{i}-choices_text": "\n".join(q.choices),
            }
        )
        if q.required:
            data[f"questions-{i}-required"] = "on"
    for i, rule in enumerate(rules):
        data.update(
            {
                f"rules-{i}-id": rule.pk,
                f"rules-{i}-version": draft.pk,
                f"rules-{i}-left_code": rule.left_code,
                f"rules-{i}-comparison": rule.comparison,
                f"rules-{i}-right_code": rule.right_code,
                f"rules-{i}-message": rule.message,
            }
        )
    # The empty extra forms as a browser sends them (their initial values): left unchanged.
    data.update({f"sections-{len(sections)}-position": "0", f"questions-{len(questions)}-position": "0"})
    data[f"questions-{len(questions)}-required"] = "on"
    data[f"rules-{len(rules)}-comparison"] = "lte"
    data.update(changes)
    return data, {"sections": len(sections), "questions": len(questions), "rules": len(rules)}


def _implementation_draft(staff):
    return new_draft_version(_template(Phase.IMPLEMENTATION), by=staff)


def test_edit_page_shows_the_draft_forms(client, staff):
    draft = _implementation_draft(staff)
    client.force_login(staff)

    response = client.get(reverse("evaluation:version_edit", kwargs={"pk": draft.pk}))

    content = _content(response)
    assert response.status_code == 200
    assert 'name="questions-TOTAL_FORMS"' in content
    assert 'value="people_accompanied"' in content
    assert '<option value="people_accompanied"></option>' in content  # numeric codes offered for rules
    assert "Conforme au modèle\nAdapté sur quelques points" in content  # choices one per line


def test_edit_adds_a_question_and_a_rule_and_changes_a_label(client, staff):
    draft = _implementation_draft(staff)
    section = draft.sections.get(title="Partenaires et entreprises")
    data, n = _editor_data(draft)
    new_q, new_r = n["questions"], n["rules"]
    label_index = next(i for i in range(n["questions"]) if data[f"questions-{i}-code"] == "partners_mobilised")
    data.update(
        {
            "version-notes": "Ajout des bénévoles.",
            f"questions-{label_index}-label": "Partenaires mobilisés (tous)",
            f"questions-{new_q}-section": section.pk,
            f"questions-{new_q}-position": "5",
            f"questions-{new_q}-code": "volunteers_mobilised",
            f"questions-{new_q}-label": "Bénévoles mobilisés",
            f"questions-{new_q}-kind": QuestionKind.INTEGER,
            f"questions-{new_q}-min_value": "0",
            f"questions-{new_q}-max_value": "500",
            f"questions-{new_q}-required": "on",
            f"rules-{new_r}-left_code": "volunteers_mobilised",
            f"rules-{new_r}-comparison": "lte",
            f"rules-{new_r}-right_code": "people_accompanied",
            f"rules-{new_r}-message": "Pas plus de bénévoles que de personnes accompagnées.",
        }
    )
    client.force_login(staff)

    response = client.post(reverse("evaluation:version_edit", kwargs={"pk": draft.pk}), data)

    assert response.status_code == 302, _content(response)[:3000]
    draft.refresh_from_db()
    assert draft.notes == "Ajout des bénévoles."
    added = draft.questions.get(code="volunteers_mobilised")
    assert (added.section, added.kind, added.min_value, added.max_value, added.required) == (
        section,
        QuestionKind.INTEGER,
        0,
        500,
        True,
    )
    assert draft.questions.get(code="partners_mobilised").label == "Partenaires mobilisés (tous)"
    assert draft.rules.filter(left_code="volunteers_mobilised", right_code="people_accompanied").exists()
    previous = _template(Phase.IMPLEMENTATION).versions.get(number=1)
    assert not previous.questions.filter(code="volunteers_mobilised").exists()  # v1 untouched


def test_edit_choices_one_per_line(client, staff):
    draft = _implementation_draft(staff)
    data, _n = _editor_data(draft)
    index = next(i for i in range(_n["questions"]) if data[f"questions-{i}-code"] == "fidelity")
    data[f"questions-{index}-choices_text"] = "Conforme\n\n  Adapté  \nTrès adapté\n"
    client.force_login(staff)

    response = client.post(reverse("evaluation:version_edit", kwargs={"pk": draft.pk}), data)

    assert response.status_code == 302
    assert draft.questions.get(code="fidelity").choices == ["Conforme", "Adapté", "Très adapté"]


@pytest.mark.parametrize(
    ("field", "value", "error_field"),
    [
        ("code", "people_accompanied", None),  # the code of another question: refused
        ("choices_text", "Une seule", "choices_text"),  # a choice question needs two choices
        ("max_value", "-1", "max_value"),  # maximum under the minimum
    ],
)
def test_edit_refuses_bad_questions_and_keeps_what_was_typed(client, staff, field, value, error_field):
    draft = _implementation_draft(staff)
    data, n = _editor_data(draft)
    index = next(i for i in range(n["questions"]) if data[f"questions-{i}-code"] == "fidelity")
    if field == "max_value":
        index = next(i for i in range(n["questions"]) if data[f"questions-{i}-code"] == "collective_sessions")
    data[f"questions-{index}-{field}"] = value
    data[f"questions-{index}-label"] = "Libellé modifié, gardé à l'erreur"
    client.force_login(staff)

    response = client.post(reverse("evaluation:version_edit", kwargs={"pk": draft.pk}), data)

    assert response.status_code == 400
    content = _content(response)
    assert 'value="Libellé modifié, gardé à l\'erreur"' in content
    assert not draft.questions.filter(label="Libellé modifié, gardé à l'erreur").exists()
    if error_field:
        assert response.context["editor"].questions.forms[index].errors[error_field]
    else:
        assert response.context["editor"].questions.non_form_errors()


def test_edit_refuses_removing_a_section_that_still_has_questions(client, staff):
    draft = _implementation_draft(staff)
    data, n = _editor_data(draft)
    data["sections-0-DELETE"] = "on"
    client.force_login(staff)

    response = client.post(reverse("evaluation:version_edit", kwargs={"pk": draft.pk}), data)

    assert response.status_code == 400
    assert response.context["editor"].cross_errors
    assert draft.sections.count() == n["sections"]


def test_edit_removes_an_emptied_section_with_its_questions_deleted(client, staff):
    draft = _implementation_draft(staff)
    data, n = _editor_data(draft)
    first = Section.objects.filter(version=draft).first()
    data["sections-0-DELETE"] = "on"
    for i in range(n["questions"]):
        if data[f"questions-{i}-section"] == first.pk:
            data[f"questions-{i}-DELETE"] = "on"
    client.force_login(staff)

    response = client.post(reverse("evaluation:version_edit", kwargs={"pk": draft.pk}), data)

    assert response.status_code == 302
    assert not Section.objects.filter(pk=first.pk).exists()
    assert draft.sections.count() == n["sections"] - 1


def test_edited_draft_publishes_and_new_question_goes_to_unstarted_questionnaires(client, staff):
    with FROZEN:
        structure = structure_with_questionnaires(innovation=InnovationFactory(), start=D(2026, 1, 1))
    draft = _implementation_draft(staff)
    data, n = _editor_data(draft)
    section = draft.sections.first()
    data.update(
        {
            f"questions-{n['questions']}-section": section.pk,
            f"questions-{n['questions']}-position": "9",
            f"questions-{n['questions']}-code": "volunteers_mobilised",
            f"questions-{n['questions']}-label": "Bénévoles mobilisés",
            f"questions-{n['questions']}-kind": QuestionKind.INTEGER,
        }
    )
    client.force_login(staff)
    client.post(reverse("evaluation:version_edit", kwargs={"pk": draft.pk}), data)

    client.post(reverse("evaluation:version_publish", kwargs={"pk": draft.pk}))

    response = questionnaire(structure, Phase.IMPLEMENTATION)
    assert response.status == ResponseStatus.SCHEDULED
    assert response.version == draft
    assert response.version.questions.filter(code="volunteers_mobilised").exists()


# Pages ----------------------------------------------------------------------------------


def test_template_list_shows_versions_and_questionnaires_using_them(client, staff):
    with FROZEN:
        structure_with_questionnaires(innovation=InnovationFactory(), start=D(2026, 1, 1))
        structure_with_questionnaires(innovation=InnovationFactory(), start=D(2026, 1, 1))
    draft = new_draft_version(_template(), by=staff)
    client.force_login(staff)

    response = client.get(reverse("evaluation:template_list"))

    content = _content(response)
    for template in QuestionnaireTemplate.objects.all():
        assert template.title in content
        v1 = template.versions.get(number=1)
        assert f'href="{reverse("evaluation:version_detail", kwargs={"pk": v1.pk})}"' in content
    assert f'href="{reverse("evaluation:version_edit", kwargs={"pk": draft.pk})}"' in content
    counts = [v.response_count for t in response.context["templates"] for v in t.versions.all()]
    assert sorted(counts) == [0, 2, 2, 2]  # two structures on each v1, none on the draft


def test_version_detail_shows_questions_with_code_type_bounds_choices_and_rules(client, staff):
    version = _template(Phase.IMPACT).current_version()
    client.force_login(staff)

    response = client.get(reverse("evaluation:version_detail", kwargs={"pk": version.pk}))

    content = _content(response)
    assert '<code class="eval-code">retention_6_months</code>' in content
    assert "0 – 100" in content  # a percentage's bounds
    assert "0 – 100000" in content
    assert "Les DELD ne peuvent pas dépasser les personnes accompagnées." in content
    assert f'action="{reverse("evaluation:version_publish", kwargs={"pk": version.pk})}"' not in content


class _FormFields(HTMLParser):
    """The fields a browser would send for the page's form with ``marker`` in its tag."""

    def __init__(self, marker):
        super().__init__()
        self.marker, self.inside, self.data = marker, False, []
        self._select = self._textarea = None
        self._first_option = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = self.marker in attrs.get("class", "")
        if not self.inside:
            return
        if tag == "input" and attrs.get("name"):
            if attrs.get("type") != "checkbox" or "checked" in attrs:
                self.data.append((attrs["name"], attrs.get("value", "on" if attrs.get("type") == "checkbox" else "")))
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]
        elif tag == "select":
            self._select, self._first_option = [attrs["name"], None], None
        elif tag == "option" and self._select is not None:
            if self._first_option is None:
                self._first_option = attrs.get("value", "")
            if "selected" in attrs:
                self._select[1] = attrs.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            self.data.append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            value = self._select[1] if self._select[1] is not None else self._first_option
            self.data.append((self._select[0], value))
            self._select = None


def test_edit_page_sent_back_as_a_browser_would_saves_without_change(client, staff):
    draft = _implementation_draft(staff)
    before = list(Question.objects.filter(version=draft).order_by("pk").values())
    rules = list(ConsistencyRule.objects.filter(version=draft).order_by("pk").values())
    client.force_login(staff)
    url = reverse("evaluation:version_edit", kwargs={"pk": draft.pk})
    parser = _FormFields("eval-editor")
    parser.feed(client.get(url).content.decode())

    response = client.post(url, dict(parser.data))

    assert response.status_code == 302, _content(response)[:2000]
    assert list(Question.objects.filter(version=draft).order_by("pk").values()) == before
    assert list(ConsistencyRule.objects.filter(version=draft).order_by("pk").values()) == rules
