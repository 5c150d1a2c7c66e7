"""Why the calls for projects and their committee send e-mails: the outbox reasons.

The codes are stored in ``OutgoingEmail.reason`` (keep them unchanged); the labels
show on the outbox pages. ``ProjectsConfig.ready()`` registers them with the outbox.
"""

from django.utils.translation import gettext_lazy as _

DOSSIER_RECEIPT = "dossier_receipt"
DOSSIER_CORRECTIONS = "dossier_corrections"
DOSSIER_ELIGIBILITY = "dossier_eligibility"
DOSSIER_REMINDER = "dossier_reminder"
REVIEW_REMINDER = "review_reminder"
SELECTION_DECISION = "selection_decision"

REASONS = {
    DOSSIER_RECEIPT: _("Dossier receipt"),
    DOSSIER_CORRECTIONS: _("Corrections requested on a dossier"),
    DOSSIER_ELIGIBILITY: _("Eligibility decision"),
    DOSSIER_REMINDER: _("Reminder of an unsubmitted dossier"),
    REVIEW_REMINDER: _("Reminder of pending reviews"),
    SELECTION_DECISION: _("Selection decision"),
}
