"""Forms of the trainings: the training itself, its days, trainees, documents and
attendance, and the filters of the list."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ais.core.uploads import MAX_UPLOAD_SIZE, DocumentValidator, allowed_extensions_text
from projects.models import Innovation

from . import training_services
from .models import Training, TrainingDay, TrainingKind, TrainingMode, TrainingParticipant


class StructureChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, structure):
        label = structure.organisation.name
        if structure.status == "withdrawn":
            return _("%(name)s (withdrawn)") % {"name": label}
        return label


class TrainingForm(forms.ModelForm):
    """A training and its participating structures (the innovation's, not withdrawn)."""

    structures = StructureChoiceField(
        label=_("Tick the structures taking part"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A selected structure moves to “in training”. Withdrawn structures cannot join."),
    )

    online_link = forms.URLField(
        label=_("Online link"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("Link of the video meeting. Required online."),
    )

    class Meta:
        model = Training
        fields = ["title", "kind", "mode", "place", "online_link", "trainers", "description", "wave", "structures"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "mode": forms.RadioSelect,
        }
        help_texts = {
            "description": _("The programme: objectives, sequence of the days, what the trainees will practise."),
            "place": _("Address of the training room. Required on site."),
            "wave": _("Leave empty if the training is not tied to a wave of structures."),
        }

    def __init__(self, *args, innovation: Innovation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.innovation = innovation
        self.fields["structures"].queryset = training_services.structures_choices(self.instance).order_by(
            "organisation__name"
        )
        if self.instance.pk:
            self.initial["structures"] = [s.pk for s in self.instance.structures.all()]

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        if mode in (TrainingMode.ONLINE, TrainingMode.HYBRID) and not data.get("online_link"):
            self.add_error("online_link", _("Give the link of the video meeting for an online training."))
        if mode in (TrainingMode.ON_SITE, TrainingMode.HYBRID) and not (data.get("place") or "").strip():
            self.add_error("place", _("Give the place of the training for a training on site."))
        return data


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TrainingDayForm(forms.ModelForm):
    class Meta:
        model = TrainingDay
        fields = ["date", "starts_at", "ends_at", "topic"]
        widgets = {"date": DateInput(), "starts_at": TimeInput(), "ends_at": TimeInput()}
        help_texts = {"topic": _("For example: the fundamentals of the model, first feedback.")}

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end time must come after the start time."))
        return data


class ParticipantForm(forms.ModelForm):
    """A trainee: a professional of one of the training's structures."""

    class Meta:
        model = TrainingParticipant
        fields = ["structure", "full_name", "function", "email"]
        labels = {"full_name": _("First and last name")}
        help_texts = {"email": _("Optional: to send the training documents.")}

    def __init__(self, *args, training: Training, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = (
            training.structures.exclude(status="withdrawn")
            .select_related("organisation")
            .order_by("organisation__name")
        )
        self.fields["structure"].label_from_instance = lambda structure: structure.organisation.name
        self.fields["structure"].empty_label = _("Choose the structure")


class TrainingDocumentForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200, help_text=_("For example: programme of the day, slides, exercise booklet.")
    )
    file = forms.FileField(
        label=_("Document"),
        help_text=_("Accepted formats: %(formats)s; %(max)s MB at most.")
        % {"formats": allowed_extensions_text(), "max": MAX_UPLOAD_SIZE // (1024 * 1024)},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        DocumentValidator()(upload)
        return upload


class AttendanceForm(forms.Form):
    """Ticked trainees are present; the others absent."""

    present = forms.TypedMultipleChoiceField(
        label=_("Present"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(p.pk, p.full_name) for p in participants]


class TrainingFilterForm(forms.Form):
    innovation = forms.ModelChoiceField(
        label=_("Innovation"), queryset=Innovation.objects.none(), required=False, empty_label=_("All innovations")
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, innovations, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["innovation"].queryset = innovations
        self.fields["kind"].choices = [("", _("All kinds")), *TrainingKind.choices]
        self.fields["year"].choices = [("", _("All years")), *[(y, str(y)) for y in years]]
