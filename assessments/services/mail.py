"""Email to team members, sent by the worker one person at a time.

A request never talks to the mail server. It marks each invitation to be emailed
"queued", with the kind of email (an invitation or a reminder), and enqueues
``tasks.invitations_deliver`` for the round once its transaction commits. A draft
round's emails wait: opening the round enqueues them.

A run of that task sends at most ``BATCH`` messages, one per person, over one SMTP
connection, taking each invitation in three steps:

1. claim it in a short transaction of its own: a new link (only its hash is
   stored; a named round's response is re-keyed to it; a new link is unused
   whatever the earlier ones were), status "sending", one
   more attempt, and a claim that runs out at ``mail_retry_at``; COMMIT;
2. send the message carrying that link;
3. mark it "sent" (``sent_at``, or ``reminded_at`` for a reminder), if the claim
   is still its own.

So a worker that dies mid-batch loses no invitation: those it had not claimed are
still queued, and the one in flight stays "sending" until its claim runs out, then
is sent again (that person may get the email twice; the later link is the one
that works). A claim lasts ``CLAIM_TIMEOUTS`` SMTP timeouts, more than one message
takes, so two live workers do not send the same email.

A refusal the server calls temporary (SMTP 4xx) and a server that cannot be
reached are tried again after ``RETRY_DELAYS``. After ``MAX_ATTEMPTS`` attempts,
or at once on a permanent refusal (5xx) or an address the mail backend cannot
take, the invitation is "failed" with the error, for the manager to retry.

A run that did something and leaves email pending enqueues the next run for its
round, deferred (``run_after``) to the earliest retry. A backend that cannot defer
(``immediate``, in tests) leaves it queued for a later run. A run that finds
nothing to do enqueues nothing, so duplicate runs die out.
"""

import contextlib
import smtplib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import Count, Min, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from assessments import tokens
from assessments.models import Assessment, Invitation, MailKind, MailStatus, Response

RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
BATCH = 100
CLAIM_TIMEOUTS = 5
MAX_ERROR_LENGTH = 500

ROUND_CLOSED_FIRST = "Not sent: the round closed first."
GAVE_UP = "Gave up after {attempts} attempts: {error}"
WORKER_STOPPED = "the worker stopped while sending it"


def survey_url(token: str) -> str:
    """The absolute address of a team member's survey, on the configured site."""
    return settings.SITE_URL + reverse("assessments:survey", args=(token,))


# --- Enqueueing ---------------------------------------------------------------------


def enqueue_on_commit(task_name: str, *args, at: datetime | None = None) -> bool:
    """Enqueue the task ``tasks.<task_name>`` once the current transaction commits,
    to run from ``at`` on if given. Returns False, enqueueing nothing, when ``at``
    is ahead and the backend cannot defer a task."""
    # The tasks call the services, so the services import them when used.
    from assessments import tasks

    task = getattr(tasks, task_name)
    if at is not None and at > timezone.now():
        if not task.get_backend().supports_defer:
            return False
        task = task.using(run_after=at)
    transaction.on_commit(partial(task.enqueue, *args))
    return True


def deliver_soon(assessment: Assessment, *, at: datetime | None = None) -> bool:
    """Have the worker send the round's queued emails (from ``at``), unless the
    round is a draft: opening it sends them."""
    if assessment.status == Assessment.Status.DRAFT:
        return False
    return enqueue_on_commit("invitations_deliver", assessment.pk, at=at)


def queued_fields(kind: str | None = None) -> dict:
    """The fields of an invitation whose email of ``kind`` is newly queued, or
    queued again as the same kind."""
    fields = {
        "mail_status": MailStatus.QUEUED,
        "mail_attempts": 0,
        "mail_error": "",
        "mail_retry_at": None,
    }
    if kind is not None:
        fields["mail_kind"] = kind
    return fields


