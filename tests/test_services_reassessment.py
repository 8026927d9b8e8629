"""Re-assessment: a new round starts from the team's previous one (settings,
vision and key ideas, people as new unsent invitations, open actions), in one
transaction; and the managers are emailed once when the commitment's
re-assessment date comes, unless a newer round has started."""

import threading
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments import services, tokens
from assessments.models import (
    ActionItem,
    Assessment,
    Commitment,
    Invitation,
    MailStatus,
    Response,
    Vision,
)
from assessments.services import reassessment
from tests.factories import (
    ActionItemFactory,
    AssessmentFactory,
    CommitmentFactory,
    InvitationFactory,
    ResponseFactory,
    TeamFactory,
    UserFactory,
    VisionFactory,
)
from tests.smtp import Collector, smtp_mailers, smtp_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def previous(team):
    """A closed named round with a confirmed vision, tuned settings, people and
    actions, one of them done."""
    round_ = AssessmentFactory(
        team=team,
        closed=True,
        anonymous=False,
        min_group_for_scores=2,
        min_group_for_verbatims=4,
        ready_engaged_share=0.7,
        ready_min_respondents=4,
        ready_min_participation=0.5,
        team_rates_alignment=True,
        remind_after_days=[3, 7],
        closes_on=timezone.localdate() - timedelta(days=1),
    )
    VisionFactory(assessment=round_, confirmed=True)
    return round_


def start(team, manager, previous, **settings):
    return services.assessment_create(
        team=team, created_by=manager, start_from=previous, **settings
    )


def test_a_new_round_takes_the_previous_rounds_settings_but_not_its_dates(
    team, manager, previous
):
    new = start(team, manager, previous)

    assert new.status == Assessment.Status.DRAFT
    assert {name: getattr(new, name) for name in services.CARRIED_SETTINGS} == {
        "anonymous": False,
        "min_group_for_scores": 2,
        "min_group_for_verbatims": 4,
        "ready_engaged_share": 0.7,
        "ready_min_respondents": 4,
        "ready_min_participation": 0.5,
        "team_rates_alignment": True,
        "remind_after_days": [3, 7],
    }
    assert new.closes_on is None
    assert new.title == ""
    assert new.reminders_sent == 0


def test_settings_given_win_over_the_previous_rounds(team, manager, previous):
    new = start(team, manager, previous, team_rates_alignment=False, title="Autumn")

    assert new.team_rates_alignment is False
    assert new.title == "Autumn"
    assert new.min_group_for_verbatims == 4  # from the previous round


def test_the_vision_and_its_confirmed_key_ideas_come_along_and_stay_editable(
    team, manager, previous
):
    new = start(team, manager, previous)

    vision, old = (
        Vision.objects.get(assessment=new),
        Vision.objects.get(assessment=previous),
    )
    assert vision.statement == old.statement
    assert vision.has_vision is True
    assert vision.key_ideas == old.key_ideas
    assert not vision.ideas_to_check
    assert vision.pk != old.pk

    services.vision_update(
        vision=vision,
        revision=vision.revision,
        statement="Every customer leaves with a plan.",
        has_vision=True,
        user=manager,
    )
    old.refresh_from_db()
    assert old.statement.startswith("We fix each customer's problem")


def test_people_come_as_new_unsent_invitations_with_nothing_of_their_answers(
    team, manager, previous
):
    answered = InvitationFactory(
        assessment=previous,
        name="Sam Lee",
        email="sam@example.com",
        status=Invitation.Status.RESPONDED,
        sent_at=timezone.now(),
        mail_status=MailStatus.SENT,
        link_used=True,
    )
    ResponseFactory(assessment=previous, invitation=answered)
    InvitationFactory(assessment=previous, name="Jo Park", email="jo@example.com")
    InvitationFactory(assessment=previous, name="Kim without email", email="")
    InvitationFactory(
        assessment=previous,
        name="Left",
        email="left@example.com",
        status=Invitation.Status.REVOKED,
    )
    InvitationFactory(assessment=previous, name="", email="")  # a printed code

    new = start(team, manager, previous)

    copied = list(new.invitations.order_by("pk"))
    assert [(i.name, i.email) for i in copied] == [
        ("Sam Lee", "sam@example.com"),
        ("Jo Park", "jo@example.com"),
        ("Kim without email", ""),
    ]
    old_hashes = set(previous.invitations.values_list("token_hash", flat=True))
    for invitation in copied:
        assert invitation.status == Invitation.Status.PENDING
        assert invitation.mail_status == MailStatus.NONE
        assert invitation.sent_at is None
        assert not invitation.link_used
        assert invitation.token_hash not in old_hashes
        assert invitation.token_hash != tokens.invitation_hash("")
    assert not Response.objects.filter(assessment=new).exists()


