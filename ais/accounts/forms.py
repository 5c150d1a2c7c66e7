from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.template import loader
from django.utils.translation import gettext_lazy as _

from ais.outbox.models import Reason
from ais.outbox.services import queue_email


class EmailAuthenticationForm(auth_forms.AuthenticationForm):
    """Login with an e-mail address; the error never says whether the account exists."""

    username = auth_forms.UsernameField(
        label=_("Adresse e-mail"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _(
            "Adresse e-mail ou mot de passe incorrect. Vérifiez votre saisie ; "
            "si vous avez oublié votre mot de passe, vous pouvez le réinitialiser."
        ),
        "inactive": _("Ce compte est désactivé. Contactez l'équipe AIS#Emploi."),
    }


class OutboxPasswordResetForm(auth_forms.PasswordResetForm):
    """Password reset whose e-mail goes through the outbox like every other one."""

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        user = context["user"]
        queue_email(
            recipient=to_email,
            subject=subject,
            body=body,
            reason=Reason.PASSWORD_RESET,
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
            raise forms.ValidationError(_("Saisissez un numéro de téléphone, par exemple 01 23 45 67 89."))
        return phone
