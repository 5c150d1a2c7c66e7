"""What the questionnaire page shows: each question as a field with its value,
revision and messages, grouped by section, with the progress and the consistency
warnings. Values are cleaned and saved by ``services`` (``clean_value``,
``save_answer``); here they are only read and turned into what the inputs show.
"""

from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .models import Answer, Question, QuestionKind, Response

GROUP_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE, QuestionKind.SCALE, QuestionKind.YES_NO)
TEXT_KINDS = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)


def field_name(question_id: int) -> str:
    return f"q-{question_id}"


def revision_name(question_id: int) -> str:
    return f"rev-{question_id}"


def input_value(question: Question, value):
    """A stored value as the input shows it (a list for multiple choice)."""
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return [str(v) for v in value or []]
    if value is None:
        return ""
    if question.kind == QuestionKind.YES_NO:
        return "yes" if value else "no"
    return str(value)


def posted_value(question: Question, data):
    """What the person sent for a question (a list for multiple choice)."""
    name = field_name(question.pk)
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return data.getlist(name)
    return data.get(name, "")


def posted_revision(question: Question, data) -> int:
    try:
        return max(int(data.get(revision_name(question.pk), 0) or 0), 0)
    except (TypeError, ValueError):
        return 0


@dataclass
class QuestionField:
    question: Question
    answer: Answer | None
    value: object = ""  # what the input shows
    revision: int = 0
    error: str = ""
    conflict: str = ""
    theirs: str = ""  # the other person's answer, on a conflict
    saved: bool = False  # saved by this request
    missing: bool = False  # required and unanswered, after a refused submission
    warnings: list = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.question.pk

    @property
    def name(self) -> str:
        return field_name(self.pk)

    @property
    def revision_name(self) -> str:
        return revision_name(self.pk)

    @property
    def html_id(self) -> str:
        return f"q-{self.pk}"

    @property
    def kind(self) -> str:
        return self.question.kind

    @property
    def is_group(self) -> bool:
        return self.kind in GROUP_KINDS

    @property
    def is_multiple(self) -> bool:
        return self.kind == QuestionKind.MULTIPLE_CHOICE

    @property
    def is_text(self) -> bool:
        return self.kind in TEXT_KINDS

    @property
    def trigger(self) -> str:
        """The htmx events that save the answer: while typing for what is typed,
        on change for what is picked."""
        if self.is_group or self.kind == QuestionKind.DATE:
            return "change"
        return "input delay:1000ms, change"

    @property
    def options(self) -> list[dict]:
        """Radios or check boxes: value, label, id and whether it is checked."""
        kind = self.kind
        if kind == QuestionKind.YES_NO:
            pairs = [("yes", _("Yes")), ("no", _("No"))]
        elif kind == QuestionKind.SCALE:
            pairs = [(str(n), str(n)) for n in range(1, 6)]
        else:
            pairs = [(choice, choice) for choice in self.question.choices]
        chosen = set(self.value) if isinstance(self.value, list) else {self.value}
        return [
            {"value": value, "label": label, "id": f"{self.html_id}-{index}", "checked": value in chosen}
            for index, (value, label) in enumerate(pairs, start=1)
        ]

    @property
    def bounds(self) -> tuple:
        return self.question.bounds

    @property
    def display(self) -> str:
        return services.display_value(self.question, self.answer.value if self.answer else None)

    @property
    def has_help(self) -> bool:
        return bool(self.question.help_text)

    @property
    def describedby(self) -> str:
        ids = []
        if self.question.help_text:
            ids.append(f"{self.html_id}-help")
        if self.error or self.conflict or self.missing:
            ids.append(f"{self.html_id}-error")
        ids.append(f"{self.html_id}-warnings")
        return " ".join(ids)

    @property
    def invalid(self) -> bool:
        return bool(self.error or self.conflict or self.missing)


def _answered(value) -> bool:
    return value not in (None, "", [])


