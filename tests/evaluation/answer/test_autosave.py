"""Saving as you type (htmx), conflicts between two people, invalid values, the
whole form without JavaScript, consistency warnings, submission and its lock."""

import html

import pytest
from django.test import Client
from django.urls import reverse

from evaluation import services
from evaluation.models import Answer, ResponseStatus
from tests.evaluation.answer.conftest import fill, question

pytestmark = pytest.mark.django_db


def _save_url(response, q):
    return reverse("evaluation:answer_save", kwargs={"pk": response.pk, "question_pk": q.pk})


def _page_url(response):
    return reverse("evaluation:response", kwargs={"pk": response.pk})


def _text(http_response) -> str:
    return html.unescape(http_response.content.decode())


def _browser(settings, user):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def _autosave(client, response, q, value, revision):
    return client.post(
        _save_url(response, q), {f"q-{q.pk}": value, f"rev-{q.pk}": str(revision)}, HTTP_HX_REQUEST="true"
    )


def test_page_shows_each_question_with_its_input(english, response, contact):
    english.force_login(contact)
    fill(response, by=contact, obstacles=["Financement", "Mobilité des personnes"], start_date_confirmed="2026-02-03")

    text = _text(english.get(_page_url(response)))

    people = question(response, "people_accompanied")
    fidelity = question(response, "fidelity")
    obstacles = question(response, "obstacles")
    activities = question(response, "activities")
    started = question(response, "start_date_confirmed")
    assert "Neuf mois après le démarrage" in text  # the questionnaire's introduction
    assert "Inscrits depuis plus d'un an." in text  # a help text
    assert (
        f'<input type="number" class="form-control" id="q-{people.pk}" name="q-{people.pk}" value="4" '
        f'min="0" max="100000" step="1"'
    ) in text
    assert f'type="radio" name="q-{fidelity.pk}" id="q-{fidelity.pk}-1" value="Conforme au modèle" checked' in text
    assert f'type="checkbox" name="q-{obstacles.pk}" id="q-{obstacles.pk}-1" value="Financement" checked' in text
    assert f'id="q-{obstacles.pk}-2" value="Recrutement ou turn-over de l\'équipe">' in text
    assert f'<textarea class="form-control" id="q-{activities.pk}" name="q-{activities.pk}"' in text
    assert f'<input type="date" class="form-control question-date" id="q-{started.pk}"' in text
    assert 'value="2026-02-03"' in text
    assert f'name="rev-{people.pk}" id="q-{people.pk}-rev" value="1"' in text
    assert f'hx-post="{_save_url(response, people)}"' in text
    assert f'<legend class="question-label">{fidelity.label}' in text  # radio groups in a fieldset
    assert f'aria-describedby="q-{people.pk}-help q-{people.pk}-warnings"' in text


def test_autosave_saves_answer_and_returns_status_and_new_revision(english, response, contact):
    english.force_login(contact)
    people = question(response, "people_accompanied")

    saved = _autosave(english, response, people, "12", 0)

    text = _text(saved)
    answer = Answer.objects.get(response=response, question=people)
    assert saved.status_code == 200
    assert (answer.value, answer.revision, answer.updated_by) == (12, 1, contact)
    assert "Saved at" in text
    assert f'name="rev-{people.pk}" id="q-{people.pk}-rev" value="1" hx-swap-oob="true"' in text
    assert "1 of 10 required answers" in text  # the progress, updated out of band
    response.refresh_from_db()
    assert response.status == ResponseStatus.IN_PROGRESS


