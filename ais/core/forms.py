"""The skeleton every form page repeats, written once.

``form_action``: a bound form, a domain function, then either a redirect with a
success message, or the page again with what was typed, the errors and status 400.
``perform``: a button without a form (publish, close, delete…): the domain function,
then its success message or the rule's refusal as a message.

A refusal of the domain is a ``DomainError`` (``ais.core.errors``): its message goes on
the form (on its field when it names one) and, when it is about the form as a whole,
in the page's messages too, since not every page shows the form's own errors.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from .errors import DomainError

FORM_ERRORS = _("The form has errors: correct the fields marked in red.")


def posted(request):
    """The posted data (even empty, so that the form is bound and shows its errors), or None on GET."""
    return request.POST if request.method == "POST" else None


def posted_files(request):
    """The posted files, or None on GET."""
    return request.FILES if request.method == "POST" else None


def add_domain_error(form, error: DomainError, *, field: str | None = None) -> str | None:
    """Put the refusal on ``form``: on ``error.field`` (else ``field``) when the form has
    that field, on the form as a whole otherwise. Returns the field used (None: the form)."""
    target = error.field or field
    if target is not None and target not in form.fields:
        target = None
    form.add_error(target, error.message)
    return target


def returned_message(result):
    """``success_message=returned_message``: the action returns its own success message (or None)."""
    return result


def _resolve(value, result):
    return value(result) if callable(value) else value


def form_action(
    request,
    form,
    action: Callable[[Any], Any],
    *,
    success_url,
    template: str,
    context: dict | Callable[[], dict] | None = None,
    form_name: str = "form",
    also: Iterable = (),
    success_message=None,
    error_message=FORM_ERRORS,
    error_field: str | None = None,
    atomic: bool = False,
) -> HttpResponse:
    """The form page: on GET, ``template`` with ``context`` and the form as ``form_name``.

    On POST, when ``form`` and every form or formset of ``also`` are valid,
    ``action(form)`` runs (in a transaction if ``atomic``); then a redirect to
    ``success_url`` with ``success_message`` (either may be a function of what
    ``action`` returned). When the domain refuses (``DomainError``), the error goes on
    the form (``error_field`` for errors that name no field) and the page comes again;
    when a form is invalid, the page comes again with ``error_message``. Either way
    status 400, with everything that was typed.

    ``context`` may be a function (called only when the page is rendered), for pages
    whose context is costly or holds other forms."""
    if request.method == "POST":
        forms = [form, *also]
        if all(each.is_valid() for each in forms):
            try:
                if atomic:
                    with transaction.atomic():
                        result = action(form)
                else:
                    result = action(form)
            except DomainError as error:
                # A refusal about a field: the usual banner; about the form: the reason itself.
                if not add_domain_error(form, error, field=error_field):
                    messages.error(request, error.message)
                elif error_message:
                    messages.error(request, error_message)
            else:
                message = _resolve(success_message, result)
                if message:
                    messages.success(request, message)
                return redirect(_resolve(success_url, result))
        elif error_message:
            messages.error(request, error_message)
    page = context() if callable(context) else dict(context or {})
    page[form_name] = form
    return render(request, template, page, status=400 if request.method == "POST" else 200)


def perform(request, action: Callable[[], Any], *, success_message=None) -> bool:
    """Run ``action()`` (a button's domain call): its success message, or the domain's
    refusal as an error message. True when it succeeded."""
    try:
        result = action()
    except DomainError as error:
        messages.error(request, error.message)
        return False
    message = _resolve(success_message, result)
    if message:
        messages.success(request, message)
    return True
