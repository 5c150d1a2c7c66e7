"""Forms of the calls for structures, the online applications and the structure record."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ais.accounts.models import Network, Organisation, OrganisationType
from ais.accounts.validators import validate_siret
from ais.core.figures_cache import cached
from ais.core.uploads import PDF, DocumentValidator
from ais.territories.models import Commune, Department
from ais.territories.widgets import CommuneWidget
from projects.models import Innovation

from .models import SpreadStructure, StructureApplication, StructureCall, StructureStatus
from .services import commune_in_targets

AGREEMENT_MAX_SIZE = 10 * 1024 * 1024


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _clean_phone(phone: str) -> str:
    phone = (phone or "").strip()
    digits = phone.replace(" ", "").replace(".", "").replace("-", "").lstrip("+")
    if phone and not (digits.isdigit() and 10 <= len(digits) <= 13):
        raise forms.ValidationError(_("Enter a phone number, for example 01 23 45 67 89."))
    return phone


def _clean_siret(siret: str) -> str:
    siret = (siret or "").replace(" ", "")
    if siret:
        validate_siret(siret)
    return siret


ACTIVE_STATUS_CHOICES = [
    (value, label) for value, label in StructureStatus.choices if value != StructureStatus.WITHDRAWN
]


# --------------------------------------------------------------------------
# Calls for structures (managers)
# --------------------------------------------------------------------------


class StructureCallForm(forms.ModelForm):
    target_departments = forms.ModelMultipleChoiceField(
        label=_("Target departments"),
        queryset=Department.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Leave empty to accept structures from all of France. Hold Ctrl (or Cmd) to choose several."),
    )

    class Meta:
        model = StructureCall
        fields = ["title", "description", "opens_on", "closes_on", "places", "wave", "target_departments"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "opens_on": DateInput(),
            "closes_on": DateInput(),
        }
        help_texts = {
            "description": _(
                "What the structures will receive (training, tools, support) and what they commit to "
                "(people involved, evaluation questionnaires at 3, 9 and 18 months)."
            ),
            "places": _("Leave empty if the number is not fixed."),
            "wave": _("Selected structures join this wave unless you choose another one when selecting."),
        }

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("The closing date must come after the opening date."))
        return data


# --------------------------------------------------------------------------
# The public application form
# --------------------------------------------------------------------------


class ApplicationForm(forms.ModelForm):
    """An organisation's application to a call, filled in by anyone (no account)."""

    siret = forms.CharField(label=_("SIRET"), max_length=17, required=False, help_text=_("14 digits, optional."))
    commune = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Commune.objects.select_related("department"),
        widget=CommuneWidget(attrs={"aria-label": _("Municipality")}),
        help_text=_("Where the structure would run the innovation. Type the first letters or the postal code."),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that AIS#Emploi keeps these contact details to process this application and to contact me "
            "about it. They are not shared outside the programme."
        ),
    )

    class Meta:
        model = StructureApplication
        fields = [
            "organisation_name",
            "organisation_kind",
            "network",
            "siret",
            "commune",
            "is_qpv",
            "is_rural",
            "capacity",
            "motivation",
            "contact_first_name",
            "contact_last_name",
            "contact_email",
            "contact_phone",
            "contact_function",
        ]
        labels = {
            "organisation_name": _("Name of the organisation"),
            "organisation_kind": _("Type of structure"),
            "network": _("Network"),
            "is_qpv": _("We work in a priority neighbourhood (QPV)"),
            "is_rural": _("We work in a rural area"),
            "capacity": _("People you could accompany per year"),
            "motivation": _("Why do you want to adopt this innovation?"),
            "contact_first_name": _("First name"),
            "contact_last_name": _("Last name"),
            "contact_email": _("E-mail address"),
            "contact_phone": _("Phone"),
            "contact_function": _("Job title"),
        }
        help_texts = {
            "network": _("Optional: the national network your structure belongs to."),
            "capacity": _("An estimate of the long-term unemployed people the structure could accompany."),
            "motivation": _(
                "Your public, your team, the partners you already work with, and what you expect from the innovation."
            ),
        }
        widgets = {
            "motivation": forms.Textarea(attrs={"rows": 6}),
            "organisation_name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "contact_first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "contact_last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "contact_phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "contact_function": forms.TextInput(attrs={"autocomplete": "organization-title"}),
        }

    def __init__(self, *args, call: StructureCall, **kwargs):
        self.call = call
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = Network.objects.order_by("name")
        self.fields["network"].empty_label = _("No network")
        self.fields["organisation_kind"].choices = [("", _("Choose a type")), *OrganisationType.choices]

    def clean_siret(self):
        return _clean_siret(self.cleaned_data["siret"])

    def clean_contact_email(self):
        return self.cleaned_data["contact_email"].strip().lower()

    def clean_contact_phone(self):
        return _clean_phone(self.cleaned_data["contact_phone"])

    def clean_commune(self):
        commune = self.cleaned_data["commune"]
        if not commune_in_targets(self.call, commune):
            departments = ", ".join(str(d) for d in self.call.target_departments.all())
            raise forms.ValidationError(
                _(
                    "This call is limited to these departments: %(departments)s. "
                    "%(commune)s is in %(department)s: it cannot apply."
                ),
                params={"departments": departments, "commune": commune.name, "department": commune.department},
                code="outside_targets",
            )
        return commune


