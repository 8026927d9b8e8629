"""Sharing a team: a manager invites an email address, the worker emails a link,
and only the account that has proved it owns that address can accept or decline.
The inviting form answers the same whether or not the address has an account."""

import re
from http import HTTPStatus

import pytest
from allauth.account.models import EmailAddress
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from assessments import services
from assessments.models import Assessment, Invitation, ManagerInvitation
from assessments.views.manager import (
    INVITATION_DECLINED,
    INVITATION_WITHDRAWN,
    MANAGER_INVITED,
    MANAGER_JOINED,
)
from tests.factories import (
    AssessmentFactory,
    InvitationFactory,
    ManagerInvitationFactory,
    TeamFactory,
    UserFactory,
)
from tests.queries import writes

pytestmark = pytest.mark.django_db

PASSWORD = "a long and quiet harbour"
INVITATION_LINK = re.compile(r"https?://[^/\s]+(/team-invitations/[\w-]+/)")


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def inviter(manager):
    """The team's manager, in a browser of their own."""
    browser = Client()
    browser.force_login(manager)
    return browser


@pytest.fixture
def invite(inviter, team, mailoutbox, django_capture_on_commit_callbacks):
    """Invite ``email`` from the team's page; returns the response and the path
    of the link the worker emailed."""

    def invite_address(email: str):
        sent = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            response = inviter.post(
                reverse("assessments:team_manager_invite", args=(team.pk,)),
                {"email": email},
            )
        new = mailoutbox[sent:]
        path = INVITATION_LINK.search(new[0].body)[1] if new else None
        return response, path

    return invite_address


def in_mail(mailoutbox, path: str) -> str:
    """The link under ``path`` in the latest email that has one."""
    pattern = re.compile(rf"http://testserver({re.escape(path)}\S+)")
    return [link for email in mailoutbox for link in pattern.findall(email.body)][-1]


# --- The squatter ----------------------------------------------------------------


def test_an_account_signed_up_first_with_the_bosss_address_never_gets_the_team(
    client, manager, team, invite, mailoutbox, django_capture_on_commit_callbacks
):
    """Someone signs up as boss@ before the boss does, then the team's manager
    invites boss@: the squatter can neither log in, nor accept, nor see the team.
    The boss, who reads boss@'s mail, takes the account over by a password
    reset, proves the address, and accepts."""
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {"email": "boss@example.com", "password1": PASSWORD, "password2": PASSWORD},
        )
    squatter_account = EmailAddress.objects.get(email="boss@example.com").user

    response, link = invite("boss@example.com")
    assert messages_of(response) == [MANAGER_INVITED.format(email="boss@example.com")]

    # The squatter cannot log in: the address is not proved.
    logged_in = client.post(
        reverse("account_login"), {"login": "boss@example.com", "password": PASSWORD}
    )
    assert logged_in.url == reverse("account_email_verification_sent")
    assert client.get(link).url.startswith(reverse("account_login"))
    # Nor can a session of that account, however it was had, answer or read.
    client.force_login(squatter_account)
    refused = client.get(link)
    assert refused.status_code == HTTPStatus.FORBIDDEN
    assert team.name not in refused.content.decode()
    assert client.post(link + "accept/").status_code == HTTPStatus.FORBIDDEN
    team_page = reverse("assessments:team_detail", args=(team.pk,))
    assert client.get(team_page).status_code == HTTPStatus.NOT_FOUND
    assert list(team.managers.all()) == [manager]
    client.logout()

    # The boss asks for a reset at boss@, chooses a password, proves the address.
    boss = Client()
    with django_capture_on_commit_callbacks(execute=True):
        boss.post(reverse("account_reset_password"), {"email": "boss@example.com"})
    reset = boss.get(in_mail(mailoutbox, "/accounts/password/reset/key/"), follow=True)
    new_password = "the boss's own passphrase"
    boss.post(
        reset.redirect_chain[-1][0],
        {"password1": new_password, "password2": new_password},
    )
    # The link the squatter's sign-up sent to boss@ proves the address.
    boss.post(in_mail(mailoutbox, "/accounts/confirm-email/"))
    boss.post(
        reverse("account_login"),
        {"login": "boss@example.com", "password": new_password},
    )

    page = boss.get(link)
    assert page.status_code == HTTPStatus.OK
    accepted = boss.post(link + "accept/")

    assert accepted.url == team_page
    assert set(team.managers.all()) == {manager, squatter_account}
    squatter_account.refresh_from_db()
    assert squatter_account.check_password(new_password)
    assert (
        client.post(
            reverse("account_login"),
            {"login": "boss@example.com", "password": PASSWORD},
        )
        .context["form"]
        .errors
    )


