from django.core.exceptions import ValidationError

from assessments.limits import has_control_characters

CONTROL_CHARACTERS = (
    "This contains control characters that cannot be saved; please retype it."
)


def validate_no_control_characters(value: str) -> None:
    """Refuse control characters (NUL among them) that nobody types on purpose."""
    if has_control_characters(value):
        raise ValidationError(CONTROL_CHARACTERS, code="control_characters")