def mail_queued(assessment: Assessment, *, reply_to: str | None = None) -> None:
    """After queueing emails in ``assessment``: remember who replies reach (when
    a request says so), and have them delivered."""
    if reply_to is not None:
        Assessment.objects.filter(pk=assessment.pk).update(mail_reply_to=reply_to)
        assessment.mail_reply_to = reply_to
    deliver_soon(assessment)


def mail_queue(
    assessment: Assessment,
    invitations,
    *,
    kind: str | None = None,
    reply_to: str | None = None,
) -> int:
    """Queue an email of ``kind`` (or of the kind each last had) to each of
    ``invitations``, a queryset of the round's, and have them delivered; returns
    how many."""
    count = invitations.update(**queued_fields(kind))
    if count:
        mail_queued(assessment, reply_to=reply_to)
    return count


def not_answered(assessment: Assessment, invitations):
    """Those of ``invitations``, pending ones of the round's, through whose current
    link no answer waits for its release: an anonymous answer marks its
    invitation answered only when it is released."""
    waiting = set(
        Response.objects.filter(assessment=assessment, link_key__isnull=False)
        .order_by()
        .values_list("link_key", flat=True)
    )
    if not waiting:
        return invitations
    answered = [
        pk
        for pk, token_hash in invitations.values_list("pk", "token_hash")
        if tokens.link_key(token_hash) in waiting
    ]
    return invitations.exclude(pk__in=answered)


def mail_cancel(assessment: Assessment) -> int:
    """Fail the emails a closed round still had queued: their links would not
    work any more. One being sent goes out and is marked sent."""
    return assessment.invitations.filter(mail_status=MailStatus.QUEUED).update(
        mail_status=MailStatus.FAILED, mail_error=ROUND_CLOSED_FIRST, mail_retry_at=None
    )


# --- The worker's side ----------------------------------------------------------------


@dataclass
class Delivery:
    """What one run did: messages sent, put off for a retry, failed for good."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def claim_time() -> timedelta:
    """How long a claim on an email being sent lasts."""
    return timedelta(seconds=CLAIM_TIMEOUTS * settings.MAIL_TIMEOUT)


def _message(assessment: Assessment, row: dict, token: str) -> EmailMessage:
    team = " ".join(assessment.team.name.split())  # a header holds one line
    reminder = row["mail_kind"] == MailKind.REMINDER
    subject = (
        f"Reminder: {team} would like your answers"
        if reminder
        else f"{team}: three questions about customer service"
    )
    body = render_to_string(
        "assessments/emails/invitation.txt",
        {
            "name": row["name"],
            "team": team,
            "anonymous": assessment.anonymous,
            "link": survey_url(token),
            "reminder": reminder,
        },
    )
    reply_to = [assessment.mail_reply_to] if assessment.mail_reply_to else None
    return EmailMessage(subject, body, to=[row["email"]], reply_to=reply_to)


def _claim(assessment: Assessment, row: dict, token: str, now: datetime) -> bool:
    """Take the invitation for this attempt, with a new link, unless another
    worker took it since it was read. Committed before the message is sent."""
    with transaction.atomic():
        claimed = (
            Invitation.objects.mail_due(now)
            .filter(pk=row["pk"], mail_attempts=row["mail_attempts"])
            .update(
                token_hash=tokens.invitation_hash(token),
                link_used=False,
                mail_status=MailStatus.SENDING,
                mail_attempts=row["mail_attempts"] + 1,
                mail_retry_at=now + claim_time(),
            )
        )
        if claimed and not assessment.anonymous:
            Response.objects.filter(invitation_id=row["pk"]).update(
                respondent_key=tokens.respondent_key(token)
            )
    return bool(claimed)


def _claimed(row: dict):
    """The invitation as this run's claim left it."""
    return Invitation.objects.filter(
        pk=row["pk"],
        mail_status=MailStatus.SENDING,
        mail_attempts=row["mail_attempts"] + 1,
    )


