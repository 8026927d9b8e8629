"""The login django-axes counts failures against: the submitted email address."""

from django.http import HttpRequest

from accounts.models import UserManager

# allauth authenticates with "email" and its form posts "login"; the admin's
# login authenticates with, and posts, "username"; django-axes files the login
# under AXES_USERNAME_FORM_FIELD ("login") in what it passes itself.
FIELDS = ("email", "login", "username")


def submitted_email(request: HttpRequest, credentials: dict | None) -> str | None:
    """The email address given to log in, as accounts store it: written in other
    cases it is the same account, so it must not start a fresh count."""
    source = request.POST if credentials is None else credentials
    submitted = next((source[name] for name in FIELDS if source.get(name)), None)
    return UserManager.normalize_email(submitted) if submitted else submitted
