from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import OutgoingEmail
from .reasons import registered_reasons


class ReasonFilter(admin.SimpleListFilter):
    """The registered reasons, by their label (the column has no choices)."""

    title = _("reason")
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return sorted(registered_reasons().items(), key=lambda item: str(item[1]))

    def queryset(self, request, queryset):
        return queryset.filter(reason=self.value()) if self.value() else queryset


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "subject", "reason_display", "status", "attempts", "sent_at"]
    list_filter = ["status", ReasonFilter]
    search_fields = ["recipient", "subject", "dedup_key"]
    fields = readonly_fields = [
        "reason_display" if f.name == "reason" else f.name for f in OutgoingEmail._meta.concrete_fields
    ]

    @admin.display(description=_("reason"), ordering="reason")
    def reason_display(self, email):
        return email.reason_label()
