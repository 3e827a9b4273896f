"""Identifiers of French associations and companies, checked with clear French messages."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

RNA_RE = re.compile(r"^W\d{9}$")


def normalize_identifier(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "").upper()


def validate_rna(value: str) -> None:
    """RNA (Répertoire national des associations): the letter W followed by 9 digits."""
    if not RNA_RE.match(normalize_identifier(value)):
        raise ValidationError(
            _("Le numéro RNA doit commencer par la lettre W suivie de 9 chiffres (exemple : W751234567)."),
            code="invalid_rna",
        )


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        number = int(char)
        if index % 2 == 1:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    return total % 10 == 0


# La Poste's establishments share SIREN 356000000 and use a digit-sum rule instead of Luhn.
LA_POSTE_SIREN = "356000000"


def validate_siret(value: str) -> None:
    """SIRET: 14 digits passing the Luhn check (La Poste's establishments: digit sum multiple of 5)."""
    digits = normalize_identifier(value)
    if not digits.isdigit() or len(digits) != 14:
        raise ValidationError(_("Le numéro SIRET doit comporter exactement 14 chiffres."), code="invalid_siret_length")
    if digits.startswith(LA_POSTE_SIREN) and digits != LA_POSTE_SIREN + "00048":
        valid = sum(int(c) for c in digits) % 5 == 0
    else:
        valid = luhn_valid(digits)
    if not valid:
        raise ValidationError(
            _("Ce numéro SIRET n'est pas valide : vérifiez les chiffres saisis (clé de contrôle incorrecte)."),
            code="invalid_siret_checksum",
        )
