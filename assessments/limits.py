"""What the app accepts as text, in one place for forms, files and the database."""

import unicodedata

MAX_ANSWER_LENGTH = 5000
# Tab and line breaks are typed on purpose; every other control character (NUL
# among them) is not, and PostgreSQL refuses NUL outright.
ALLOWED_CONTROLS = frozenset("\t\n\r")


def has_control_characters(value: str) -> bool:
    return any(
        unicodedata.category(char) == "Cc" and char not in ALLOWED_CONTROLS
        for char in value
    )
