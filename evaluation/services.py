"""State changes of the questionnaires: one documented function each.

Answers are saved one question at a time (autosave) with the revision the person
last saw: if somebody else saved that question since, ``AnswerConflict`` says so
and nothing is overwritten. Submission checks required questions and consistency
rules and locks the questionnaire; a manager validates it or returns it with a
reason. Versions of a template are immutable once published.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from ais.core.dates import long_date
from ais.core.errors import DomainError

from .models import (
    ANSWERED_STATUSES,
    CHOICE_KINDS,
    NUMERIC_KINDS,
    Answer,
    ConsistencyRule,
    Question,
    QuestionKind,
    QuestionnaireTemplate,
    Response,
    ResponseStatus,
    Section,
    TemplateVersion,
)


class EvaluationError(DomainError):
    """A rule of the evaluation forbids the change; the message says why."""


class InvalidAnswer(EvaluationError):
    """The value typed does not fit the question (type, bounds, choices)."""


class AnswerConflict(EvaluationError):
    """Somebody else saved this question since the page was loaded."""

    def __init__(self, message, *, answer):
        super().__init__(message)
        self.answer = answer


# --------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------


def clean_value(question: Question, raw):
    """The stored value of ``raw`` (text from a form, or a list for multiple choice),
    or None when empty. Raises ``InvalidAnswer`` with a French message."""
    if isinstance(raw, list | tuple):
        values = [str(v).strip() for v in raw if str(v).strip()]
    else:
        values = None
        raw = "" if raw is None else str(raw).strip()
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        values = values if values is not None else ([raw] if raw else [])
        unknown = [v for v in values if v not in question.choices]
        if unknown:
            raise InvalidAnswer(_("Choose among the answers offered."))
        return values or None
    if values is not None:
        raw = values[0] if values else ""
    if raw == "":
        return None
    if question.kind in NUMERIC_KINDS:
        try:
            number = Decimal(raw.replace(",", ".").replace(" ", "").replace("\u202f", "").rstrip("%"))
        except InvalidOperation as error:
            raise InvalidAnswer(_("Enter a number.")) from error
        if question.kind != QuestionKind.PERCENTAGE and number != number.to_integral_value():
            raise InvalidAnswer(_("Enter a whole number."))
        low, high = question.bounds
        if low is not None and number < low:
            raise InvalidAnswer(_("The value must be at least %(min)s.") % {"min": low})
        if high is not None and number > high:
            raise InvalidAnswer(_("The value must be at most %(max)s.") % {"max": high})
        return int(number) if number == number.to_integral_value() else float(number)
    if question.kind == QuestionKind.SINGLE_CHOICE:
        if raw not in question.choices:
            raise InvalidAnswer(_("Choose among the answers offered."))
        return raw
    if question.kind == QuestionKind.YES_NO:
        if raw not in ("yes", "no"):
            raise InvalidAnswer(_("Answer yes or no."))
        return raw == "yes"
    if question.kind == QuestionKind.DATE:
        try:
            return datetime.date.fromisoformat(raw).isoformat()
        except ValueError:
            try:
                return datetime.datetime.strptime(raw, "%d/%m/%Y").date().isoformat()
            except ValueError as error:
                raise InvalidAnswer(_("Enter a date, for example 15/03/2026.")) from error
    if question.kind == QuestionKind.SHORT_TEXT and len(raw) > 300:
        raise InvalidAnswer(_("Keep this answer under 300 characters."))
    if len(raw) > 20000:
        raise InvalidAnswer(_("This answer is too long (20,000 characters at most)."))
    return raw


def display_value(question: Question, value) -> str:
    """A stored value as people read it."""
    if value is None or value == [] or value == "":
        return ""
    if question.kind == QuestionKind.YES_NO:
        return _("Yes") if value else _("No")
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return ", ".join(value)
    if question.kind == QuestionKind.PERCENTAGE:
        return f"{value} %"
    if question.kind == QuestionKind.DATE:
        return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
    return str(value)


# --------------------------------------------------------------------------
# Answering
# --------------------------------------------------------------------------


def _check_answerable(response: Response) -> None:
    if not response.is_editable:
        raise EvaluationError(_("This questionnaire was submitted: it can no longer be changed."))
    if response.opens_on > timezone.localdate():
        raise EvaluationError(_("This questionnaire opens on %(date)s.") % {"date": long_date(response.opens_on)})


def save_answer(response: Response, question: Question, raw, *, revision: int | None, by) -> Answer:
    """Save one answer. ``revision`` is the answer's revision the person started from
    (0 or None when they saw it empty); if another save happened since, nothing is
    written and ``AnswerConflict`` carries the answer saved by the other person."""
    if question.version_id != response.version_id:
        raise EvaluationError(_("This question is not part of this questionnaire."))
    value = clean_value(question, raw)
    with transaction.atomic():
        response = Response.objects.select_for_update().get(pk=response.pk)
        _check_answerable(response)
        answer = Answer.objects.select_for_update().filter(response=response, question=question).first()
        current = answer.revision if answer else 0
        if (revision or 0) != current:
            if answer is not None and answer.value == value:
                return answer  # the same text saved twice (two tabs, a retried request)
            raise AnswerConflict(
                _(
                    "Someone else changed this answer since you opened the page. Your text is kept below: "
                    "compare it with theirs, then save again."
                ),
                answer=answer,
            )
        if answer is None:
            answer = Answer(response=response, question=question)
        elif answer.value == value:
            return answer
        answer.value = value
        answer.revision = current + 1
        answer.updated_by = by
        answer._history_user = by
        answer.save()
        if response.status == ResponseStatus.SCHEDULED:
            response.status = ResponseStatus.IN_PROGRESS
            response.started_at = timezone.now()
            response._history_user = by
            response.save(update_fields=["status", "started_at"])
    return answer


def answers_by_code(response: Response) -> dict:
    return {answer.question.code: answer.value for answer in response.answers.select_related("question")}


def consistency_errors(version: TemplateVersion, values: dict) -> list[str]:
    """Messages of the version's rules broken by ``values`` (``{code: value}``)."""
    errors = []
    for rule in version.rules.all():
        left, right = values.get(rule.left_code), values.get(rule.right_code)
        if isinstance(left, int | float) and isinstance(right, int | float) and not rule.holds(left, right):
            errors.append(rule.message)
    return errors


