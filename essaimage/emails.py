"""Why the spreading of innovations sends e-mails: the outbox reasons.

The codes are stored in ``OutgoingEmail.reason`` (keep them unchanged); the labels
show on the outbox pages. ``EssaimageConfig.ready()`` registers them with the outbox.
The invitation of a structure's contact uses the core's ``ACCOUNT_INVITATION``.
"""

from django.utils.translation import gettext_lazy as _

STRUCTURE_APPLICATION = "structure_application"
STRUCTURE_DECISION = "structure_decision"

REASONS = {
    STRUCTURE_APPLICATION: _("Receipt of a structure's application"),
    STRUCTURE_DECISION: _("Decision on a structure's application"),
}
