"""The login django-axes counts failures against: the submitted email address."""

from django.http import HttpRequest

from accounts.models import UserManager

# allauth authenticates with "email"; the admin's login form, and its POST, say
# "username"; the app's login form posts "login".
CREDENTIALS = ("email", "username")
FORM_FIELDS = ("login", "username")


def submitted_email(request: HttpRequest, credentials: dict | None) -> str | None:
    """The email address given to log in, as accounts store it: written in other
    cases it is the same account, so it must not start a fresh count."""
    source, names = (
        (credentials, CREDENTIALS)
        if credentials is not None
        else (request.POST, FORM_FIELDS)
    )
    submitted = next((source[name] for name in names if source.get(name)), None)
    return UserManager.normalize_email(submitted) if submitted else submitted
