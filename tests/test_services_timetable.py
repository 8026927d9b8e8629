"""A round's own timetable: automatic reminders on set days after opening, to
those emailed an invitation who have not answered, each once, none after the
round closes; and closing itself on a set day. Tasks are enqueued to run when
due and check again when they run."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments import links, services
from assessments.models import Assessment, Invitation, MailKind, MailStatus
from assessments.services import mail
from tests.factories import InvitationFactory

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Ahead of the clock, so that tasks due from then on are deferred.
OPENED = datetime(2031, 3, 3, 9, 30, tzinfo=timezone.get_current_timezone())
ANSWERS = {"vision": "Fix it first time.", "meaning": "No second call."}


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_TASKS


def scheduled() -> list[tuple[str, list, datetime]]:
    """The round's timetable as queued: reminders and closing, not its upkeep."""
    return [
        (task.task_path.rsplit(".", 1)[1], task.args_kwargs["args"], task.run_after)
        for task in DBTaskResult.objects.exclude(
            task_path="assessments.tasks.round_upkeep"
        ).order_by("run_after", "task_path")
    ]


def open_round(team, *, days=(), closes_on=None) -> Assessment:
    assessment = services.assessment_create(team=team, created_by=None)
    assessment.remind_after_days = list(days)
    assessment.closes_on = closes_on
    assessment.save()
    return services.assessment_open(assessment=assessment, now=OPENED)


def emailed(assessment, email, **fields) -> Invitation:
    return InvitationFactory(
        assessment=assessment,
        email=email,
        **{"sent_at": OPENED, "mail_status": MailStatus.SENT, **fields},
    )


def remind(assessment, number, now) -> int:
    return services.assessment_remind_due(
        assessment_id=assessment.pk, number=number, now=now
    )


# --- Scheduling -----------------------------------------------------------------------


