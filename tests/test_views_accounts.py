"""Signing up, proving the address, logging in and out, and resetting a forgotten
password, with django-allauth: nothing on these pages, in their words, their
status or the work they do, tells whether an address has an account."""

import re
from http import HTTPStatus

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.smtp import Collector, free_port, smtp_mailers, smtp_server

pytestmark = pytest.mark.django_db

PASSWORD = "a long and quiet harbour"
FACTORY_PASSWORD = "correct horse battery staple"
SIGNUP = reverse("account_signup")
LOGIN = reverse("account_login")
RESET = reverse("account_reset_password")
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def signup(client, email="Priya.Shah@Example.com", password=PASSWORD, **extra):
    return client.post(
        SIGNUP, {"email": email, "password1": password, "password2": password}, **extra
    )


def log_in(client, email, password=FACTORY_PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def link_in(message, path: str) -> str:
    """The one link in ``message`` to a page under ``path``."""
    [link] = re.findall(rf"https?://\S+{re.escape(path)}\S*", message.body)
    return link


def page_text(response, email: str = "") -> str:
    """A page as any visitor sees it, its per-session form token aside, and the
    address the visitor typed (which it may repeat) written as "x"."""
    text = CSRF_TOKEN.sub("", response.content.decode())
    return text.replace(email, "x") if email else text


@pytest.fixture
def send_emails(django_capture_on_commit_callbacks):
    """Run what a request enqueues once it commits: the worker's sending."""

    def send(request, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return request(*args, **kwargs)

    return send


# --- Signing up proves the address ---------------------------------------------------


def test_signing_up_emails_a_link_and_lets_nobody_in_until_it_is_opened(
    client, mailoutbox, send_emails
):
    response = send_emails(signup, client)

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("account_email_verification_sent")
    user = get_user_model().objects.get()
    assert user.email == "priya.shah@example.com"
    assert user.check_password(PASSWORD)
    assert "_auth_user_id" not in client.session
    assert not EmailAddress.objects.get(user=user).verified
    dashboard = client.get(reverse("assessments:dashboard"))
    assert dashboard.url.startswith(LOGIN)

    [email] = mailoutbox
    assert email.to == ["priya.shah@example.com"]
    assert email.subject == "servicecult: Confirm your email address"
    link = link_in(email, "/accounts/confirm-email/")
    assert link.startswith("http://testserver/")
    confirm_page = client.get(link)
    assert "Confirm that priya.shah@example.com is your address" in page_text(
        confirm_page
    )
    assert not EmailAddress.objects.get(user=user).verified  # a GET never writes
    confirmed = client.post(link)

    assert EmailAddress.objects.get(user=user).verified
    assert int(client.session["_auth_user_id"]) == user.pk
    page = client.get(confirmed.url, follow=True)
    assert "Create your first team" in page.content.decode()


def test_an_account_whose_address_is_not_proved_cannot_log_in(
    client, mailoutbox, send_emails
):
    UserFactory(email="sam@example.com", verified=False)

    response = send_emails(log_in, client, "sam@example.com")

    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    [email] = mailoutbox
    assert email.to == ["sam@example.com"]
    assert link_in(email, "/accounts/confirm-email/")


def test_signing_up_refuses_a_password_shorter_than_twelve_characters(client):
    response = signup(client, password="short pass")

    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["password1"] == [
        "This password is too short. It must contain at least 12 characters."
    ]
    assert not get_user_model().objects.exists()


def test_signing_up_refuses_a_password_too_like_the_email(client):
    response = signup(
        client, email="harbourmaster@example.com", password="harbourmaster"
    )

    assert response.context["form"].errors["password1"] == [
        "The password is too similar to the email address."
    ]


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
        "You must type the same password each time."
    ]
    assert not get_user_model().objects.exists()


def test_signing_up_refuses_a_nul_byte_without_failing(client):
    response = signup(client, email="sam\x00@example.com")

    assert response.status_code == HTTPStatus.OK
    assert "email" in response.context["form"].errors
    assert not get_user_model().objects.exists()


def test_a_logged_in_manager_going_to_sign_up_lands_on_the_dashboard(manager_client):
    response = manager_client.get(SIGNUP)

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == "/"


def test_the_account_pages_link_to_each_other(client):
    login = client.get(LOGIN).content.decode()
    signup_page = client.get(SIGNUP).content.decode()
    reset = client.get(RESET).content.decode()

    assert f'href="{SIGNUP}"' in login
    assert f'href="{RESET}"' in login
    assert f'href="{LOGIN}"' in signup_page
    assert f'href="{LOGIN}"' in reset


def test_the_login_page_asks_for_the_email_not_a_username(client):
    page = client.get(LOGIN).content.decode()

    label = re.search(r'<label\s+for="id_login"[^>]*>\s*([^<*]*)', page)[1]
    assert label.strip() == "Email"
    assert "username" not in page.lower()


def test_logging_in_with_the_email_and_out_again(client):
    UserFactory(email="sam@example.com")

    response = log_in(client, "Sam@Example.com")
    assert response.url == "/"

    response = client.post(reverse("account_logout"))

    assert response.url == LOGIN
    assert "_auth_user_id" not in client.session


def test_a_forgotten_password_is_reset_through_an_emailed_link(
    client, mailoutbox, send_emails
):
    UserFactory(email="sam@example.com")

    response = send_emails(client.post, RESET, {"email": "sam@example.com"})

    assert response.url == reverse("account_reset_password_done")
    [email] = mailoutbox
    assert email.to == ["sam@example.com"]
    assert email.subject == "servicecult: Reset your password"
    link = link_in(email, "/accounts/password/reset/key/")
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    client.post(
        form_page.redirect_chain[-1][0], {"password1": PASSWORD, "password2": PASSWORD}
    )

    assert log_in(client, "sam@example.com", PASSWORD).url == "/"
    client.logout()
    assert "This link no longer works" in client.get(link, follow=True).content.decode()


def test_a_manager_can_change_their_password(manager_client, manager):
    response = manager_client.post(
        reverse("account_change_password"),
        {"oldpassword": FACTORY_PASSWORD, "password1": PASSWORD, "password2": PASSWORD},
        follow=True,
    )

    assert response.status_code == HTTPStatus.OK
    manager.refresh_from_db()
    assert manager.check_password(PASSWORD)


@pytest.mark.parametrize("page", [SIGNUP, LOGIN, RESET])
def test_the_entrance_pages_need_no_query(client, django_assert_num_queries, page):
    with django_assert_num_queries(0):
        response = client.get(page)

    assert response.status_code == HTTPStatus.OK


# --- Nothing tells whether an address has an account ---------------------------------


def test_signing_up_with_a_taken_address_looks_the_same_and_makes_no_account(
    client, mailoutbox, send_emails
):
    UserFactory(email="boss@example.com")

    other = Client()

    taken = send_emails(signup, client, email="boss@example.com")
    new = send_emails(signup, other, email="someone.new@example.com")

    assert (taken.status_code, taken.url) == (new.status_code, new.url)
    assert page_text(client.get(taken.url), "boss@example.com") == page_text(
        other.get(new.url), "someone.new@example.com"
    )
    assert get_user_model().objects.filter(email="boss@example.com").count() == 1
    subjects = {email.to[0]: email.subject for email in mailoutbox}
    assert subjects == {
        "boss@example.com": "servicecult: You already have an account",
        "someone.new@example.com": "servicecult: Confirm your email address",
    }


def test_signing_up_with_a_taken_address_hashes_a_password_as_a_new_account_does(
    client, monkeypatch
):
    UserFactory(email="boss@example.com")
    hashed = []
    encode = MD5PasswordHasher.encode
    monkeypatch.setattr(
        MD5PasswordHasher,
        "encode",
        lambda self, *args: hashed.append(1) or encode(self, *args),
    )

    signup(client, email="boss@example.com")
    taken = len(hashed)
    signup(client, email="someone.new@example.com")

    assert taken == len(hashed) - taken == 1


def test_a_failed_login_reads_the_same_with_or_without_an_account(client):
    UserFactory(email="boss@example.com")

    existing = log_in(client, "boss@example.com", "wrong password")
    missing = log_in(client, "nobody@example.com", "wrong password")

    assert existing.status_code == missing.status_code == HTTPStatus.OK
    assert existing.context["form"].errors == missing.context["form"].errors
    assert page_text(existing, "boss@example.com") == page_text(
        missing, "nobody@example.com"
    )


def test_a_reset_reads_the_same_with_or_without_an_account(
    client, mailoutbox, send_emails
):
    UserFactory(email="boss@example.com")

    other = Client()

    existing = send_emails(client.post, RESET, {"email": "boss@example.com"})
    missing = send_emails(other.post, RESET, {"email": "nobody@example.com"})

    assert (existing.status_code, existing.url) == (missing.status_code, missing.url)
    assert page_text(client.get(existing.url), "boss@example.com") == page_text(
        other.get(missing.url), "nobody@example.com"
    )
    subjects = {email.to[0]: email.subject for email in mailoutbox}
    assert subjects == {
        "boss@example.com": "servicecult: Reset your password",
        "nobody@example.com": "servicecult: No account uses this address",
    }


def test_no_account_request_talks_to_the_mail_server_the_worker_sends(
    client, settings, task_queue, django_capture_on_commit_callbacks
):
    """The mail server is down while the requests run: one that tried to reach
    it would fail. Started afterwards, it receives every email from the worker."""
    UserFactory(email="boss@example.com")
    port = free_port()
    settings.MAILERS = smtp_mailers(port)

    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            client.post(RESET, {"email": "boss@example.com"}),
            client.post(RESET, {"email": "nobody@example.com"}),
            signup(client, email="boss@example.com"),
            signup(client, email="someone.new@example.com"),
        ]

    assert [a.status_code for a in answers] == [HTTPStatus.FOUND] * 4
    assert answers[0].url == answers[1].url
    assert answers[2].url == answers[3].url
    assert [name for name, _ in task_queue.queued()] == [
        "password_reset_send",
        "account_notice_send",
        "account_notice_send",
        "email_confirmation_send",
    ]
    collector = Collector()
    with smtp_server(collector, port=port):
        task_queue.run()

    received = {(message["To"], message["Subject"]) for message in collector.messages}
    assert received == {
        ("boss@example.com", "servicecult: Reset your password"),
        ("nobody@example.com", "servicecult: No account uses this address"),
        ("boss@example.com", "servicecult: You already have an account"),
        ("someone.new@example.com", "servicecult: Confirm your email address"),
    }


