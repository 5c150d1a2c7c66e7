"""Forms of the managers' evaluation pages: follow-up filters, returning a
questionnaire, its links, and the editing of a draft questionnaire version."""

from django import forms
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from essaimage.models import SpreadStructure
from projects.models import Innovation

from .models import (
    CHOICE_KINDS,
    Comparison,
    ConsistencyRule,
    Phase,
    Question,
    QuestionKind,
    Section,
    TemplateVersion,
)

BOUNDED_KINDS = (QuestionKind.INTEGER, QuestionKind.PERCENTAGE)


class FollowupFilterForm(forms.Form):
    innovation = forms.ModelChoiceField(
        label=_("Innovation"), queryset=Innovation.objects.none(), required=False, empty_label=_("All innovations")
    )
    phase = forms.ChoiceField(label=_("Phase"), required=False)
    wave = forms.TypedChoiceField(label=_("Wave"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["innovation"].queryset = (
            Innovation.objects.annotate(questionnaires=Count("spread_structures__responses"))
            .filter(questionnaires__gt=0)
            .order_by("name")
        )
        self.fields["phase"].choices = [("", _("All phases")), *Phase.choices]
        waves = (
            SpreadStructure.objects.filter(responses__isnull=False)
            .values_list("wave", flat=True)
            .distinct()
            .order_by("wave")
        )
        self.fields["wave"].choices = [("", _("All waves"))] + [
            (wave, _("Wave %(number)s") % {"number": wave}) for wave in waves
        ]

    def filters(self) -> dict:
        """The valid filters (an unknown value is ignored, the others still apply)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "innovation": data.get("innovation"),
            "phase": data.get("phase") or None,
            "wave": data.get("wave"),
        }


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("What needs correcting"),
        help_text=_("The structure's contacts receive this message by e-mail with a link to the questionnaire."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": _("Say what needs correcting: the structure receives your message.")},
    )


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class PastDateForm(forms.Form):
    """A date a manager gives when recording the programme's history: empty means
    today; never in the future. ``FIELD`` names the posted field."""

    FIELD = "on"
    LABEL = ""
    FUTURE = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.FIELD] = forms.DateField(
            label=self.LABEL,
            required=False,
            widget=_DateInput(),
            help_text=_("Leave empty for today; give an earlier date when recording the history."),
        )

    def clean(self):
        day = self.cleaned_data.get(self.FIELD)
        if day and day > timezone.localdate():
            self.add_error(self.FIELD, str(self.FUTURE))
        return self.cleaned_data

    @property
    def date(self):
        return self.cleaned_data.get(self.FIELD)


class ValidationDateForm(PastDateForm):
    FIELD = "validated_on"
    LABEL = _("Date of the validation")
    FUTURE = _("The date of the validation cannot be in the future.")


class SubmissionDateForm(PastDateForm):
    FIELD = "submitted_on"
    LABEL = _("Date of the sending")
    FUTURE = _("The date of the submission cannot be in the future.")


class LinksForm(forms.Form):
    action = forms.ChoiceField(choices=[("revoke", _("Revoke the links")), ("send", _("Send a new link"))])


# --------------------------------------------------------------------------
# Editing a draft version
# --------------------------------------------------------------------------


class VersionNotesForm(forms.Form):
    notes = forms.CharField(
        label=_("What changed in this version"),
        help_text=_("Kept with the version, for those who compare answers given on different versions."),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["position", "title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class QuestionForm(forms.ModelForm):
    section = forms.TypedChoiceField(label=_("Section"), coerce=int)
    choices_text = forms.CharField(
        label=_("Choices (one per line)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    class Meta:
        model = Question
        fields = ["section", "position", "code", "label", "help_text", "kind", "required", "min_value", "max_value"]
        widgets = {"help_text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        # A list, not a queryset: every form of the formset shares it without a query each.
        self.sections = {section.pk: section for section in sections}
        self.fields["section"].choices = [("", "---------")] + [
            (section.pk, section.title) for section in self.sections.values()
        ]
        self.fields["choices_text"].initial = "\n".join(self.instance.choices or [])

    def clean_section(self):
        section = self.sections.get(self.cleaned_data["section"])
        if section is None:
            raise forms.ValidationError(_("Choose one of the version's sections."))
        return section

    def clean_choices_text(self):
        lines = [line.strip() for line in self.cleaned_data["choices_text"].splitlines() if line.strip()]
        if len(set(lines)) != len(lines):
            raise forms.ValidationError(_("Each choice must be different."))
        return lines

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        low, high = data.get("min_value"), data.get("max_value")
        if kind and kind not in BOUNDED_KINDS and (low is not None or high is not None):
            self.add_error("min_value", _("Bounds apply only to whole numbers and percentages."))
        if low is not None and high is not None and low > high:
            self.add_error("max_value", _("The maximum must be at least the minimum."))
        choices = data.get("choices_text") or []
        if kind in CHOICE_KINDS and len(choices) < 2:
            self.add_error("choices_text", _("Write at least two choices, one per line."))
        if kind and kind not in CHOICE_KINDS and choices:
            self.add_error("choices_text", _("Only choice questions have choices."))
        return data

    def save(self, commit=True):
        self.instance.choices = self.cleaned_data.get("choices_text") or []
        return super().save(commit)


class QuestionBaseFormSet(forms.BaseInlineFormSet):
    def clean(self):
        codes = [
            form.cleaned_data.get("code")
            for form in self.forms
            if (form.has_changed() or form.instance.pk)
            and not self._should_delete_form(form)
            and getattr(form, "cleaned_data", None)
        ]
        seen, twice = set(), []
        for code in codes:
            if code and code in seen and code not in twice:
                twice.append(code)
            seen.add(code)
        if twice:
            raise forms.ValidationError(
                _("Each question needs its own code; used twice: %(codes)s.") % {"codes": ", ".join(twice)}
            )
        super().clean()


class RuleForm(forms.ModelForm):
    class Meta:
        model = ConsistencyRule
        fields = ["left_code", "comparison", "right_code", "message"]
        widgets = {
            "left_code": forms.TextInput(attrs={"list": "numeric-codes"}),
            "right_code": forms.TextInput(attrs={"list": "numeric-codes"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No empty choice: "at most" is the usual rule, and an untouched new rule stays unchanged.
        self.fields["comparison"].choices = Comparison.choices
        self.fields["comparison"].initial = Comparison.LTE

    def clean(self):
        data = super().clean()
        if data.get("left_code") and data.get("left_code") == data.get("right_code"):
            self.add_error("right_code", _("Compare two different questions."))
        return data


SectionFormSet = forms.inlineformset_factory(TemplateVersion, Section, form=SectionForm, extra=1, can_delete=True)
QuestionFormSet = forms.inlineformset_factory(
    TemplateVersion, Question, form=QuestionForm, formset=QuestionBaseFormSet, extra=1, can_delete=True
)
RuleFormSet = forms.inlineformset_factory(TemplateVersion, ConsistencyRule, form=RuleForm, extra=1, can_delete=True)


class DraftEditor:
    """The forms of a draft version's page: notes, sections, questions and rules.

    Questions are placed in the version's sections as they were when the page was
    loaded: a new section gets its questions after it has been saved once."""

    def __init__(self, version: TemplateVersion, data=None):
        self.version = version
        sections = list(version.sections.all())
        self.notes = VersionNotesForm(data, initial={"notes": version.notes}, prefix="version")
        self.sections = SectionFormSet(
            data, instance=version, prefix="sections", queryset=Section.objects.filter(version=version)
        )
        self.questions = QuestionFormSet(
            data,
            instance=version,
            prefix="questions",
            queryset=Question.objects.filter(version=version).order_by("section__position", "position", "pk"),
            form_kwargs={"sections": sections},
        )
        self.rules = RuleFormSet(data, instance=version, prefix="rules")
        self.numeric_codes = [
            form.instance.code
            for form in self.questions.initial_forms
            if form.instance.kind in (QuestionKind.INTEGER, QuestionKind.PERCENTAGE, QuestionKind.SCALE)
        ]
        self.cross_errors: list[str] = []

    def is_valid(self) -> bool:
        valid = all([self.notes.is_valid(), self.sections.is_valid(), self.questions.is_valid(), self.rules.is_valid()])
        if valid:
            self.cross_errors = self._emptied_sections()
        return valid and not self.cross_errors

    def _emptied_sections(self) -> list[str]:
        """A section removed while questions stay in it: refused (its questions would go too)."""
        removed = {form.instance.pk for form in self.sections.deleted_forms if form.instance.pk}
        kept = [
            form
            for form in self.questions.forms
            if (form.has_changed() or form.instance.pk) and not self.questions._should_delete_form(form)
        ]
        return [
            _("The section “%(section)s” still has questions: move or delete them before removing it.")
            % {"section": form.instance.title}
            for form in self.sections.deleted_forms
            if form.instance.pk in removed
            and any(getattr(q.cleaned_data.get("section"), "pk", None) == form.instance.pk for q in kept)
        ]

    @property
    def total_error_count(self) -> int:
        return (
            len(self.notes.errors)
            + self.sections.total_error_count()
            + self.questions.total_error_count()
            + self.rules.total_error_count()
            + len(self.cross_errors)
        )

    def save(self) -> None:
        """Write the sections first (questions may move between them), then the questions, then the rules."""
        for section in self.sections.save(commit=False):
            section.save()
        self.questions.save()
        for section in self.sections.deleted_objects:
            section.delete()
        self.rules.save()
