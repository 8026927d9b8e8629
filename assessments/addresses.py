"""Email addresses as people: two spellings of one mailbox are one person.

An invitation stores its address normalized, and a round holds each normalized
address once, so the same person cannot be invited twice under two spellings.
"""

# Gmail ignores dots in the local part and treats both domains as one.
GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def normalized_address(email: str) -> str:
    """The mailbox an address reaches: lowercase, without the ``+tag`` of its
    local part, and for Gmail without dots and on gmail.com. "" for no address."""
    email = email.strip().lower()
    local, at, domain = email.rpartition("@")
    if not at:
        return email
    local = local.split("+", 1)[0] or local
    if domain in GMAIL_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"
