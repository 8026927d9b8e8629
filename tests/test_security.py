"""The web surface: headers, error pages, health checks, production settings."""

import secrets
from http import HTTPStatus

import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.urls import reverse

from assessments.throttle import FAILED_LOOKUPS_ALLOWED
from tests.factories import InvitationFactory
from tests.test_settings import run_manage

pytestmark = pytest.mark.django_db


def test_production_settings_pass_the_deployment_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="service.example.com",
        DJANGO_SITE_URL="https://service.example.com",
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_pages_carry_the_security_headers(client):
    response = client.get(reverse("account_login"))

    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


def test_pages_have_no_inline_script(client):
    invitation = InvitationFactory()

    for url in (
        reverse("account_login"),
        reverse("assessments:survey", args=(invitation.token,)),
    ):
        html = client.get(url).content.decode()
        assert "<script>" not in html
        assert "onclick=" not in html
        assert "<script src=" in html


def test_survey_is_never_cached(client):
    invitation = InvitationFactory()

    response = client.get(reverse("assessments:survey", args=(invitation.token,)))

    assert "no-store" in response["Cache-Control"]


def test_not_found_page_is_ours_and_reveals_nothing(client):
    response = client.get("/no/such/page/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    text = response.content.decode()
    assert "There is nothing at this address" in text
    assert "Traceback" not in text
    assert "urlpatterns" not in text


def test_form_posted_without_its_security_token_gets_a_friendly_page(client):
    client.handler.enforce_csrf_checks = True
    invitation = InvitationFactory()

    response = client.post(
        reverse("assessments:survey", args=(invitation.token,)), {"vision": "x"}
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Please reload the page and try again" in response.content.decode()


def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == HTTPStatus.OK
    assert response.content == b"ok"


def test_readyz_answers_when_the_database_does(client):
    response = client.get("/readyz")

    assert response.status_code == HTTPStatus.OK
    assert response.content == b"ready"


@pytest.fixture
def database_down(monkeypatch):
    """The database refusing connections, as during a restart."""

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)


def test_readyz_says_503_when_the_database_is_down(client, database_down):
    response = client.get("/readyz")

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE


def test_pages_say_503_in_our_style_when_the_database_is_down(client, database_down):
    response = client.get(reverse("assessments:survey", args=("any-token",)))

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"] == "30"
    assert "servicecult is briefly unavailable" in response.content.decode()


def test_a_database_error_while_the_database_answers_stays_a_500(client, monkeypatch):
    """SQLite reports SQL mistakes as OperationalError too: they are bugs, not
    outages, and must not hide behind the 503 page."""
    from assessments.views import survey

    def broken(request, token):
        raise OperationalError("misuse of aggregate function COUNT()")

    monkeypatch.setattr(survey, "_link_for", broken)
    client.raise_request_exception = False

    response = client.get(reverse("assessments:survey", args=("any-token",)))

    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert "Something went wrong on our side" in response.content.decode()


class TestFailedLinkThrottle:
    def bad_link(self, n: int) -> str:
        return reverse("assessments:survey", args=(f"wrong-link-{n}",))

    def test_a_client_trying_wrong_links_is_told_to_wait(self, client):
        for n in range(FAILED_LOOKUPS_ALLOWED):
            assert client.get(self.bad_link(n)).status_code == HTTPStatus.NOT_FOUND

        response = client.get(self.bad_link(999))

        assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
        assert response["Retry-After"] == "600"
        assert "Too many links that do not work" in response.content.decode()

    def test_a_valid_link_still_works_and_other_clients_are_not_affected(self, client):
        invitation = InvitationFactory()
        for n in range(FAILED_LOOKUPS_ALLOWED + 1):
            client.get(self.bad_link(n))

        valid = client.get(reverse("assessments:survey", args=(invitation.token,)))
        other = client.get(self.bad_link(0), REMOTE_ADDR="10.9.8.7")

        assert valid.status_code == HTTPStatus.OK
        assert other.status_code == HTTPStatus.NOT_FOUND

    def test_the_client_address_is_not_stored(self, client):
        client.get(self.bad_link(1), REMOTE_ADDR="203.0.113.77")

        with connection.cursor() as cursor:
            cursor.execute("SELECT cache_key FROM servicecult_cache")
            keys = [row[0] for row in cursor.fetchall()]
        assert keys
        assert not any("203.0.113.77" in key for key in keys)


def test_an_oversized_post_gets_the_413_page(client):
    invitation = InvitationFactory()

    response = client.post(
        reverse("assessments:survey", args=(invitation.token,)),
        {"vision": "x" * 300_000},
    )

    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert "That was too large to send" in response.content.decode()


def test_a_form_with_too_many_fields_gets_the_400_page(client):
    invitation = InvitationFactory()
    client.raise_request_exception = False

    response = client.post(
        reverse("assessments:survey", args=(invitation.token,)),
        "&".join(f"f{n}=x" for n in range(1001)),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "We could not understand that request" in response.content.decode()


def test_report_is_never_cached(manager_client, assessment):
    response = manager_client.get(reverse("assessments:report", args=(assessment.pk,)))

    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"
