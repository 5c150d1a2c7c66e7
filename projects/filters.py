import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ais.territories.models import Department

from .models import Dossier, DossierStatus, Keyword, TargetPublic


class DossierFilter(django_filters.FilterSet):
    """Screening filters of a call's dossiers (managers)."""

    q = django_filters.CharFilter(label=_("Search"), method="search", widget=forms.TextInput(attrs={"type": "search"}))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=DossierStatus.choices, empty_label=_("All statuses")
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Department"),
        queryset=Department.objects.all(),
        field_name="origin_commune__department",
        empty_label=_("All departments"),
    )
    public = django_filters.ChoiceFilter(
        label=_("Public"), choices=TargetPublic.choices, method="has_public", empty_label=_("All publics")
    )
    keyword = django_filters.ChoiceFilter(
        label=_("Keyword"), choices=Keyword.choices, method="has_keyword", empty_label=_("All keywords")
    )

    class Meta:
        model = Dossier
        fields = ["q", "status", "department", "public", "keyword"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(innovation_name__unaccent__icontains=value)
            | Q(organisation__name__unaccent__icontains=value)
            | Q(summary__unaccent__icontains=value)
        )

    def has_public(self, queryset, name, value):
        return queryset.filter(publics__contains=[value])

    def has_keyword(self, queryset, name, value):
        return queryset.filter(keywords__contains=[value])
