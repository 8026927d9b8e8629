"""The address a request comes from, for throttling, behind trusted proxies."""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address. Behind N trusted proxies (``DJANGO_TRUSTED_PROXIES``)
    each appends to X-Forwarded-For the address it was reached from, so the
    client is the N-th entry from the right; entries further left are whatever
    the client claimed and are not trusted."""
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        forwarded = [
            address.strip()
            for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if address.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
