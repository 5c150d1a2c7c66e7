"""The map of the structures per department: the managers' full page and the JSON
the maps draw (the managers' data and the public data of published innovations).

What is counted and how the year is read: see ``essaimage.geo``.
"""

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from rules.contrib.views import permission_required

from projects.models import Innovation

from . import geo
from .models import SpreadStructure

manage_spreading = permission_required("essaimage.manage_spreading", raise_exception=True)


class MapFilterForm(forms.Form):
    """The managers' filters: one innovation, one year."""

    innovation = forms.ModelChoiceField(
        label=_("Innovation"),
        queryset=Innovation.objects.order_by("name"),
        required=False,
        empty_label=_("All innovations"),
    )
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=1990,
        max_value=2100,
        help_text=_("The structures active on 31 December of the year (today for the current year)."),
    )

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("All years")), *((year, year) for year in years)]
        asked = self.data.get("year", "")
        if asked.isdigit() and int(asked) not in years:
            choices.append((int(asked), int(asked)))
        self.fields["year"].widget = forms.Select(
            choices=choices, attrs={"class": "form-select", "aria-describedby": "year-help"}
        )
        self.fields["innovation"].widget.attrs["class"] = "form-select"


class PublicMapFilterForm(forms.Form):
    innovation = forms.ModelChoiceField(queryset=Innovation.objects.published(), to_field_name="slug", required=False)


def _json(data, status=200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _errors(form) -> JsonResponse:
    return _json({"errors": {name: [str(e) for e in errors] for name, errors in form.errors.items()}}, status=400)


@manage_spreading
def programme_map(request):
    """Full-page map of the structures active today (or on 31 December of the year
    chosen) per department, with its table."""
    years = geo.structure_years(SpreadStructure.objects.all())
    form = MapFilterForm(request.GET or None, years=years)
    innovation = year = None
    if form.is_bound and form.is_valid():
        innovation, year = form.cleaned_data["innovation"], form.cleaned_data["year"]
    figures = geo.managers_figures(innovation, year=year)
    query = request.GET.urlencode() if form.is_bound and form.is_valid() else ""
    data_url = reverse("essaimage:map_data") + (f"?{query}" if query else "")
    return render(
        request,
        "essaimage/map.html",
        {
            "form": form,
            "figures": figures,
            "innovation": innovation,
            "year": year,
            "on": geo.figures_on(year),
            "data_url": data_url,
        },
    )


@manage_spreading
@require_GET
def map_data(request):
    """``{"departments": {code: {name, region, count, innovations}}, "totals": {...}}``
    for the managers, filtered by ``?innovation=<pk>``; ``?year=<yyyy>`` gives the
    figures of 31 December of that year."""
    form = MapFilterForm(request.GET)
    if not form.is_valid():
        return _errors(form)
    innovation, year = form.cleaned_data["innovation"], form.cleaned_data["year"]
    figures = geo.managers_figures(innovation, year=year)
    return _json(
        {
            **figures.as_json(),
            "filters": {"innovation": innovation.pk if innovation else None, "year": year},
        }
    )


@login_not_required
@require_GET
def public_map_data(request):
    """The public map: counts per department of the published innovations' active
    structures (``?innovation=<slug>`` for one); never a structure's name."""
    form = PublicMapFilterForm(request.GET)
    if not form.is_valid():
        return _errors(form)
    innovation = form.cleaned_data["innovation"]
    return _json(
        {
            **geo.public_figures(innovation).as_json(),
            "filters": {"innovation": innovation.slug if innovation else None},
        }
    )
