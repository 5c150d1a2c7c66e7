from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ais.outbox import reasons
from ais.outbox.services import queue_email, render_plain_text, render_subject
from ais.territories.models import Commune
from ais.territories.widgets import CommuneWidget

from .models import Organisation, OrganisationType, Role
from .validators import validate_siret


class EmailAuthenticationForm(auth_forms.AuthenticationForm):
    """Login with an e-mail address; the error never says whether the account exists."""

    username = auth_forms.UsernameField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _(
            "Incorrect e-mail address or password. Check what you typed; if you have forgotten your password, you can "
            "reset it."
        ),
        "inactive": _("This account is deactivated. Contact the AIS#Emploi team."),
    }


class OutboxPasswordResetForm(auth_forms.PasswordResetForm):
    """Password reset whose e-mail goes through the outbox like every other one.

    At most ``PASSWORD_RESET_MAX_PER_HOUR`` e-mails an hour go to one account; past
    that the request is silently dropped, so the page answers the same for a known,
    unknown or throttled address."""

    def get_users(self, email):
        from .services import may_send_password_reset

        return (user for user in super().get_users(email) if may_send_password_reset(user))

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        subject = render_subject(subject_template_name, context)
        body = render_plain_text(email_template_name, context)
        user = context["user"]
        queue_email(
            recipient=to_email,
            subject=subject,
            body=body,
            reason=reasons.PASSWORD_RESET,
            dedup_key=f"password_reset:{user.pk}:{context['token']}",
            related_object=user,
        )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = get_user_model()
        fields = ["first_name", "last_name", "job_title", "phone"]
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "job_title": forms.TextInput(attrs={"autocomplete": "organization-title"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        digits = phone.replace(" ", "").replace(".", "").replace("-", "")
        if phone and not (digits.lstrip("+").isdigit() and 10 <= len(digits.lstrip("+")) <= 13):
            raise forms.ValidationError(_("Enter a phone number, for example 01 23 45 67 89."))
        return phone


class OrganisationForm(forms.ModelForm):
    """An organisation's own details, edited by its members (carriers, structures)."""

    # Explicit scheme: Django 5.x warns (an error under ``filterwarnings = error``)
    # when a URLField form field is built without ``assume_scheme``.
    website = forms.URLField(label=_("website"), required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = ["name", "kind", "network", "siret", "commune", "address", "website"]
        widgets = {"commune": CommuneWidget()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].required = True


class SignupForm(forms.Form):
    """A carrier's account and organisation, created inactive until the e-mail is confirmed."""

    first_name = forms.CharField(
        label=_("First name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    job_title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    organisation_name = forms.CharField(label=_("Name of your organisation"), max_length=200)
    organisation_kind = forms.ChoiceField(label=_("Type of organisation"), choices=OrganisationType.choices)
    siret = forms.CharField(
        label=_("SIRET"),
        max_length=17,
        required=False,
        validators=[validate_siret],
        help_text=_("14 digits, optional."),
    )
    commune = forms.ModelChoiceField(
        label=_("Commune"),
        queryset=Commune.objects.all(),
        widget=CommuneWidget(),
        help_text=_("Type the first letters or the postal code."),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    accept = forms.BooleanField(
        label=_("I agree that AIS#Emploi keeps my name, e-mail and organisation to process my application."),
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_siret(self):
        """Organisations are unique by SIRET: a second sign-up for the same one would
        fail on the database constraint (an error page), so it is told here instead."""
        siret = self.cleaned_data["siret"].replace(" ", "")
        if siret and Organisation.objects.filter(siret=siret).exists():
            raise forms.ValidationError(
                _(
                    "An organisation with this SIRET number already has an account: ask one of its members to "
                    "add you, or contact the AIS#Emploi team."
                ),
                code="siret_taken",
            )
        return siret

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            user = get_user_model()(
                email=data.get("email", ""), first_name=data.get("first_name", ""), last_name=data.get("last_name", "")
            )
            try:
                password_validation.validate_password(first, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class ResendActivationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class TwoFactorCodeForm(forms.Form):
    """The six-digit code of the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "spellcheck": "false"}
        ),
    )


class EmailCodeForm(forms.Form):
    """The six-digit code e-mailed before a first authenticator is set up."""

    email_code = forms.CharField(
        label=_("Code received by e-mail"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "spellcheck": "false"}
        ),
    )


# People and roles (administrators) ----------------------------------------------------


def _organisation_field(required=False):
    return forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.order_by("name"),
        required=required,
        empty_label=_("No organisation"),
        help_text=_("Required for project leaders and adopting structures."),
    )


class RoleForm(forms.Form):
    """A role to give, for an organisation when the role needs one."""

    role = forms.ChoiceField(label=pgettext_lazy("account", "Role"), choices=[("", "—"), *Role.choices])
    organisation = _organisation_field()


class InviteForm(RoleForm):
    """A new person: their name and address, and their first role."""

    field_order = ["first_name", "last_name", "email", "job_title", "role", "organisation"]

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"))
    job_title = forms.CharField(label=_("Job title"), max_length=150, required=False)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class CommitteeInviteForm(forms.Form):
    """A new committee member invited from a call's committee page."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"))
    organisation = _organisation_field()

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class InvitationPasswordForm(auth_forms.SetPasswordForm):
    """The invited person's first password (typed twice, checked by the validators)."""