def test_opening_a_round_schedules_its_reminders_and_its_closing(
    team, database_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assessment = open_round(team, days=(3, 7), closes_on=date(2031, 3, 20))

    closing = datetime(2031, 3, 20, tzinfo=timezone.get_current_timezone())
    assert scheduled() == [
        ("assessment_remind", [assessment.pk, 1], OPENED + timedelta(days=3)),
        ("assessment_remind", [assessment.pk, 2], OPENED + timedelta(days=7)),
        ("assessment_close_due", [assessment.pk], closing),
    ]


def test_no_reminder_is_scheduled_at_or_after_the_closing(
    team, database_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        open_round(team, days=(3, 7), closes_on=date(2031, 3, 9))

    assert [(name, args[1:]) for name, args, _ in scheduled()] == [
        ("assessment_remind", [1]),
        ("assessment_close_due", []),
    ]


def test_changing_an_open_rounds_timetable_schedules_it_again(
    team, manager, database_tasks, django_capture_on_commit_callbacks
):
    assessment = open_round(team)

    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_update(
            assessment=assessment,
            reply_to=manager.email,
            remind_after_days=[5],
        )
        services.assessment_update(assessment=assessment, title="Renamed")

    assert scheduled() == [
        ("assessment_remind", [assessment.pk, 1], OPENED + timedelta(days=5))
    ]
    assessment.refresh_from_db()
    assert assessment.mail_reply_to == manager.email


def test_a_draft_is_scheduled_only_when_it_opens(
    draft_round, database_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_update(assessment=draft_round, remind_after_days=[3])

    assert scheduled() == []


def test_a_round_whose_closing_day_has_come_cannot_open(draft_round):
    draft_round.closes_on = date(2031, 3, 3)
    draft_round.save()

    with pytest.raises(ValidationError) as caught:
        services.assessment_open(assessment=draft_round, now=OPENED)

    assert caught.value.messages == [
        services.CLOSES_ON_PASSED.format(date="3 March 2031")
    ]


# --- Reminders ------------------------------------------------------------------------


def test_a_reminder_goes_to_those_emailed_who_have_not_answered(team, mailoutbox):
    assessment = open_round(team, days=(3,))
    waiting = emailed(assessment, "waiting@example.com")
    emailed(assessment, "done@example.com", status=Invitation.Status.RESPONDED)
    InvitationFactory(assessment=assessment, email="copied@example.com")  # by hand
    InvitationFactory(assessment=assessment, email="")
    due = OPENED + timedelta(days=3)

    assert remind(assessment, 1, due - timedelta(minutes=1)) == 0
    assert remind(assessment, 1, due) == 1

    after = Invitation.objects.get(pk=waiting.pk)
    assert (after.mail_status, after.mail_kind) == (
        MailStatus.QUEUED,
        MailKind.REMINDER,
    )
    assessment.refresh_from_db()
    assert assessment.reminders_sent == 1


def test_a_reminder_skips_those_whose_answers_wait_for_their_release(team):
    """An anonymous answer marks its invitation answered only when it is
    released; until then its link's key says the person has answered."""
    assessment = open_round(team, days=(3,))
    waiting = emailed(assessment, "waiting@example.com")
    answered = emailed(assessment, "answered@example.com")
    services.response_submit(
        link=links.link_lookup(answered.token), token=answered.token, answers=ANSWERS
    )

    assert remind(assessment, 1, OPENED + timedelta(days=3)) == 1

    queued = Invitation.objects.filter(mail_kind=MailKind.REMINDER)
    assert list(queued.values_list("pk", flat=True)) == [waiting.pk]


def test_a_reminder_goes_out_once_however_often_its_task_runs(team):
    assessment = open_round(team, days=(3,))
    emailed(assessment, "waiting@example.com")
    due = OPENED + timedelta(days=3)

    assert remind(assessment, 1, due) == 1
    Invitation.objects.update(mail_status=MailStatus.SENT)
    assert remind(assessment, 1, due + timedelta(hours=1)) == 0


def test_overdue_reminders_go_out_as_one(team):
    assessment = open_round(team, days=(3, 7))
    emailed(assessment, "waiting@example.com")
    late = OPENED + timedelta(days=8)

    assert remind(assessment, 1, late) == 0
    assert remind(assessment, 2, late) == 1
    assert remind(assessment, 1, late) == 0


def test_no_reminder_once_the_round_is_closed_or_due_to_close(team):
    closing = open_round(team, days=(3,), closes_on=date(2031, 3, 5))
    emailed(closing, "waiting@example.com")
    closed = open_round(team, days=(3,))
    emailed(closed, "gone@example.com")
    services.assessment_close(assessment=closed, now=OPENED + timedelta(days=1))

    assert remind(closing, 1, OPENED + timedelta(days=3)) == 0
    assert remind(closed, 1, OPENED + timedelta(days=3)) == 0


def test_a_reminder_waits_for_email_already_on_its_way(team):
    assessment = open_round(team, days=(3,))
    emailed(assessment, "busy@example.com", mail_status=MailStatus.SENDING)

    assert remind(assessment, 1, OPENED + timedelta(days=3)) == 0


def test_a_reminder_moved_later_is_not_sent_by_the_earlier_task(team):
    assessment = open_round(team, days=(3,))
    emailed(assessment, "waiting@example.com")
    services.assessment_update(assessment=assessment, remind_after_days=[5])

    assert remind(assessment, 1, OPENED + timedelta(days=3)) == 0
    assert remind(assessment, 1, OPENED + timedelta(days=5)) == 1


# --- Closing on a date ----------------------------------------------------------------


def test_a_round_closes_itself_as_its_closing_day_begins(team):
    assessment = open_round(team, closes_on=date(2031, 3, 9))
    queued = InvitationFactory(
        assessment=assessment,
        email="late@example.com",
        **mail.queued_fields(MailKind.REMINDER),
    )
    midnight = datetime(2031, 3, 9, tzinfo=timezone.get_current_timezone())

    def close(now):
        return services.assessment_close_due(assessment_id=assessment.pk, now=now)

    assert close(midnight - timedelta(seconds=1)) is False
    assert close(midnight) is True
    assert close(midnight + timedelta(hours=1)) is False

    assessment.refresh_from_db()
    assert (assessment.status, assessment.closed_at) == ("closed", midnight)
    assert Invitation.objects.get(pk=queued.pk).mail_status == MailStatus.FAILED


def test_a_closing_date_moved_later_does_not_close_it_early(team):
    assessment = open_round(team, closes_on=date(2031, 3, 9))
    services.assessment_update(assessment=assessment, closes_on=date(2031, 3, 16))

    assert not services.assessment_close_due(
        assessment_id=assessment.pk,
        now=datetime(2031, 3, 9, 1, tzinfo=timezone.get_current_timezone()),
    )


# --- A worker starting up -------------------------------------------------------------


def test_a_starting_worker_enqueues_what_is_overdue(
    team, database_tasks, django_capture_on_commit_callbacks
):
    overdue_close = open_round(team, closes_on=date(2031, 3, 5))
    overdue_reminder = open_round(team, days=(3, 7))
    open_round(team, days=(30,))  # not due: its task is still queued
    now = OPENED + timedelta(days=4)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.assessments_timetable_resume(now=now) == 2

    assert sorted((name, args) for name, args, _ in scheduled()) == [
        ("assessment_close_due", [overdue_close.pk]),
        ("assessment_remind", [overdue_reminder.pk, 1]),
    ]
