"""Login brute force is slowed without locking the right person out for good."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.logins import submitted_email
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def account():
    return UserFactory(email="lead@example.com")


def log_in(
    client, password: str, address: str = "192.0.2.10", email: str = "lead@example.com"
):
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR=address,
    )


def fail_five_times(client, address: str = "192.0.2.10") -> None:
    for _ in range(5):
        log_in(client, "wrong password", address)


def test_wrong_passwords_are_refused_with_the_form_error(client, account):
    response = log_in(client, "wrong password")

    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].non_field_errors() == [
        "The email address and/or password you specified are not correct."
    ]


def test_after_five_failures_even_the_right_password_waits(client, account):
    fail_five_times(client)

    response = log_in(client, PASSWORD)

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "Too many failed attempts to log in" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_count_against_the_email_address_whatever_its_case(client, account):
    for email in ("LEAD@example.com", "Lead@Example.com", "lead@EXAMPLE.COM"):
        log_in(client, "wrong password", email=email)
    log_in(client, "wrong password", email="lEaD@example.com")
    log_in(client, "wrong password")

    response = log_in(client, PASSWORD, email="Lead@example.com")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == [
        "lead@example.com"
    ]


def test_the_lockout_reads_the_login_from_the_credentials_or_else_the_form():
    app = RequestFactory().post(reverse("account_login"), {"login": "Lead@Example.com"})
    admin = RequestFactory().post(reverse("admin:login"), {"username": "Jo@X.com"})

    assert submitted_email(app, None) == "lead@example.com"
    assert submitted_email(admin, None) == "jo@x.com"
    assert submitted_email(app, {"email": "SAM@example.com"}) == "sam@example.com"
    assert submitted_email(app, {"username": "Kim@example.com"}) == "kim@example.com"
    assert submitted_email(app, {"password": "x"}) is None


def test_another_account_from_the_same_address_can_log_in(client, account):
    colleague = UserFactory(email="sam@example.com")
    fail_five_times(client)

    response = log_in(client, PASSWORD, email="sam@example.com")

    assert response.status_code == HTTPStatus.FOUND
    assert client.session["_auth_user_id"] == str(colleague.pk)


def test_the_same_account_from_another_address_can_log_in(client, account):
    fail_five_times(client, address="192.0.2.10")

    response = log_in(client, PASSWORD, address="198.51.100.5")

    assert response.status_code == HTTPStatus.FOUND
    assert client.session["_auth_user_id"] == str(account.pk)


def test_the_lock_lifts_after_the_cool_off(client, account):
    fail_five_times(client)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    response = log_in(client, PASSWORD)

    assert response.status_code == HTTPStatus.FOUND


def test_a_successful_login_resets_the_count(client, account):
    for _ in range(4):
        log_in(client, "wrong password")
    assert log_in(client, PASSWORD).status_code == HTTPStatus.FOUND
    client.logout()

    for _ in range(4):
        log_in(client, "wrong password")

    assert log_in(client, PASSWORD).status_code == HTTPStatus.FOUND