def missing_required(response: Response, values: dict) -> list[Question]:
    return [
        question
        for question in response.version.questions.all()
        if question.required and values.get(question.code) in (None, "", [])
    ]


def _as_of(on, *, what: str):
    """The moment recorded for a date given by a manager recording the history (noon,
    Paris time), or now when no date (or today) is given. Never in the future."""
    today = timezone.localdate()
    if on is None or on == today:
        return timezone.now()
    if on > today:
        raise EvaluationError(
            _("The date of the submission cannot be in the future.")
            if what == "submission"
            else _("The date of the validation cannot be in the future.")
        )
    return timezone.make_aware(datetime.datetime.combine(on, datetime.time(12)))


def numeric_figures(response: Response, values: dict | None = None) -> dict:
    """The questionnaire's numeric answers, ``{code: value}`` (unanswered ones left out)."""
    values = answers_by_code(response) if values is None else values
    numeric = {q.code for q in response.version.questions.all() if q.kind in NUMERIC_KINDS}
    return {
        code: value
        for code, value in values.items()
        if code in numeric and isinstance(value, int | float) and not isinstance(value, bool)
    }


def submit_response(response: Response, *, by, on=None) -> Response:
    """Send the questionnaire: every required question answered and every
    consistency rule respected, then it is locked.

    ``on`` is the date of the sending, today by default; a manager recording the
    programme's history gives an earlier one (never a future one).

    The *date of the figures* (``figures_on``), which the programme's figures at a date
    count: the date of the first sending; when a returned questionnaire is sent again,
    the previous date is kept unless one of its numeric answers changed since it was
    last sent, in which case it becomes the date of this sending. (A wording corrected
    in a text answer does not move its figures to today; a corrected number does.)"""
    submitted_at = _as_of(on, what="submission")
    with transaction.atomic():
        response = Response.objects.select_for_update().select_related("version").get(pk=response.pk)
        _check_answerable(response)
        values = answers_by_code(response)
        missing = missing_required(response, values)
        if missing:
            raise EvaluationError(
                _("Some required questions have no answer: %(questions)s.")
                % {"questions": "; ".join(q.label for q in missing[:5]) + ("…" if len(missing) > 5 else "")}
            )
        errors = consistency_errors(response.version, values)
        if errors:
            raise EvaluationError(" ".join(errors))
        figures = numeric_figures(response, values)
        if response.figures_on is None or figures != response.submitted_figures:
            response.figures_on = timezone.localdate(submitted_at)
        response.submitted_figures = figures
        response.status = ResponseStatus.SUBMITTED
        response.submitted_at = submitted_at
        response.submitted_by = by
        response.return_reason = ""
        response._history_user = by
        response.save(
            update_fields=["status", "submitted_at", "submitted_by", "return_reason", "figures_on", "submitted_figures"]
        )
        response.links.filter(revoked_at__isnull=True, used_at__isnull=True).update(revoked_at=timezone.now())
    return response


def validate_response(response: Response, *, by, on=None) -> Response:
    """A manager accepts a submitted questionnaire: its figures count in the indicators.
    ``on`` is the date of the validation, today by default; recording the history, an
    earlier one (never in the future, nor before the submission)."""
    validated_at = _as_of(on, what="validation")
    with transaction.atomic():
        response = Response.objects.select_for_update().get(pk=response.pk)
        if response.status != ResponseStatus.SUBMITTED:
            raise EvaluationError(_("Only a submitted questionnaire can be validated."))
        if response.submitted_at and timezone.localdate(validated_at) < timezone.localdate(response.submitted_at):
            raise EvaluationError(_("The validation cannot come before the submission."))
        response.status = ResponseStatus.VALIDATED
        response.validated_at = validated_at
        response.validated_by = by
        response._history_user = by
        response.save(update_fields=["status", "validated_at", "validated_by"])
    return response


