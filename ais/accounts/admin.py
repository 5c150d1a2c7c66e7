from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db import models
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import Membership, Network, Organisation, User

# The authenticators' admin pages would show every user's secret key: they are replaced
# by the "reset two-step verification" action of the users' list.
# Django's groups grant nothing here (rights come from roles: ``Membership`` and ``rules``):
# their admin would only mislead.
for _model in (TOTPDevice, StaticDevice, Group):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)

# Websites typed without a scheme are https (Django 6's default; 5.x warns without it).
URL_FIELDS_HTTPS = {models.URLField: {"assume_scheme": "https"}}


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(BaseUserAdmin, SimpleHistoryAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "last_login"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [MembershipInline]
    actions = ["reset_two_factor", "anonymise"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identity"), {"fields": ("first_name", "last_name", "job_title", "phone")}),
        (_("Access rights"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "password1", "password2")}),
    )

    @admin.action(description=_("Reset two-step verification (lost phone)"), permissions=["change"])
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            services.reset_two_factor(user, by=request.user)
        self.message_user(
            request,
            ngettext(
                "Two-step verification reset for %(count)d user: they will set it up again at next login.",
                "Two-step verification reset for %(count)d users: they will set it up again at next login.",
                queryset.count(),
            )
            % {"count": queryset.count()},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Anonymise (GDPR): remove names, e-mail and phone, close the account"), permissions=["change"]
    )
    def anonymise(self, request, queryset):
        """Asks for confirmation on a page listing the accounts, then anonymises them."""
        queryset = queryset.exclude(pk=request.user.pk).filter(anonymised_at__isnull=True)
        if request.POST.get("confirmed") == "yes":
            count = 0
            for user in queryset:
                services.anonymise_user(user, by=request.user)
                count += 1
            self.message_user(
                request,
                ngettext("%(count)d account anonymised.", "%(count)d accounts anonymised.", count) % {"count": count},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Anonymise these accounts?"),
            "users": queryset,
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "accounts/admin_anonymise_confirm.html", context)


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "network", "commune"]
    list_filter = ["kind", "network"]
    search_fields = ["name", "siret"]
    autocomplete_fields = ["commune"]
    list_select_related = ["network", "commune"]
    formfield_overrides = URL_FIELDS_HTTPS


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "full_name"]
    search_fields = ["name", "full_name"]
    formfield_overrides = URL_FIELDS_HTTPS
