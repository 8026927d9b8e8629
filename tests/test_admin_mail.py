"""The admin's side of email and background work: retrying a round's failed
emails, each invitation's email state read-only, and the task list."""

from http import HTTPStatus

import pytest
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from assessments import models, services, tasks
from tests import factories
from tests.admin_pages import admin_url, messages_of, run_action

pytestmark = pytest.mark.django_db


def failed_email(assessment, email):
    return factories.InvitationFactory(
        assessment=assessment,
        email=email,
        mail_status=models.MailStatus.FAILED,
        mail_attempts=6,
        mail_error="550 No such user",
    )


def test_retry_action_queues_the_failed_emails_of_open_rounds(
    admin_client, team, mailoutbox, django_capture_on_commit_callbacks
):
    live = factories.AssessmentFactory(team=team)
    closed = factories.AssessmentFactory(team=team, title="Closed one", closed=True)
    failed_email(live, "sam@example.com")
    failed_email(live, "jo@example.com")
    failed_email(closed, "kim@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(admin_client, "retry_failed_emails", [live, closed])

    assert messages_of(response) == [
        "Trying 2 failed emails again in 1 round.",
        "No emails retried in closed rounds: Closed one.",
    ]
    assert len(mailoutbox) == 2
    assert set(live.invitations.values_list("mail_status", flat=True)) == {
        models.MailStatus.SENT
    }


def test_an_invitations_email_state_is_shown_read_only(admin_client, assessment):
    invitation = failed_email(assessment, "sam@example.com")

    page = admin_client.get(admin_url(models.Invitation, "change", invitation.pk))

    assert page.status_code == HTTPStatus.OK
    form = page.context["adminform"].form
    for name in ("mail_status", "mail_kind", "mail_attempts", "mail_error"):
        assert name not in form.fields
    assert "550 No such user" in page.content.decode()


def test_the_task_list_shows_what_each_task_is_doing(admin_client, assessment):
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    ):
        tasks.invitations_deliver.enqueue(assessment.pk)
    DBTaskResult.objects.update(
        status="FAILED",
        worker_ids=["one", "two"],
        exception_class_path="smtplib.SMTPServerDisconnected",
    )

    page = admin_client.get(admin_url(DBTaskResult, "changelist"))

    assert page.status_code == HTTPStatus.OK
    html = page.content.decode()
    for shown in ("invitations_deliver", "Failed", "SMTPServerDisconnected"):
        assert shown in html
    [row] = page.context["cl"].result_list
    admin = page.context["cl"].model_admin
    assert (admin.attempts(row), admin.args(row)) == (2, str(assessment.pk))


def test_a_rounds_timetable_is_shown_read_only(admin_client, assessment):
    services.assessment_update(assessment=assessment, remind_after_days=[3, 7])

    page = admin_client.get(admin_url(models.Assessment, "change", assessment.pk))

    assert page.status_code == HTTPStatus.OK
    assert "remind_after_days" not in page.context["adminform"].form.fields
    assert "[3, 7]" in page.content.decode()
