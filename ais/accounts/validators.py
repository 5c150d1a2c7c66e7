"""Validators for organisation identifiers."""

import functools

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

LA_POSTE_SIREN = "356000000"


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def validate_siret(value: str) -> None:
    """A SIRET is 14 digits passing the Luhn check (La Poste's establishments
    use a digit sum multiple of 5 instead)."""
    digits = (value or "").replace(" ", "")
    if not digits.isdigit() or len(digits) != 14:
        raise ValidationError(_("A SIRET number has 14 digits."), code="siret_length")
    is_la_poste = digits.startswith(LA_POSTE_SIREN) and digits != LA_POSTE_SIREN + "00000"
    if is_la_poste and sum(int(c) for c in digits) % 5 == 0:
        return
    if not luhn_ok(digits):
        raise ValidationError(_("This SIRET number is not valid: check the digits you typed."), code="siret_checksum")


# Passwords --------------------------------------------------------------------------

# French passwords and patterns that Django's (English) list of common passwords misses;
# compared after lower-casing and removing digits, spaces and punctuation at the ends.
FRENCH_COMMON_PASSWORDS = frozenset(
    {
        "azerty",
        "azertyuiop",
        "azertyuiopqsdfghjklm",
        "motdepasse",
        "monmotdepasse",
        "soleil",
        "bonjour",
        "doudou",
        "chouchou",
        "loulou",
        "marseille",
        "paris",
        "liberte",
        "jetaime",
        "nicolas",
        "camille",
        "aisemploi",
        "ansa",
        "emploi",
        "motdepasseoublie",
        "changezmoi",
        "bienvenue",
        "coucou",
        "princesse",
        "qwertzuiop",
    }
)


@functools.cache
def _django_common_passwords() -> frozenset[str]:
    from django.contrib.auth.password_validation import CommonPasswordValidator

    return frozenset(CommonPasswordValidator().passwords)


class FrenchCommonPasswordValidator:
    """Refuse passwords made of a common French word or keyboard row, or of the site's
    name, padded with digits or symbols (``Azerty123456!``, ``motdepasse2026``)."""

    def validate(self, password, user=None):
        if password.lower().strip() in _django_common_passwords():
            return  # Django's CommonPasswordValidator already says so: one message is enough
        core = "".join(char for char in password.lower() if char.isalpha())
        if core in FRENCH_COMMON_PASSWORDS:
            raise ValidationError(
                _("This password is too common: it is a word or keyboard row everyone tries first."),
                code="password_too_common",
            )

    def get_help_text(self):
        return _("Your password can't be a common word or keyboard row followed by digits.")