# --------------------------------------------------------------------------
# Decisions on applications (managers)
# --------------------------------------------------------------------------


class SelectApplicationForm(forms.Form):
    wave = forms.IntegerField(
        label=_("Wave"),
        min_value=1,
        max_value=50,
        required=False,
        help_text=_("Leave empty for the call's wave."),
    )
    note = forms.CharField(
        label=_("Message to the structure (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Added to the e-mail that announces the selection."),
    )


class RejectApplicationForm(forms.Form):
    note = forms.CharField(
        label=_("Why is the application not selected?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the structure in the decision e-mail."),
        error_messages={"required": _("Say why the application is not selected: the structure will read it.")},
    )


# --------------------------------------------------------------------------
# The structures list
# --------------------------------------------------------------------------


YES_NO = [("", pgettext_lazy("filter", "All")), ("true", _("Yes")), ("false", _("No"))]


def department_choices() -> list[tuple[str, str]]:
    """``(code, "Name (code)")`` of every department, from the figures cache: the
    referential changes only with ``load_territories``, and the list is on every
    structures page."""
    return cached(
        "department-choices",
        lambda: [(code, f"{name} ({code})") for code, name in Department.objects.values_list("code", "name")],
    )


class StructureFilter(django_filters.FilterSet):
    """Filters of the structures list; ``innovations`` limits the innovation choices
    to those the user may see."""

    q = django_filters.CharFilter(label=_("Search"), method="search", widget=forms.TextInput(attrs={"type": "search"}))
    innovation = django_filters.ModelChoiceFilter(
        label=_("Innovation"), queryset=Innovation.objects.none(), empty_label=_("All innovations")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=StructureStatus.choices, empty_label=_("All statuses")
    )
    wave = django_filters.NumberFilter(label=_("Wave"), widget=forms.NumberInput(attrs={"min": 1}))
    department = django_filters.ChoiceFilter(
        label=_("Department"),
        choices=lambda: department_choices(),
        field_name="organisation__commune__department",
        empty_label=_("All departments"),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Type of structure"),
        choices=OrganisationType.choices,
        field_name="organisation__kind",
        empty_label=_("All types"),
    )
    is_qpv = django_filters.TypedChoiceFilter(
        label=_("QPV"), choices=YES_NO, coerce=lambda value: value == "true", empty_value=None
    )
    is_rural = django_filters.TypedChoiceFilter(
        label=_("Rural area"), choices=YES_NO, coerce=lambda value: value == "true", empty_value=None
    )

    class Meta:
        model = SpreadStructure
        fields = ["q", "innovation", "status", "wave", "department", "kind", "is_qpv", "is_rural"]

    def __init__(self, *args, innovations, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["innovation"].queryset = innovations
        self.form.fields["innovation"].queryset = innovations

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(organisation__name__unaccent__icontains=value)
            | Q(organisation__commune__name__unaccent__icontains=value)
            | Q(innovation__name__unaccent__icontains=value)
            | Q(organisation__network__name__icontains=value)
        )


# --------------------------------------------------------------------------
# The structure record (managers)
# --------------------------------------------------------------------------


class StructureCreateForm(forms.Form):
    """A structure recruited outside an online call: an existing organisation or a new one."""

    organisation = forms.ModelChoiceField(
        label=_("Existing organisation"),
        queryset=Organisation.objects.select_related("commune").order_by("name"),
        required=False,
        empty_label=_("— A new organisation (fill in below) —"),
        widget=forms.Select(attrs={"data-searchable": "", "aria-label": _("Existing organisation")}),
    )
    name = forms.CharField(label=_("Name of the new organisation"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=_("Type of structure"),
        choices=[("", _("Choose a type")), *OrganisationType.choices],
        required=False,
    )
    network = forms.ModelChoiceField(
        label=_("Network"), queryset=Network.objects.order_by("name"), required=False, empty_label=_("No network")
    )
    siret = forms.CharField(label=_("SIRET"), max_length=17, required=False, help_text=_("14 digits, optional."))
    commune = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Commune.objects.all(),
        widget=CommuneWidget(attrs={"aria-label": _("Municipality")}),
        required=False,
        help_text=_("Type the first letters or the postal code."),
    )
    wave = forms.IntegerField(label=_("Wave"), min_value=1, max_value=50, initial=1)
    status = forms.ChoiceField(label=_("Status"), choices=ACTIVE_STATUS_CHOICES, initial=StructureStatus.SELECTED)
    selected_on = forms.DateField(
        label=_("Selection date"),
        required=False,
        widget=DateInput(),
        help_text=_("When the structure was selected: today unless you record the programme's history."),
    )
    is_qpv = forms.BooleanField(label=_("In a priority neighbourhood (QPV)"), required=False)
    is_rural = forms.BooleanField(label=_("In a rural area"), required=False)
    capacity = forms.IntegerField(
        label=_("People the structure can accompany per year"), min_value=1, max_value=100000, required=False
    )

    def clean_siret(self):
        return _clean_siret(self.cleaned_data["siret"])

    def clean(self):
        data = super().clean()
        name = (data.get("name") or "").strip()
        if data.get("organisation"):
            if name:
                self.add_error("name", _("Choose an existing organisation or describe a new one, not both."))
            return data
        if not name:
            self.add_error("name", _("Choose an existing organisation, or give the name of a new one."))
        if not data.get("kind"):
            self.add_error("kind", _("Give the type of the new organisation."))
        if not data.get("commune"):
            self.add_error("commune", _("Give the municipality of the new organisation."))
        siret = data.get("siret")
        if siret and Organisation.objects.filter(siret=siret).exists():
            self.add_error("siret", _("An organisation with this SIRET number already exists: choose it in the list."))
        data["name"] = name
        return data

    def new_organisation(self) -> dict | None:
        data = self.cleaned_data
        if data.get("organisation"):
            return None
        return {
            "name": data["name"],
            "kind": data["kind"],
            "network": data.get("network"),
            "siret": data.get("siret", ""),
            "commune": data["commune"],
        }


