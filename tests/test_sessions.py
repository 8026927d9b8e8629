"""Cookies anyone can write: a NUL byte in one must never break a page.

PostgreSQL refuses NUL in any string it is sent, so before the session engine
checked its keys a session cookie holding one gave a 500 on every page there.
"""

from http import HTTPStatus

import pytest
from django.conf import settings
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.test import Client
from django.urls import reverse

from assessments.models import Response, Team
from assessments.sessions import SessionStore
from tests.factories import (
    ActionItemFactory,
    AnswerJudgementFactory,
    InvitationFactory,
    ManagerInvitationFactory,
    ResponseFactory,
)
from tests.test_views_login_required import PASSWORD, PROTECTED, PUBLIC, VIEWS
from tests.test_views_manager_access import manager_urls
from tests.test_views_survey import ANSWERS

pytestmark = pytest.mark.django_db

NUL_VALUE = "abcdefgh\x00ijklmnopqrstuvwxyz0123"


def with_nul_cookies(client: Client, *names: str) -> Client:
    for name in names:
        client.cookies[name] = NUL_VALUE
    return client


@pytest.fixture
def invitation():
    return InvitationFactory()


@pytest.fixture
def survey_url(invitation):
    return reverse("assessments:survey", args=(invitation.token,))


@pytest.mark.parametrize(
    "key",
    [NUL_VALUE, "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", "abcdefgh'; --", "a" * 7, None],
)
def test_a_key_the_engine_never_issues_is_no_session(key):
    assert SessionStore(key).session_key is None


def test_a_key_the_engine_issues_is_kept():
    key = VALID_KEY_CHARS[:32]

    assert SessionStore(key).session_key == key


@pytest.mark.parametrize(("path", "view"), PROTECTED, ids=[p for p, _v in PROTECTED])
def test_a_nul_session_cookie_is_sent_to_log_in_like_no_session(path, view):
    client = with_nul_cookies(Client(), settings.SESSION_COOKIE_NAME)

    response = client.get(path)

    assert response.status_code == HTTPStatus.FOUND, path
    assert "login" in response.url


@pytest.mark.parametrize(
    "name", sorted(PUBLIC - {"assessments:survey", "password_reset_confirm"})
)
def test_a_public_page_answers_whatever_its_cookies_hold(name):
    path = next(path for view_name, path, _view in VIEWS if view_name == name)
    client = with_nul_cookies(
        Client(), settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, "messages"
    )

    # Some public pages send a visitor with no flow under way to log in: with
    # NUL cookies a page answers as it does with none.
    assert client.get(path).status_code == Client().get(path).status_code < 400


def test_the_survey_is_answered_whatever_its_cookies_hold(survey_url):
    client = with_nul_cookies(
        Client(enforce_csrf_checks=True),
        settings.SESSION_COOKIE_NAME,
        settings.CSRF_COOKIE_NAME,
        "messages",
        "other",
    )
    page = client.get(survey_url)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value

    answered = client.post(survey_url, {**ANSWERS, "csrfmiddlewaretoken": token})

    assert page.status_code == HTTPStatus.OK
    assert answered.status_code == HTTPStatus.FOUND
    assert Response.objects.count() == 1


def test_a_manager_holding_nul_cookies_logs_in_and_reaches_every_page(
    manager, assessment
):
    # A division, so that its roll-up is among the pages.
    Team.objects.filter(pk=assessment.team_id).update(level=Team.Level.DIVISION)
    urls = manager_urls(
        team=assessment.team,
        round_=assessment,
        invitation=InvitationFactory(assessment=assessment),
        action=ActionItemFactory(assessment=assessment),
        judgement=AnswerJudgementFactory(
            response=ResponseFactory(assessment=assessment)
        ),
        manager_invitation=ManagerInvitationFactory(
            team=assessment.team, email=manager.email
        ),
    )
    client = with_nul_cookies(
        Client(enforce_csrf_checks=True),
        settings.SESSION_COOKIE_NAME,
        settings.CSRF_COOKIE_NAME,
        "messages",
        "other",
    )
    client.get(reverse("account_login"))
    logged_in = client.post(
        reverse("account_login"),
        {
            "login": manager.email,
            "password": PASSWORD,
            "csrfmiddlewaretoken": client.cookies[settings.CSRF_COOKIE_NAME].value,
        },
    )

    statuses = {url: client.get(url).status_code for url in urls}

    assert logged_in.status_code == HTTPStatus.FOUND
    # Pages that only take a POST answer 405; every other one shows.
    assert {url: s for url, s in statuses.items() if s >= 400 and s != 405} == {}
    assert statuses[reverse("assessments:dashboard")] == HTTPStatus.OK
