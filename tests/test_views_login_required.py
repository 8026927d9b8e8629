"""Every page needs a signed-in user, except the few that anonymous people must reach.

``LoginRequiredMiddleware`` sends an anonymous visitor of any view to log in unless
the view is marked ``@login_not_required``. These tests walk every URL pattern, so
a new view is covered the day it is added: a page that should be public and is not,
or is public and should not be, fails here.
"""

import re
from http import HTTPStatus
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RoutePattern

from tests.factories import InvitationFactory

# The views anonymous people must reach, and nothing else.
PUBLIC = {
    "healthz",
    "readyz",
    "account_signup",
    "account_login",
    "account_logout",
    "account_inactive",
    "account_email_verification_sent",
    "account_confirm_email",
    "account_confirm_login_code",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "assessments:survey",
    "assessments:code_entry",
    "admin:login",
}
PASSWORD = "correct horse battery staple"  # every factory user's

ROUTE_PARAMETER = re.compile(r"<(?:\w+:)?(?P<name>\w+)>")
REGEX_GROUP = re.compile(r"\((?:\?P<(?P<name>\w+)>)?[^)]*\)")
# A parameter's sample value where "1" would match another pattern.
SAMPLES = {"app_label": "assessments"}


def sample_path(chain: list) -> str:
    """A path the chain of patterns matches, each parameter filled with a sample."""

    def sample(match: re.Match) -> str:
        return SAMPLES.get(match["name"], "1")

    parts = []
    for pattern in chain:
        if isinstance(pattern, RoutePattern):
            parts.append(ROUTE_PARAMETER.sub(sample, str(pattern)))
        else:
            parts.append(REGEX_GROUP.sub(sample, str(pattern)).strip("^$"))
    return "/" + "".join(parts)


def every_view(resolver: URLResolver | None = None, chain=(), namespace=""):
    """(name, sample path, view) for every URL pattern in the project."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from every_view(entry, (*chain, entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            path = sample_path([*chain, entry.pattern])
            yield f"{namespace}{entry.name or ''}", path, entry.callback


VIEWS = list(every_view())
PROTECTED = [(path, view) for name, path, view in VIEWS if name not in PUBLIC]


def test_every_sample_path_reaches_the_view_it_was_made_for():
    for _name, path, view in VIEWS:
        assert resolve(path).func is view, path


def test_the_views_open_to_anonymous_people_are_exactly_the_public_ones():
    open_views = {
        name for name, _path, view in VIEWS if not getattr(view, "login_required", True)
    }

    assert open_views == PUBLIC


@pytest.mark.parametrize(
    ("path", "view"), PROTECTED, ids=[path for path, _view in PROTECTED]
)
def test_an_anonymous_visitor_is_sent_to_log_in(client, path, view):
    """To the app's login page; the admin's site-wide pages use its own."""
    response = client.get(path)

    login_pages = [reverse("account_login")]
    if path.startswith("/admin/"):
        login_pages.append(reverse("admin:login"))
    next_query = urlencode({"next": path}, safe="/")
    assert response.status_code == HTTPStatus.FOUND, path
    assert response.url in [f"{page}?{next_query}" for page in login_pages]


@pytest.fixture
def public_paths(db):
    """A sample path for each public view; the survey's names a live link."""
    survey = reverse("assessments:survey", args=(InvitationFactory().token,))
    return {
        name: survey if name == "assessments:survey" else path
        for name, path, _view in VIEWS
        if name in PUBLIC
    }


# Public steps of a journey an anonymous visitor has not begun: they send them to
# log in rather than refuse them.
SENT_TO_LOG_IN = {"account_logout", "account_confirm_login_code"}


@pytest.mark.parametrize("name", sorted(PUBLIC - SENT_TO_LOG_IN))
def test_a_public_page_answers_an_anonymous_visitor(client, public_paths, name):
    response = client.get(public_paths[name])

    assert response.status_code == HTTPStatus.OK, response.get("Location")


@pytest.mark.parametrize("name", sorted(SENT_TO_LOG_IN))
def test_a_public_step_not_begun_sends_the_visitor_to_log_in(
    client, public_paths, name
):
    response = client.get(public_paths[name])

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("account_login")


def test_an_admin_page_sends_staff_to_log_in_and_back(client, staff):
    page = reverse("admin:assessments_team_changelist")

    login = client.get(page, follow=True)
    response = client.post(
        login.redirect_chain[-1][0],
        {"login": staff.email, "password": PASSWORD},
        follow=True,
    )

    assert response.redirect_chain[-1] == (page, HTTPStatus.FOUND)
    assert response.status_code == HTTPStatus.OK


def test_the_admin_login_page_logs_staff_in(client, staff):
    page = client.get(reverse("admin:login"))
    response = client.post(
        reverse("admin:login"),
        {
            "username": staff.email,
            "password": PASSWORD,
            "next": reverse("admin:index"),  # as the page's form sends it
        },
    )

    assert page.status_code == HTTPStatus.OK
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == HTTPStatus.OK


def test_the_admin_login_page_shows_the_lockout_after_five_failures(client, staff):
    for _ in range(5):
        client.post(
            reverse("admin:login"),
            {"username": staff.email, "password": "wrong password"},
        )

    response = client.post(
        reverse("admin:login"),
        {"username": staff.email, "password": PASSWORD},
    )

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "Too many failed attempts to log in" in response.content.decode()


def test_static_files_need_no_login(settings):
    settings.WHITENOISE_USE_FINDERS = True  # the sources, as collectstatic would copy

    response = Client().get("/static/css/site.css")

    assert response.status_code == HTTPStatus.OK
