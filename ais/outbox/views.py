from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from .models import OutgoingEmail, Status
from .services import retry_email


@permission_required("outbox.view_outbox", raise_exception=True)
def outbox_list(request):
    status = request.GET.get("statut", "")
    emails = OutgoingEmail.objects.only("recipient", "subject", "reason", "status", "attempts", "created_at", "sent_at")
    if status in Status.values:
        emails = emails.filter(status=status)
    page = Paginator(emails, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "outbox/list.html",
        {
            "page": page,
            "status": status,
            "statuses": Status.choices,
        },
    )


@permission_required("outbox.view_outbox", raise_exception=True)
def outbox_detail(request, pk):
    email = get_object_or_404(OutgoingEmail, pk=pk)
    return render(request, "outbox/detail.html", {"email": email})


@require_POST
@permission_required("outbox.retry_email", raise_exception=True)
def outbox_retry(request, pk):
    email = get_object_or_404(OutgoingEmail, pk=pk)
    if email.status == Status.FAILED:
        retry_email(email)
        messages.success(request, _("The e-mail has been put back in the sending queue."))
    else:
        messages.info(request, _("Only a failed e-mail can be sent again."))
    return redirect("outbox:detail", pk=email.pk)
