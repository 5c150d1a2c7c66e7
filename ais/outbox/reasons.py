"""Why an e-mail is sent: the code stored in ``OutgoingEmail.reason`` and its label.

The outbox knows only the reasons of the core (accounts, the outbox itself). Each
app that sends e-mails registers its own, with a lazily translated label, in its
``AppConfig.ready()``::

    register_reason("newsletter", _("Newsletter"))
    register_reasons({"newsletter": _("Newsletter"), ...})

A new reason needs no migration: the column is a plain ``CharField``. Queueing an
e-mail with a reason that no app registered raises ``ValueError``.
"""

import re
from collections.abc import Mapping

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MAX_LENGTH = 50  # of the OutgoingEmail.reason column
_CODE = re.compile(r"[a-z][a-z0-9_]*")

PASSWORD_RESET = "password_reset"  # noqa: S105 (a reason code, not a password)
WELCOME = "welcome"
SIGNUP_CONFIRMATION = "signup_confirmation"
ACCOUNT_INVITATION = "account_invitation"
ACCOUNT_UNLOCK = "account_unlock"
TWO_FACTOR_ENROLMENT = "two_factor_enrolment"
TEST = "test"
OTHER = "other"

# The core's reasons: the accounts' e-mails, test messages, anything else. The apps add theirs.
CORE_REASONS = {
    PASSWORD_RESET: _("Password reset"),
    WELCOME: _("Welcome"),
    SIGNUP_CONFIRMATION: _("Account confirmation"),
    ACCOUNT_INVITATION: _("Invitation to create an account"),
    ACCOUNT_UNLOCK: _("Account unlock link"),
    TWO_FACTOR_ENROLMENT: _("Code to set up two-step verification"),
    TEST: _("Test message"),
    OTHER: _("Other"),
}

_labels: dict[str, str | Promise] = dict(CORE_REASONS)


def register_reason(code: str, label: str | Promise) -> None:
    """Make ``code`` a valid reason, shown as ``label`` (give a ``gettext_lazy`` text:
    it is translated when shown). Registering the same code again with the same label
    does nothing; with another label it raises ``ValueError`` (two apps, one code)."""
    if not isinstance(code, str) or not _CODE.fullmatch(code) or len(code) > MAX_LENGTH:
        raise ValueError(
            f"Invalid e-mail reason code {code!r}: lower-case letters, digits and underscores, "
            f"at most {MAX_LENGTH} characters."
        )
    if code in _labels and _msgid(_labels[code]) != _msgid(label):
        raise ValueError(f"The e-mail reason {code!r} is already registered with the label {_msgid(_labels[code])!r}.")
    _labels[code] = label


def register_reasons(labels: Mapping[str, str | Promise]) -> None:
    """``register_reason`` for each ``{code: label}`` of ``labels``."""
    for code, label in labels.items():
        register_reason(code, label)


def reason_label(code: str) -> str | Promise:
    """The label of ``code`` (translated when shown); the code itself when no app registered it."""
    return _labels.get(code, code)


def registered_reasons() -> dict[str, str | Promise]:
    """``{code: label}`` of every registered reason, in the order of registration."""
    return dict(_labels)


def check_reason(code: str) -> str:
    """``code`` if it is registered; ``ValueError`` otherwise."""
    if code not in _labels:
        raise ValueError(
            f"Unknown e-mail reason {code!r}: register it with ais.outbox.reasons.register_reason() "
            "in the AppConfig.ready() of the app that sends the e-mail."
        )
    return code


def _msgid(label: str | Promise) -> str:
    """The untranslated text of a label, to compare two registrations."""
    with translation.override(None):
        return str(label)
