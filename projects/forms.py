"""Forms of calls for projects and dossiers."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ais.core.uploads import DOCUMENT_KINDS, MAX_UPLOAD_SIZE, DocumentValidator, allowed_extensions_text
from ais.territories.models import Department
from ais.territories.widgets import CommuneWidget

from .models import (
    DOSSIER_QUESTIONS,
    Call,
    Dossier,
    DossierSection,
    Keyword,
    SelectionCriterion,
    TargetPublic,
)

# Fields of each step of the dossier (the organisation and attachments steps have their own forms).
SECTION_FIELDS = {
    DossierSection.INNOVATION: ["innovation_name", "summary", "description", "year_started"],
    DossierSection.TERRITORY: ["origin_commune", "territory_description"],
    DossierSection.PUBLICS: ["publics", "keywords"],
    DossierSection.RESULTS: [
        "people_accompanied",
        "exits_to_employment",
        "job_retention_rate",
        "results_period",
        "results_comment",
    ],
    DossierSection.PROCESS: ["formalisation_level", "process_description"],
    DossierSection.TRANSPOSITION: ["transposition_will", "transposition_capacity"],
    DossierSection.RESOURCES: ["resources"],
}

HELP = {
    "summary": _("One sentence that a committee member can read aloud."),
    "description": _("What you do, with whom, how a person is accompanied from the first meeting to the job."),
    "territory_description": _("Urban or rural, priority neighbourhoods, local labour market."),
    "people_accompanied": _("Long-term unemployed people accompanied over the period measured."),
    "exits_to_employment": _("Among them, people who found a job or a qualifying training."),
    "job_retention_rate": _("Share of people still in work six months later, in %."),
    "results_period": _("For example: 2023–2024, or the last 12 months."),
    "process_description": _("The main steps, the tools and the training an adopting structure would need."),
    "transposition_will": _("What you expect from spreading the innovation to other territories."),
    "transposition_capacity": _("People and time you can devote to training and supporting other structures."),
    "resources": _("Team (full-time equivalents), yearly budget, funders and key partners."),
}


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class CallForm(forms.ModelForm):
    required_questions = forms.MultipleChoiceField(
        label=_("Required questions"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A dossier can be submitted only when these questions are answered."),
    )
    target_departments = forms.ModelMultipleChoiceField(
        label=_("Target departments"),
        queryset=Department.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Leave empty for a national call. Hold Ctrl (or Cmd) to choose several."),
    )

    class Meta:
        model = Call
        fields = [
            "title",
            "year",
            "theme",
            "description",
            "eligibility",
            "opens_at",
            "closes_at",
            "target_departments",
            "required_questions",
            "reminder_days",
        ]
        widgets = {
            "opens_at": DateTimeLocalInput(),
            "closes_at": DateTimeLocalInput(),
            "description": forms.Textarea(attrs={"rows": 5}),
            "eligibility": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["required_questions"].choices = [
            (
                code,
                Dossier._meta.get_field(code).verbose_name.capitalize()
                if code != "attachments"
                else _("At least one attachment"),
            )
            for code in DOSSIER_QUESTIONS
        ]
        self.fields["opens_at"].help_text = _("Date and time, Paris time.")
        self.fields["closes_at"].help_text = _("Date and time, Paris time.")

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The closing must come after the opening."))
        return data


class CriterionForm(forms.ModelForm):
    rubric_text = forms.CharField(
        label=_("Rubric (one line per score, 0 to 5)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )

    class Meta:
        model = SelectionCriterion
        fields = ["position", "title", "description", "weight"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rubric_text"].initial = "\n".join(self.instance.rubric or [])

    def clean_rubric_text(self):
        lines = [line.strip() for line in self.cleaned_data["rubric_text"].splitlines() if line.strip()]
        if lines and len(lines) != 6:
            raise forms.ValidationError(
                _("Write six lines, one for each score from 0 to 5 (%(n)s given).") % {"n": len(lines)}
            )
        return lines

    def save(self, commit=True):
        self.instance.rubric = self.cleaned_data.get("rubric_text") or []
        return super().save(commit)


CriterionFormSet = forms.inlineformset_factory(
    Call,
    SelectionCriterion,
    form=CriterionForm,
    extra=1,
    can_delete=True,
    min_num=1,
    validate_min=True,
)


class DossierSectionForm(forms.ModelForm):
    """One step of the dossier. Required-ness is checked at submission, not here:
    a draft saves whatever has been typed, as long as each value is well-formed."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Dossier
        fields: list[str] = []

    def __init__(self, *args, section, required_codes=(), **kwargs):
        self.section = section
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        for name, field in self.fields.items():
            if name == "version":
                continue
            field.required = False
            field.help_text = HELP.get(name, field.help_text)
            if name in required_codes:
                field.label = f"{field.label} *"
                field.widget.attrs["aria-required"] = "true"
            if isinstance(field.widget, forms.RadioSelect):
                # No « --------- » radio, ticked before anything is chosen: no answer is no radio ticked.
                field.choices = [(value, label) for value, label in field.choices if value != ""]

    def clean(self):
        data = super().clean()
        for field, message in check_results(data).items():
            if field in self.fields:
                self.add_error(field, message)
        return data


