from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from . import services
from .forms import EmailAuthenticationForm, OutboxPasswordResetForm, ProfileForm, ResendActivationForm, SignupForm


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
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile")
        messages.error(request, _("The form contains errors: correct the highlighted fields."))
    memberships = request.user.memberships.select_related("organisation__commune")
    return render(request, "accounts/profile.html", {"form": form, "memberships": memberships})


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
        return redirect("core:dashboard")
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
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
            return redirect("accounts:signup_sent")
        messages.error(request, _("The form has errors: correct the fields marked in red. Nothing was lost."))
    return render(
        request, "accounts/signup.html", {"form": form, "next": _safe_next(request)}, status=400 if form.errors else 200
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
    return redirect(_safe_next(request) or "core:dashboard")


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
