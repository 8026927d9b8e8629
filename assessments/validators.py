import unicodedata

from django.core.exceptions import ValidationError

CONTROL_CHARACTERS = (
    "This contains control characters that cannot be saved; please retype it."
)
ALLOWED_CONTROLS = {"\t", "\n", "\r"}


def validate_no_control_characters(value: str) -> None:
    """Refuse control characters (NUL among them) that nobody types on purpose."""
    if any(
        unicodedata.category(char) == "Cc" and char not in ALLOWED_CONTROLS
        for char in value
    ):
        raise ValidationError(CONTROL_CHARACTERS, code="control_characters")
