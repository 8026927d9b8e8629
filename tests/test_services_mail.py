"""The worker's side of email: one message per person with its own new link, each
invitation claimed before it is sent, retries with backoff, failures kept with
their error, and nothing lost or sent twice when a worker dies."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail as django_mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments import services, tokens
from assessments.models import Invitation, MailKind, MailStatus
from assessments.services import mail
from tests.factories import InvitationFactory, ResponseFactory, UserFactory
from tests.smtp import LINK

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class ScriptedBackend(BaseEmailBackend):
    """A mail server answering from ``SCRIPT``: for each message in turn, an
    exception to raise or None to accept it; accepted ones land in
    ``django.core.mail.outbox``. ``OPEN_ERROR`` refuses the connection."""

    SCRIPT: list = []
    OPEN_ERROR: Exception | None = None
    SEEN: list = []  # (email, stored status, attempts) as each message is sent

    def open(self):
        if ScriptedBackend.OPEN_ERROR is not None:
            raise ScriptedBackend.OPEN_ERROR

    def send_messages(self, email_messages):
        for message in email_messages:
            stored = Invitation.objects.get(email=message.to[0])
            ScriptedBackend.SEEN.append(
                (message.to[0], stored.mail_status, stored.mail_attempts)
            )
            answer = ScriptedBackend.SCRIPT.pop(0) if ScriptedBackend.SCRIPT else None
            if answer is not None:
                raise answer
            django_mail.outbox.append(message)
        return len(email_messages)


@pytest.fixture
def scripted(settings, mailoutbox):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.ScriptedBackend"}}
    ScriptedBackend.SCRIPT = []
    ScriptedBackend.OPEN_ERROR = None
    ScriptedBackend.SEEN = []
    yield ScriptedBackend
    ScriptedBackend.SCRIPT = []
    ScriptedBackend.OPEN_ERROR = None


@pytest.fixture
def sender(assessment):
    manager = UserFactory(email="lead@example.com")
    assessment.mail_reply_to = manager.email
    assessment.save()
    return manager


def queued(assessment, email, **fields):
    return InvitationFactory(
        assessment=assessment,
        email=email,
        **{**mail.queued_fields(MailKind.INVITATION), **fields},
    )


def deliver(assessment, now=None):
    return services.invitations_deliver(assessment_id=assessment.pk, now=now)


def stored(invitation) -> Invitation:
    return Invitation.objects.get(pk=invitation.pk)


def token_of(message) -> str:
    [token] = LINK.findall(message.body)
    return token


# --- Sending ------------------------------------------------------------------------


def test_each_person_gets_one_message_with_their_own_new_link(
    assessment, sender, mailoutbox
):
    sam = queued(assessment, "sam@example.com", name="Sam Lee")
    jo = queued(assessment, "jo@example.com", name="Jo Park")

    delivery = deliver(assessment)

    assert delivery == mail.Delivery(sent=2)
    assert [m.to for m in mailoutbox] == [["sam@example.com"], ["jo@example.com"]]
    for invitation, message in zip((sam, jo), mailoutbox, strict=True):
        after = stored(invitation)
        token = token_of(message)
        assert token != invitation.token
        assert after.token_hash == tokens.invitation_hash(token)
        assert (after.mail_status, after.mail_attempts) == (MailStatus.SENT, 1)
        assert after.sent_at is not None
        assert after.reminded_at is None
        assert message.reply_to == ["lead@example.com"]
        assert message.body.startswith(f"Hello {invitation.name},")
        assert message.subject == (
            f"{assessment.team.name}: three questions about customer service"
        )


def test_each_invitation_is_claimed_and_committed_before_its_message_goes(
    assessment, sender, scripted
):
    queued(assessment, "sam@example.com")

    deliver(assessment)

    assert scripted.SEEN == [("sam@example.com", MailStatus.SENDING, 1)]


def test_a_reminder_says_so_and_records_when(assessment, sender, mailoutbox):
    sam = queued(
        assessment,
        "sam@example.com",
        mail_kind=MailKind.REMINDER,
        sent_at=timezone.now() - timedelta(days=3),
    )

    deliver(assessment)

    [message] = mailoutbox
    assert message.subject.startswith("Reminder: ")
    assert "It replaces any link you were sent before" in message.body
    after = stored(sam)
    assert after.reminded_at is not None
    assert after.sent_at == sam.sent_at


def test_a_named_rounds_answers_follow_the_new_link(team, mailoutbox):
    named = services.assessment_create(team=team, created_by=None, anonymous=False)
    services.assessment_open(assessment=named)
    sam = queued(named, "sam@example.com", mail_kind=MailKind.REMINDER)
    response = ResponseFactory(
        assessment=named,
        invitation=sam,
        respondent_key=tokens.respondent_key(sam.token),
    )

    deliver(named)

    response.refresh_from_db()
    assert response.respondent_key == tokens.respondent_key(token_of(mailoutbox[0]))


def test_email_sent_or_not_yet_due_is_not_sent_again(assessment, sender, mailoutbox):
    queued(assessment, "sam@example.com")
    deliver(assessment)

    later = queued(
        assessment, "jo@example.com", mail_retry_at=timezone.now() + timedelta(hours=1)
    )
    assert deliver(assessment) == mail.Delivery()
    assert len(mailoutbox) == 1
    assert stored(later).mail_status == MailStatus.QUEUED


def test_a_draft_rounds_email_waits_and_a_closed_rounds_is_failed(
    draft_round, assessment, sender, mailoutbox
):
    waiting = queued(draft_round, "sam@example.com")
    late = queued(assessment, "jo@example.com")
    services.assessment_close(assessment=assessment)

    assert deliver(draft_round) == mail.Delivery()
    assert stored(waiting).mail_status == MailStatus.QUEUED
    after = stored(late)
    assert (after.mail_status, after.mail_error) == (
        MailStatus.FAILED,
        mail.ROUND_CLOSED_FIRST,
    )
    assert mailoutbox == []


def test_a_long_list_goes_out_in_batches_each_enqueueing_the_next(
    assessment, sender, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(mail, "BATCH", 2)
    for n in range(5):
        queued(assessment, f"p{n}@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        first = deliver(assessment)

    assert first.sent == 2
    assert len(mailoutbox) == 5
    assert not assessment.invitations.mail_pending().exists()


# --- Refused, unreachable, failed -----------------------------------------------------


def test_a_temporary_refusal_is_retried_after_a_minute(assessment, sender, scripted):
    sam = queued(assessment, "sam@example.com")
    jo = queued(assessment, "jo@example.com")
    scripted.SCRIPT = [
        smtplib.SMTPRecipientsRefused(
            {"sam@example.com": (451, b"4.7.1 Greylisted, try again later")}
        )
    ]
    now = timezone.now()

    assert deliver(assessment, now) == mail.Delivery(sent=1, retrying=1)

    refused = stored(sam)
    assert refused.mail_status == MailStatus.QUEUED
    assert refused.mail_attempts == 1
    assert refused.mail_error == "451 4.7.1 Greylisted, try again later"
    assert refused.mail_retry_at == now + mail.RETRY_DELAYS[0]
    assert stored(jo).mail_status == MailStatus.SENT
    assert deliver(assessment, now + timedelta(seconds=59)) == mail.Delivery()

    assert deliver(assessment, refused.mail_retry_at) == mail.Delivery(sent=1)
    assert [m.to for m in django_mail.outbox] == [
        ["jo@example.com"],
        ["sam@example.com"],
    ]
    after = stored(sam)
    assert (after.mail_status, after.mail_attempts, after.mail_error) == (
        MailStatus.SENT,
        2,
        "",
    )


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPRecipientsRefused({"sam@example.com": (550, b"No such user")}),
        smtplib.SMTPDataError(554, b"Message rejected"),
        ValueError("Invalid address 'sam@example.com'"),
    ],
    ids=["recipient-550", "data-554", "bad-address"],
)
def test_a_permanent_refusal_fails_with_its_error_and_the_batch_goes_on(
    assessment, sender, scripted, error
):
    sam = queued(assessment, "sam@example.com")
    jo = queued(assessment, "jo@example.com")
    scripted.SCRIPT = [error]

    assert deliver(assessment) == mail.Delivery(sent=1, failed=1)

    failed = stored(sam)
    assert failed.mail_status == MailStatus.FAILED
    assert failed.mail_error == mail.judge_failure(error).error
    assert failed.mail_retry_at is None
    assert stored(jo).mail_status == MailStatus.SENT
    assert deliver(assessment, timezone.now() + timedelta(days=1)) == mail.Delivery()


def test_an_unreachable_server_puts_off_everyone_without_new_links(
    assessment, sender, scripted
):
    sam = queued(assessment, "sam@example.com")
    jo = queued(assessment, "jo@example.com", mail_attempts=2)
    scripted.OPEN_ERROR = ConnectionRefusedError(111, "Connection refused")
    now = timezone.now()

    assert deliver(assessment, now) == mail.Delivery(retrying=2)

    for invitation, delay in ((sam, mail.RETRY_DELAYS[0]), (jo, mail.RETRY_DELAYS[2])):
        after = stored(invitation)
        assert after.mail_status == MailStatus.QUEUED
        assert after.mail_retry_at == now + delay
        assert after.mail_error == "[Errno 111] Connection refused"
        assert after.token_hash == invitation.token_hash
    assert (stored(sam).mail_attempts, stored(jo).mail_attempts) == (1, 3)


def test_a_connection_lost_mid_batch_stops_the_batch(assessment, sender, scripted):
    sam = queued(assessment, "sam@example.com")
    jo = queued(assessment, "jo@example.com")
    scripted.SCRIPT = [smtplib.SMTPServerDisconnected("Connection unexpectedly closed")]

    assert deliver(assessment) == mail.Delivery(retrying=1)

    assert stored(sam).mail_status == MailStatus.QUEUED
    assert stored(sam).mail_attempts == 1
    untried = stored(jo)
    assert (untried.mail_status, untried.mail_attempts) == (MailStatus.QUEUED, 0)


def test_retries_back_off_and_give_up_after_the_last_attempt(
    assessment, sender, scripted
):
    sam = queued(assessment, "sam@example.com")
    busy = smtplib.SMTPDataError(451, b"Mailbox busy")
    scripted.SCRIPT = [busy] * mail.MAX_ATTEMPTS
    now = timezone.now()
    waits = []

    for _ in range(mail.MAX_ATTEMPTS):
        deliver(assessment, now)
        after = stored(sam)
        if after.mail_retry_at:
            waits.append(after.mail_retry_at - now)
            now = after.mail_retry_at

    assert waits == list(mail.RETRY_DELAYS)
    assert after.mail_status == MailStatus.FAILED
    assert after.mail_attempts == mail.MAX_ATTEMPTS
    assert after.mail_error == mail.GAVE_UP.format(
        attempts=mail.MAX_ATTEMPTS, error="451 Mailbox busy"
    )


def test_a_retry_is_enqueued_for_when_it_is_due(
    assessment, sender, scripted, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_TASKS
    queued(assessment, "sam@example.com")
    scripted.SCRIPT = [smtplib.SMTPDataError(451, b"Mailbox busy")]
    now = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        deliver(assessment, now)

    [task] = DBTaskResult.objects.all()
    assert task.task_path == "assessments.tasks.invitations_deliver"
    assert task.args_kwargs == {"args": [assessment.pk], "kwargs": {}}
    assert task.run_after == now + mail.RETRY_DELAYS[0]


# --- A worker that died -------------------------------------------------------------


def test_email_left_sending_is_sent_again_once_the_claim_runs_out(
    assessment, sender, mailoutbox
):
    claimed_until = timezone.now() + mail.claim_time()
    sam = queued(
        assessment,
        "sam@example.com",
        mail_status=MailStatus.SENDING,
        mail_attempts=1,
        mail_retry_at=claimed_until,
    )

    assert deliver(assessment) == mail.Delivery()  # another worker may be on it
    assert deliver(assessment, claimed_until) == mail.Delivery(sent=1)

    after = stored(sam)
    assert (after.mail_status, after.mail_attempts) == (MailStatus.SENT, 2)
    assert after.token_hash == tokens.invitation_hash(token_of(mailoutbox[0]))


def test_email_claimed_by_every_attempt_without_an_outcome_fails(
    assessment, sender, mailoutbox
):
    sam = queued(
        assessment,
        "sam@example.com",
        mail_status=MailStatus.SENDING,
        mail_attempts=mail.MAX_ATTEMPTS,
        mail_retry_at=timezone.now(),
    )

    assert deliver(assessment) == mail.Delivery(failed=1)

    after = stored(sam)
    assert after.mail_status == MailStatus.FAILED
    assert after.mail_error == mail.GAVE_UP.format(
        attempts=mail.MAX_ATTEMPTS, error=mail.WORKER_STOPPED
    )
    assert mailoutbox == []


def test_a_claim_taken_meanwhile_by_another_worker_is_left_to_it(
    assessment, sender, mailoutbox, monkeypatch
):
    sam = queued(assessment, "sam@example.com")
    claim = mail._claim

    def someone_else_first(assessment, row, token, now):
        Invitation.objects.filter(pk=row["pk"]).update(
            mail_status=MailStatus.SENDING,
            mail_attempts=1,
            mail_retry_at=now + mail.claim_time(),
        )
        return claim(assessment, row, token, now)

    monkeypatch.setattr(mail, "_claim", someone_else_first)

    assert deliver(assessment) == mail.Delivery()
    assert mailoutbox == []
    assert stored(sam).mail_attempts == 1


def test_a_starting_worker_enqueues_every_round_with_email_pending(
    assessment, draft_round, team, sender, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_TASKS
    now = timezone.now()
    later = services.assessment_create(team=team, created_by=None)
    services.assessment_open(assessment=later)
    queued(assessment, "sam@example.com")
    queued(draft_round, "jo@example.com")  # waits for the round to open
    queued(
        later,
        "kim@example.com",
        mail_status=MailStatus.SENDING,
        mail_attempts=1,
        mail_retry_at=now + timedelta(minutes=2),
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert services.invitations_delivery_resume(now=now) == 2

    runs = {
        task.args_kwargs["args"][0]: task.run_after
        for task in DBTaskResult.objects.filter(
            task_path="assessments.tasks.invitations_deliver"
        )
    }
    assert runs.keys() == {assessment.pk, later.pk}
    assert runs[later.pk] == now + timedelta(minutes=2)
    assert runs[assessment.pk] > now + timedelta(days=365)  # none: as soon as can


# --- Retrying by hand ---------------------------------------------------------------


def test_a_failed_email_can_be_retried_from_its_first_attempt(
    assessment, sender, mailoutbox, django_capture_on_commit_callbacks
):
    failed = queued(
        assessment,
        "sam@example.com",
        mail_status=MailStatus.FAILED,
        mail_attempts=mail.MAX_ATTEMPTS,
        mail_error="550 No such user",
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_email_retry(invitation=stored(failed))

    after = stored(failed)
    assert (after.mail_status, after.mail_attempts, after.mail_error) == (
        MailStatus.SENT,
        1,
        "",
    )
    assert len(mailoutbox) == 1


def test_only_a_failed_email_is_retried(assessment, sender):
    sent = queued(assessment, "sam@example.com", mail_status=MailStatus.SENT)

    with pytest.raises(ValidationError) as caught:
        services.invitation_email_retry(invitation=stored(sent))

    assert caught.value.messages == [services.NOTHING_TO_RETRY]


def test_an_anonymous_rounds_reminder_is_not_retried_one_person_at_a_time(
    assessment, sender, django_capture_on_commit_callbacks
):
    failed = queued(
        assessment,
        "sam@example.com",
        mail_kind=MailKind.REMINDER,
        mail_status=MailStatus.FAILED,
    )

    with pytest.raises(ValidationError) as caught:
        services.invitation_email_retry(invitation=stored(failed))
    assert caught.value.messages == [services.NOTHING_TO_RETRY]

    with django_capture_on_commit_callbacks(execute=True):
        assert services.invitations_email_retry(assessment=assessment) == 1
    after = stored(failed)
    assert (after.mail_status, after.mail_kind) == (MailStatus.SENT, MailKind.REMINDER)


def test_a_closed_round_retries_nothing(assessment, sender):
    queued(assessment, "sam@example.com", mail_status=MailStatus.FAILED)
    services.assessment_close(assessment=assessment)

    with pytest.raises(ValidationError) as caught:
        services.invitations_email_retry(assessment=assessment)

    assert caught.value.messages == [services.ROUND_CLOSED]


def test_a_revoked_invitations_email_is_never_sent(assessment, sender, mailoutbox):
    queued(assessment, "sam@example.com", status=Invitation.Status.REVOKED)

    assert deliver(assessment) == mail.Delivery()
    assert services.invitations_delivery_resume() == 0
    assert mailoutbox == []