def test_autosave_conflict_keeps_second_persons_text_and_first_persons_answer(settings, response, contact, colleague):
    activities = question(response, "activities")
    first, second = _browser(settings, contact), _browser(settings, colleague)
    first.get(_page_url(response))
    second.get(_page_url(response))  # both start from revision 0

    _autosave(first, response, activities, "Ateliers hebdomadaires", 0)
    conflict = _autosave(second, response, activities, "Visites d'entreprises", 0)

    text = _text(conflict)
    answer = Answer.objects.get(response=response, question=activities)
    assert answer.value == "Ateliers hebdomadaires"  # the first person's answer is untouched
    assert conflict.status_code == 200
    assert conflict["HX-Retarget"] == f"#question-{activities.pk}"
    assert "Someone else changed this answer since you opened the page" in text
    assert "Visites d'entreprises</textarea>" in text  # the second person's text, kept in the field
    assert '<span class="their-answer">Ateliers hebdomadaires</span>' in text  # and the other's shown
    assert f'name="rev-{activities.pk}" id="q-{activities.pk}-rev" value="1"' in text  # the revision they have now seen

    overwrite = _autosave(second, response, activities, "Visites d'entreprises", 1)

    answer.refresh_from_db()
    assert "Saved at" in _text(overwrite)
    assert (answer.value, answer.revision, answer.updated_by) == ("Visites d'entreprises", 2, colleague)


def test_autosave_invalid_value_shows_message_and_keeps_text(english, response, contact):
    english.force_login(contact)
    people = question(response, "people_accompanied")

    not_a_number = _autosave(english, response, people, "douze", 0)
    negative = _autosave(english, response, people, "-3", 0)

    text = _text(not_a_number)
    assert "Enter a number." in text
    assert f'id="q-{people.pk}" name="q-{people.pk}" value="douze"' in text
    assert f'aria-describedby="q-{people.pk}-help q-{people.pk}-error q-{people.pk}-warnings"' in text
    assert "The value must be at least 0." in _text(negative)
    assert not Answer.objects.filter(response=response, question=people).exists()


def test_autosave_shows_consistency_warning_near_the_figures(english, response, contact):
    english.force_login(contact)
    people, deld = question(response, "people_accompanied"), question(response, "people_deld")
    _autosave(english, response, people, "10", 0)

    broken = _autosave(english, response, deld, "12", 0)
    fixed = _autosave(english, response, deld, "8", 1)

    rule = "Les DELD ne peuvent pas dépasser les personnes accompagnées."
    assert f'<div id="q-{deld.pk}-warnings" hx-swap-oob="innerHTML"><p class="question-warning' in _text(broken)
    assert rule in _text(broken)
    assert rule not in _text(fixed)
    assert rule not in _text(english.get(_page_url(response)))


def test_whole_form_without_javascript_saves_every_answer(english, response, contact):
    english.force_login(contact)
    people, deld = question(response, "people_accompanied"), question(response, "people_deld")
    obstacles = question(response, "obstacles")

    saved = english.post(
        _page_url(response),
        {
            f"q-{people.pk}": "25",
            f"rev-{people.pk}": "0",
            f"q-{deld.pk}": "20",
            f"rev-{deld.pk}": "0",
            f"q-{obstacles.pk}": ["Financement", "Temps disponible"],
            f"rev-{obstacles.pk}": "0",
        },
    )

    assert saved.status_code == 302 and saved.url == _page_url(response)
    values = {a.question.code: a.value for a in response.answers.select_related("question")}
    assert values == {"people_accompanied": 25, "people_deld": 20, "obstacles": ["Financement", "Temps disponible"]}


def test_whole_form_with_invalid_value_and_conflict_rerenders_keeping_text(english, response, contact, colleague):
    english.force_login(contact)
    people, deld, activities = (question(response, c) for c in ("people_accompanied", "people_deld", "activities"))
    services.save_answer(response, activities, "Texte du collègue", revision=0, by=colleague)

    refused = english.post(
        _page_url(response),
        {
            f"q-{people.pk}": "trente",
            f"rev-{people.pk}": "0",
            f"q-{deld.pk}": "20",
            f"rev-{deld.pk}": "0",
            f"q-{activities.pk}": "Mon texte à moi",
            f"rev-{activities.pk}": "0",
        },
    )

    text = _text(refused)
    assert refused.status_code == 400
    assert 'value="trente"' in text and "Enter a number." in text
    assert "Mon texte à moi</textarea>" in text and "Texte du collègue" in text
    assert "Someone else changed this answer" in text
    values = {a.question.code: a.value for a in response.answers.select_related("question")}
    assert values == {"people_deld": 20, "activities": "Texte du collègue"}  # the valid answer is saved