def test_an_address_added_to_an_account_but_not_proved_cannot_accept(client, invite):
    squatter = UserFactory(email="squatter@example.com")
    EmailAddress.objects.create(user=squatter, email="boss@example.com")
    _, link = invite("boss@example.com")
    client.force_login(squatter)

    assert client.get(link).status_code == HTTPStatus.FORBIDDEN
    assert client.post(link + "accept/").status_code == HTTPStatus.FORBIDDEN
    assert client.post(link + "decline/").status_code == HTTPStatus.FORBIDDEN
    assert ManagerInvitation.objects.get().status == ManagerInvitation.Status.PENDING


# --- Inviting says nothing about accounts ------------------------------------------


def test_inviting_answers_the_same_whether_or_not_the_address_has_an_account(
    invite, team
):
    UserFactory(email="alex@example.com")

    with_account, _ = invite("Alex@Example.com")
    without, _ = invite("nobody@example.com")

    assert with_account.status_code == without.status_code == HTTPStatus.FOUND
    assert with_account.url == without.url
    assert messages_of(with_account)[-1] == MANAGER_INVITED.format(
        email="alex@example.com"
    )
    assert messages_of(without)[-1] == MANAGER_INVITED.format(
        email="nobody@example.com"
    )
    assert sorted(team.manager_invitations.values_list("email", flat=True)) == [
        "alex@example.com",
        "nobody@example.com",
    ]
    assert team.managers.count() == 1


def test_the_email_carries_a_link_from_the_site_address_and_who_invited(
    invite, manager, team, mailoutbox, settings
):
    settings.SITE_URL = "https://service.example.com"

    invite("alex@example.com")

    [email] = mailoutbox
    assert email.to == ["alex@example.com"]
    assert email.subject == f"Help manage {team.name} on servicecult"
    assert email.reply_to == [manager.email]
    assert re.search(r"https://service\.example\.com/team-invitations/\S+/", email.body)
    invitation = ManagerInvitation.objects.get()
    token = re.search(r"/team-invitations/([\w-]+)/", email.body)[1]
    assert invitation.token_hash == services.teams.tokens.manager_invitation_hash(token)
    assert token not in str(invitation.__dict__)
    assert invitation.sent_at is not None


def test_inviting_a_manager_of_the_team_says_so_beside_the_field(
    manager_client, manager, team
):
    response = manager_client.post(
        reverse("assessments:team_manager_invite", args=(team.pk,)),
        {"email": manager.email.upper()},
    )

    assert response.status_code == HTTPStatus.OK
    assert response.context["co_manager_form"].errors["email"] == [
        services.ALREADY_A_MANAGER.format(email=manager.email)
    ]
    assert not ManagerInvitation.objects.exists()


@pytest.mark.parametrize("email", ["not an address", "sam\x00@example.com", ""])
def test_a_bad_address_is_refused_beside_the_field_and_nothing_is_saved(
    manager_client, team, email
):
    response = manager_client.post(
        reverse("assessments:team_manager_invite", args=(team.pk,)), {"email": email}
    )

    assert response.status_code == HTTPStatus.OK
    assert response.context["co_manager_form"].errors["email"]
    assert not ManagerInvitation.objects.exists()


def test_inviting_the_same_address_again_sends_a_new_link_and_the_old_stops(
    invite, client
):
    colleague = UserFactory(email="alex@example.com")
    _, first = invite("alex@example.com")
    _, second = invite("alex@example.com")
    client.force_login(colleague)

    assert first != second
    assert ManagerInvitation.objects.count() == 1
    assert client.get(first).status_code == HTTPStatus.NOT_FOUND
    assert client.get(second).status_code == HTTPStatus.OK


# --- Answering ------------------------------------------------------------------


def test_the_owner_of_the_address_accepts_after_a_confirmation_page(
    invite, client, manager, team
):
    colleague = UserFactory(email="alex@example.com")
    _, link = invite("alex@example.com")
    client.force_login(colleague)

    page = client.get(link)
    assert page.status_code == HTTPStatus.OK
    text = page.content.decode()
    assert f"Help manage {team.name}?" in text
    assert f"{manager.email} invites you" in text
    assert colleague not in team.managers.all()  # a GET never writes

    response = client.post(link + "accept/")

    assert response.url == reverse("assessments:team_detail", args=(team.pk,))
    assert messages_of(response) == [MANAGER_JOINED.format(team=team.name)]
    assert colleague in team.managers.all()
    invitation = ManagerInvitation.objects.get()
    assert invitation.status == ManagerInvitation.Status.ACCEPTED
    assert invitation.accepted_by == colleague
    assert invitation.closed_at is not None
    assert client.get(link).status_code == HTTPStatus.NOT_FOUND
    assert client.post(link + "accept/").status_code == HTTPStatus.NOT_FOUND


def test_a_member_who_becomes_a_manager_can_no_longer_answer_anonymously(
    invite, client, team
):
    collecting = AssessmentFactory(team=team, status=Assessment.Status.OPEN)
    named = AssessmentFactory(team=team, anonymous=False)
    held = InvitationFactory(assessment=collecting, email="Alex+team@example.com")
    kept = InvitationFactory(assessment=named, email="alex@example.com")
    colleague = UserFactory(email="alex@example.com")
    _, link = invite("alex@example.com")
    client.force_login(colleague)

    client.post(link + "accept/")

    held.refresh_from_db()
    kept.refresh_from_db()
    assert held.status == Invitation.Status.REVOKED
    assert kept.status == Invitation.Status.PENDING


