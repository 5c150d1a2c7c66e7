from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Innovation


@admin.register(Innovation)
class InnovationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "carrier", "stage", "year_selected", "is_published"]
    list_filter = ["stage", "is_published"]
    search_fields = ["name", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["carrier", "origin_commune", "lead_manager", "team"]
    list_select_related = ["carrier"]