def test_an_anonymous_round_copies_who_was_invited_never_who_answered(team, manager):
    previous = AssessmentFactory(team=team, closed=True, anonymous=True)
    emails = [f"person{n}@example.com" for n in range(6)]
    for n, email in enumerate(emails):
        status = Invitation.Status.RESPONDED if n % 2 else Invitation.Status.PENDING
        InvitationFactory(assessment=previous, name="", email=email, status=status)
    team.managers.add(UserFactory(email="Lead@Example.com"))
    InvitationFactory(assessment=previous, name="", email="lead@example.com")

    new = start(team, manager, previous)

    copied = list(new.invitations.order_by("pk").values())
    assert [row["email"] for row in copied] == emails  # no manager, same order
    # Whether each answered left no trace: every copied row reads alike.
    state = {
        name: {row[name] for row in copied}
        for name in (
            "name",
            "status",
            "sent_at",
            "reminded_at",
            "link_used",
            "mail_status",
            "mail_kind",
            "mail_attempts",
            "mail_error",
            "mail_retry_at",
        )
    }
    assert all(len(values) == 1 for values in state.values()), state


def test_an_anonymous_round_started_from_a_named_one_leaves_out_people_without_email(
    team, manager, previous
):
    InvitationFactory(assessment=previous, name="Sam", email="sam@example.com")
    InvitationFactory(assessment=previous, name="Kim", email="")

    new = start(
        team,
        manager,
        previous,
        anonymous=True,
        min_group_for_scores=3,
        min_group_for_verbatims=5,
    )

    assert list(new.invitations.values_list("name", flat=True)) == ["Sam"]


def test_open_actions_carry_over_with_their_owners_and_done_ones_stay_behind(
    team, manager, previous
):
    due = timezone.localdate() + timedelta(days=10)
    open_action = ActionItemFactory(
        assessment=previous, title="Weekly call review", owner="Priya", due_on=due
    )
    undated = ActionItemFactory(
        assessment=previous, title="Knowledge base 🚀 <b>", owner="", due_on=None
    )
    ActionItemFactory(
        assessment=previous, title="Done already", done_on=timezone.localdate()
    )

    new = start(team, manager, previous)

    carried = list(new.actions.order_by("pk"))
    assert [
        (a.title, a.owner, a.due_on, a.done_on, a.carried_from_id) for a in carried
    ] == [
        ("Weekly call review", "Priya", due, None, open_action.pk),
        ("Knowledge base 🚀 <b>", "", None, None, undated.pk),
    ]
    assert [a.history.count() for a in carried] == [1, 1]
    assert previous.actions.count() == 3
    assert list(open_action.carried_to.all()) == carried[:1]


def test_starting_empty_copies_nothing(team, manager, previous):
    InvitationFactory(assessment=previous, email="sam@example.com")
    ActionItemFactory(assessment=previous)

    new = services.assessment_create(team=team, created_by=manager)

    assert new.vision.statement == ""
    assert not new.invitations.exists()
    assert not new.actions.exists()
    assert new.remind_after_days == []


def test_a_round_starts_only_from_its_own_teams(manager, previous):
    other = TeamFactory(managers=[manager])

    with pytest.raises(ValueError, match="its own team"):
        start(other, manager, previous)
    assert not other.assessments.exists()


def test_a_copy_that_fails_half_way_leaves_no_round(
    team, manager, previous, monkeypatch
):
    InvitationFactory(assessment=previous, email="sam@example.com")
    ActionItemFactory(assessment=previous)

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(reassessment, "bulk_create_with_history", broken)
    with pytest.raises(RuntimeError):
        start(team, manager, previous)

    assert list(team.assessments.all()) == [previous]
    assert Invitation.objects.count() == 1
    assert ActionItem.objects.count() == 1


