"""Access-matrix entries of the managers' evaluation pages (see tests/matrix/__init__.py).

Following the evaluation is the work of programme managers and administrators: every
other role is refused (403), anonymous visitors are sent to log in. The read-only
pages answer a POST as a GET; the acting views are POST-only (405 in GET).
"""

import datetime

from django.utils import timezone

from ais.accounts.models import Role
from evaluation.models import Phase, QuestionnaireTemplate, Response, ResponseStatus
from evaluation.schedule import current_version, schedule_for_structure
from evaluation.services import new_draft_version
from tests.access_matrix import Access, logged_in, only

STAFF = (Role.MANAGER, Role.ADMIN)
QUESTION_CODE = "political_support"  # a question of the appropriation questionnaire
RESPONSE_URL = "/suivi/evaluation/questionnaires/{pk}/"
VERSION_URL = "/suivi/evaluation/modeles/versions/{pk}/"


def _questionnaire(o, status=None) -> Response:
    """The appropriation questionnaire of the matrix's structure (scheduled from a start
    date a year ago), in ``status`` if given."""
    structure = o.structure
    if structure.start_date is None:
        structure.start_date = timezone.localdate() - datetime.timedelta(days=365)
        structure.save(update_fields=["start_date"])
        schedule_for_structure(structure.pk)
    response = Response.objects.get(structure=structure, phase=Phase.APPROPRIATION)
    if status is not None:
        Response.objects.filter(pk=response.pk).update(status=status, submitted_at=timezone.now())
    return response


def _with_questionnaires(o) -> dict:
    _questionnaire(o)
    return {}


def _response(o) -> dict:
    return {"pk": _questionnaire(o).pk}


def _submitted(o) -> dict:
    return {"pk": _questionnaire(o, ResponseStatus.SUBMITTED).pk}


def _template(o) -> QuestionnaireTemplate:
    current_version(Phase.APPROPRIATION)  # the default templates, should a transactional test have flushed them
    return QuestionnaireTemplate.objects.get(phase=Phase.APPROPRIATION)


def _with_templates(o) -> dict:
    _template(o)
    return {}


def _published(o) -> dict:
    return {"pk": _template(o).current_version().pk}


def _draft(o) -> dict:
    o.draft = new_draft_version(_template(o), by=None)
    return {"pk": o.draft.pk}


def _template_with_draft(o) -> dict:
    """The template's pk; its draft exists already, so the redirect target is known."""
    _draft(o)
    return {"pk": _template(o).pk}


def _export(o) -> dict:
    _questionnaire(o)
    return {"phase": Phase.APPROPRIATION, "fmt": "csv"}


READ_ONLY = {
    "evaluation:followup": Access(_with_questionnaires, only(*STAFF), "Parcours Gardien"),
    "evaluation:response_manage": Access(_response, only(*STAFF), QUESTION_CODE),
    "evaluation:structure_compare": Access(lambda o: {"pk": o.structure.pk}, only(*STAFF), "Parcours Gardien"),
    "evaluation:structure_compare [with questionnaires]": Access(
        lambda o: {"pk": _questionnaire(o).structure_id}, only(*STAFF), QUESTION_CODE
    ),
    "evaluation:export": Access(_export, only(*STAFF), QUESTION_CODE),
    "evaluation:template_list": Access(_with_templates, only(*STAFF), "Questionnaire d'appropriation (3 mois)"),
    "evaluation:version_detail": Access(_published, only(*STAFF), QUESTION_CODE),
}

MATRIX: dict = {
    **READ_ONLY,
    "evaluation:response_validate": Access(_submitted, logged_in(405)),  # require_POST
    "evaluation:response_return": Access(_submitted, logged_in(405)),  # require_POST
    "evaluation:response_links": Access(_response, logged_in(405)),  # require_POST
    # « Relancer »: a GET shows to whom the reminder would go (ais/core/confirm.py).
    "evaluation:response_remind": Access(_response, only(*STAFF), "Relancer la structure maintenant"),
    "evaluation:draft_create": Access(lambda o: {"pk": _template(o).pk}, logged_in(405)),  # require_POST
    "evaluation:version_edit": Access(_draft, only(*STAFF), 'name="questions-TOTAL_FORMS"'),
    # A published version is never edited: back to its page with a message.
    "evaluation:version_edit [published]": Access(_published, only(*STAFF, ok=VERSION_URL)),
    "evaluation:version_publish": Access(_draft, logged_in(405)),  # require_POST
}

POST_MATRIX: dict = {
    # The read-only pages answer a POST as a GET (nothing changes).
    **READ_ONLY,
    "evaluation:response_validate": Access(_submitted, only(*STAFF, ok=RESPONSE_URL)),
    "evaluation:response_return": Access(_submitted, only(*STAFF, ok=RESPONSE_URL)),
    "evaluation:response_return [without reason]": Access(_submitted, only(*STAFF, ok=400), 'name="reason"'),
    "evaluation:response_links": Access(_response, only(*STAFF, ok=RESPONSE_URL)),
    # Confirmed: sent, or refused with a message (the matrix's questionnaire may not be late); back to it.
    "evaluation:response_remind": Access(_response, only(*STAFF, ok=RESPONSE_URL)),
    "evaluation:draft_create": Access(
        _template_with_draft, only(*STAFF, ok="/suivi/evaluation/modeles/versions/{o.draft.pk}/modifier/")
    ),
    # Posted without the formsets' management data: the page comes back with its errors.
    "evaluation:version_edit": Access(_draft, only(*STAFF, ok=400), 'name="questions-TOTAL_FORMS"'),
    "evaluation:version_edit [published]": Access(_published, only(*STAFF, ok=VERSION_URL)),
    "evaluation:version_publish": Access(_draft, only(*STAFF, ok=VERSION_URL)),
}

POST_DATA: dict = {
    "evaluation:response_return": {"reason": "Les chiffres des sorties sont à vérifier."},
    "evaluation:response_links": {"action": "revoke"},
    "evaluation:response_remind": {"confirm": "yes"},
}
