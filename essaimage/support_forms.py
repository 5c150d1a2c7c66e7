"""Forms and filters of the support pages: hotline log and site visits."""

import json

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import SiteVisit, SupportChannel, SupportRequest, SupportTopic
from .support_services import (
    MAX_MINUTES,
    SEARCH_MIN_LENGTH,
    structures_open_to_support,
    support_innovations_for,
    support_structures_for,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def structure_label(structure) -> str:
    """The name a structure goes by in the pickers: its organisation, with its status
    when it is no longer (or not yet) active."""
    if structure.is_active:
        return structure.organisation.name
    return _("%(name)s (%(status)s)") % {"name": structure.organisation.name, "status": structure.get_status_display()}


def structure_choice(structure) -> dict:
    """A structure as the pickers' search results give it (``essaimage:support_structure_search``)."""
    commune = structure.organisation.commune
    return {
        "id": structure.pk,
        "text": structure_label(structure),
        "innovation": structure.innovation.name,
        "commune": commune.name if commune else "",
    }


class StructureSearchWidget(forms.Select):
    """A ``<select>`` holding only the chosen structure, whatever the number of structures
    (0 or 1 built per page), turned by static/js/structure-picker.js into a tom-select
    that searches ``essaimage:support_structure_search`` (2 characters or more). Without
    JavaScript the chosen structure is submitted as it is.

    ``open_to_support`` limits the search to the structures an entry may be recorded for;
    ``innovation_field`` is the id of a select whose value narrows the search to one
    innovation (the filters' innovation)."""

    def __init__(self, attrs=None, *, open_to_support=False, innovation_field=None):
        base = {
            "class": "form-select structure-picker",
            "data-structure-picker": reverse_lazy("essaimage:support_structure_search"),
            "data-placeholder": _("Type 2 letters of a name or a commune…"),
            "data-no-results": _("No structure found"),
            "data-type-more": _("Type at least 2 letters."),
            "data-clear-label": _("Clear the structure"),
        }
        if open_to_support:
            base["data-open-to-support"] = "1"
        if innovation_field:
            base["data-innovation-field"] = innovation_field
        super().__init__({**base, **(attrs or {})})
        self._data = {}

    def optgroups(self, name, value, attrs=None):
        """The empty choice and the chosen structure only (one query, none without a choice),
        looked up in the field's queryset: a structure out of it is never shown."""
        field = self.choices.field
        ids = [int(v) for v in value if str(v).isdigit()]
        choices = [("", field.empty_label or "")]
        self._data = {}
        if ids:
            for structure in field.queryset.filter(pk__in=ids).select_related("organisation__commune", "innovation"):
                data = structure_choice(structure)
                self._data[str(structure.pk)] = data
                choices.append((structure.pk, f"{data['text']} – {data['innovation']}"))
        source, self.choices = self.choices, choices
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = source

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        data = self._data.get(str(value))
        if data:  # read by tom-select (dataAttr) to show the innovation under the name
            option["attrs"]["data-data"] = json.dumps(data)
        return option


class StructureChoiceField(forms.ModelChoiceField):
    """A structure picked by searching (``StructureSearchWidget``); the posted id is
    checked against the whole ``queryset`` (scoped to the user by the form)."""

    widget = StructureSearchWidget

    def label_from_instance(self, obj):
        return structure_label(obj)


class StructureFilterField(django_filters.fields.ModelChoiceField, StructureChoiceField):
    pass


class StructureFilter(django_filters.ModelChoiceFilter):
    field_class = StructureFilterField


def _not_in_future(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."))


# --------------------------------------------------------------------------
# Recording
# --------------------------------------------------------------------------


class SupportFormMixin:
    """Structure picker (the active structures of the user's support scope, searched by
    name or commune) and a date that cannot be in the future."""

    def _setup_common(self, instance_structure, user):
        self.fields["structure"] = StructureChoiceField(
            label=_("Structure"),
            queryset=structures_open_to_support(current=instance_structure).filter(
                innovation__in=support_innovations_for(user)
            ),
            empty_label=_("Choose the structure…"),
            widget=StructureSearchWidget(open_to_support=True),
            help_text=_(
                "An active adopting structure: type at least %(count)d letters of its name or of its commune. "
                "The entry is filed under the structure's innovation."
            )
            % {"count": SEARCH_MIN_LENGTH},
        )
        if self._meta.model is not SiteVisit:  # a visit may be planned ahead
            self.fields["date"].validators.append(_not_in_future)
            self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()


class SupportRequestForm(SupportFormMixin, forms.ModelForm):
    class Meta:
        model = SupportRequest
        fields = ["structure", "date", "channel", "topic", "minutes_spent", "question", "answer", "resolved"]
        widgets = {
            "date": DateInput(),
            "question": forms.Textarea(attrs={"rows": 4}),
            "answer": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "minutes_spent": _("Between 1 and 1440 minutes (24 hours), preparation included."),
            "answer": _("The answer given, or what remains to be done."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.structure if self.instance.pk else None
        self._setup_common(current, user)
        minutes = self.fields["minutes_spent"]
        message = _("Enter a time spent between 1 and 1440 minutes (24 hours).")
        minutes.validators = [MinValueValidator(1, message=message), MaxValueValidator(MAX_MINUTES, message=message)]
        minutes.error_messages["invalid"] = _("Enter a whole number of minutes.")
        self.fields["question"].error_messages["required"] = _("Write down the structure's question.")
        self.fields["resolved"].help_text = _("Tick when the structure has the answer it needed.")


class SiteVisitForm(SupportFormMixin, forms.ModelForm):
    class Meta:
        model = SiteVisit
        fields = ["structure", "date", "visitors", "people_met", "report"]
        widgets = {
            "date": DateInput(),
            "people_met": forms.Textarea(attrs={"rows": 3}),
            "report": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "visitors": _("Names of the Ansa staff and of the carrier's team who made the visit."),
            "report": _("What was seen, what works, the points of attention and the next steps."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.structure if self.instance.pk else None
        self._setup_common(current, user)
        self.fields["date"].required = True
        self.fields["date"].error_messages["required"] = _("Give the date of the visit.")
        self.fields["date"].help_text = _("A date to come plans the visit; write the report once it has taken place.")
        self.fields["report"].required = False

    def clean(self):
        data = super().clean()
        date = data.get("date")
        if date and date <= timezone.localdate() and not (data.get("report") or "").strip():
            self.add_error("report", _("Write the report of the visit: it has taken place."))
        return data


# --------------------------------------------------------------------------
# Filters
# --------------------------------------------------------------------------


def _innovations(request):
    return support_innovations_for(request.user)


def _structures(request):
    return support_structures_for(request.user)


class PeriodFilterSet(django_filters.FilterSet):
    innovation = django_filters.ModelChoiceFilter(
        label=_("Innovation"), queryset=_innovations, empty_label=_("All innovations")
    )
    structure = StructureFilter(
        label=_("Structure"),
        queryset=_structures,
        empty_label=_("All structures"),
        widget=StructureSearchWidget(innovation_field="id_innovation"),
    )
    date_from = django_filters.DateFilter(label=_("From"), field_name="date", lookup_expr="gte", widget=DateInput())
    date_to = django_filters.DateFilter(label=_("To"), field_name="date", lookup_expr="lte", widget=DateInput())


class SupportFilter(PeriodFilterSet):
    """Filters of the hotline log."""

    channel = django_filters.ChoiceFilter(
        label=_("Channel"), choices=SupportChannel.choices, empty_label=_("All channels")
    )
    topic = django_filters.ChoiceFilter(label=_("Topic"), choices=SupportTopic.choices, empty_label=_("All topics"))
    resolved = django_filters.ChoiceFilter(
        label=_("Resolution"),
        choices=[("yes", _("Resolved")), ("no", _("Not resolved"))],
        empty_label=_("All entries"),
        method="filter_resolved",
    )

    class Meta:
        model = SupportRequest
        fields = ["innovation", "structure", "channel", "topic", "resolved", "date_from", "date_to"]

    def filter_resolved(self, queryset, name, value):
        return queryset.filter(resolved=value == "yes")


class VisitFilter(PeriodFilterSet):
    """Filters of the site visits."""

    class Meta:
        model = SiteVisit
        fields = ["innovation", "structure", "date_from", "date_to"]


class PeriodForm(forms.Form):
    """The period of the support summary (both ends optional)."""

    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the period must come after its start."))
        return data
