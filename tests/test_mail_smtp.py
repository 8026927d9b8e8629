"""Email through a real SMTP server (aiosmtpd on a loopback port) and Django's
SMTP backend: one message per person whose link opens their survey, retried
after "451 try again later" and while the server is down, never sent twice."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services, tokens
from assessments.models import Invitation, MailStatus
from assessments.services import mail
from tests.smtp import Collector, free_port, smtp_mailers, smtp_server, token_in

pytestmark = pytest.mark.django_db

PEOPLE = {
    "sam@example.com": "Sam Lee",
    "jo@example.com": "Jo Park",
    "kim@example.com": "Kim Alex",
}
PASTED = "\n".join(f"{name} <{email}>" for email, name in PEOPLE.items())


@pytest.fixture
def invite(manager_client, assessment, django_capture_on_commit_callbacks):
    """Invite ``PEOPLE`` from the engagement page, emailing their links; the
    request's delivery task runs once the request is done."""

    def invite_everyone():
        with django_capture_on_commit_callbacks(execute=True):
            response = manager_client.post(
                reverse("assessments:invitation_paste", args=(assessment.pk,)),
                {"members": PASTED, "email_link": "on"},
            )
        assert response.status_code == HTTPStatus.FOUND

    return invite_everyone


def deliver(assessment, now):
    return services.invitations_deliver(assessment_id=assessment.pk, now=now)


def assert_each_sent_once_with_a_working_link(collector, client):
    received = collector.by_recipient()
    assert sorted(received) == sorted(PEOPLE)
    for email, messages in received.items():
        [message] = messages
        assert message["Subject"].endswith("three questions about customer service")
        token = token_in(message)
        invitation = Invitation.objects.get(email=email)
        assert invitation.token_hash == tokens.invitation_hash(token)
        assert invitation.mail_status == MailStatus.SENT
        survey = client.get(f"/r/{token}/")
        assert survey.status_code == HTTPStatus.OK
        assert "What is the customer service vision?" in survey.content.decode()


def test_each_person_gets_one_message_whose_link_opens_their_survey(
    invite, manager_client, settings
):
    collector = Collector()
    with smtp_server(collector) as port:
        settings.MAILERS = smtp_mailers(port)
        invite()

    assert_each_sent_once_with_a_working_link(collector, manager_client)
    assert all(m["Reply-To"] for m in collector.messages)


def test_try_again_later_is_retried_and_nothing_goes_twice(
    invite, assessment, manager_client, settings
):
    collector = Collector(refuse_rcpt=1, refuse_data=1)
    with smtp_server(collector) as port:
        settings.MAILERS = smtp_mailers(port)
        invite()
        assert collector.count() == 1
        retry_at = timezone.now() + mail.RETRY_DELAYS[0] + timedelta(seconds=1)

        assert deliver(assessment, retry_at) == mail.Delivery(sent=2)
        assert deliver(assessment, retry_at + timedelta(days=1)) == mail.Delivery()

    assert collector.refused == 2
    assert_each_sent_once_with_a_working_link(collector, manager_client)
    attempts = sorted(Invitation.objects.values_list("mail_attempts", flat=True))
    assert attempts == [1, 2, 2]


def test_while_the_server_is_down_everyone_waits_and_then_goes_once(
    invite, assessment, manager_client, settings
):
    port = free_port()  # nothing listens there yet
    settings.MAILERS = smtp_mailers(port)
    invite()

    waiting = list(Invitation.objects.values_list("mail_status", "mail_attempts"))
    assert waiting == [(MailStatus.QUEUED, 1)] * len(PEOPLE)
    assert "Connection refused" in Invitation.objects.first().mail_error

    collector = Collector()
    with smtp_server(collector, port):
        retry_at = timezone.now() + mail.RETRY_DELAYS[0] + timedelta(seconds=1)
        assert deliver(assessment, retry_at) == mail.Delivery(sent=len(PEOPLE))
        assert deliver(assessment, retry_at + timedelta(days=1)) == mail.Delivery()

    assert_each_sent_once_with_a_working_link(collector, manager_client)


def test_an_unknown_address_fails_with_the_servers_words(
    invite, assessment, manager_client, settings
):
    collector = Collector(unknown=frozenset({"jo@example.com"}))
    with smtp_server(collector) as port:
        settings.MAILERS = smtp_mailers(port)
        invite()

    failed = Invitation.objects.get(email="jo@example.com")
    assert failed.mail_status == MailStatus.FAILED
    assert failed.mail_error == "550 5.1.1 No such user here"
    assert sorted(collector.by_recipient()) == ["kim@example.com", "sam@example.com"]
    page = manager_client.get(
        reverse("assessments:engagement", args=(assessment.pk,))
    ).content.decode()
    assert "2 of 3 emails sent; 1 failed." in page
