"""Control characters (NUL and the other C0 characters but tab, line feed and carriage
return) in every input: the path and query string of every GET URL of the access
matrix, the forms and the htmx autosaves. Never a 500 (PostgreSQL refuses NUL in
text), never a lost answer: ``ais.core.middleware.ControlCharactersMiddleware``."""

import html
import re
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ais.accounts.models import Role
from ais.core.middleware import strip_control_characters
from evaluation.models import Answer, Phase
from projects.models import Dossier, DossierAttachment, DossierSection
from reporting.models import ReportKind, ReportNarrative
from tests.access_matrix import MATRIX, NOT_FOUND_TEXT, url_name, walk_patterns
from tests.ais.factories import OrganisationFactory, UserFactory, tiny_pdf_bytes
from tests.conftest import ROLES, make_user
from tests.evaluation.answer.helpers import schedule, structure_of
from tests.projects.factories import DossierFactory, InnovationFactory
from tests.test_access_matrix import _log_in, _matrix_objects, objects  # noqa: F401 - the matrix's objects fixtures

INVALID_ADDRESS_TEXT = "Cette adresse contient des caractères non autorisés"
NUL = "\x00"

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return html.unescape(body.decode("utf-8", errors="replace"))


def _route(key) -> str:
    return next(route for name, route, _pattern in walk_patterns() if name == url_name(key))


def _path_with(route: str, kwargs: dict, poisoned: str) -> str:
    """The URL of ``route`` with ``kwargs``, a NUL byte appended to the ``poisoned`` argument."""

    def value(match):
        name = match.group(1)
        text = quote(str(kwargs[name]), safe="")
        return text + "%00" if name == poisoned else text

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", value, route)


def _role(access) -> str:
    """A role that reaches the view (a 200 if any role gets one): the NUL must reach the code."""
    return next((role for role in ROLES if access.expected[role] == 200), "anonymous")


GET_KEYS = [key for key in MATRIX if not url_name(key).startswith("admin:")]


@pytest.mark.parametrize("key", GET_KEYS)
def test_nul_in_query_string_and_each_path_argument_answers_french_error_page(client, objects, key):  # noqa: F811
    access = MATRIX[key]
    role = _role(access)
    objects.user = _log_in(client, role, objects)
    kwargs = access.kwargs(objects) if access.kwargs else {}
    url = reverse(url_name(key), kwargs=kwargs)

    in_query = client.get(url + "?q=ab%00c&page=1%01")
    in_path = {name: client.get(_path_with(_route(key), kwargs, name)) for name in kwargs}

    assert in_query.status_code == 400, f"{url}?q=ab%00c: {in_query.status_code}"
    assert INVALID_ADDRESS_TEXT in _text(in_query)
    for name, response in in_path.items():
        assert response.status_code == 404, f"{key} with a NUL in {name}: {response.status_code}"
        assert NOT_FOUND_TEXT in _text(response)


def test_nul_reported_by_the_attack_answers_404_not_500(client):
    """The URLs of issue 18: string arguments reach a database query."""
    for url in ("/inscriptions/%00/", "/inscriptions/%00/annuler/", "/questionnaires/acces/a%00b/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert NOT_FOUND_TEXT in _text(response)


def test_json_body_with_escaped_nul_answers_400(client):
    response = client.post(reverse("accounts:login"), data='{"username": "a\\u0000b"}', content_type="application/json")

    assert response.status_code == 400
    assert INVALID_ADDRESS_TEXT in _text(response)


def test_json_body_with_escaped_backslash_before_u0000_is_not_refused(client):
    response = client.post(
        reverse("accounts:login"), data='{"username": "a\\\\u0000b"}', content_type="application/json"
    )

    assert response.status_code != 400


def test_strip_control_characters_keeps_tab_and_line_breaks():
    assert strip_control_characters("a\x00b\x01c\x1fd\te\nf\r\ng\x0bh") == "abcd\te\nf\r\ngh"


# Autosaves and forms: the answer is kept, without the NUL -----------------------------


def test_dossier_autosave_with_nul_saves_the_text_without_it(client):
    organisation = OrganisationFactory()
    carrier = UserFactory(roles=[(Role.CARRIER, organisation)])
    dossier = DossierFactory(complete=True, organisation=organisation, created_by=carrier)
    client.force_login(carrier)
    url = reverse("projects:dossier_edit", args=[dossier.pk, DossierSection.INNOVATION])

    response = client.post(
        url,
        {
            "version": dossier.version,
            "innovation_name": "Jardin\x00 solidaire",
            "year_started": 2018,
            "summary": "Texte collé\x00 depuis un traitement de texte\x01.\nDeuxième ligne.",
        },
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert fresh.summary == "Texte collé depuis un traitement de texte.\nDeuxième ligne."
    assert fresh.innovation_name == "Jardin solidaire"
    assert fresh.version == dossier.version + 1


def test_questionnaire_autosave_with_nul_saves_the_answer_without_it(client):
    organisation = OrganisationFactory()
    contact = UserFactory(roles=[(Role.STRUCTURE, organisation)])
    structure = structure_of(organisation, innovation=InnovationFactory(spreading=True))
    questionnaire = schedule(structure)[Phase.IMPLEMENTATION]  # open for five days
    question = questionnaire.version.questions.filter(kind="long_text").first()
    client.force_login(contact)

    saved = client.post(
        reverse("evaluation:answer_save", kwargs={"pk": questionnaire.pk, "question_pk": question.pk}),
        {f"q-{question.pk}": "Ateliers\x00 collectifs\x07 chaque semaine.", f"rev-{question.pk}": "0"},
        headers={"HX-Request": "true"},
    )

    assert saved.status_code == 200
    answer = Answer.objects.get(response=questionnaire, question=question)
    assert answer.value == "Ateliers collectifs chaque semaine."


def test_report_narrative_with_nul_saves_the_text_without_it(client):
    innovation = InnovationFactory(spreading=True)
    client.force_login(make_user(Role.MANAGER))

    response = client.post(
        reverse("reporting:report_narrative", kwargs={"pk": innovation.pk, "kind": ReportKind.FINAL}),
        {
            "final-revision": "0",
            "final-summary": "Un essaimage\x00 réussi.",
            "final-conclusions": "Les structures\x00 ont adopté le modèle.",
            "final-recommendations": "Poursuivre.",
        },
    )

    assert response.status_code == 302
    narrative = ReportNarrative.objects.get(innovation=innovation, kind=ReportKind.FINAL)
    assert narrative.conclusions == "Les structures ont adopté le modèle."


def test_upload_with_nul_in_its_name_and_description_is_stored_without_it(client, settings):
    """The description is cleaned by the middleware; the file name by Django's multipart
    parser (it drops non-printable characters), checked here so that it stays so."""
    organisation = OrganisationFactory()
    carrier = UserFactory(roles=[(Role.CARRIER, organisation)])
    dossier = DossierFactory(complete=True, organisation=organisation, created_by=carrier)
    client.force_login(carrier)
    upload = SimpleUploadedFile("rapport\x00 2024.pdf", tiny_pdf_bytes(), content_type="application/pdf")

    response = client.post(
        reverse("projects:dossier_attachments", args=[dossier.pk]), {"file": upload, "description": "Bilan\x00 2024"}
    )

    assert response.status_code == 302
    attachment = DossierAttachment.objects.get(dossier=dossier)
    assert (attachment.original_name, attachment.description) == ("rapport 2024.pdf", "Bilan 2024")