def test_the_queue_holds_no_reset_key_the_worker_makes_it(
    client, task_queue, django_capture_on_commit_callbacks, mailoutbox
):
    UserFactory(email="boss@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(RESET, {"email": "boss@example.com"})
    [(name, arguments)] = task_queue.queued()
    task_queue.run()

    link = link_in(mailoutbox[0], "/accounts/password/reset/key/")
    key = link.rstrip("/").rsplit("-", 1)[-1]
    assert name == "password_reset_send"
    assert key not in str(arguments)


# --- Links start with the configured address -------------------------------------


def test_a_reset_link_starts_with_the_site_address_whatever_host_asked(
    client, settings, mailoutbox, send_emails
):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    settings.SITE_URL = "https://service.example.com"
    UserFactory(email="boss@example.com")

    send_emails(
        client.post, RESET, {"email": "boss@example.com"}, HTTP_HOST="localhost:1337"
    )
    send_emails(signup, client, email="new@example.com", HTTP_HOST="localhost:1337")

    reset, confirmation = mailoutbox
    assert link_in(reset, "/accounts/password/reset/key/").startswith(
        "https://service.example.com/accounts/password/reset/key/"
    )
    assert link_in(confirmation, "/accounts/confirm-email/").startswith(
        "https://service.example.com/accounts/confirm-email/"
    )
    assert "1337" not in reset.body + confirmation.body


# --- The pages themselves ----------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "account_login",
        "account_signup",
        "account_reset_password",
        "account_reset_password_done",
        "account_email_verification_sent",
    ],
)
def test_an_account_page_is_the_sites_own_and_has_no_inline_script_or_style(
    client, name
):
    html = client.get(reverse(name)).content.decode()

    assert 'href="/static/css/site.css"' in html  # templates/base.html
    assert "<script>" not in html
    assert "<style" not in html
    assert "style=" not in html
    assert "onclick=" not in html


