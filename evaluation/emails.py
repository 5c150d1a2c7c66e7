"""Why the evaluation sends e-mails: the outbox reasons.

The codes are stored in ``OutgoingEmail.reason`` (keep them unchanged); the labels
show on the outbox pages. ``EvaluationConfig.ready()`` registers them with the outbox.
"""

from django.utils.translation import gettext_lazy as _

EVALUATION_REMINDER = "evaluation_reminder"
EVALUATION_ALERT = "evaluation_alert"

REASONS = {
    EVALUATION_REMINDER: _("Evaluation questionnaire"),
    EVALUATION_ALERT: _("Late questionnaire alert"),
}
