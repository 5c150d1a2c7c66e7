from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import SpreadStructure


@admin.register(SpreadStructure)
class SpreadStructureAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "innovation", "status", "wave", "start_date"]
    list_filter = ["status", "innovation"]
    search_fields = ["organisation__name", "innovation__name"]
    autocomplete_fields = ["organisation", "innovation"]
    list_select_related = ["organisation", "innovation"]
