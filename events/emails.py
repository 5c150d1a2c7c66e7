"""Why the events send e-mails: the outbox reasons.

The codes are stored in ``OutgoingEmail.reason`` (keep them unchanged); the labels
show on the outbox pages. ``EventsConfig.ready()`` registers them with the outbox.
"""

from django.utils.translation import gettext_lazy as _

EVENT_REGISTRATION = "event_registration"
EVENT_WAITLIST = "event_waitlist"
EVENT_CANCELLATION = "event_cancellation"
EVENT_ALREADY_REGISTERED = "event_already_registered"

REASONS = {
    EVENT_REGISTRATION: _("Event registration"),
    EVENT_WAITLIST: _("Event waiting list"),
    EVENT_CANCELLATION: _("Event cancellation"),
    EVENT_ALREADY_REGISTERED: _("Event registration already made"),
}