def test_the_latest_round_that_opened_is_the_one_to_start_from(team):
    assert team.latest_opened_round() is None
    first = AssessmentFactory(team=team, closed=True)
    assert team.latest_opened_round() == first
    second = AssessmentFactory(team=team)
    AssessmentFactory(team=team, draft=True)
    assert team.latest_opened_round() == second


# --- The reminder ----------------------------------------------------------------

TODAY = timezone.localdate()


def commitment_of(round_, **fields) -> Commitment:
    return CommitmentFactory(assessment=round_, **fields)


def reminders_queued() -> list:
    return [
        (row.args_kwargs["args"], row.run_after)
        for row in DBTaskResult.objects.filter(
            task_path="assessments.tasks.reassessment_remind"
        ).order_by("run_after")
    ]


def save_date(commitment, manager, day):
    services.commitment_update(
        commitment=commitment,
        revision=commitment.revision,
        user=manager,
        reassess_on=day,
    )


def test_setting_the_date_schedules_the_reminder_for_that_day(
    team, manager, task_queue, django_capture_on_commit_callbacks
):
    commitment = commitment_of(AssessmentFactory(team=team), reassess_on=None)
    day = TODAY + timedelta(days=90)

    with django_capture_on_commit_callbacks(execute=True):
        save_date(commitment, manager, day)

    midnight = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    assert reminders_queued() == [([commitment.pk], midnight)]


def test_changing_the_date_schedules_it_again_and_resets_a_sent_reminder(
    team, manager, task_queue, django_capture_on_commit_callbacks
):
    commitment = commitment_of(AssessmentFactory(team=team), reassess_on=TODAY)
    Commitment.objects.filter(pk=commitment.pk).update(
        reassess_reminded_at=timezone.now()
    )
    commitment.refresh_from_db()
    later = TODAY + timedelta(days=30)

    with django_capture_on_commit_callbacks(execute=True):
        save_date(commitment, manager, later)
        commitment.refresh_from_db()
        save_date(commitment, manager, later)  # the same date again: nothing new
        commitment.refresh_from_db()
        services.commitment_update(
            commitment=commitment,
            revision=commitment.revision,
            user=manager,
            owner="Someone else",
        )

    commitment.refresh_from_db()
    assert commitment.reassess_reminded_at is None
    assert [args for args, _ in reminders_queued()] == [[commitment.pk]]


def test_clearing_the_date_schedules_nothing(
    team, manager, task_queue, django_capture_on_commit_callbacks
):
    commitment = commitment_of(AssessmentFactory(team=team), reassess_on=TODAY)

    with django_capture_on_commit_callbacks(execute=True):
        save_date(commitment, manager, None)

    assert reminders_queued() == []


def test_each_manager_is_emailed_once_through_the_mail_server(team, manager, settings):
    co_manager = UserFactory(email="co@example.com")
    team.managers.add(co_manager)
    team.name = "Support\nNorth"
    team.save()
    commitment = commitment_of(
        AssessmentFactory(team=team, closed=True, title="Spring"), reassess_on=TODAY
    )

    collector = Collector()
    with smtp_server(collector) as port:
        settings.MAILERS = smtp_mailers(port)
        assert services.reassessment_remind_due(commitment_id=commitment.pk) == 2
        assert services.reassessment_remind_due(commitment_id=commitment.pk) == 0

    received = collector.by_recipient()
    assert sorted(received) == sorted([manager.email, "co@example.com"])
    for [message] in received.values():
        assert message["Subject"] == "Time to re-assess Support North"
        body = message.get_content()
        assert f"{settings.SITE_URL}/teams/{team.pk}/rounds/new/" in body
        assert "Spring" in body
    commitment.refresh_from_db()
    assert commitment.reassess_reminded_at is not None


def test_a_refused_message_marks_nothing_so_the_reminder_can_run_again(team, settings):
    commitment = commitment_of(AssessmentFactory(team=team), reassess_on=TODAY)
    collector = Collector(refuse_data=1)

    with smtp_server(collector) as port:
        settings.MAILERS = smtp_mailers(port)
        with pytest.raises(OSError, match="Mailbox busy"):
            services.reassessment_remind_due(commitment_id=commitment.pk)
        commitment.refresh_from_db()
        assert commitment.reassess_reminded_at is None
        assert services.reassessment_remind_due(commitment_id=commitment.pk) == 1

    assert collector.count() == 1


