"""A round's life: created as a draft, opened, its settings changed, closed; and
its own timetable, automatic reminders and closing on a date, run by the worker.

Opening a round enqueues a task per automatic reminder and one for its closing,
each to run when due (``run_after``); changing those settings on an open round
enqueues them again. Each task checks when it runs whether it is still due, so a
task left from an earlier setting does nothing, and a reminder goes out once.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from assessments.addresses import normalized_address
from assessments.models import (
    Assessment,
    Invitation,
    MailKind,
    MailStatus,
    RoundReopening,
    Team,
)
from assessments.services import mail, reassessment

PRIVACY_FIELDS = ("anonymous", "min_group_for_scores", "min_group_for_verbatims")
PRIVACY_FROZEN = (
    "This round is open: whether it is anonymous and its group sizes can no "
    "longer change."
)
ROUND_NOT_OPEN = "Open the round first."
ROUND_CLOSED = "This round is closed: nobody can be invited or sent a link any more."
CLOSES_ON_PASSED = (
    "This round was to close on {date}, which has come: change or clear that date "
    "in its settings first."
)
TIMETABLE_FIELDS = ("remind_after_days", "closes_on")
ROUND_NOT_CLOSED = "Only a closed round can be opened again."
NEXT_ROUND_STARTED = (
    "{round} has opened since: this round can no longer be opened again, so "
    "the next one's results stand on their own."
)
REOPEN_NEEDS_A_REASON = (
    "Say why the round opens again: the reason is kept with the round."
)
TEAM_RATINGS_FROZEN = (
    "This round is open: whether the team rates alignment can no longer change, "
    "as team members may already have answered."
)
LINKS_HANDED_OUT = (
    "An anonymous round lets nobody but each respondent hold their link, and the "
    "links of {names} were shown to be handed out: remove them first (printed "
    "codes reach people without email), then make the round anonymous."
)
MANAGERS_INVITED = (
    "A manager cannot answer for the team in an anonymous round: remove {emails} "
    "from the people invited first."
)


def require_not_closed(assessment: Assessment) -> None:
    """Refuse a change that a closed round's final counts cannot take."""
    if assessment.status == Assessment.Status.CLOSED:
        raise ValidationError(ROUND_CLOSED, code="closed")


def response_timestamp(*, anonymous: bool, now: datetime) -> datetime:
    """The time to store on a response or its judgements: no finer than a day in
    anonymous rounds."""
    if anonymous:
        return now.replace(hour=0, minute=0, second=0, microsecond=0)
    return now


@transaction.atomic
def assessment_create(
    *,
    team: Team,
    created_by,
    title: str = "",
    start_from: Assessment | None = None,
    **settings,
) -> Assessment:
    """Start a draft round for a team; from ``start_from``, one of its earlier
    rounds, it takes the settings not given, the vision, people and open
    actions (``services.reassessment``), all in one transaction."""
    if start_from is not None:
        if start_from.team_id != team.pk:
            raise ValueError("A round starts from an earlier round of its own team.")
        # Two managers starting rounds at once copy one after the other.
        Team.objects.select_for_update().filter(pk=team.pk).first()
        settings = {**reassessment.carried_settings(start_from), **settings}
    assessment = Assessment(team=team, created_by=created_by, title=title, **settings)
    assessment.full_clean()
    assessment.save()
    if start_from is not None:
        reassessment.round_copy(source=start_from, target=assessment, user=created_by)
        # Imported here: readiness needs judging, which needs this module.
        from assessments.services.judging import readiness_refresh

        readiness_refresh(assessment_id=assessment.pk)
    return assessment


@transaction.atomic
def assessment_open(
    *, assessment: Assessment, now: datetime | None = None
) -> Assessment:
    """Open a draft round: from now on its privacy settings are frozen. Its
    queued emails go out, its reminders and closing are scheduled, and its
    upkeep comes round every few minutes while it stays open."""
    if assessment.status != Assessment.Status.DRAFT:
        return assessment
    now = now or timezone.now()
    closes_at = assessment.closes_at
    if closes_at is not None and closes_at <= now:
        closes_on = date_format(assessment.closes_on, "j F Y")
        raise ValidationError(
            CLOSES_ON_PASSED.format(date=closes_on), code="closes_on_passed"
        )
    assessment.status = Assessment.Status.OPEN
    assessment.opened_at = now
    assessment.save(update_fields=("status", "opened_at"))
    if assessment.invitations.filter(mail_status=MailStatus.QUEUED).exists():
        mail.deliver_soon(assessment)
    _timetable_enqueue(assessment, now)
    # Imported here: upkeep and the privacy decision need judging, which needs
    # this module.
    from assessments.services.privacy import round_decide
    from assessments.services.upkeep import round_upkeep_schedule

    round_decide(assessment, now=now)
    round_upkeep_schedule(assessment_id=assessment.pk, now=assessment.opened_at)
    return assessment


