"""What the administrators' people pages read: the searchable list of people and a
person's history told in words (who, when, what), from django-simple-history's rows."""

from dataclasses import dataclass
from datetime import datetime

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Membership, Organisation, Role

User = get_user_model()

STATUS_CHOICES = [
    ("active", _("Active")),
    ("invited", _("Invitation pending")),
    ("inactive", _("Deactivated")),
]


class PeopleFilter(django_filters.FilterSet):
    """Search by name or e-mail, filter by role, organisation and status."""

    q = django_filters.CharFilter(
        label=_("Name or e-mail"), method="search", widget=forms.TextInput(attrs={"type": "search"})
    )
    role = django_filters.ChoiceFilter(
        label=pgettext_lazy("account", "Role"), choices=Role.choices, method="with_role", empty_label=_("All roles")
    )
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"),
        queryset=Organisation.objects.filter(memberships__isnull=False).distinct().order_by("name"),
        method="in_organisation",
        empty_label=_("All organisations"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=STATUS_CHOICES, method="with_status", empty_label=_("All statuses")
    )

    class Meta:
        model = User
        fields = ["q", "role", "organisation", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        query = Q(email__icontains=value)
        for word in value.split():
            query |= Q(first_name__unaccent__icontains=word) | Q(last_name__unaccent__icontains=word)
        return queryset.filter(query)

    def with_role(self, queryset, name, value):
        return queryset.filter(pk__in=Membership.objects.filter(role=value).values("user"))

    def in_organisation(self, queryset, name, value):
        return queryset.filter(pk__in=Membership.objects.filter(organisation=value).values("user"))

    def with_status(self, queryset, name, value):
        if value == "inactive":
            return queryset.filter(is_active=False)
        invited = Q(last_login__isnull=True, password__startswith=UNUSABLE_PASSWORD_PREFIX)
        if value == "invited":
            return queryset.filter(invited, is_active=True)
        return queryset.filter(is_active=True).exclude(invited)


def people_queryset():
    """Every person with their roles and organisations, in two queries whatever the count."""
    return User.objects.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("organisation").order_by("role", "pk"))
    ).order_by("last_name", "first_name", "pk")


@dataclass
class Event:
    when: datetime
    who: object  # a User, or None (the platform itself)
    what: str


USER_FIELDS = {
    "first_name": _("first name"),
    "last_name": _("last name"),
    "email": _("e-mail address"),
    "phone": _("phone"),
    "job_title": _("job title"),
}


def _user_event(row, previous) -> str | None:
    if row.history_change_reason == "invitation":
        return str(_("Invited by e-mail"))
    if row.history_change_reason == "invitation accepted":
        return str(_("Chose a password from the invitation"))
    if row.history_type == "+":
        return str(_("Account created"))
    if previous is None:
        return None
    parts = []
    if previous.is_active != row.is_active:
        parts.append(str(_("Account reactivated") if row.is_active else _("Account deactivated")))
    for field, label in USER_FIELDS.items():
        before, after = getattr(previous, field), getattr(row, field)
        if before != after:
            parts.append(
                str(_("%(field)s: « %(before)s » → « %(after)s »"))
                % {"field": str(label).capitalize(), "before": before or "—", "after": after or "—"}
            )
    if previous.is_superuser != row.is_superuser:
        parts.append(str(_("Superuser status given") if row.is_superuser else _("Superuser status removed")))
    if row.anonymised_at and not previous.anonymised_at:
        parts.append(str(_("Account anonymised")))
    return "; ".join(parts) or None


def _role_label(row) -> str:
    label = str(dict(Role.choices).get(row.role, row.role))
    organisation = getattr(row, "organisation", None) if row.organisation_id else None
    return f"{label} – {organisation.name}" if organisation is not None else label


def person_history(user) -> list[Event]:
    """The changes to a person's account and roles, newest first, in words."""
    rows = list(user.history.select_related("history_user").order_by("history_date", "history_id"))
    events = []
    previous = None
    for row in rows:
        what = _user_event(row, previous)
        if what:
            events.append(Event(row.history_date, row.history_user, what))
        previous = row
    memberships = Membership.history.filter(user_id=user.pk).select_related("history_user", "organisation")
    for row in memberships:
        if row.history_type == "+":
            what = str(_("Role given: %(role)s")) % {"role": _role_label(row)}
        elif row.history_type == "-":
            what = str(_("Role removed: %(role)s")) % {"role": _role_label(row)}
        else:
            continue
        events.append(Event(row.history_date, row.history_user, what))
    events.sort(key=lambda event: event.when, reverse=True)
    return events
