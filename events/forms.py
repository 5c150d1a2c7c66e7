"""Forms of the events (registration, management, check-in, restitutions) and of the
resources library."""

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from ais.core.uploads import MAX_UPLOAD_SIZE, DocumentValidator, allowed_extensions_text
from projects.models import Innovation

from .models import Event, RegistrationStatus, Resource, ResourceKind, Session, SessionKind, Theme

UPLOAD_HELP = _("%(formats)s, up to %(size)s MB.") % {
    "formats": allowed_extensions_text(),
    "size": MAX_UPLOAD_SIZE // (1024 * 1024),
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def round_field_name(number: int) -> str:
    return f"round_{number}"


# --------------------------------------------------------------------------
# Registration (public)
# --------------------------------------------------------------------------


class RegistrationForm(forms.Form):
    """Name, e-mail, organisation, role and, for each round of workshops or speed-dating,
    one session (``round_<n>``: a session's id) among those with places left."""

    full_name = forms.CharField(label=_("First and last name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), help_text=_("The confirmation and the calendar file are sent there."))
    organisation = forms.CharField(label=_("Organisation"), max_length=200)
    job_title = forms.CharField(label=_("Role"), max_length=200, required=False, help_text=_("Your job or function."))
    consent = forms.BooleanField(
        label=_(
            "I agree that AIS#Emploi keeps these details to organise the event (list of participants, badge, "
            "attendance sheet). They are not shared outside the programme."
        ),
    )

    def __init__(self, *args, rounds: dict, taken: dict, waiting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.rounds = rounds
        self.taken = taken
        for number, sessions in rounds.items():
            open_sessions = [s for s in sessions if not self.is_full(s)]
            field = forms.TypedChoiceField(
                label=_("Round %(round)s") % {"round": number},
                choices=[(s.pk, s.title) for s in open_sessions],
                coerce=int,
                # A round whose rooms are all full (or a waiting-list registration) may be left unchosen.
                required=bool(open_sessions) and not waiting,
                error_messages={
                    "required": _("Choose a session for this round."),
                    "invalid_choice": _("This session is full or does not exist: choose another one."),
                },
            )
            self.fields[round_field_name(number)] = field

    def is_full(self, session) -> bool:
        return session.capacity is not None and self.taken.get(session.pk, 0) >= session.capacity

    def round_options(self):
        """For the template: ``[(number, field, [(session, places_left, full, checked)])]``."""
        rows = []
        for number, sessions in self.rounds.items():
            name = round_field_name(number)
            value = str(self[name].value() or "")
            options = []
            for session in sessions:
                left = None if session.capacity is None else max(session.capacity - self.taken.get(session.pk, 0), 0)
                options.append((session, left, self.is_full(session), value == str(session.pk)))
            rows.append((number, self[name], options))
        return rows

    def chosen_sessions(self) -> list:
        by_pk = {s.pk: s for sessions in self.rounds.values() for s in sessions}
        chosen = []
        for number in self.rounds:
            pk = self.cleaned_data.get(round_field_name(number))
            if pk:
                chosen.append(by_pk[pk])
        return chosen


# --------------------------------------------------------------------------
# Events and sessions (managers)
# --------------------------------------------------------------------------


class EventForm(forms.ModelForm):
    slug = forms.SlugField(
        label=_("Address identifier"),
        max_length=200,
        required=False,
        help_text=_("Last part of the event's public address. Empty: made from the title."),
    )
    online_link = forms.URLField(label=_("Online link"), required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = Event
        fields = [
            "kind",
            "title",
            "slug",
            "date",
            "starts_at",
            "ends_at",
            "place",
            "online_link",
            "description",
            "capacity",
            "registration_opens_at",
            "registration_closes_at",
            "is_published",
        ]
        widgets = {
            "date": DateInput(),
            "starts_at": TimeInput(),
            "ends_at": TimeInput(),
            "registration_opens_at": DateTimeLocalInput(),
            "registration_closes_at": DateTimeLocalInput(),
            "description": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "is_published": _("The event's page and its registration form are public once published."),
        }

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or slugify(self.cleaned_data.get("title") or "")[:200]
        if not slug:
            return slug
        others = Event.objects.exclude(pk=self.instance.pk).filter(slug=slug)
        if others.exists():
            raise forms.ValidationError(_("Another event already has this address: choose another one."))
        return slug

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must come after the start."))
        if not data.get("place") and not data.get("online_link"):
            self.add_error("place", _("Give the place, or an online link."))
        opens, closes = data.get("registration_opens_at"), data.get("registration_closes_at")
        if opens and closes and closes <= opens:
            self.add_error("registration_closes_at", _("Registration must close after it opens."))
        return data


class InnovationChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, innovation):
        return innovation.name


class SessionForm(forms.ModelForm):
    innovations = InnovationChoiceField(
        label=_("Innovations presented"),
        queryset=Innovation.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )

    class Meta:
        model = Session
        fields = [
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "room",
            "capacity",
            "round_number",
            "speakers",
            "description",
            "innovations",
        ]
        widgets = {
            "starts_at": TimeInput(),
            "ends_at": TimeInput(),
            "speakers": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.instance.event = event

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends:
            if ends <= starts:
                self.add_error("ends_at", _("The end must come after the start."))
            elif starts < self.event.starts_at or ends > self.event.ends_at:
                self.add_error(
                    "starts_at",
                    _("The session must fit in the event's hours (%(start)s – %(end)s).")
                    % {"start": self.event.starts_at.strftime("%H:%M"), "end": self.event.ends_at.strftime("%H:%M")},
                )
        if data.get("round_number") is not None and data.get("kind") not in (
            SessionKind.WORKSHOP,
            SessionKind.SPEED_DATING,
            SessionKind.ROUND_TABLE,
        ):
            self.add_error("round_number", _("A plenary is attended by everyone: leave the round empty."))
        return data


# --------------------------------------------------------------------------
# On the day
# --------------------------------------------------------------------------


class CheckinSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or organisation"), required=False, max_length=100)


class RegistrationFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, e-mail or organisation"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *RegistrationStatus.choices]
    )


# --------------------------------------------------------------------------
# Restitutions
# --------------------------------------------------------------------------


class RestitutionForm(forms.Form):
    text = forms.CharField(
        label=_("Restitution"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("What was said, decided, and the next steps. Blank lines separate paragraphs."),
    )
    is_published = forms.BooleanField(label=_("Publish on the event's public page"), required=False)
    document_title = forms.CharField(label=_("Document title"), max_length=200, required=False)
    document = forms.FileField(
        label=_("Add a document"), required=False, validators=[DocumentValidator()], help_text=UPLOAD_HELP
    )

    def clean(self):
        data = super().clean()
        if data.get("document_title") and not data.get("document"):
            self.add_error("document", _("Choose the file to add, or leave the title empty."))
        return data


# --------------------------------------------------------------------------
# Resources library
# --------------------------------------------------------------------------


class ResourceFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *ResourceKind.choices])
    theme = forms.ChoiceField(label=_("Theme"), required=False, choices=[("", _("All themes")), *Theme.choices])
    innovation = forms.ModelChoiceField(
        label=_("Innovation"), required=False, queryset=Innovation.objects.none(), empty_label=_("All innovations")
    )

    event = forms.ModelChoiceField(
        label=_("Event"), required=False, queryset=Event.objects.none(), empty_label=_("All events")
    )

    def __init__(self, *args, innovations, events, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["innovation"].queryset = innovations
        self.fields["innovation"].label_from_instance = lambda innovation: innovation.name
        self.fields["innovation"].to_field_name = "slug"
        self.fields["event"].queryset = events
        self.fields["event"].to_field_name = "slug"


class ResourceForm(forms.ModelForm):
    slug = forms.SlugField(
        label=_("Address identifier"),
        max_length=200,
        required=False,
        help_text=_("Last part of the resource's address. Empty: made from the title."),
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes"), choices=Theme.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    innovations = InnovationChoiceField(
        label=_("Linked innovations"),
        queryset=Innovation.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )
    events = forms.ModelMultipleChoiceField(
        label=_("Linked events"),
        queryset=Event.objects.order_by("-date"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    document = forms.FileField(
        label=_("Document"), required=False, validators=[DocumentValidator()], help_text=UPLOAD_HELP
    )
    remove_document = forms.BooleanField(label=_("Remove the current document"), required=False)

    class Meta:
        model = Resource
        fields = ["title", "slug", "kind", "themes", "summary", "body", "is_public", "published_at"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 12}),
            "published_at": DateTimeLocalInput(),
        }
        help_texts = {
            "published_at": _("Empty: a draft, visible only to managers. A future date publishes it then."),
            "body": _("The page's text (searched with the title and the summary). Blank lines separate paragraphs."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["innovations"].initial = list(self.instance.innovations.values_list("pk", flat=True))
            self.fields["events"].initial = list(self.instance.events.values_list("pk", flat=True))

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or slugify(self.cleaned_data.get("title") or "")[:200]
        if slug and Resource.objects.exclude(pk=self.instance.pk).filter(slug=slug).exists():
            raise forms.ValidationError(_("Another resource already has this address: choose another one."))
        return slug