def test_no_reminder_before_the_day_without_a_date_or_once_a_newer_round_started(
    team, manager, mailoutbox
):
    tomorrow = commitment_of(
        AssessmentFactory(team=team), reassess_on=TODAY + timedelta(days=1)
    )
    undated = commitment_of(AssessmentFactory(team=team), reassess_on=None)
    superseded = commitment_of(AssessmentFactory(team=team), reassess_on=TODAY)
    services.assessment_create(team=team, created_by=manager)

    for commitment in (tomorrow, undated, superseded):
        assert services.reassessment_remind_due(commitment_id=commitment.pk) == 0
    assert services.reassessment_remind_due(commitment_id=0) == 0
    assert mailoutbox == []


def test_a_team_without_managers_is_not_emailed(mailoutbox):
    commitment = commitment_of(AssessmentFactory(), reassess_on=TODAY)

    assert services.reassessment_remind_due(commitment_id=commitment.pk) == 0
    assert mailoutbox == []


def test_the_task_sends_the_reminder_when_a_worker_runs_it(
    team, manager, task_queue, mailoutbox, django_capture_on_commit_callbacks
):
    commitment_of(AssessmentFactory(team=team), reassess_on=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        services.reassessments_resume()

    assert task_queue.run() == ["reassessment_remind"]
    assert task_queue.run() == []

    [message] = mailoutbox
    assert message.to == [manager.email]
    assert message.subject == f"Time to re-assess {team.name}"


def test_a_starting_worker_enqueues_every_reminder_due_and_unsent(
    team, manager, task_queue, django_capture_on_commit_callbacks
):
    due = commitment_of(AssessmentFactory(team=team), reassess_on=TODAY)
    other_team = TeamFactory(managers=[manager])
    commitment_of(
        AssessmentFactory(team=other_team), reassess_on=TODAY + timedelta(days=3)
    )
    sent = commitment_of(
        AssessmentFactory(team=TeamFactory()), reassess_on=TODAY - timedelta(days=2)
    )
    Commitment.objects.filter(pk=sent.pk).update(reassess_reminded_at=timezone.now())
    earlier_team = TeamFactory()
    commitment_of(AssessmentFactory(team=earlier_team), reassess_on=TODAY)
    AssessmentFactory(team=earlier_team, draft=True)  # a newer round started

    with django_capture_on_commit_callbacks(execute=True):
        assert services.reassessments_resume() == 1

    assert task_queue.queued() == [("reassessment_remind", {})]
    assert [args for args, _ in reminders_queued()] == [[due.pk]]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_managers_starting_at_once_each_get_a_whole_copy():
    """The team's row is locked while a round copies: both finish, each with
    every person and open action, none half-copied."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes one writer at a time: threads only queue")
    first, second = UserFactory(), UserFactory()
    team = TeamFactory(managers=[first, second])
    previous = AssessmentFactory(team=team, closed=True, anonymous=False)
    for n in range(40):
        InvitationFactory(assessment=previous, email=f"p{n}@example.com")
    for _ in range(5):
        ActionItemFactory(assessment=previous)
    barrier = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []

    def start_at_once(user):
        try:
            barrier.wait()
            services.assessment_create(team=team, created_by=user, start_from=previous)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=start_at_once, args=(u,)) for u in (first, second)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    started = team.assessments.exclude(pk=previous.pk)
    assert sorted(a.created_by_id for a in started) == sorted([first.pk, second.pk])
    for new in started:
        assert new.invitations.count() == 40
        assert new.actions.count() == 5


def test_an_administrators_new_date_schedules_the_reminder_too(
    team, superuser, task_queue, django_capture_on_commit_callbacks
):
    commitment = commitment_of(AssessmentFactory(team=team), reassess_on=None)
    day = TODAY + timedelta(days=14)

    with django_capture_on_commit_callbacks(execute=True):
        services.step_row_revise(
            row=commitment,
            revision=commitment.revision,
            values={"reassess_on": day},
            user=superuser,
        )

    assert [args for args, _ in reminders_queued()] == [[commitment.pk]]
