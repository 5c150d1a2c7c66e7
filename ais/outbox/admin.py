from django.contrib import admin

from .models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "subject", "reason", "status", "attempts", "sent_at"]
    list_filter = ["status", "reason"]
    search_fields = ["recipient", "subject", "dedup_key"]
    readonly_fields = [f.name for f in OutgoingEmail._meta.concrete_fields]
