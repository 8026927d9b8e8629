"""The session engine: Django's database sessions, refusing keys it never issues.

Django checks only a session cookie's length before looking its key up, so a key
with a NUL byte reached PostgreSQL, which refuses NUL outright: every page gave a
500. A key with a character outside the alphabet Django draws keys from is no
session at all, as an unknown one is.
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

_KEY_CHARS = frozenset(VALID_KEY_CHARS)


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key):
        return super()._validate_session_key(key) and _KEY_CHARS.issuperset(key)
