import pytest
from django.core.exceptions import ValidationError

from accounts.validators import validate_rna, validate_siret


@pytest.mark.parametrize("value", ["W751234567", "w751234567", "W 751 234 567", "W9C1000001".replace("C", "1")])
def test_valid_rna_numbers_are_accepted(value):
    validate_rna(value)


@pytest.mark.parametrize("value", ["751234567", "W75123456", "W7512345678", "X751234567", "W75123456A", ""])
def test_invalid_rna_numbers_are_refused_with_a_french_message(value):
    with pytest.raises(ValidationError) as error:
        validate_rna(value)
    assert "W suivie de 9 chiffres" in error.value.messages[0]


@pytest.mark.parametrize(
    "value",
    [
        "73282932000074",  # a real-format SIRET passing Luhn
        "732 829 320 00074",
        "35600000000048",  # La Poste head office
        "35600000049837",  # La Poste establishment: digit sum multiple of 5
    ],
)
def test_valid_siret_numbers_are_accepted(value):
    validate_siret(value)


def test_siret_with_wrong_length_is_refused():
    with pytest.raises(ValidationError) as error:
        validate_siret("7328293200007")
    assert "14 chiffres" in error.value.messages[0]


def test_siret_with_letters_is_refused():
    with pytest.raises(ValidationError) as error:
        validate_siret("7328293200007A")
    assert "14 chiffres" in error.value.messages[0]


def test_siret_failing_the_luhn_check_is_refused():
    with pytest.raises(ValidationError) as error:
        validate_siret("73282932000075")
    assert "clé de contrôle" in error.value.messages[0]