@transaction.atomic
def assessment_update(
    *,
    assessment: Assessment,
    reply_to: str | None = None,
    **fields,
) -> Assessment:
    """Change a round's settings; its privacy, and whether the team rates
    alignment, only while it is still a draft.

    A changed timetable on an open round is scheduled again; with ``reply_to``
    replies to the automatic reminders reach that address, as for email a
    manager sends."""
    # Read the stored row, locked: the caller's instance may hold form input, and
    # the round may have been opened since the form was shown.
    stored = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if stored.status != Assessment.Status.DRAFT and any(
        fields[name] != getattr(stored, name)
        for name in PRIVACY_FIELDS
        if name in fields
    ):
        raise ValidationError(PRIVACY_FROZEN, code="privacy_frozen")
    if (
        stored.status != Assessment.Status.DRAFT
        and "team_rates_alignment" in fields
        and fields["team_rates_alignment"] != stored.team_rates_alignment
    ):
        raise ValidationError(
            {"team_rates_alignment": TEAM_RATINGS_FROZEN}, code="team_ratings_frozen"
        )
    if fields.get("anonymous") and not stored.anonymous:
        _require_anonymous_invitations(stored)
    retimed = any(
        fields[name] != getattr(stored, name)
        for name in TIMETABLE_FIELDS
        if name in fields
    )
    if retimed and reply_to is not None:
        fields = {**fields, "mail_reply_to": reply_to}
    for name, value in fields.items():
        setattr(stored, name, value)
    stored.full_clean()
    stored.save(update_fields=tuple(fields))
    if retimed and stored.is_open:
        _timetable_enqueue(stored, timezone.now())
    return stored


def _require_anonymous_invitations(assessment: Assessment) -> None:
    """A named draft becoming anonymous has shown no link to its manager (but
    printed codes, which name nobody) and invited none of its managers."""
    invitations = assessment.invitations.live()
    handed_out = list(
        invitations.filter(email="").exclude(name="").values_list("name", flat=True)
    )
    if handed_out:
        raise ValidationError(
            LINKS_HANDED_OUT.format(names=", ".join(handed_out)),
            code="links_handed_out",
        )
    managers = {
        normalized_address(email): email
        for email in assessment.team.managers.values_list("email", flat=True)
    }
    invited = sorted(
        invitations.filter(normalized_email__in=managers).values_list(
            "email", flat=True
        )
    )
    if invited:
        raise ValidationError(
            MANAGERS_INVITED.format(emails=", ".join(invited)),
            code="managers_invited",
        )


@transaction.atomic
def assessment_close(
    *, assessment: Assessment, now: datetime | None = None
) -> Assessment:
    """Close an open round: its links stop working and its counts are final.
    Emails still queued are not sent; every answer still waiting is released,
    whether the round shows its results decided again first."""
    if assessment.status == Assessment.Status.DRAFT:
        raise ValidationError(ROUND_NOT_OPEN, code="not_open")
    if assessment.status == Assessment.Status.OPEN:
        from assessments.services.privacy import round_decide  # as in opening

        assessment.status = Assessment.Status.CLOSED
        assessment.closed_at = now or timezone.now()
        assessment.save(update_fields=("status", "closed_at"))
        mail.mail_cancel(assessment)
        # Imported here: releasing refreshes readiness, which needs this module.
        from assessments.services.release import answers_release

        if not answers_release(assessment, closing=True):
            round_decide(assessment, now=assessment.closed_at)
    return assessment


@transaction.atomic
def assessment_reopen(
    *, assessment: Assessment, reason: str, user, now: datetime | None = None
) -> Assessment:
    """Open a closed round again, with the reason kept on it and in its history,
    unless a later round of the team has opened since.

    Links work again. A closing date that has passed is cleared; no automatic
    reminder goes out again. From now on the round releases no group of answers
    smaller than its minimum, even when it closes again (``release_due``): a
    manager reopening and closing it cannot make the last group at close small.
    """
    now = now or timezone.now()
    stored = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if stored.status != Assessment.Status.CLOSED:
        raise ValidationError(ROUND_NOT_CLOSED, code="not_closed")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": REOPEN_NEEDS_A_REASON}, code="no_reason")
    later = stored.next_round()
    if later is not None:
        raise ValidationError(
            NEXT_ROUND_STARTED.format(round=later), code="next_round_started"
        )
    reopening = RoundReopening(
        assessment=stored,
        reason=reason,
        closed_at=stored.closed_at,
        reopened_at=now,
        reopened_by=user,
    )
    reopening.full_clean()
    reopening.save()
    stored.status = Assessment.Status.OPEN
    stored.closed_at = None
    stored.reopened_at, stored.reopen_reason = now, reason
    fields = ["status", "closed_at", "reopened_at", "reopen_reason"]
    if stored.closes_at is not None and stored.closes_at <= now:
        stored.closes_on = None
        fields.append("closes_on")
    stored.save(update_fields=fields)
    if stored.closes_at is not None:
        mail.enqueue_on_commit("assessment_close_due", stored.pk, at=stored.closes_at)
    from assessments.services.privacy import round_decide  # as in opening
    from assessments.services.upkeep import round_upkeep_schedule

    round_decide(stored, now=now)
    round_upkeep_schedule(assessment_id=stored.pk, now=now)
    for name in ("status", "closed_at", "reopened_at", "reopen_reason", "closes_on"):
        setattr(assessment, name, getattr(stored, name))
    return stored