def test_submit_refused_when_required_answers_missing(english, response, contact):
    english.force_login(contact)
    people = question(response, "people_accompanied")
    services.save_answer(response, people, "10", revision=0, by=contact)

    refused = english.post(reverse("evaluation:response_submit", kwargs={"pk": response.pk}))

    text = _text(refused)
    response.refresh_from_db()
    assert refused.status_code == 400
    assert "The questionnaire was not sent" in text
    assert "Some required questions have no answer" in text
    activities = question(response, "activities")
    assert f'<li><a href="#question-{activities.pk}">{activities.label}</a></li>' in text
    assert f'<li><a href="#question-{people.pk}">' not in text
    assert response.status == ResponseStatus.IN_PROGRESS
    assert response.answers.get(question=people).value == 10  # nothing lost


def test_submit_refused_when_consistency_rule_broken(english, response, contact):
    english.force_login(contact)
    fill(response, by=contact, people_accompanied="10", people_deld="12")

    refused = english.post(reverse("evaluation:response_submit", kwargs={"pk": response.pk}))

    response.refresh_from_db()
    assert refused.status_code == 400
    assert "Les DELD ne peuvent pas dépasser les personnes accompagnées." in _text(refused)
    assert response.status == ResponseStatus.IN_PROGRESS


def test_submit_saves_posted_answers_then_locks(english, response, contact):
    english.force_login(contact)
    fill(response, by=contact)
    people = question(response, "people_accompanied")

    sent = english.post(
        reverse("evaluation:response_submit", kwargs={"pk": response.pk}),
        {f"q-{people.pk}": "40", f"rev-{people.pk}": "1"},
    )
    later = _autosave(english, response, people, "50", 2)

    response.refresh_from_db()
    assert sent.status_code == 302 and sent.url == _page_url(response)
    assert response.status == ResponseStatus.SUBMITTED and response.submitted_by == contact
    assert "This questionnaire was submitted: it can no longer be changed." in _text(later)
    assert response.answers.get(question=people).value == 40
    page = _text(english.get(_page_url(response)))
    assert 'id="questionnaire-form"' not in page  # read-only
    assert "Sent on" in page and contact.get_full_name() in page


def test_returned_questionnaire_shows_reason_and_is_editable_again(english, response, contact, manager):
    english.force_login(contact)
    fill(response, by=contact)
    services.submit_response(response, by=contact)
    services.return_response(response, reason="Précisez les sorties vers l'emploi durable.", by=manager)
    people = question(response, "people_accompanied")

    page = _text(english.get(_page_url(response)))
    saved = _autosave(english, response, people, "41", 1)

    assert "Précisez les sorties vers l'emploi durable." in page
    assert 'id="questionnaire-form"' in page
    assert "Saved at" in _text(saved)
    assert response.answers.get(question=people).value == 41


def test_questionnaire_not_open_yet_is_read_only(english, responses, contact):
    english.force_login(contact)
    impact = responses["impact"]
    q = question(impact, "people_accompanied")

    page = _text(english.get(_page_url(impact)))
    save = _autosave(english, impact, q, "3", 0)

    assert "This questionnaire opens on" in page
    assert 'id="questionnaire-form"' not in page
    assert q.label in page
    assert "This questionnaire opens on" in _text(save)
    assert not impact.answers.exists()


def test_answer_save_without_htmx_goes_back_to_page(client, response, contact):
    client.force_login(contact)
    people = question(response, "people_accompanied")

    back = client.post(_save_url(response, people), {f"q-{people.pk}": "7", f"rev-{people.pk}": "0"})

    assert back.status_code == 302 and back.url == f"{_page_url(response)}#question-{people.pk}"
    assert response.answers.get(question=people).value == 7


def test_answer_save_of_question_from_another_questionnaire_is_404(client, responses, contact):
    client.force_login(contact)
    other_version_question = question(responses["appropriation"], "political_support")

    refused = _autosave(client, responses["implementation"], other_version_question, "3", 0)

    assert refused.status_code == 404