class Questionnaire:
    """A questionnaire's questions, answers and rules, read in four queries, and the
    fields, progress and warnings built from them."""

    def __init__(self, response: Response):
        self.response = response
        self.questions = list(
            Question.objects.filter(version_id=response.version_id)
            .select_related("section")
            .order_by("section__position", "section__pk", "position", "pk")
        )
        self.answers = {a.question_id: a for a in Answer.objects.filter(response=response)}
        self.rules = list(response.version.rules.all())
        self.overrides: dict[int, dict] = {}

    # -- values ---------------------------------------------------------------

    def values(self) -> dict:
        """``{code: value}`` of the answers saved."""
        by_id = {q.pk: q for q in self.questions}
        return {by_id[qid].code: a.value for qid, a in self.answers.items() if qid in by_id}

    def question(self, question_id: int) -> Question | None:
        return next((q for q in self.questions if q.pk == question_id), None)

    def set_answer(self, answer: Answer) -> None:
        self.answers[answer.question_id] = answer

    def override(self, question_id: int, **state) -> None:
        """What a field shows instead of the saved answer (typed text, messages)."""
        self.overrides.setdefault(question_id, {}).update(state)

    # -- progress and warnings ------------------------------------------------

    def progress(self) -> dict:
        required = [q for q in self.questions if q.required]
        answered = [q for q in required if q.pk in self.answers and _answered(self.answers[q.pk].value)]
        total = len(required)
        return {
            "answered": len(answered),
            "required": total,
            "percent": round(100 * len(answered) / total) if total else 100,
            "complete": len(answered) == total,
        }

    def warnings(self) -> dict[str, list[str]]:
        """Messages of the broken consistency rules, by the code of the figure they are about."""
        values = self.values()
        broken: dict[str, list[str]] = {}
        for rule in self.rules:
            left, right = values.get(rule.left_code), values.get(rule.right_code)
            if isinstance(left, int | float) and isinstance(right, int | float) and not rule.holds(left, right):
                broken.setdefault(rule.left_code, []).append(rule.message)
        return broken

    @property
    def rule_codes(self) -> set[str]:
        return {rule.left_code for rule in self.rules}

    # -- fields ---------------------------------------------------------------

    def field(self, question: Question, warnings: dict | None = None) -> QuestionField:
        answer = self.answers.get(question.pk)
        state = {
            "value": input_value(question, answer.value if answer else None),
            "revision": answer.revision if answer else 0,
        }
        state.update(self.overrides.get(question.pk, {}))
        warnings = self.warnings() if warnings is None else warnings
        return QuestionField(question=question, answer=answer, warnings=warnings.get(question.code, []), **state)

    def sections(self) -> list[dict]:
        warnings = self.warnings()
        sections: list[dict] = []
        for question in self.questions:
            if not sections or sections[-1]["section"].pk != question.section_id:
                sections.append({"section": question.section, "fields": []})
            sections[-1]["fields"].append(self.field(question, warnings))
        return sections

    def rule_fields(self) -> list[QuestionField]:
        """The figures that consistency rules are about (their warnings change with any save)."""
        warnings = self.warnings()
        codes = self.rule_codes
        return [self.field(q, warnings) for q in self.questions if q.code in codes]

    # -- saving ---------------------------------------------------------------

    def save(self, question: Question, raw, revision: int, *, by) -> bool:
        """Save one answer; on a refusal the field keeps the typed value and says why.
        Returns True when saved."""
        try:
            answer = services.save_answer(self.response, question, raw, revision=revision, by=by)
        except services.AnswerConflict as conflict:
            theirs = conflict.answer
            if theirs is not None:
                self.set_answer(theirs)
            self.override(
                question.pk,
                value=_typed(question, raw),
                revision=theirs.revision if theirs else 0,
                conflict=str(conflict),
                theirs=services.display_value(question, theirs.value if theirs else None) or _("(no answer)"),
            )
            return False
        except services.EvaluationError as error:  # InvalidAnswer, or the questionnaire is closed
            self.override(question.pk, value=_typed(question, raw), revision=revision, error=str(error))
            return False
        before = self.answers.get(question.pk)
        self.set_answer(answer)
        if before is None or before.revision != answer.revision:
            self.override(question.pk, saved=True)  # changed by this request
        return True

    def save_posted(self, data, *, by) -> bool:
        """Save every answer posted with the whole form (without JavaScript). Only the
        questions whose revision was posted are looked at. Returns True when all saved."""
        ok = True
        for question in self.questions:
            if revision_name(question.pk) not in data:
                continue
            raw = posted_value(question, data)
            if question.pk not in self.answers and raw in ("", []):
                continue  # never answered and still empty: nothing to save
            saved = self.save(question, raw, posted_revision(question, data), by=by)
            ok = ok and saved
        return ok

    def mark_missing(self) -> list[Question]:
        values = self.values()
        missing = [q for q in self.questions if q.required and not _answered(values.get(q.code))]
        for question in missing:
            self.override(question.pk, missing=True)
        return missing


def _typed(question: Question, raw):
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return [str(v) for v in raw] if isinstance(raw, list | tuple) else ([str(raw)] if raw else [])
    if isinstance(raw, list | tuple):
        return str(raw[0]) if raw else ""
    return "" if raw is None else str(raw)


class LinkRequestForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Your e-mail address"),
        max_length=254,
        help_text=gettext_lazy("The address at which you received the questionnaire."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
