"""Invitation tokens, printed codes, respondents' edit codes and their keyed
hashes.

A token lives only in the respondent's link: emailed to them by the app (in an
anonymous round always), printed as an unlabelled code, or in a named round
shown to the manager once to hand out. The invitation stores one HMAC of it. A
named round's response stores another, keyed with a different purpose, so the
same link finds it again.

An anonymous round's response is found by its respondent alone: by a keyed hash
of an edit code made at their first submission and given only to them (a cookie
and a code to note), never derived from the link. Until its answers are
released, the response also carries a keyed hash of its invitation's stored
hash, so the link cannot answer twice and the worker can mark the invitation
answered; the release clears it. Each hash has a purpose of its own, so the
database alone leads from none to another. Rotating ``DJANGO_SECRET_KEY``
invalidates links and edit codes.
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
# Edit codes are typed by people: Crockford's base32 (no I, L, O or U), 20
# characters (100 bits), grouped like printed codes.
EDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
EDIT_CODE_LENGTH = 20
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


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
    """The key stored on a named round's response (and an imported one, from a
    token of its own), used to find it again from the same link."""
    return _keyed_hash("response", token)


def manager_invitation_hash(token: str) -> str:
    """The hash stored on an invitation to manage a team, found from its link."""
    return _keyed_hash("manager-invitation", token)


def link_key(token_hash: str) -> str:
    """The key an anonymous response carries until it is released, from the
    hash stored on its invitation (so the worker can compute it from the table)."""
    return _keyed_hash("link", token_hash)


def new_edit_code() -> str:
    """A respondent's edit code, as shown to them: ``XXXX-XXXX-XXXX-XXXX-XXXX``."""
    return code_grouped(
        "".join(secrets.choice(EDIT_CODE_ALPHABET) for _ in range(EDIT_CODE_LENGTH))
    )


def edit_code_normalize(typed: str) -> str | None:
    """An edit code as typed (any case, spaces or dashes, O for 0, I or L for 1)
    in its shown form; None when it cannot be one."""
    code = "".join(ch for ch in typed.upper() if ch.isalnum()).translate(_READ_AS)
    if len(code) != EDIT_CODE_LENGTH or any(
        ch not in EDIT_CODE_ALPHABET for ch in code
    ):
        return None
    return code_grouped(code)


def edit_key(code: str) -> str:
    """The key stored on an anonymous response: a keyed hash of its edit code."""
    return _keyed_hash("edit", code)