def test_a_manager_adds_an_address_and_confirms_it_from_the_email(
    manager_client, manager, mailoutbox, send_emails
):
    page = reverse("account_email")

    send_emails(
        manager_client.post, page, {"email": "Lead@Home.example", "action_add": ""}
    )

    listed = manager_client.get(page).content.decode()
    assert "lead@home.example" in listed
    assert "Not confirmed" in listed
    [email] = mailoutbox
    assert email.to == ["lead@home.example"]
    manager_client.post(link_in(email, "/accounts/confirm-email/"))
    assert EmailAddress.objects.get(email="lead@home.example", user=manager).verified


def test_staff_with_no_confirmed_address_still_log_in_to_the_admin(client):
    """As ``createsuperuser`` makes them; the app's login asks them to confirm."""
    UserFactory(email="admin@example.com", is_staff=True, verified=False)

    admin = client.post(
        reverse("admin:login"),
        {
            "username": "admin@example.com",
            "password": FACTORY_PASSWORD,
            "next": reverse("admin:index"),
        },
    )
    client.logout()
    app = log_in(client, "admin@example.com")

    assert admin.url == reverse("admin:index")
    assert app.url == reverse("account_email_verification_sent")


@pytest.mark.parametrize("address", ["/accounts/login/", "/admin/login/"])
def test_the_login_asks_for_an_email_address_not_a_username(client, address):
    text = client.get(address).content.decode()

    label = re.search(r'<label[^>]*for="id_(login|username)"[^>]*>\s*([^<]+)', text)
    assert label is not None
    assert label.group(2).strip().rstrip(":").startswith("Email")
    assert "Username" not in text
