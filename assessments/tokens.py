"""Invitation tokens and the keyed hashes derived from them.

A token is shown to the manager once and then lives only in the respondent's
link. The invitation stores one HMAC of it and the response another, each keyed
with the secret key and a different purpose, so neither the database alone nor
one hash leads to the other. Rotating ``DJANGO_SECRET_KEY`` invalidates links.
"""

import hashlib
import hmac
import secrets

from django.conf import settings

TOKEN_BYTES = 32  # 256 bits
# A printed code is a token short enough to type: 12 characters of an alphabet
# without look-alikes (no 0/O, 1/I/L) give 59 bits, and a client that guesses
# wrong is throttled like one trying links.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
CODE_GROUP = 4


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_code() -> str:
    """A token to print and type: its link is the survey's, like any token's."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def code_typed(text: str) -> str:
    """A code as someone typed it, in its stored form: any case, spaces and
    dashes allowed."""
    return "".join(text.split()).replace("-", "").upper()


def code_grouped(code: str) -> str:
    """A code as printed, in groups that are easy to type: "ABCD-EFGH-JKMN"."""
    return "-".join(
        code[start : start + CODE_GROUP] for start in range(0, len(code), CODE_GROUP)
    )


def _keyed_hash(purpose: str, token: str) -> str:
    key = f"servicecult.{purpose}:{settings.SECRET_KEY}".encode()
    return hmac.new(
        key, token.encode("utf-8", "surrogatepass"), hashlib.sha256
    ).hexdigest()


def invitation_hash(token: str) -> str:
    """The hash stored on the invitation, used to find it from a link."""
    return _keyed_hash("invitation", token)


def respondent_key(token: str) -> str:
    """The key stored on the response, used to find it again from the same link."""
    return _keyed_hash("response", token)


def manager_invitation_hash(token: str) -> str:
    """The hash stored on an invitation to manage a team, found from its link."""
    return _keyed_hash("manager-invitation", token)
