"""The administrators' people and roles pages: the list, a person's page, the
invitation; each change a POST calling one function of ``services``."""

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from ais.core.forms import form_action, perform, posted

from . import people, services
from .forms import InviteForm, RoleForm
from .models import Membership

PAGE_SIZE = 25
manage_people = permission_required("accounts.manage_people", raise_exception=True)


@manage_people
def people_list(request):
    people_filter = people.PeopleFilter(request.GET or None, queryset=people.people_queryset())
    page = Paginator(people_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/people/list.html",
        {"filter": people_filter, "page": page, "people": page.object_list, "query": query.urlencode()},
    )


def _person(pk):
    return get_object_or_404(get_user_model(), pk=pk)


def _person_page(request, person):
    def context():
        return {
            "person": person,
            "memberships": person.memberships.select_related("organisation").order_by("role", "pk"),
            "committee_calls": person.committee_calls.order_by("-opens_at"),
            "pending": services.is_pending_invitation(person),
            "history": people.person_history(person),
            "is_self": person.pk == request.user.pk,
        }

    return context


@manage_people
def person_detail(request, pk):
    """A person's roles, organisations, state, last login and history; the role form."""
    person = _person(pk)
    return form_action(
        request,
        RoleForm(posted(request)),
        lambda form: services.give_role(
            person, role=form.cleaned_data["role"], organisation=form.cleaned_data["organisation"], by=request.user
        ),
        success_url=reverse("people:detail", args=[person.pk]),
        success_message=_("The role is given."),
        template="accounts/people/detail.html",
        context=_person_page(request, person),
        form_name="role_form",
    )


@manage_people
def invite(request):
    """Create a person's account with a first role; they choose their password from the e-mail."""

    def action(form):
        data = form.cleaned_data
        return services.invite_person(
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            job_title=data["job_title"],
            role=data["role"],
            organisation=data["organisation"],
            by=request.user,
        )

    return form_action(
        request,
        InviteForm(posted(request)),
        action,
        success_url=lambda user: reverse("people:detail", args=[user.pk]),
        success_message=lambda user: (
            _("%(name)s is invited: an e-mail with a link to choose a password is on its way.")
            % {"name": user.get_full_name()}
        ),
        template="accounts/people/invite.html",
    )


@require_POST
@manage_people
def role_remove(request, pk, membership_pk):
    person = _person(pk)
    membership = get_object_or_404(Membership, pk=membership_pk, user=person)
    perform(
        request, lambda: services.remove_role(membership, by=request.user), success_message=_("The role is removed.")
    )
    return redirect("people:detail", pk=person.pk)


@require_POST
@manage_people
def deactivate(request, pk):
    person = _person(pk)
    perform(
        request,
        lambda: services.deactivate_user(person, by=request.user),
        success_message=_("The account is deactivated: this person can no longer log in."),
    )
    return redirect("people:detail", pk=person.pk)


@require_POST
@manage_people
def reactivate(request, pk):
    person = _person(pk)
    perform(
        request,
        lambda: services.reactivate_user(person, by=request.user),
        success_message=_("The account is active again."),
    )
    return redirect("people:detail", pk=person.pk)


@require_POST
@manage_people
def resend_invitation(request, pk):
    person = _person(pk)
    perform(
        request,
        lambda: services.send_invitation(person, by=request.user),
        success_message=_("A new invitation is on its way."),
    )
    return redirect("people:detail", pk=person.pk)
