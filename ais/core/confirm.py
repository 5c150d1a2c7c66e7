"""Confirmation of irreversible steps, with or without JavaScript.

A form whose button cannot be undone carries ``data-confirm-step`` (what will happen) and
``data-confirm-action`` (the button's label). With JavaScript, ``static/js/confirm.js``
asks in a Bootstrap dialog (``templates/core/_confirm_dialog.html``, in every page)
and posts the form with ``confirm=yes``. Without it, the form posts without
``confirm``: the view answers with the confirmation page, which says what will
happen and posts the same fields again with ``confirm=yes``. The same page answers a
GET of the view's URL.

    if not confirmed(request):
        return confirmation_page(request, title=..., consequences=[...], ...)
"""

from django.shortcuts import render

CONFIRM_FIELD = "confirm"
_NOT_CARRIED = {"csrfmiddlewaretoken", CONFIRM_FIELD}


def confirmed(request) -> bool:
    """Whether the request is a POST that the person confirmed."""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "yes"


def confirmation_page(
    request,
    *,
    title: str,
    consequences: list[str],
    action_label: str,
    cancel_url: str,
    question: str = "",
    carry: list[tuple[str, object]] | None = None,
):
    """The page that says what the step will do, with a button that does it (a POST
    of the fields posted so far, or of ``carry``, plus ``confirm=yes``) and a link back."""
    carried = (
        carry
        if carry is not None
        else [
            (name, value)
            for name in (request.POST if request.method == "POST" else [])
            if name not in _NOT_CARRIED
            for value in request.POST.getlist(name)
        ]
    )
    return render(
        request,
        "core/confirm.html",
        {
            "title": title,
            "question": question,
            "consequences": consequences,
            "action_label": action_label,
            "cancel_url": cancel_url,
            "carried": carried,
            "confirm_field": CONFIRM_FIELD,
        },
    )