# --- The round's own timetable ------------------------------------------------------


def _timetable_enqueue(assessment: Assessment, now: datetime) -> None:
    """Enqueue the open round's automatic reminders still to come and its
    closing, each to run when due; none due at or after the closing."""
    closes_at = assessment.closes_at
    for number in range(
        assessment.reminders_sent + 1, len(assessment.remind_after_days) + 1
    ):
        due = assessment.reminder_due_at(number)
        if closes_at is None or due < closes_at:
            mail.enqueue_on_commit("assessment_remind", assessment.pk, number, at=due)
    if closes_at is not None:
        mail.enqueue_on_commit("assessment_close_due", assessment.pk, at=closes_at)


def _reminder_is_due(assessment: Assessment, number: int, now: datetime) -> bool:
    """Whether automatic reminder ``number`` is to go out now: not gone yet, its
    day come but not the next one's (that one goes instead, alone), and the
    round not at its closing."""
    if not assessment.is_open or number <= assessment.reminders_sent:
        return False
    due = assessment.reminder_due_at(number)
    if due is None or due > now:
        return False
    following = assessment.reminder_due_at(number + 1)
    if following is not None and following <= now:
        return False
    closes_at = assessment.closes_at
    return closes_at is None or now < closes_at


@transaction.atomic
def assessment_remind_due(
    *, assessment_id: int, number: int, now: datetime | None = None
) -> int:
    """Queue automatic reminder ``number`` of a round, if it is due, to everyone
    emailed an invitation who has not answered; returns how many. Each number
    goes out once (``reminders_sent``), none after the round closes."""
    now = now or timezone.now()
    assessment = Assessment.objects.select_for_update().filter(pk=assessment_id).first()
    if assessment is None or not _reminder_is_due(assessment, number, now):
        return 0
    assessment.reminders_sent = number
    assessment.save(update_fields=("reminders_sent",))
    waiting = (
        assessment.invitations.filter(
            status=Invitation.Status.PENDING, sent_at__isnull=False
        )
        .exclude(email="")
        .exclude(mail_status__in=(MailStatus.QUEUED, MailStatus.SENDING))
    )
    return mail.mail_queue(
        assessment, mail.not_answered(assessment, waiting), kind=MailKind.REMINDER
    )


@transaction.atomic
def assessment_close_due(*, assessment_id: int, now: datetime | None = None) -> bool:
    """Close an open round whose closing day has come; whether it did."""
    now = now or timezone.now()
    assessment = Assessment.objects.select_for_update().filter(pk=assessment_id).first()
    if assessment is None or not assessment.is_open:
        return False
    closes_at = assessment.closes_at
    if closes_at is None or closes_at > now:
        return False
    assessment_close(assessment=assessment, now=now)
    return True


def assessments_timetable_resume(*, now: datetime | None = None) -> int:
    """Enqueue, now, the closing or reminder of every open round that is overdue;
    returns how many tasks. For a worker starting up: one that died while
    running such a task took it with it; those still queued only run twice,
    doing nothing the second time."""
    now = now or timezone.now()
    count = 0
    rounds = Assessment.objects.open().filter(
        Q(closes_on__isnull=False) | ~Q(remind_after_days=[])
    )
    for assessment in rounds:
        closes_at = assessment.closes_at
        if closes_at is not None and closes_at <= now:
            count += mail.enqueue_on_commit("assessment_close_due", assessment.pk)
            continue
        due = [
            number
            for number in range(
                assessment.reminders_sent + 1, len(assessment.remind_after_days) + 1
            )
            if _reminder_is_due(assessment, number, now)
        ]
        for number in due:
            count += mail.enqueue_on_commit("assessment_remind", assessment.pk, number)
    return count
