"""E-mailed links ("done when" #3): an expired, tampered, revoked or replayed token
never shows the questionnaire and explains how to get a new link; a valid one opens
it once, at an address without the token, and opens nothing else."""

import datetime
import html

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from evaluation import links, services
from evaluation.models import Phase
from tests.evaluation.answer.conftest import fill

pytestmark = pytest.mark.django_db

QUESTION = "Nombre de personnes accompagnées depuis le démarrage"  # a question of the 9-month questionnaire
NEW_LINK_FORM = 'action="/questionnaires/nouveau-lien/"'


def _link_url(token):
    return reverse("evaluation:link", kwargs={"token": token})


def _page_url(response):
    return reverse("evaluation:response", kwargs={"pk": response.pk})


def _text(http_response) -> str:
    return html.unescape(http_response.content.decode())


def _assert_refused(http_response, status, client, response, heading):
    text = _text(http_response)
    assert http_response.status_code == status
    assert heading in text  # what happened (English msgid: the client asked for English)
    assert NEW_LINK_FORM in text and 'name="email"' in text  # how to get a new link
    assert 'href="/compte/connexion/?next=/questionnaires/"' in text  # or log in
    assert QUESTION not in text and 'id="questionnaire-form"' not in text
    assert http_response["Referrer-Policy"] == "same-origin"
    assert "no-store" in http_response["Cache-Control"]
    # And the browser holds no access to the questionnaire.
    page = client.get(_page_url(response))
    assert page.status_code == 302 and page.url.startswith("/compte/connexion/")


def test_valid_link_redirects_to_address_without_token_then_shows_questions(english, response, contact):
    _link, token = links.issue_link(response, contact.email)

    redirect = english.post(_link_url(token))

    assert redirect.status_code == 302
    assert redirect.url == _page_url(response)
    assert token not in redirect.url
    assert redirect["Referrer-Policy"] == "same-origin"
    assert "no-store" in redirect["Cache-Control"]
    page = english.get(redirect.url)
    text = _text(page)
    assert page.status_code == 200
    assert QUESTION in text
    assert 'id="questionnaire-form"' in text  # an anonymous visitor with the link may answer
    assert token not in text
    assert "no-store" in page["Cache-Control"]


def test_expired_link_answers_410_with_new_link_form(english, response, contact):
    link, token = links.issue_link(response, contact.email)

    with time_machine.travel(link.expires_at + datetime.timedelta(seconds=1), tick=False):
        refused = english.post(_link_url(token))

        _assert_refused(refused, 410, english, response, "This link has expired")
    link.refresh_from_db()
    assert link.used_at is None


def test_tampered_link_answers_404_with_new_link_form(english, response, contact):
    _link, token = links.issue_link(response, contact.email)
    tampered = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]

    refused = english.post(_link_url(tampered))

    _assert_refused(refused, 404, english, response, "This questionnaire link is not valid")


def test_revoked_link_answers_410_with_new_link_form(english, response, contact):
    _link, token = links.issue_link(response, contact.email)
    links.revoke_links(response)

    refused = english.post(_link_url(token))

    _assert_refused(refused, 410, english, response, "This link was withdrawn")


def test_replayed_link_from_another_browser_answers_410(english, response, contact, settings):
    _link, token = links.issue_link(response, contact.email)
    first = Client()
    assert first.post(_link_url(token)).url == _page_url(response)
    other = english  # someone who got hold of the used link

    refused = other.post(_link_url(token))

    _assert_refused(refused, 410, other, response, "This link was already used")
    assert "Continue on this browser" not in _text(refused)


def test_replayed_link_in_same_browser_shows_no_questionnaire_but_offers_to_continue(english, response, contact):
    _link, token = links.issue_link(response, contact.email)
    english.post(_link_url(token))

    again = english.post(_link_url(token))

    text = _text(again)
    assert again.status_code == 410
    assert QUESTION not in text
    assert f'href="{_page_url(response)}"' in text  # this browser already holds the access


def test_link_of_submitted_questionnaire_answers_410(english, response, contact):
    _link, token = links.issue_link(response, contact.email)
    fill(response, by=contact)
    services.submit_response(response, by=contact)
    token_after = links.issue_link(response, contact.email)[1]  # issued after sending: not revoked

    refused = english.post(_link_url(token_after))
    revoked = english.post(_link_url(token))

    _assert_refused(refused, 410, english, response, "This questionnaire was already sent")
    assert revoked.status_code == 410  # submitting revoked the earlier links


