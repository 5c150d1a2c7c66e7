"""Forms of the accompaniment pages: an innovation's settings and targets, its
stage calendar, deliverables, governance, awareness actions and stage moves.

The forms check the shape of what is typed; the rules (who may lead, when a
stage may be left, which deliverable may go) live in ``projects.accompaniment``.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ais.accounts.models import Role, User
from ais.core.uploads import DOCUMENT_KINDS, MAX_UPLOAD_SIZE, DocumentValidator, allowed_extensions_text

from .models import (
    AwarenessAction,
    ClosureKind,
    DeliverableKind,
    FeasibilityConclusion,
    GovernanceMember,
    Innovation,
    InnovationTarget,
    Keyword,
    Stage,
    StagePlan,
    TargetKind,
    TargetPublic,
)


class DateInput(forms.DateInput):
    """The browser's date picker; the value is sent as ISO (yyyy-mm-dd)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def managers():
    """Active users holding the programme manager role, by name."""
    return (
        User.objects.filter(is_active=True, memberships__role=Role.MANAGER)
        .distinct()
        .order_by("last_name", "first_name")
    )


class InnovationSettingsForm(forms.ModelForm):
    publics = forms.MultipleChoiceField(
        label=_("Target groups"), choices=TargetPublic.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    keywords = forms.MultipleChoiceField(
        label=_("Keywords"), choices=Keyword.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    team = forms.ModelMultipleChoiceField(
        label=_("Ansa team"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Programme managers who follow the innovation with the lead manager."),
    )

    class Meta:
        model = Innovation
        fields = [
            "selected_on",
            "summary",
            "description",
            "publics",
            "keywords",
            "lead_manager",
            "team",
            "spreading_model",
            "spreading_model_details",
            "accompaniment_start",
            "is_published",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "spreading_model_details": forms.Textarea(attrs={"rows": 3}),
            "accompaniment_start": DateInput(),
            "selected_on": DateInput(),
        }
        help_texts = {
            "summary": _("One sentence, shown in the catalogue and on the lists."),
            "spreading_model_details": _("Rhythm, pairs of structures, number of days, tools given."),
            "is_published": _("The innovation then appears in the public catalogue."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = managers()
        self.fields["lead_manager"].queryset = people
        self.fields["lead_manager"].empty_label = _("No lead manager yet")
        self.fields["team"].queryset = people
        self.fields["spreading_model"].help_text = _("Required to leave stage III.")

    def clean_selected_on(self):
        value = self.cleaned_data.get("selected_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The selection date cannot be in the future."))
        return value


class CompactRowMixin:
    """Fields drawn one per table cell (formset rows): small Bootstrap inputs,
    marked invalid when they have an error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "form-check-input"
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select form-select-sm"
            else:
                field.widget.attrs["class"] = "form-control form-control-sm"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"


class TargetForm(CompactRowMixin, forms.ModelForm):
    class Meta:
        model = InnovationTarget
        fields = ["kind", "label", "value", "unit", "indicator_code"]
        widgets = {"value": forms.NumberInput(attrs={"step": "any"})}
        help_texts = {"unit": "", "indicator_code": ""}

    def clean(self):
        data = super().clean()
        if data.get("kind") == TargetKind.QUANTITATIVE and data.get("value") is None and data.get("label"):
            self.add_error("value", _("A quantitative target needs a value."))
        return data


class BaseTargetFormSet(forms.BaseInlineFormSet):
    def kept(self) -> list[InnovationTarget]:
        """The targets to keep, in the order of the rows (empty new rows left out)."""
        deleted = set(self.deleted_forms)
        return [
            form.instance for form in self.forms if form not in deleted and (form.instance.pk or form.has_changed())
        ]

    def removed(self) -> list[InnovationTarget]:
        return [form.instance for form in self.deleted_forms if form.instance.pk]


TargetFormSet = forms.inlineformset_factory(
    Innovation, InnovationTarget, form=TargetForm, formset=BaseTargetFormSet, extra=2, can_delete=True
)


class StagePlanForm(CompactRowMixin, forms.ModelForm):
    class Meta:
        model = StagePlan
        fields = ["planned_start", "planned_end", "actual_start", "actual_end"]
        widgets = {name: DateInput() for name in fields}

    def clean(self):
        data = super().clean()
        for start, end, message in (
            ("planned_start", "planned_end", _("The planned end cannot come before the planned start.")),
            ("actual_start", "actual_end", _("The actual end cannot come before the actual start.")),
        ):
            if data.get(start) and data.get(end) and data[end] < data[start]:
                self.add_error(end, message)
        return data


class BaseStagePlanFormSet(forms.BaseModelFormSet):
    def clean(self):
        super().clean()
        # A row whose plan is not one of this innovation's (another innovation's id, a
        # row added by hand) would be created as a new, orphan plan: refuse it.
        if any(form.instance.pk is None for form in self.forms):
            raise forms.ValidationError(
                _("The calendar has changed since the page was opened: reload the page and try again.")
            )


StagePlanFormSet = forms.modelformset_factory(
    StagePlan, form=StagePlanForm, formset=BaseStagePlanFormSet, extra=0, can_delete=False
)


class DeliverableForm(forms.Form):
    # Set by the view when the form comes back with errors although the file was
    # accepted: a browser cannot keep a chosen file, so the page asks for it again.
    file_to_choose_again = False

    kind = forms.ChoiceField(label=_("Kind of deliverable"), choices=DeliverableKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(
        label=_("Document"),
        help_text=_("Accepted formats: %(formats)s; %(max)s MB at most.")
        % {"formats": allowed_extensions_text(), "max": MAX_UPLOAD_SIZE // (1024 * 1024)},
    )
    dated = forms.DateField(
        label=_("Date of the document"),
        widget=DateInput(),
        help_text=_("Signature date for a charter, conclusion date for a study."),
    )
    conclusion = forms.ChoiceField(
        label=_("Conclusion of the feasibility study"),
        choices=[("", _("—")), *FeasibilityConclusion.choices],
        required=False,
        help_text=_("Required for a feasibility study only."),
    )
    notes = forms.CharField(
        label=_("Notes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Conditions, remarks, what the document contains."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Choose the kind")), *DeliverableKind.choices]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        DocumentValidator(DOCUMENT_KINDS)(upload)
        return upload

    def clean(self):
        data = super().clean()
        if data.get("kind") == DeliverableKind.FEASIBILITY_STUDY and not data.get("conclusion"):
            self.add_error(
                "conclusion",
                _("Give the conclusion of the feasibility study: go, go with conditions or stop."),
            )
        elif data.get("kind") and data.get("kind") != DeliverableKind.FEASIBILITY_STUDY:
            data["conclusion"] = ""
        return data


class GovernanceMemberForm(forms.ModelForm):
    class Meta:
        model = GovernanceMember
        fields = ["full_name", "organisation_name", "function", "joined_on"]
        widgets = {"joined_on": DateInput()}


class AwarenessActionForm(forms.ModelForm):
    class Meta:
        model = AwarenessAction
        fields = ["held_on", "title", "channel", "audience", "people_reached", "notes"]
        widgets = {"held_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 2})}


class AdvanceStageForm(forms.Form):
    stage = forms.TypedChoiceField(choices=Stage.choices, coerce=int, widget=forms.HiddenInput)
    effective_on = forms.DateField(
        label=_("Date of the move"),
        required=False,
        widget=DateInput(),
        help_text=_("Today unless you record a move made earlier; never in the future."),
    )
    exception_reason = forms.CharField(
        label=_("Reason of the exception"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text=_(
            "Only when something is missing: say why the innovation moves on anyway. "
            "The move is then recorded as an exception, with what was missing."
        ),
    )

    def clean_effective_on(self):
        value = self.cleaned_data.get("effective_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date of the move cannot be in the future."))
        return value


class CloseAccompanimentForm(forms.Form):
    kind = forms.ChoiceField(label=_("How the accompaniment ends"), choices=ClosureKind.choices)
    closed_on = forms.DateField(label=_("Date of the closure"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    confirm = forms.BooleanField(
        label=_("I confirm: the innovation leaves the accompaniments in progress from this date."), required=True
    )

    def clean_closed_on(self):
        value = self.cleaned_data.get("closed_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date of the closure cannot be in the future."))
        return value


class ReopenAccompanimentForm(forms.Form):
    reason = forms.CharField(label=_("Reason for reopening"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


# The list's accompaniment filter; "in progress" when none is chosen.
IN_PROGRESS, CLOSED, ALL = "in_progress", "closed", "all"


class InnovationListFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Accompaniment"),
        choices=[(IN_PROGRESS, _("In progress")), (CLOSED, _("Closed")), (ALL, _("All innovations"))],
        required=False,
    )
    stage = forms.TypedChoiceField(
        label=_("Stage"), choices=[("", _("All stages")), *Stage.choices], coerce=int, empty_value=None, required=False
    )
    late = forms.BooleanField(label=_("Late only"), required=False)

    def __init__(self, *args, can_filter_late=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_filter_late:
            del self.fields["late"]
