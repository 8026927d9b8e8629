"""Signing up, logging in and out, and resetting a forgotten password."""

import re
from http import HTTPStatus

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordMixin
from django.contrib.messages import get_messages
from django.urls import reverse

from assessments.forms import EMAIL_TAKEN
from assessments.views.accounts import WELCOME
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long and quiet harbour"
SIGNUP = reverse("signup")


def signup(client, email="Priya.Shah@Example.com", password=PASSWORD):
    return client.post(
        SIGNUP, {"email": email, "password1": password, "password2": password}
    )


def test_signing_up_makes_the_lower_cased_email_the_login_and_logs_in(client):
    response = signup(client)

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("assessments:dashboard")
    user = get_user_model().objects.get()
    assert user.email == "priya.shah@example.com"
    assert user.get_username() == "priya.shah@example.com"
    assert user.check_password(PASSWORD)
    assert int(client.session["_auth_user_id"]) == user.pk
    assert [str(m) for m in get_messages(response.wsgi_request)] == [WELCOME]


def test_a_new_account_lands_on_the_empty_dashboard(client):
    response = client.get(reverse("assessments:dashboard"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("login"))

    response = signup(client)
    page = client.get(response.url)

    assert page.status_code == HTTPStatus.OK
    assert "Create your first team" in page.content.decode()


def test_signing_up_refuses_a_password_shorter_than_twelve_characters(client):
    response = signup(client, password="short pass")

    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["password2"] == [
        "This password is too short. It must contain at least 12 characters."
    ]
    assert not get_user_model().objects.exists()


def test_signing_up_refuses_a_password_too_like_the_email(client):
    response = signup(
        client, email="harbourmaster@example.com", password="harbourmaster"
    )

    assert response.context["form"].errors["password2"] == [
        "The password is too similar to the email address."
    ]


def test_signing_up_refuses_an_email_already_used_whatever_its_case(client):
    UserFactory(email="priya.shah@example.com")

    response = signup(client, email="PRIYA.SHAH@example.com")

    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["email"] == [EMAIL_TAKEN]
    assert get_user_model().objects.count() == 1


def test_signing_up_refuses_mismatched_passwords_beside_the_field(client):
    response = client.post(
        SIGNUP,
        {
            "email": "sam@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD + "!",
        },
    )

    assert response.context["form"].errors["password2"] == [
        SetPasswordMixin.error_messages["password_mismatch"]
    ]


def test_signing_up_refuses_a_nul_byte_without_failing(client):
    response = signup(client, email="sam\x00@example.com")

    assert response.status_code == HTTPStatus.OK
    assert "email" in response.context["form"].errors
    assert not get_user_model().objects.exists()


def test_a_logged_in_manager_going_to_sign_up_lands_on_the_dashboard(manager_client):
    response = manager_client.get(SIGNUP)

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("assessments:dashboard")


def test_the_account_pages_link_to_each_other(client):
    login = client.get(reverse("login")).content.decode()
    signup_page = client.get(SIGNUP).content.decode()
    reset = client.get(reverse("password_reset")).content.decode()

    assert f'href="{SIGNUP}"' in login
    assert f'href="{reverse("password_reset")}"' in login
    assert f'href="{reverse("login")}"' in signup_page
    assert f'href="{reverse("login")}"' in reset


def test_logging_in_with_the_email_and_out_again(client):
    UserFactory(email="sam@example.com")

    response = client.post(
        reverse("login"),
        {"username": "sam@example.com", "password": "correct horse battery staple"},
    )
    assert response.url == reverse("assessments:dashboard")

    response = client.post(reverse("logout"))

    assert response.url == reverse("login")
    assert "_auth_user_id" not in client.session


def test_a_forgotten_password_is_reset_through_an_emailed_link(client, mailoutbox):
    UserFactory(email="sam@example.com")

    response = client.post(reverse("password_reset"), {"email": "sam@example.com"})
    assert response.url == reverse("password_reset_done")
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["sam@example.com"]
    assert email.subject == "Reset your servicecult password"
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", email.body)[1]

    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": PASSWORD, "new_password2": PASSWORD},
    )

    logged_in = client.post(
        reverse("login"), {"username": "sam@example.com", "password": PASSWORD}
    )
    assert logged_in.status_code == HTTPStatus.FOUND
    assert client.get(link, follow=True).context["validlink"] is False


def test_a_reset_for_an_unknown_email_sends_nothing_and_looks_the_same(
    client, mailoutbox
):
    response = client.post(
        reverse("password_reset"), {"email": "nobody@example.com"}, follow=True
    )

    assert mailoutbox == []
    assert "If an account uses that address" in response.content.decode()


def test_a_manager_can_change_their_password(manager_client, manager):
    response = manager_client.post(
        reverse("password_change"),
        {
            "old_password": "correct horse battery staple",
            "new_password1": PASSWORD,
            "new_password2": PASSWORD,
        },
        follow=True,
    )

    assert response.status_code == HTTPStatus.OK
    assert "Your new password is saved." in response.content.decode()
    manager.refresh_from_db()
    assert manager.check_password(PASSWORD)


def test_the_sign_up_page_needs_no_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(SIGNUP)

    assert response.status_code == HTTPStatus.OK
