"""Asking for a new link: the same page whatever the address, an e-mail only for an
active structure contact with an open questionnaire, at most three requests an hour."""

import html
import re

import pytest
from django.urls import reverse

from ais.outbox.models import OutgoingEmail

pytestmark = pytest.mark.django_db

URL = "/questionnaires/nouveau-lien/"


def _ask(client, email):
    return client.post(URL, {"email": email})


def _main(http_response) -> str:
    text = html.unescape(http_response.content.decode())
    main = re.search(r"<main.*?</main>", text, re.S).group(0)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)


def test_link_request_form_is_public(client, db):
    page = client.get(URL)

    assert page.status_code == 200
    assert 'name="email"' in page.content.decode()


def test_known_address_gets_one_new_link_per_open_questionnaire(client, contact, colleague, response):
    answer = _ask(client, contact.email.upper())

    emails = list(OutgoingEmail.objects.filter(dedup_key__contains=":new_link:"))
    assert answer.status_code == 200
    assert [e.recipient for e in emails] == [contact.email]  # only the person asking; the late
    # 3-month one is past its links' lifetime, the 18-month one not open yet
    assert emails[0].object_id == str(response.pk)
    url = re.search(r"https?://\S+/questionnaires/acces/(\S+)/", emails[0].body)
    assert url is not None
    opened = client.post(reverse("evaluation:link", kwargs={"token": url.group(1)}))
    assert opened.status_code == 302 and opened.url == reverse("evaluation:response", kwargs={"pk": response.pk})


def test_unknown_address_gets_same_page_and_no_email(client, contact, response):
    known = _ask(client, contact.email)
    unknown = _ask(client, "inconnu@exemple.fr")

    assert known.status_code == unknown.status_code == 200
    assert _main(known).replace(contact.email, "X") == _main(unknown).replace("inconnu@exemple.fr", "X")
    assert not OutgoingEmail.objects.filter(recipient="inconnu@exemple.fr").exists()


@pytest.mark.parametrize("case", ["inactive", "not_a_contact", "nothing_open"])
def test_no_email_for_addresses_that_cannot_answer(client, contact, responses, case, manager):
    email = contact.email
    if case == "inactive":
        contact.is_active = False
        contact.save(update_fields=["is_active"])
    elif case == "not_a_contact":
        email = manager.email
    else:
        for response in responses.values():
            response.status = "submitted"
            response.save(update_fields=["status"])

    page = _ask(client, email)

    assert page.status_code == 200
    assert not OutgoingEmail.objects.filter(dedup_key__contains=":new_link:").exists()


def test_link_requests_are_throttled_to_three_an_hour(client, contact, response):
    pages = [_ask(client, contact.email) for _ in range(5)]

    assert [p.status_code for p in pages] == [200] * 5
    assert len({_main(p) for p in pages}) == 1  # the throttled answer looks the same
    assert OutgoingEmail.objects.filter(recipient=contact.email, dedup_key__contains=":new_link:").count() == 3


def test_invalid_address_comes_back_with_error(client, db):
    page = _ask(client, "pas-une-adresse")

    assert page.status_code == 400
    assert 'value="pas-une-adresse"' in page.content.decode()
    assert not OutgoingEmail.objects.exists()
