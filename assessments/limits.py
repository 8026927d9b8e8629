"""What the app accepts as text, in one place for forms, files and the database."""

import re

MAX_ANSWER_LENGTH = 5000
# Tab and line breaks are typed on purpose; every other control character (NUL
# among them) is not, and PostgreSQL refuses NUL outright.
ALLOWED_CONTROLS = frozenset("\t\n\r")


# Unicode's control characters (category Cc: U+0000-001F and U+007F-009F) but
# those allowed; one regular expression scans an answer faster than a loop.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control_characters(value: str) -> bool:
    return _CONTROLS.search(value) is not None
