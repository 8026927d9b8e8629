"""The user model: the email address is the login, one account per mailbox."""

from http import HTTPStatus

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import EMAIL_TAKEN, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def refused(write) -> bool:
    try:
        with transaction.atomic():
            write()
    except IntegrityError:
        return True
    return False


def login_request():
    return RequestFactory().post(reverse("account_login"), REMOTE_ADDR="192.0.2.10")


# --- The login --------------------------------------------------------------------


def test_the_project_logs_in_with_this_model():
    assert get_user_model() is User
    assert User.USERNAME_FIELD == "email"
    assert User.REQUIRED_FIELDS == []
    with pytest.raises(FieldDoesNotExist):
        User._meta.get_field("username")


@pytest.mark.parametrize("typed", ["sam@example.com", "Sam@Example.COM"])
def test_the_email_address_authenticates_whatever_its_case(typed):
    user = UserFactory(email="sam@example.com")

    assert authenticate(login_request(), username=typed, password=PASSWORD) == user
    assert authenticate(login_request(), email=typed, password=PASSWORD) == user


def test_a_wrong_password_does_not_authenticate():
    UserFactory(email="sam@example.com")

    assert (
        authenticate(login_request(), username="sam@example.com", password="wrong")
        is None
    )


# --- One account per mailbox ------------------------------------------------------


def test_two_accounts_cannot_share_an_email_address_in_any_case():
    User.objects.create_user("boss@example.com")

    # bulk_create skips save(), so only the database stands in the way.
    assert refused(lambda: User.objects.bulk_create([User(email="Boss@Example.com")]))
    assert refused(lambda: User.objects.create_user("BOSS@example.com"))
    assert User.objects.count() == 1


def test_an_update_cannot_make_two_addresses_the_same_but_for_case():
    User.objects.create_user("boss@example.com")
    other = User.objects.create_user("deputy@example.com")

    assert refused(
        lambda: User.objects.filter(pk=other.pk).update(email="Boss@example.com")
    )


def test_validation_names_the_taken_address_whatever_its_case():
    User.objects.create_user("boss@example.com")

    with pytest.raises(ValidationError) as caught:
        User(email="Boss@Example.com").validate_constraints()

    assert caught.value.messages == [EMAIL_TAKEN]


def test_full_clean_lower_cases_then_finds_the_address_taken():
    User.objects.create_user("boss@example.com")
    user = User(email="Boss@Example.com", password="!")

    with pytest.raises(ValidationError) as caught:
        user.full_clean()

    assert user.email == "boss@example.com"
    assert caught.value.message_dict == {"email": [EMAIL_TAKEN]}


def test_an_account_needs_an_email_address():
    with pytest.raises(ValidationError) as caught:
        User(password="!").full_clean()

    assert list(caught.value.message_dict) == ["email"]
    with pytest.raises(ValueError, match=r"^An account needs an email address\.$"):
        User.objects.create_user("")


# --- The manager ------------------------------------------------------------------


def test_the_manager_lower_cases_the_whole_address():
    assert User.objects.normalize_email("Priya.Shah@Example.COM") == (
        "priya.shah@example.com"
    )


def test_create_user_stores_the_address_lower_cased_with_no_privileges():
    user = User.objects.create_user("Priya.Shah@Example.COM", PASSWORD)

    user.refresh_from_db()
    assert user.email == "priya.shah@example.com"
    assert user.check_password(PASSWORD)
    assert (user.is_active, user.is_staff, user.is_superuser) == (True, False, False)


def test_an_account_created_without_a_password_cannot_log_in():
    user = User.objects.create_user("sam@example.com")

    assert not user.has_usable_password()


def test_saving_lower_cases_the_address():
    user = UserFactory(email="Sam@Example.com")
    user.email = "SAM.JONES@example.com"
    user.save()

    user.refresh_from_db()
    assert user.email == "sam.jones@example.com"


def test_create_superuser_gives_every_privilege():
    user = User.objects.create_superuser("Admin@Example.com", PASSWORD)

    assert user.email == "admin@example.com"
    assert (user.is_staff, user.is_superuser) == (True, True)
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_a_superuser_cannot_be_created_without_its_privileges(flag):
    with pytest.raises(ValueError, match=rf"^A superuser must have {flag}=True\.$"):
        User.objects.create_superuser("admin@example.com", PASSWORD, **{flag: False})


def test_the_createsuperuser_command_asks_only_for_the_email(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)

    call_command("createsuperuser", "--noinput", "--email", "Admin@Example.com")

    user = User.objects.get()
    assert user.email == "admin@example.com"
    assert (user.is_staff, user.is_superuser) == (True, True)
    assert user.check_password(PASSWORD)


# --- The admin --------------------------------------------------------------------


def test_the_user_changelist_lists_and_finds_accounts_by_email(admin_client, superuser):
    UserFactory(email="priya.shah@example.com", first_name="Priya")
    changelist = reverse("admin:accounts_user_changelist")

    page = admin_client.get(changelist)
    found = admin_client.get(changelist, {"q": "priya"})

    assert page.status_code == HTTPStatus.OK
    assert superuser.email in page.content.decode()
    assert list(found.context["cl"].result_list) == [
        User.objects.get(email="priya.shah@example.com")
    ]


def test_the_user_add_and_change_pages_load(admin_client, manager):
    add = admin_client.get(reverse("admin:accounts_user_add"))
    change = admin_client.get(reverse("admin:accounts_user_change", args=(manager.pk,)))

    assert add.status_code == HTTPStatus.OK
    assert list(add.context["adminform"].form.fields) == [
        "email",
        "usable_password",
        "password1",
        "password2",
    ]
    assert change.status_code == HTTPStatus.OK
    assert "username" not in change.context["adminform"].form.fields
    assert change.context["adminform"].form.initial["email"] == manager.email


def test_the_admin_adds_an_account_by_email_lower_cased(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Manager@Example.com",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == HTTPStatus.FOUND
    user = User.objects.get(email="new.manager@example.com")
    assert user.check_password(PASSWORD)


def test_the_admin_refuses_an_address_taken_in_another_case(admin_client, manager):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": manager.email.upper(),
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == HTTPStatus.OK
    assert response.context["adminform"].form.errors == {"email": [EMAIL_TAKEN]}
