"""Helpers of the managers' evaluation tests: structures with scheduled questionnaires,
answers that pass every rule, and questionnaires in each status."""

import datetime
import itertools

from ais.accounts.models import Role
from evaluation.models import QuestionKind, Response
from evaluation.schedule import schedule_for_structure
from evaluation.services import return_response, save_answer, submit_response, validate_response
from tests.ais.factories import OrganisationFactory, UserFactory
from tests.essaimage.factories import SpreadStructureFactory

D = datetime.date
_numbers = itertools.count(1)


def structure_with_questionnaires(*, innovation, start, wave=1, name=None, contact=False):
    """A spreading structure that started on ``start``, its three questionnaires scheduled."""
    organisation = OrganisationFactory(name=name or f"Structure n°{next(_numbers)}")
    structure = SpreadStructureFactory(innovation=innovation, organisation=organisation, wave=wave, start_date=start)
    schedule_for_structure(structure.pk)
    if contact:
        UserFactory(roles=[(Role.STRUCTURE, organisation)], email=f"contact{next(_numbers)}@structure.fr")
    return structure


def questionnaire(structure, phase) -> Response:
    return Response.objects.select_related("version").get(structure=structure, phase=phase)


def valid_raw(question):
    """A value every question accepts and every default rule holds with (all figures equal)."""
    if question.kind in (QuestionKind.INTEGER, QuestionKind.PERCENTAGE):
        return str(question.bounds[0] or 0)
    if question.kind == QuestionKind.SCALE:
        return "3"
    if question.kind == QuestionKind.YES_NO:
        return "yes"
    if question.kind == QuestionKind.SINGLE_CHOICE:
        return question.choices[0]
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return [question.choices[0]]
    if question.kind == QuestionKind.DATE:
        return "2026-01-15"
    return "Réponse"


def answer(response, code, raw, *, by):
    question = response.version.questions.get(code=code)
    current = response.answers.filter(question=question).first()
    return save_answer(response, question, raw, revision=current.revision if current else 0, by=by)


def fill_required(response, *, by, values=None):
    """Answer every required question (``values`` overrides some codes), and those of ``values``."""
    values = values or {}
    for question in response.version.questions.all():
        if question.code in values:
            answer(response, question.code, values[question.code], by=by)
        elif question.required and not response.answers.filter(question=question).exists():
            save_answer(response, question, valid_raw(question), revision=0, by=by)


def bring_to(response, status, *, by):
    """Move a scheduled questionnaire to ``status`` through the domain functions."""
    if status == "scheduled":
        return response
    if status == "in_progress":
        question = response.version.questions.order_by("section__position", "position").first()
        save_answer(response, question, valid_raw(question), revision=0, by=by)
        return response
    fill_required(response, by=by)
    submit_response(response, by=by)
    if status == "validated":
        validate_response(response, by=by)
    elif status == "returned":
        return_response(response, reason="Les chiffres sont à revoir.", by=by)
    return response