def test_link_grant_does_not_open_another_questionnaire(client, response, responses, contact, other_contact):
    from tests.evaluation.answer.helpers import schedule, structure_of

    _link, token = links.issue_link(response, contact.email)
    client.post(_link_url(token))
    others = schedule(structure_of(other_contact.organisations_for("structure").first()))
    other = others[Phase.IMPLEMENTATION]
    question = other.version.questions.get(code="people_accompanied")

    page = client.get(_page_url(other))
    same_structure = client.get(_page_url(responses[Phase.APPROPRIATION]))
    save = client.post(
        reverse("evaluation:answer_save", kwargs={"pk": other.pk, "question_pk": question.pk}),
        {f"q-{question.pk}": "12", f"rev-{question.pk}": "0"},
        HTTP_HX_REQUEST="true",
    )
    submit = client.post(reverse("evaluation:response_submit", kwargs={"pk": other.pk}))

    for refused in (page, same_structure, save, submit):
        assert refused.status_code == 302 and refused.url.startswith("/compte/connexion/")
    assert not other.answers.exists()
    assert client.get(_page_url(response)).status_code == 200


def test_link_grant_lets_anonymous_visitor_answer_and_submit(client, response, contact):
    _link, token = links.issue_link(response, contact.email)
    client.post(_link_url(token))
    question = response.version.questions.get(code="people_accompanied")
    fill(response, by=contact)

    save = client.post(
        reverse("evaluation:answer_save", kwargs={"pk": response.pk, "question_pk": question.pk}),
        {f"q-{question.pk}": "30", f"rev-{question.pk}": "1"},
        HTTP_HX_REQUEST="true",
    )
    submit = client.post(reverse("evaluation:response_submit", kwargs={"pk": response.pk}))

    assert save.status_code == 200
    assert submit.status_code == 302 and submit.url == _page_url(response)
    response.refresh_from_db()
    assert response.status == "submitted"
    assert response.submitted_by is None  # nobody logged in: the link's holder
    assert response.answers.get(question=question).value == 30
    assert response.answers.get(question=question).updated_by is None


def test_link_is_public_page_for_logged_in_user_too(english, response, contact, other_contact):
    _link, token = links.issue_link(response, contact.email)
    english.force_login(other_contact)

    redirect = english.post(_link_url(token))

    assert redirect.url == _page_url(response)
    assert english.get(redirect.url).status_code == 200  # the link is the key, whoever holds it


def test_opening_link_shows_button_and_keeps_token_usable(english, response, contact):
    """Mail scanners follow links with GET: that must not use the link up."""
    link, token = links.issue_link(response, contact.email)

    shown = [english.get(_link_url(token)) for _ in range(2)]

    for page in shown:
        assert page.status_code == 200
        assert "Open the questionnaire" in _text(page)
        assert QUESTION not in _text(page)
        assert "no-store" in page["Cache-Control"] and page["Referrer-Policy"] == "same-origin"
    link.refresh_from_db()
    assert link.used_at is None
    assert english.get(_page_url(response)).status_code == 302  # no access until the button is pressed
    assert english.post(_link_url(token)).url == _page_url(response)
    link.refresh_from_db()
    assert link.used_at is not None


def test_opening_expired_link_explains_how_to_get_a_new_one(english, response, contact):
    link, token = links.issue_link(response, contact.email)

    with time_machine.travel(link.expires_at + datetime.timedelta(seconds=1), tick=False):
        refused = english.get(_link_url(token))

    _assert_refused(refused, 410, english, response, "This link has expired")


def test_pages_opened_with_a_link_do_not_offer_to_log_in(client, response, contact):
    """The link already gave access: the menu says so instead of « Se connecter » (issue 16)."""
    _link, token = links.issue_link(response, contact.email)
    before = _text(client.get(_link_url(token)))
    client.post(_link_url(token))

    text = _text(client.get(_page_url(response)))

    assert 'class="btn btn-primary" href="/compte/connexion/"' in before  # not yet redeemed
    assert 'class="btn btn-primary" href="/compte/connexion/"' not in text
    assert "Questionnaire ouvert avec votre lien personnel" in text
