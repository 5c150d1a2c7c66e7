"""The resources library: guides, toolbox, systematic review, state of knowledge,
restitutions. Public resources for everyone, members-only ones for logged-in users
(an anonymous visitor is asked to log in); drafts for managers only. Full-text search
in French that ignores accents and word endings (``services.search_resources``).
"""

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from rules.contrib.views import permission_required

from ais.core.forms import form_action, posted
from ais.core.uploads import download_response
from projects.models import Innovation

from . import services
from .forms import ResourceFilterForm, ResourceForm
from .models import Event, Resource
from .rules import can_manage

manage_events = permission_required("events.manage_events", raise_exception=True)

PAGE_SIZE = 20


def _visible(user):
    """What the user may open: everything for managers (drafts too), else ``for_user``."""
    return Resource.objects.all() if can_manage(user) else Resource.objects.for_user(user)


@login_not_required
def resource_list(request):
    visible = Resource.objects.for_user(request.user)
    form = ResourceFilterForm(
        request.GET or None,
        innovations=Innovation.objects.filter(resources__in=visible.values("pk")).distinct().order_by("name"),
        events=Event.objects.published().filter(resources__in=visible.values("pk")).distinct().order_by("-date"),
    )
    resources = visible.select_related("document")
    searched = ""
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            resources = resources.filter(kind=data["kind"])
        if data["theme"]:
            resources = resources.filter(themes__contains=[data["theme"]])
        if data["innovation"]:
            resources = resources.filter(innovations=data["innovation"])
        if data["event"]:
            resources = resources.filter(events=data["event"])
        searched = data["q"].strip()
        if searched:
            resources = services.search_resources(resources, searched)
    page = Paginator(resources, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "events/resources/list.html",
        {
            "form": form,
            "page": page,
            "resources": list(page.object_list),
            "searched": searched,
            "filtered": form.is_bound,
            "query": query.urlencode(),
            "can_manage": can_manage(request.user),
        },
    )


def _resource(request, slug) -> Resource:
    """The resource, if the user may open it; an anonymous visitor asking for a
    members-only resource is sent to log in."""
    resource = _visible(request.user).filter(slug=slug).first()
    if resource is not None:
        return resource
    if not request.user.is_authenticated and Resource.objects.published().filter(slug=slug).exists():
        raise _LoginNeeded
    raise Http404


class _LoginNeeded(Exception):
    pass


@login_not_required
def resource_detail(request, slug):
    try:
        resource = _resource(request, slug)
    except _LoginNeeded:
        return redirect_to_login(request.get_full_path())
    return render(
        request,
        "events/resources/detail.html",
        {
            "resource": resource,
            "document": getattr(resource, "document", None) if _has_document(resource) else None,
            "innovations": list(resource.innovations.order_by("name")),
            "events": list(resource.events.published().order_by("-date")),
            "can_manage": can_manage(request.user),
        },
    )


def _has_document(resource) -> bool:
    try:
        resource.document  # noqa: B018 - the reverse one-to-one raises when missing
    except Resource.document.RelatedObjectDoesNotExist:
        return False
    return True


@login_not_required
def resource_download(request, slug):
    try:
        resource = _resource(request, slug)
    except _LoginNeeded:
        return redirect_to_login(request.get_full_path())
    if not _has_document(resource):
        raise Http404
    return download_response(resource.document)


# --------------------------------------------------------------------------
# Managers
# --------------------------------------------------------------------------


@manage_events
def resource_manage_list(request):
    resources = list(Resource.objects.select_related("document").order_by("-updated_at", "title"))
    for resource in resources:
        resource.has_document = _has_document(resource)
    return render(request, "events/resources/manage_list.html", {"resources": resources})


def _resource_form(request, resource):
    def save(form):
        data = form.cleaned_data
        return services.save_resource(
            form.save(commit=False),
            innovations=data["innovations"],
            events=data["events"],
            upload=data["document"],
            remove_document=data["remove_document"],
            by=request.user,
        )

    def page():
        current = resource if resource is not None and resource.pk and _has_document(resource) else None
        return {"resource": resource, "document": current.document if current else None}

    return form_action(
        request,
        ResourceForm(posted(request), request.FILES or None, instance=resource),
        save,
        success_url="events:resource_manage_list",
        success_message=lambda saved: _("The resource “%(title)s” is saved.") % {"title": saved.title},
        template="events/resources/form.html",
        context=page,
    )


@manage_events
def resource_create(request):
    return _resource_form(request, None)


@manage_events
def resource_edit(request, pk):
    return _resource_form(request, get_object_or_404(Resource, pk=pk))