def _error_text(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        text = "; ".join(
            f"{code} {message.decode(errors='replace')}"
            for code, message in error.recipients.values()
        )
    elif isinstance(error, smtplib.SMTPResponseException):
        message = error.smtp_error
        if isinstance(message, bytes):
            message = message.decode(errors="replace")
        text = f"{error.smtp_code} {message}"
    else:
        text = str(error) or type(error).__name__
    return " ".join(text.split())[:MAX_ERROR_LENGTH]


def _refusal_code(error: Exception) -> int | None:
    """The SMTP reply code a refusal came with, if the server gave one."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return max((code for code, _ in error.recipients.values()), default=None)
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code
    return None


@dataclass(frozen=True)
class Outcome:
    temporary: bool  # worth trying again later
    connection_lost: bool  # the rest of the batch cannot go on this connection
    error: str


def judge_failure(error: Exception) -> Outcome:
    """Whether a failed send is worth retrying, and whether the connection is
    still usable. 4xx: later; 421 also closes the connection; 5xx and an
    address the backend refuses (``ValueError``): never; anything else on the
    network (refused, reset, timed out, disconnected): later, on a new one."""
    text = _error_text(error)
    if isinstance(error, ValueError):
        return Outcome(temporary=False, connection_lost=False, error=text)
    code = _refusal_code(error)
    if code is None:
        return Outcome(temporary=True, connection_lost=True, error=text)
    return Outcome(temporary=400 <= code < 500, connection_lost=code == 421, error=text)


def _failure_fields(attempts: int, outcome: Outcome, now: datetime) -> dict:
    if outcome.temporary and attempts < MAX_ATTEMPTS:
        return {
            "mail_status": MailStatus.QUEUED,
            "mail_error": outcome.error,
            "mail_retry_at": now + RETRY_DELAYS[attempts - 1],
        }
    error = outcome.error
    if outcome.temporary:
        error = GAVE_UP.format(attempts=attempts, error=error)
    return {
        "mail_status": MailStatus.FAILED,
        "mail_error": error[:MAX_ERROR_LENGTH],
        "mail_retry_at": None,
    }


def _give_up(row: dict) -> None:
    """An email claimed ``MAX_ATTEMPTS`` times without an outcome: a worker died
    while sending it each time."""
    Invitation.objects.filter(pk=row["pk"], mail_attempts=row["mail_attempts"]).update(
        mail_status=MailStatus.FAILED,
        mail_error=GAVE_UP.format(
            attempts=row["mail_attempts"], error=row["mail_error"] or WORKER_STOPPED
        )[:MAX_ERROR_LENGTH],
        mail_retry_at=None,
    )


def _put_off_all(assessment: Assessment, error: Exception, now: datetime) -> Delivery:
    """The server cannot be reached: every email due counts one more attempt and
    waits for its next retry, or fails after the last. Links are unchanged."""
    outcome = Outcome(temporary=True, connection_lost=True, error=_error_text(error))
    delivery = Delivery()
    due = assessment.invitations.mail_due(now)
    for attempts in range(MAX_ATTEMPTS):
        fields = _failure_fields(attempts + 1, outcome, now)
        count = due.filter(mail_attempts=attempts).update(
            **fields, mail_attempts=attempts + 1
        )
        if fields["mail_status"] == MailStatus.FAILED:
            delivery.failed += count
        else:
            delivery.retrying += count
    delivery.failed += due.filter(mail_attempts__gte=MAX_ATTEMPTS).update(
        mail_status=MailStatus.FAILED,
        mail_error=GAVE_UP.format(attempts=MAX_ATTEMPTS, error=outcome.error)[
            :MAX_ERROR_LENGTH
        ],
        mail_retry_at=None,
    )
    return delivery


def _next_run(assessment: Assessment, now: datetime) -> None:
    """Enqueue the round's next run for its pending email, if any: at once for
    email not yet tried, else at the earliest retry or claim's end."""
    pending = assessment.invitations.mail_pending().aggregate(
        waiting=Count("pk", filter=Q(mail_retry_at__isnull=True)),
        first_retry=Min("mail_retry_at"),
    )
    if pending["waiting"]:
        deliver_soon(assessment)
    elif pending["first_retry"] is not None:
        deliver_soon(assessment, at=max(now, pending["first_retry"]))


def _send_each(
    connection, assessment: Assessment, rows: Iterable[dict], now: datetime
) -> tuple[Delivery, bool]:
    """Claim, send and mark each email in turn; stops when the connection is
    lost. Returns what it did and whether it claimed anything."""
    delivery, worked = Delivery(), False
    for row in rows:
        if row["mail_attempts"] >= MAX_ATTEMPTS:
            _give_up(row)
            delivery.failed += 1
            worked = True
            continue
        token = tokens.new_token()
        if not _claim(assessment, row, token, now):
            continue  # another worker has it
        worked = True
        attempts = row["mail_attempts"] + 1
        try:
            connection.send_messages([_message(assessment, row, token)])
        except (OSError, ValueError) as error:  # smtplib's errors are OSErrors
            outcome = judge_failure(error)
            fields = _failure_fields(attempts, outcome, now)
            _claimed(row).update(**fields)
            if fields["mail_status"] == MailStatus.FAILED:
                delivery.failed += 1
            else:
                delivery.retrying += 1
            if outcome.connection_lost:
                break
            continue
        stamp = "reminded_at" if row["mail_kind"] == MailKind.REMINDER else "sent_at"
        _claimed(row).update(
            mail_status=MailStatus.SENT,
            mail_error="",
            mail_retry_at=None,
            **{stamp: now},
        )
        delivery.sent += 1
    return delivery, worked


def invitations_deliver(*, assessment_id: int, now: datetime | None = None) -> Delivery:
    """Send up to ``BATCH`` of a round's due emails, one message per person over
    one SMTP connection, and enqueue the next run if email is left pending.

    A draft round's emails wait; a closed round's are failed (their links would
    not work)."""
    now = now or timezone.now()
    assessment = (
        Assessment.objects.select_related("team").filter(pk=assessment_id).first()
    )
    if assessment is None or assessment.status == Assessment.Status.DRAFT:
        return Delivery()
    if assessment.status == Assessment.Status.CLOSED:
        return Delivery(failed=mail_cancel(assessment))
    rows = list(
        assessment.invitations.mail_due(now)
        .order_by("pk")
        .values("pk", "name", "email", "mail_kind", "mail_attempts", "mail_error")[
            :BATCH
        ]
    )
    if not rows:
        return Delivery()
    connection = mailers.default
    try:
        connection.open()
    except OSError as error:
        delivery = _put_off_all(assessment, error, now)
        _next_run(assessment, now)
        return delivery
    try:
        delivery, worked = _send_each(connection, assessment, rows, now)
    finally:
        with contextlib.suppress(OSError):
            connection.close()
    if worked:
        _next_run(assessment, now)
    return delivery


def invitations_delivery_resume(*, now: datetime | None = None) -> int:
    """Enqueue a run for every open or closed round with email queued or left
    "sending", from its earliest retry; returns how many rounds. For a worker
    starting up: a worker that died took its round's next run with it."""
    now = now or timezone.now()
    rounds = (
        Invitation.objects.mail_pending()
        .exclude(assessment__status=Assessment.Status.DRAFT)
        .order_by()
        .values("assessment")
        .annotate(
            waiting=Count("pk", filter=Q(mail_retry_at__isnull=True)),
            first_retry=Min("mail_retry_at"),
        )
    )
    count = 0
    for pending in rounds:
        at = None if pending["waiting"] else max(now, pending["first_retry"])
        if enqueue_on_commit("invitations_deliver", pending["assessment"], at=at):
            count += 1
    return count
