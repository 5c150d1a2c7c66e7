"""Validators for organisation identifiers."""

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
