import json
from base64 import b32encode

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.serializers.json import DjangoJSONEncoder
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ais.core.documents import attachment
from ais.core.errors import DomainError
from ais.core.forms import form_action, posted

from . import services
from .forms import (
    EmailAuthenticationForm,
    EmailCodeForm,
    InvitationPasswordForm,
    OutboxPasswordResetForm,
    ProfileForm,
    ResendActivationForm,
    SignupForm,
    TwoFactorCodeForm,
)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset_body.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    form_class = OutboxPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


def profile(request):
    """The user's own details and roles."""
    return form_action(
        request,
        ProfileForm(posted(request), instance=request.user),
        lambda form: form.save(),
        success_url="accounts:profile",
        success_message=_("Your profile has been saved."),
        error_message=_("The form contains errors: correct the highlighted fields."),
        template="accounts/profile.html",
        context=lambda: {
            "memberships": request.user.memberships.select_related("organisation__commune"),
            "has_authenticator": services.has_confirmed_totp(request.user),
        },
    )


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


@login_not_required
def signup(request):
    """Carriers create their account and organisation; the account opens once the
    e-mail address is confirmed."""
    if request.user.is_authenticated:
        return redirect("portal:dashboard")

    def register(form):
        data = form.cleaned_data
        services.register_carrier(
            email=data["email"],
            password=data["password1"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            job_title=data["job_title"],
            organisation_name=data["organisation_name"],
            organisation_kind=data["organisation_kind"],
            siret=data["siret"],
            commune=data["commune"],
            next_url=_safe_next(request),
        )
        request.session["signup_email"] = data["email"]

    return form_action(
        request,
        SignupForm(posted(request)),
        register,
        success_url="accounts:signup_sent",
        error_message=_("The form has errors: correct the fields marked in red. Nothing was lost."),
        template="accounts/signup.html",
        context={"next": _safe_next(request)},
    )


@login_not_required
def signup_sent(request):
    return render(request, "accounts/signup_sent.html", {"email": request.session.get("signup_email", "")})


@login_not_required
def activate(request, token):
    try:
        user = services.activate_account(token)
    except services.ActivationError as error:
        return render(
            request,
            "accounts/activation_failed.html",
            {
                "expired": str(error) == "expired",
                "form": ResendActivationForm(),
            },
            status=400,
        )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Your e-mail address is confirmed: welcome to AIS#Emploi."))
    return redirect(_safe_next(request) or "portal:dashboard")


@login_not_required
def resend_activation(request):
    """Send a new confirmation link; the page is the same whether the address is known or not."""
    form = ResendActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = (
            get_user_model()
            .objects.filter(email__iexact=form.cleaned_data["email"], is_active=False, last_login__isnull=True)
            .first()
        )
        if user is not None:
            services.send_activation_email(user)
        request.session["signup_email"] = form.cleaned_data["email"]
        return redirect("accounts:signup_sent")
    return render(
        request,
        "accounts/activation_failed.html",
        {"expired": False, "form": form, "resend": True},
        status=400 if form.errors else 200,
    )


# Lockout ------------------------------------------------------------------------------


def locked_out(request, original_response=None, credentials=None):
    """axes' lockout page (``AXES_LOCKOUT_CALLABLE``): when to try again and how to reset
    the password. Every attempt during the lock starts the wait again."""
    cool_off = get_cool_off(request)
    context = {
        "minutes": int(cool_off.total_seconds() // 60),
        "retry_at": timezone.localtime(timezone.now() + cool_off),
    }
    return render(request, "accounts/locked_out.html", context, status=429)


@login_not_required
def unlock(request, token):
    """The link of the « Débloquer mon compte » e-mail: a button (GET shows, POST
    unlocks, so that a mail scanner opening the link changes nothing), or a page saying
    how to get a new link when it has expired or is not valid."""
    try:
        user = services.user_for_unlock_token(token)
    except services.UnlockError as error:
        context = {
            "expired": str(error) == "expired",
            "minutes": int(settings.AXES_COOLOFF_TIME * 60),
            "link_minutes": settings.ACCOUNT_UNLOCK_MAX_AGE // 60,
        }
        return render(request, "accounts/unlock_failed.html", context, status=400)
    if request.method == "POST":
        services.unlock_account(user)
        messages.success(request, _("Your account is unlocked: you can log in."))
        return redirect("accounts:login")
    return render(request, "accounts/unlock.html", {"email": user.email})


# Two-factor authentication ------------------------------------------------------------


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def two_factor_setup(request):
    """Set up the authenticator app: first a code e-mailed to the account (when the user
    has no authenticator yet: a password alone must not attach someone's phone to the
    account), then a QR code (inline SVG image, no script) and the secret in text,
    confirmed by a first code; then the recovery codes, shown once."""
    if services.has_confirmed_totp(request.user) and not request.user.is_verified():
        return redirect(_with_next("accounts:two_factor_verify", request))
    if services.needs_mailbox_proof(request):
        return _two_factor_email_code(request)
    device = services.pending_totp_device(request.user)

    def confirm(form):
        codes = services.confirm_totp_device(request, device, form.cleaned_data["code"])
        if codes is None:
            raise DomainError(
                _("This code is not the right one: check your app's clock and type the current code."), field="code"
            )
        request.session[services.SESSION_NEW_CODES_KEY] = codes

    def page():
        import segno

        return {
            "qr_code": segno.make(device.config_url, error="m").svg_data_uri(scale=5, dark="#1d1d1b"),
            "secret": _grouped(b32encode(device.bin_key).decode()),
            "required": services.two_factor_required(request) or settings.REQUIRE_2FA_FOR_STAFF,
            "next": _safe_next(request),
        }

    return form_action(
        request,
        TwoFactorCodeForm(posted(request)),
        confirm,
        success_url=_with_next("accounts:recovery_codes", request),
        success_message=_("Two-step verification is on: keep your recovery codes now."),
        error_message=None,  # the error is under the code
        template="accounts/two_factor_setup.html",
        context=page,
    )


def _two_factor_email_code(request):
    """The first step of setting up an authenticator: the code sent to the account's
    address (sent on arrival, again on request), valid a few minutes for a few tries."""
    if request.method == "POST" and "resend" in request.POST:
        if services.send_enrolment_code(request):
            messages.success(request, _("A new code has been sent to your e-mail address."))
        else:
            messages.error(request, _("Too many codes were sent in the last hour: wait before asking again."))
        return redirect(_with_next("accounts:two_factor_setup", request))
    if request.method == "GET" and services.pending_email_code(request) is None:
        services.send_enrolment_code(request)

    def check(form):
        services.check_enrolment_code(request, form.cleaned_data["email_code"])

    return form_action(
        request,
        EmailCodeForm(posted(request)),
        check,
        success_url=_with_next("accounts:two_factor_setup", request),
        error_message=None,  # the error is under the code
        template="accounts/two_factor_email_code.html",
        context=lambda: {
            "email": request.user.email,
            "minutes": settings.TWO_FACTOR_EMAIL_CODE_MAX_AGE // 60,
            "required": services.two_factor_required(request) or settings.REQUIRE_2FA_FOR_STAFF,
            "next": _safe_next(request),
        },
    )


def two_factor_verify(request):
    """The second step of logging in: a code from the app, or a recovery code."""
    next_url = _safe_next(request) or reverse_lazy("portal:dashboard")
    if request.user.is_verified():
        return redirect(next_url)
    if not services.has_confirmed_totp(request.user):
        return redirect(_with_next("accounts:two_factor_setup", request))

    def verify(form):
        device = services.verify_second_factor(request, form.cleaned_data["code"])
        if device is None:
            raise DomainError(
                _(
                    "This code is not valid. Type the current code of your app, or one of your recovery codes; "
                    "after several mistakes, wait a few seconds between tries."
                ),
                field="code",
            )
        if device.__class__.__name__ == "StaticDevice":
            left = services.remaining_recovery_codes(request.user)
            messages.warning(
                request,
                _("You used a recovery code; %(left)s left. Generate new ones from your profile if needed.")
                % {"left": left},
            )

    return form_action(
        request,
        TwoFactorCodeForm(posted(request)),
        verify,
        success_url=next_url,
        error_message=None,  # the error is under the code
        template="accounts/two_factor_verify.html",
        context={"next": _safe_next(request)},
    )


def recovery_codes(request):
    """The recovery codes just generated (shown once), or how many are left with a
    button to generate new ones (POST; the old ones then stop working)."""
    has_authenticator = services.has_confirmed_totp(request.user)
    if request.method == "POST":
        if not (has_authenticator and request.user.is_verified()):
            return redirect(_with_next("accounts:two_factor_verify", request))
        request.session[services.SESSION_NEW_CODES_KEY] = services.regenerate_recovery_codes(request.user)
        messages.success(request, _("New recovery codes generated: the previous ones no longer work."))
        return redirect("accounts:recovery_codes")
    codes = request.session.pop(services.SESSION_NEW_CODES_KEY, None)
    context = {
        "codes": codes or [],
        "left": services.remaining_recovery_codes(request.user),
        "has_authenticator": has_authenticator,
        "next": _safe_next(request),
    }
    return render(request, "accounts/recovery_codes.html", context)


def _with_next(name: str, request) -> str:
    from urllib.parse import urlencode

    from django.urls import reverse

    next_url = _safe_next(request)
    return reverse(name) + ("?" + urlencode({"next": next_url}) if next_url else "")


# Personal data ------------------------------------------------------------------------


def my_data(request):
    """What the product keeps about the user, and the download of all of it."""
    return render(request, "accounts/my_data.html")


def my_data_download(request):
    """The user's personal data as a JSON file (GDPR right of access and portability)."""
    data = services.export_personal_data(request.user)
    return attachment(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        f"ais-emploi-mes-donnees-{timezone.localdate().isoformat()}.json",
        "application/json; charset=utf-8",
    )


# Invitations --------------------------------------------------------------------------


@login_not_required
def invitation(request, token):
    """The invited person chooses their password, then lands on their dashboard. An
    expired, used or invalid link says so and what to do (an expired one offers a new link)."""
    try:
        user = services.invited_user(token)
    except services.InvitationError as error:
        return render(
            request,
            "accounts/invitation_failed.html",
            {"error": error, "code": error.code, "token": token},
            status=400,
        )

    def accept(form):
        accepted = services.accept_invitation(token, password=form.cleaned_data["new_password1"])
        login(request, accepted, backend="django.contrib.auth.backends.ModelBackend")

    return form_action(
        request,
        InvitationPasswordForm(user, posted(request)),
        accept,
        success_url="portal:dashboard",
        success_message=_("Your password is saved: welcome to AIS#Emploi."),
        template="accounts/invitation.html",
        context={"invited": user},
    )


@login_not_required
@require_POST
def invitation_renew(request):
    """From an expired link: a new one goes to the account's own address."""
    services.renew_invitation(request.POST.get("token", ""))
    return render(request, "accounts/invitation_renewed.html")
