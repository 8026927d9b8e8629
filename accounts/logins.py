"""The login django-axes counts failures against: the submitted email address."""

from django.conf import settings
from django.http import HttpRequest

from accounts.models import UserManager


def submitted_email(request: HttpRequest, credentials: dict | None) -> str | None:
    """The email address given to log in, as accounts store it: written in other
    cases it is the same account, so it must not start a fresh count."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials is not None:
        submitted = credentials.get(field)
    else:
        submitted = request.POST.get(field)
    return UserManager.normalize_email(submitted) if submitted else submitted
