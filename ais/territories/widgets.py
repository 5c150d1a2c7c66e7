from django import forms
from django.urls import reverse_lazy


class CommuneWidget(forms.Select):
    """A select holding only the chosen commune, turned into a searchable
    picker by static/js/commune-picker.js (tom-select) that queries
    ``territories:commune_search``. Without JavaScript the chosen value stays."""

    def __init__(self, attrs=None):
        base = {
            "data-commune-picker": reverse_lazy("territories:commune_search"),
            "class": "form-select commune-picker",
        }
        super().__init__({**base, **(attrs or {})})

    def optgroups(self, name, value, attrs=None):
        self.choices = self._selected_choices(value)
        return super().optgroups(name, value, attrs)

    def _selected_choices(self, value):
        from .models import Commune

        codes = [v for v in value if v]
        choices = [("", "")]
        choices += [(c.code, c.label) for c in Commune.objects.filter(code__in=codes)]
        return choices
