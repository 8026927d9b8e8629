"""Throttling of failed survey-link look-ups, per client, across app servers.

Only failures are counted, so a valid link costs nothing. The count lives in the
shared cache under a keyed hash of the client's address: the address itself is
never stored, and the count expires with its window.
"""

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from assessments.clients import client_address

FAILED_LOOKUPS_ALLOWED = 20
WINDOW_SECONDS = 10 * 60


def _client_key(request: HttpRequest) -> str:
    address = client_address(request)
    digest = hmac.new(
        f"servicecult.throttle:{settings.SECRET_KEY}".encode(),
        address.encode(),
        hashlib.sha256,
    ).hexdigest()
    return f"failed-lookups:{digest}"


def failed_lookup(request: HttpRequest) -> bool:
    """Count a failed look-up; True when this client has now failed too often."""
    key = _client_key(request)
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        failures = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        failures = 1
    return failures > FAILED_LOOKUPS_ALLOWED