def return_response(response: Response, *, reason: str, by) -> Response:
    """A manager reopens a submitted (or validated) questionnaire for correction, with
    a reason that the structure's contacts receive by e-mail."""
    reason = (reason or "").strip()
    if not reason:
        raise EvaluationError(_("Say what needs correcting: the structure receives your message."))
    with transaction.atomic():
        response = Response.objects.select_for_update().select_related("structure__innovation").get(pk=response.pk)
        if response.status not in ANSWERED_STATUSES:
            raise EvaluationError(_("Only a submitted questionnaire can be returned."))
        response.status = ResponseStatus.RETURNED
        response.return_reason = reason
        response.validated_at = None
        response.validated_by = None
        response._history_user = by
        response._change_reason = reason
        response.save(update_fields=["status", "return_reason", "validated_at", "validated_by"])
        from .links import send_access_links

        send_access_links(response, purpose="returned", dedup=f"returned:{response.history.count()}")
    return response


# --------------------------------------------------------------------------
# Templates and versions
# --------------------------------------------------------------------------


def new_draft_version(template: QuestionnaireTemplate, *, by) -> TemplateVersion:
    """A draft copy of the template's latest version, to edit (one draft at a time)."""
    with transaction.atomic():
        template = QuestionnaireTemplate.objects.select_for_update().get(pk=template.pk)
        draft = template.versions.filter(published_at__isnull=True).first()
        if draft is not None:
            return draft
        source = template.versions.order_by("-number").first()
        draft = TemplateVersion(template=template, number=(source.number + 1) if source else 1)
        draft._history_user = by
        draft.save()
        if source is not None:
            for section in source.sections.prefetch_related("questions"):
                copy = Section.objects.create(
                    version=draft, position=section.position, title=section.title, description=section.description
                )
                Question.objects.bulk_create(
                    [
                        Question(
                            version=draft,
                            section=copy,
                            code=q.code,
                            position=q.position,
                            label=q.label,
                            help_text=q.help_text,
                            kind=q.kind,
                            required=q.required,
                            min_value=q.min_value,
                            max_value=q.max_value,
                            choices=q.choices,
                        )
                        for q in section.questions.all()
                    ]
                )
            ConsistencyRule.objects.bulk_create(
                [
                    ConsistencyRule(
                        version=draft,
                        left_code=r.left_code,
                        comparison=r.comparison,
                        right_code=r.right_code,
                        message=r.message,
                    )
                    for r in source.rules.all()
                ]
            )
    return draft


def publish_version(version: TemplateVersion, *, by, notes: str = "") -> TemplateVersion:
    """Freeze a draft version. Questionnaires nobody has started yet move to it;
    those started or answered keep the version they were answered with."""
    with transaction.atomic():
        version = TemplateVersion.objects.select_for_update().get(pk=version.pk)
        if version.is_published:
            raise EvaluationError(_("This version is already published: create a new one to change it."))
        questions = list(version.questions.all())
        if not questions:
            raise EvaluationError(_("A version needs at least one question."))
        numeric = {q.code for q in questions if q.kind in NUMERIC_KINDS}
        for rule in version.rules.all():
            if rule.left_code not in numeric or rule.right_code not in numeric:
                raise EvaluationError(
                    _("The rule “%(rule)s” compares codes that are not numeric questions of this version.")
                    % {"rule": rule}
                )
        for question in questions:
            if question.kind in CHOICE_KINDS and len(question.choices) < 2:
                raise EvaluationError(
                    _("The question “%(code)s” needs at least two choices.") % {"code": question.code}
                )
        version.published_at = timezone.now()
        version.published_by = by
        version.notes = notes or version.notes
        version._history_user = by
        version.save(update_fields=["published_at", "published_by", "notes"])
        moved = list(
            Response.objects.filter(
                phase=version.template.phase, status=ResponseStatus.SCHEDULED, answers__isnull=True
            ).exclude(version=version)
        )
        for response in moved:
            response.version = version
        # bulk_update_with_history: a queryset update writes no history row by itself.
        bulk_update_with_history(moved, Response, ["version"], default_user=by)
    return version


def save_draft(version: TemplateVersion, *, notes: str, save, by) -> TemplateVersion:
    """Apply the edits of a draft version while it is locked, and only if it is still a
    draft: ``notes`` says what changed, ``save()`` writes its sections, questions and
    rules. A published version never changes, so answers given on it keep their meaning."""
    with transaction.atomic():
        locked = TemplateVersion.objects.select_for_update().get(pk=version.pk)
        if locked.is_published:
            raise EvaluationError(_("This version is already published: create a new one to change it."))
        save()
        if locked.notes != notes:
            locked.notes = notes
            locked._history_user = by
            locked.save(update_fields=["notes"])
    return locked