class StructureEditForm(forms.Form):
    wave = forms.IntegerField(label=_("Wave"), min_value=1, max_value=50)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=ACTIVE_STATUS_CHOICES,
        help_text=_("To record a withdrawal, use the withdrawal form: it keeps the date and the reason."),
    )
    selected_on = forms.DateField(
        label=_("Selection date"),
        required=False,
        widget=DateInput(),
        help_text=_("When the structure was selected: today unless you record the programme's history."),
    )
    is_qpv = forms.BooleanField(label=_("In a priority neighbourhood (QPV)"), required=False)
    is_rural = forms.BooleanField(label=_("In a rural area"), required=False)
    capacity = forms.IntegerField(
        label=_("People the structure can accompany per year"), min_value=1, max_value=100000, required=False
    )

    def __init__(self, *args, structure: SpreadStructure, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "wave": structure.wave,
                "status": structure.status,
                "is_qpv": structure.is_qpv,
                "is_rural": structure.is_rural,
                "capacity": structure.capacity,
                "selected_on": structure.selected_on,
            },
        )
        super().__init__(*args, **kwargs)
        if structure.status == StructureStatus.WITHDRAWN:
            del self.fields["status"]


class StartDateForm(forms.Form):
    start_date = forms.DateField(label=_("Start date of spreading"), required=False, widget=DateInput())
    clear = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if not data.get("clear") and not data.get("start_date") and "start_date" not in self.errors:
            self.add_error("start_date", _("Give the start date, or clear it with the dedicated button."))
        return data

    @property
    def date(self):
        return None if self.cleaned_data.get("clear") else self.cleaned_data["start_date"]


class WithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(
        label=_("Date of the withdrawal"),
        widget=DateInput(),
        error_messages={"required": _("Give the date of the withdrawal.")},
    )
    reason = forms.CharField(
        label=_("Reason of the withdrawal"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example: the referent left, funding stopped, the public changed."),
        error_messages={"required": _("Give the reason of the withdrawal.")},
    )

    def clean_withdrawn_on(self):
        day = self.cleaned_data["withdrawn_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The withdrawal date cannot be in the future."))
        return day


class MoveForm(forms.Form):
    commune = forms.ModelChoiceField(
        label=_("New municipality"),
        queryset=Commune.objects.select_related("department"),
        widget=CommuneWidget(attrs={"aria-label": _("New municipality")}),
        help_text=_("Type the first letters or the postal code."),
        error_messages={"required": _("Choose the municipality the structure moves to.")},
    )
    moved_on = forms.DateField(
        label=_("Date of the relocation"),
        widget=DateInput(),
        help_text=_("The figures of the dates before it keep the former territory."),
        error_messages={"required": _("Give the date of the relocation.")},
    )

    def clean_moved_on(self):
        day = self.cleaned_data["moved_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date of the relocation cannot be in the future."))
        return day


class AgreementForm(forms.Form):
    file = forms.FileField(
        label=_("Signed partnership agreement (PDF)"),
        help_text=_("A PDF of %(max)s MB at most.") % {"max": AGREEMENT_MAX_SIZE // (1024 * 1024)},
    )
    signed_on = forms.DateField(
        label=_("Signed on"),
        widget=DateInput(),
        error_messages={"required": _("Give the date the agreement was signed.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        DocumentValidator((PDF,), max_size=AGREEMENT_MAX_SIZE)(upload)
        return upload

    def clean_signed_on(self):
        day = self.cleaned_data["signed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The signature date cannot be in the future."))
        return day


class ContactForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    job_title = forms.CharField(label=_("Job title"), max_length=150, required=False)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()