def test_a_confirmed_second_address_of_an_account_accepts_too(invite, client, team):
    colleague = UserFactory(email="alex@home.example")
    EmailAddress.objects.create(user=colleague, email="alex@example.com", verified=True)
    _, link = invite("Alex@Example.com")
    client.force_login(colleague)

    client.post(link + "accept/")

    assert colleague in team.managers.all()


def test_the_owner_of_the_address_can_decline(invite, client, team):
    colleague = UserFactory(email="alex@example.com")
    _, link = invite("alex@example.com")
    client.force_login(colleague)

    response = client.post(link + "decline/")

    assert response.url == reverse("assessments:dashboard")
    assert messages_of(response) == [INVITATION_DECLINED]
    assert colleague not in team.managers.all()
    assert ManagerInvitation.objects.get().status == ManagerInvitation.Status.DECLINED
    assert client.get(link).status_code == HTTPStatus.NOT_FOUND


def test_a_visitor_not_logged_in_is_sent_to_log_in_and_back(invite, client):
    UserFactory(email="alex@example.com")
    _, link = invite("alex@example.com")

    response = client.get(link)
    logged_in = client.post(
        response.url,
        {"login": "alex@example.com", "password": "correct horse battery staple"},
    )

    assert logged_in.url == link
    assert client.get(link).status_code == HTTPStatus.OK


def test_a_link_that_matches_no_invitation_is_404(manager_client):
    response = manager_client.get(
        reverse("assessments:manager_invitation", args=("no-such-token",))
    )

    assert response.status_code == HTTPStatus.NOT_FOUND


# --- Withdrawing -----------------------------------------------------------------


def test_the_team_page_lists_pending_invitations_and_withdraws_one(
    invite, inviter, client, team
):
    colleague = UserFactory(email="alex@example.com")
    _, link = invite("alex@example.com")
    page = reverse("assessments:team_detail", args=(team.pk,))
    listed = inviter.get(page)
    assert "alex@example.com" in listed.content.decode()
    invitation = ManagerInvitation.objects.get()

    response = inviter.post(
        reverse(
            "assessments:manager_invitation_withdraw", args=(team.pk, invitation.pk)
        )
    )

    assert response.url == page
    assert messages_of(response) == [
        INVITATION_WITHDRAWN.format(email="alex@example.com")
    ]
    invitation.refresh_from_db()
    assert invitation.status == ManagerInvitation.Status.WITHDRAWN
    assert list(inviter.get(page).context["manager_invitations"]) == []
    client.force_login(colleague)
    assert client.get(link).status_code == HTTPStatus.NOT_FOUND


def test_an_invitation_of_another_team_cannot_be_withdrawn_through_mine(
    manager_client, team
):
    elsewhere = ManagerInvitationFactory(team=TeamFactory())

    response = manager_client.post(
        reverse("assessments:manager_invitation_withdraw", args=(team.pk, elsewhere.pk))
    )

    assert response.status_code == HTTPStatus.NOT_FOUND
    elsewhere.refresh_from_db()
    assert elsewhere.status == ManagerInvitation.Status.PENDING


def test_the_worker_sends_nothing_for_an_invitation_withdrawn_before_it_ran(
    team, mailoutbox
):
    invitation = ManagerInvitationFactory(team=team)
    services.manager_invitation_withdraw(invitation=invitation)

    assert services.manager_invitation_deliver(invitation_id=invitation.pk) is False
    assert mailoutbox == []


def test_an_invitation_answered_twice_is_refused_the_second_time(team):
    colleague = UserFactory(email="alex@example.com")
    invitation = ManagerInvitationFactory(team=team, email="alex@example.com")
    stale = ManagerInvitation.objects.get(pk=invitation.pk)
    services.manager_invitation_decline(invitation=invitation, user=colleague)

    with pytest.raises(services.teams.ValidationError) as caught:
        services.manager_invitation_accept(invitation=stale, user=colleague)

    assert caught.value.messages == [services.INVITATION_ANSWERED]
    assert colleague not in team.managers.all()


# --- Queries ---------------------------------------------------------------------


def test_the_invitation_page_runs_a_fixed_number_of_queries(
    client, team, django_assert_num_queries
):
    """Session, user, the invitation with its team and sender, the address."""
    colleague = UserFactory(email="alex@example.com")
    invitation = ManagerInvitationFactory(
        team=team, email="alex@example.com", invited_by=UserFactory()
    )
    client.force_login(colleague)

    with django_assert_num_queries(4) as captured:
        response = client.get(
            reverse("assessments:manager_invitation", args=(invitation.token,))
        )

    assert response.status_code == HTTPStatus.OK
    assert writes(captured) == []
