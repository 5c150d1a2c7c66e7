"""Forms and filters of the support pages: hotline log and site visits."""

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import SiteVisit, SupportChannel, SupportRequest, SupportTopic
from .support_services import (
    MAX_MINUTES,
    structures_open_to_support,
    support_innovations_for,
    support_structures_for,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class GroupedStructureIterator(forms.models.ModelChoiceIterator):
    """The structures as options grouped by innovation (``<optgroup>``), in the
    queryset's order (innovation name, then organisation name)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict[str, list] = {}
        for structure in self.queryset:
            groups.setdefault(structure.innovation.name, []).append(self.choice(structure))
        yield from groups.items()


class StructureChoiceField(forms.ModelChoiceField):
    """A structure picked in a list grouped by innovation (the queryset must
    ``select_related("organisation", "innovation")``)."""

    iterator = GroupedStructureIterator

    def label_from_instance(self, obj):
        if obj.is_active:
            return obj.organisation.name
        return _("%(name)s (%(status)s)") % {"name": obj.organisation.name, "status": obj.get_status_display()}


class StructureFilterField(django_filters.fields.ModelChoiceField, StructureChoiceField):
    iterator = GroupedStructureIterator


class StructureFilter(django_filters.ModelChoiceFilter):
    field_class = StructureFilterField


def _not_in_future(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."))


# --------------------------------------------------------------------------
# Recording
# --------------------------------------------------------------------------


class SupportFormMixin:
    """Structure picker (active structures, grouped by innovation) and a date that
    cannot be in the future."""

    def _setup_common(self, instance_structure):
        self.fields["structure"] = StructureChoiceField(
            label=_("Structure"),
            queryset=structures_open_to_support(current=instance_structure),
            empty_label=_("Choose the structure…"),
            help_text=_("Active adopting structures, grouped by innovation; the entry is filed under that innovation."),
        )
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.structure if self.instance.pk else None
        self._setup_common(current)
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.structure if self.instance.pk else None
        self._setup_common(current)
        self.fields["date"].required = True
        self.fields["date"].error_messages["required"] = _("Give the date of the visit.")


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
    structure = StructureFilter(label=_("Structure"), queryset=_structures, empty_label=_("All structures"))
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
