"""Forms of the indicators, dashboards and reports pages: the wave and year filters,
the report's texts written by the programme manager, the yearly report's period."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

FIRST_YEAR = 2015  # the programme started in 2015


def programme_years() -> list[int]:
    """The years of the programme, most recent first."""
    return list(range(timezone.localdate().year, FIRST_YEAR - 1, -1))


class WaveFilterForm(forms.Form):
    wave = forms.TypedChoiceField(label=_("Wave"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, waves=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wave"].choices = [("", _("All waves"))] + [
            (wave, _("Wave %(number)s") % {"number": wave}) for wave in waves
        ]

    def chosen_wave(self) -> int | None:
        """The chosen wave (an unknown value shows every wave)."""
        return self.cleaned_data.get("wave") if self.is_valid() else None


class YearFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in programme_years()]

    def chosen_year(self) -> int:
        """The chosen year, the current one by default."""
        chosen = self.cleaned_data.get("year") if self.is_valid() else None
        return chosen or timezone.localdate().year


class YearlyReportForm(forms.Form):
    year = forms.TypedChoiceField(
        label=_("Period"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("A calendar year, or every year since the programme started."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Since the start of the programme"))] + [
            (year, str(year)) for year in programme_years()
        ]


class NarrativeForm(forms.Form):
    """The texts of one report kind. ``revision`` is the revision the page was opened
    with: saving over someone else's newer texts is refused."""

    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few lines opening the report: what the innovation is and what its spreading achieved."),
    )
    conclusions = forms.CharField(label=_("Conclusions"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    recommendations = forms.CharField(
        label=_("Recommendations"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    quotes = forms.TypedMultipleChoiceField(
        label=_("Quotes from the questionnaires"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Answers of the structures shown as quotes in the report."),
    )
    revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        self.fields["quotes"].choices = [(answer.pk, str(answer.pk)) for answer in self.candidates]

    def quote_choices(self) -> list[dict]:
        """The candidate quotes with whether each is ticked, for a richer rendering than
        the widget's (the quote, its structure and its question)."""
        if self.is_bound:
            ticked = {str(value) for value in self.data.getlist(self.add_prefix("quotes"))}
        else:
            ticked = {str(value) for value in self.initial.get("quotes", [])}
        return [
            {
                "answer": answer,
                "id": f"{self.auto_id % self.add_prefix('quotes')}_{index}",
                "checked": str(answer.pk) in ticked,
            }
            for index, answer in enumerate(self.candidates)
        ]
