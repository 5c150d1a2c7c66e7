"""Forms of the committee's work."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ais.accounts.models import Role, User

from .forms import DateTimeLocalInput
from .models import Call, Decision, Recommendation, SelectionSession


class ConflictForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest with this dossier?"),
        choices=[
            ("no", _("No, I have no link with this organisation or its project")),
            ("yes", _("Yes, I have a conflict of interest")),
        ],
        widget=forms.RadioSelect,
        coerce=lambda value: value == "yes",
    )
    note = forms.CharField(
        label=_("Nature of the conflict (if any)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: I sit on the organisation's board; we are partners."),
    )

    def clean(self):
        data = super().clean()
        if data.get("has_conflict") and not (data.get("note") or "").strip():
            self.add_error("note", _("Say in a few words what the conflict of interest is."))
        return data


def score_form_class(criteria):
    """A form with, for each criterion, a 0–5 score (its rubric as labels) and a comment."""
    fields = {}
    for criterion in criteria:
        rubric = list(criterion.rubric or [])
        choices = [(str(v), rubric[v] if v < len(rubric) else str(v)) for v in range(6)]
        fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
            label=criterion.title,
            choices=choices,
            coerce=int,
            required=False,
            empty_value=None,
            widget=forms.RadioSelect,
            help_text=criterion.description,
        )
        fields[f"comment_{criterion.pk}"] = forms.CharField(
            label=_("Comment on “%(criterion)s”") % {"criterion": criterion.title},
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
    fields["recommendation"] = forms.ChoiceField(
        label=_("Overall recommendation"),
        choices=[("", "—"), *Recommendation.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    fields["comment"] = forms.CharField(
        label=_("Overall comment"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    return type("ScoreForm", (forms.Form,), fields)


class CommitteeSetupForm(forms.ModelForm):
    """The committee's rules; its members are added and removed one by one."""

    class Meta:
        model = Call
        fields = ["reviewers_per_dossier", "review_deadline"]
        widgets = {"review_deadline": DateTimeLocalInput()}


class CommitteeMemberForm(forms.Form):
    """A person with the committee member role, not yet on the call's committee."""

    member = forms.ModelChoiceField(label=_("Committee member"), queryset=User.objects.none())

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = (
            User.objects.filter(is_active=True, memberships__role=Role.COMMITTEE)
            .exclude(committee_calls=call)
            .distinct()
            .order_by("last_name", "first_name")
        )


class ManualAssignmentForm(forms.Form):
    dossier = forms.ModelChoiceField(label=_("Dossier"), queryset=None)
    member = forms.ModelChoiceField(label=_("Member"), queryset=None)

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dossier"].queryset = call.dossiers.filter(status="eligible").order_by("innovation_name")
        self.fields["member"].queryset = call.committee_members.filter(is_active=True).order_by("last_name")


class SessionForm(forms.ModelForm):
    class Meta:
        model = SelectionSession
        fields = ["held_on", "place", "members_present", "email_subject", "email_body"]
        widgets = {
            "held_on": DateTimeLocalInput(),
            "members_present": forms.CheckboxSelectMultiple,
            "email_body": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members_present"].queryset = call.committee_members.order_by("last_name")
        self.fields["members_present"].required = False

    def clean_email_body(self):
        from .committee import fill_email_template

        body = self.cleaned_data["email_body"]
        try:
            fill_email_template(body)
        except (ValueError, AttributeError, IndexError, KeyError, TypeError):
            raise forms.ValidationError(
                _("Write each placeholder between braces, such as {dossier}; a brace alone is not allowed.")
            ) from None
        return body


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices)
    motivation = forms.CharField(label=_("Motivation"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
