"""Access-matrix entries of the answer pages of the evaluation (see tests/matrix/__init__.py).

Structure contacts answer their own structures' questionnaires (someone else's is a
404), managers and administrators may answer any, carriers read those of their
innovations; anonymous visitors are asked to log in unless an e-mailed link gave
their browser access (tested in tests/evaluation_answer/test_links.py: a valid link
redirects, an expired, revoked or used one answers 410). The link pages are public.
"""

from ais.accounts.models import Role
from evaluation.models import Phase
from tests.access_matrix import LOGIN, Access, everyone, only
from tests.essaimage.factories import SpreadStructureFactory
from tests.evaluation.answer.helpers import schedule

STAFF = (Role.MANAGER, Role.ADMIN)
QUESTION = "Décrivez les activités menées depuis le démarrage"  # in the 9-month questionnaire
INVALID_TOKEN = "jeton-invalide-0123456789"

# Someone else's questionnaire: staff only; logged-in others find nothing (404).
OTHERS = {"anonymous": LOGIN, **dict.fromkeys([Role.CARRIER, Role.COMMITTEE, Role.STRUCTURE], 404)}
OTHERS_GET = {**OTHERS, **dict.fromkeys(STAFF, 200)}
OWN_GET = {**OTHERS_GET, Role.STRUCTURE: 200}
CARRIERS_GET = {**OTHERS_GET, Role.CARRIER: 200}


def _nine_months(structure):
    return schedule(structure)[Phase.IMPLEMENTATION]


def _others(o) -> dict:
    return {"pk": _nine_months(o.structure).pk}


def _own(o) -> dict:
    """The requesting contact's own questionnaire (someone else's for other roles)."""
    return {"pk": _nine_months(o.own_structure()).pk}


def _carriers(o) -> dict:
    """A questionnaire of the requesting carrier's innovation (someone else's for other roles)."""
    return {"pk": _nine_months(SpreadStructureFactory(innovation=o.own_innovation())).pk}


def _with_own(o) -> dict:
    _nine_months(o.own_structure())
    return {}


def _question(kwargs_of):
    def kwargs(o):
        pk = kwargs_of(o)["pk"]
        from evaluation.models import Response

        response = Response.objects.get(pk=pk)
        return {"pk": pk, "question_pk": response.version.questions.get(code="people_accompanied").pk}

    return kwargs


MATRIX: dict = {
    "evaluation:my_questionnaires": Access(_with_own, only(Role.STRUCTURE, *STAFF), "Parcours Gardien"),
    "evaluation:response": Access(_others, OTHERS_GET, QUESTION),
    "evaluation:response [own]": Access(_own, OWN_GET, QUESTION),
    "evaluation:response [carrier]": Access(_carriers, CARRIERS_GET, QUESTION),
    # Acting views: POST only, for everyone (a link's holder may act without an account).
    "evaluation:answer_save": Access(_question(_own), everyone(405)),
    "evaluation:response_submit": Access(_own, everyone(405)),
    # E-mailed links: public; a wrong token is a 404 that explains how to get a new link.
    "evaluation:link": Access(lambda o: {"token": INVALID_TOKEN}, everyone(404)),
    "evaluation:link_request": Access(None, everyone(200), 'name="email"'),
}

SAVED = "/questionnaires/{pk}/"

POST_MATRIX: dict = {
    # The whole form (without JavaScript): saved, back to the page; readers may not write.
    "evaluation:response": Access(_others, {**OTHERS, **dict.fromkeys(STAFF, SAVED)}),
    "evaluation:response [own]": Access(_own, {**OTHERS, **dict.fromkeys((Role.STRUCTURE, *STAFF), SAVED)}),
    "evaluation:response [carrier]": Access(_carriers, {**OTHERS, **dict.fromkeys(STAFF, SAVED)}),
    # One answer (htmx; without htmx, back to the question on the page).
    "evaluation:answer_save": Access(
        _question(_others), {**OTHERS, **dict.fromkeys(STAFF, SAVED + "#question-{question_pk}")}
    ),
    "evaluation:answer_save [own]": Access(
        _question(_own), {**OTHERS, **dict.fromkeys((Role.STRUCTURE, *STAFF), SAVED + "#question-{question_pk}")}
    ),
    # Sending an empty questionnaire: refused, the page lists what is missing (400).
    "evaluation:response_submit": Access(_others, {**OTHERS, **dict.fromkeys(STAFF, 400)}, QUESTION),
    "evaluation:response_submit [own]": Access(
        _own, {**OTHERS, **dict.fromkeys((Role.STRUCTURE, *STAFF), 400)}, QUESTION
    ),
    "evaluation:link": Access(lambda o: {"token": INVALID_TOKEN}, everyone(404)),
    # The same answer for every address, known or not.
    "evaluation:link_request": Access(None, everyone(200), "inconnu@exemple.fr"),
}

POST_DATA: dict = {
    "evaluation:link_request": {"email": "inconnu@exemple.fr"},
}