def dossier_section_form_class(section: str):
    fields = SECTION_FIELDS[section]
    widgets = {
        "description": forms.Textarea(attrs={"rows": 8}),
        "territory_description": forms.Textarea(attrs={"rows": 4}),
        "results_comment": forms.Textarea(attrs={"rows": 4}),
        "process_description": forms.Textarea(attrs={"rows": 8}),
        "transposition_will": forms.Textarea(attrs={"rows": 5}),
        "transposition_capacity": forms.Textarea(attrs={"rows": 5}),
        "resources": forms.Textarea(attrs={"rows": 5}),
        "origin_commune": CommuneWidget(),
        "formalisation_level": forms.RadioSelect,
    }
    attrs = {
        "Meta": type("Meta", (DossierSectionForm.Meta,), {"fields": fields, "widgets": widgets}),
    }
    if "publics" in fields:
        attrs["publics"] = forms.MultipleChoiceField(
            label=_("Target publics"),
            choices=TargetPublic.choices,
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )
        attrs["keywords"] = forms.MultipleChoiceField(
            label=_("Keywords"),
            choices=Keyword.choices,
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )
    return type(f"Dossier{section.title()}Form", (DossierSectionForm,), attrs)


def check_results(cleaned_data) -> dict:
    """Errors for figures that contradict each other."""
    errors = {}
    people, exits = cleaned_data.get("people_accompanied"), cleaned_data.get("exits_to_employment")
    if people is not None and exits is not None and exits > people:
        errors["exits_to_employment"] = _("Exits to employment cannot exceed the number of people accompanied.")
    return errors


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Document"),
        help_text=_("Accepted formats: %(formats)s; %(max)s MB at most.")
        % {"formats": allowed_extensions_text(), "max": MAX_UPLOAD_SIZE // (1024 * 1024)},
    )
    description = forms.CharField(
        label=_("What is it?"),
        max_length=200,
        required=False,
        help_text=_("For example: evaluation report 2024, training booklet."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.kind = DocumentValidator(DOCUMENT_KINDS)(upload)
        return upload


class CorrectionRequestForm(forms.Form):
    sections = forms.MultipleChoiceField(
        label=_("Sections to reopen"),
        choices=[(v, label) for v, label in DossierSection.choices if v != DossierSection.ORGANISATION],
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(label=_("What must be corrected"), widget=forms.Textarea(attrs={"rows": 4}))


class EligibilityForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[("eligible", _("Eligible")), ("ineligible", _("Not eligible"))],
    )
    reason = forms.CharField(
        label=_("Reason (sent to the carrier)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "ineligible" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason why the dossier is not eligible: the carrier will read it."))
        return data


class InternalNoteForm(forms.Form):
    text = forms.CharField(
        label=_("New internal note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only programme managers see these notes."),
    )
