"""Anonymous rounds in the admin, for every administrator: staff who may only
view, and superusers alike see no id or order that follows answering, filter
by nothing that numbers or dates answers, see nothing of who answered or was
reminded, and read and export only what the round's managers may."""

from http import HTTPStatus

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from assessments import models, services
from tests import factories
from tests.admin_pages import admin_url, messages_of, run_action
from tests.samples import ENGAGED, TEAM_VISION, rounds_too_close
from tests.samples import submit as answer

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["viewer", "superuser"])
def administrator(request, db):
    """Staff allowed to view the app's models, and nothing else; or a superuser."""
    if request.param == "superuser":
        user = factories.UserFactory(is_staff=True, is_superuser=True)
    else:
        user = factories.UserFactory(is_staff=True)
        user.user_permissions.set(
            Permission.objects.filter(
                content_type__app_label="assessments", codename__startswith="view_"
            )
        )
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def anonymous_round(assessment):
    """An anonymous round big enough to quote answers."""
    factories.VisionFactory(assessment=assessment, statement=TEAM_VISION)
    for _ in range(5):
        answer(assessment, ENGAGED)
    return assessment


def listed(page) -> list:
    return list(page.context["cl"].result_list)


def columns(page) -> list[str]:
    """The list's columns, without the checkbox only those with actions have."""
    return [c for c in page.context["cl"].list_display if c != "action_checkbox"]


# --- Answers and judgements ---------------------------------------------------------


def test_answers_show_no_id_and_come_in_pseudonym_order(administrator, anonymous_round):
    page = administrator.get(admin_url(models.Response, "changelist"))

    assert page.status_code == HTTPStatus.OK
    assert columns(page) == [
        "respondent",
        "assessment",
        "engaged",
        "received",
    ]
    keys = [response.respondent_key for response in listed(page)]
    assert keys == sorted(keys)
    text = page.content.decode()
    for response in anonymous_round.responses.all():
        assert f"Response {response.pk}<" not in text


def test_judgements_show_no_id_and_come_in_pseudonym_order(
    administrator, anonymous_round
):
    page = administrator.get(admin_url(models.AnswerJudgement, "changelist"))

    assert page.status_code == HTTPStatus.OK
    assert columns(page)[0] == "respondent"
    order = [(j.response.respondent_key, j.question_key) for j in listed(page)]
    assert order == sorted(order)
    text = page.content.decode()
    for response in anonymous_round.responses.all():
        assert f"What is the customer service vision? ({response.pk})" not in text


@pytest.mark.parametrize(
    ("model", "query"),
    [
        (models.Response, "id__gt=0"),
        (models.Response, "pk__in=1,2"),
        (models.Response, "created_at__gte=2020-01-01"),
        (models.Response, "updated_at__date=2026-01-01"),
        (models.Response, "invitation__isnull=false"),
        (models.Response, "judgements__id__gt=0"),
        (models.AnswerJudgement, "id__gt=0"),
        (models.AnswerJudgement, "response__gt=0"),
        (models.AnswerJudgement, "response__id__gt=0"),
        (models.AnswerJudgement, "response=1"),
        (models.AnswerJudgement, "scored_at__gte=2020-01-01"),
        (models.AnswerJudgement, "scored_at__date=2026-01-01"),
        (models.AnswerJudgement, "overridden_at__isnull=true"),
    ],
)
def test_answers_cannot_be_filtered_by_ids_or_times(
    administrator, anonymous_round, model, query
):
    page = administrator.get(admin_url(model, "changelist") + "?" + query)

    assert page.status_code == HTTPStatus.BAD_REQUEST


@pytest.mark.parametrize(
    ("model", "sorted_by"),
    [
        (models.Response, ("assessment", "engaged")),
        (models.AnswerJudgement, ("clear", "consistent")),
    ],
    ids=["answers", "judgements"],
)
def test_a_sort_on_a_column_breaks_its_ties_by_pseudonym(
    administrator, anonymous_round, model, sorted_by
):
    def key(row):
        if model is models.Response:
            return row.respondent_key
        return (row.response.respondent_key, row.question_key)

    changelist = admin_url(model, "changelist")
    shown = list(administrator.get(changelist).context["cl"].list_display)
    for name in sorted_by:  # every answer engaged, clear and consistent: all tie
        page = administrator.get(f"{changelist}?o={shown.index(name)}")

        order = [key(row) for row in listed(page)]
        assert order == sorted(order), name


def test_answers_of_a_round_below_its_minimum_group_are_out_of_reach(
    administrator, assessment
):
    response = answer(assessment, ENGAGED)
    judgement = response.judgements.first()

    responses = administrator.get(admin_url(models.Response, "changelist"))
    judgements = administrator.get(admin_url(models.AnswerJudgement, "changelist"))
    pages = [
        administrator.get(admin_url(models.Response, "change", response.pk)),
        administrator.get(admin_url(models.AnswerJudgement, "change", judgement.pk)),
    ]
    history = administrator.get(admin_url(models.Response, "history", response.pk))

    assert listed(responses) == listed(judgements) == []
    assert {page.status_code for page in pages} == {HTTPStatus.FOUND}
    assert history.status_code == HTTPStatus.NOT_FOUND


def test_an_answers_history_names_nobody_who_gave_it_and_links_to_no_one(
    administrator, manager, staff, anonymous_round
):
    response = factories.ResponseFactory(assessment=anonymous_round)
    # As if its author had been signed in when answering.
    response.history.update(history_user=manager)
    services.response_correct(
        response=response, answers={**ENGAGED, "meaning": "Corrected."}
    )
    response.history.filter(history_type="~").update(history_user=staff)

    page = administrator.get(admin_url(models.Response, "history", response.pk))

    text = page.content.decode()
    assert page.status_code == HTTPStatus.OK
    assert manager.email not in text
    assert staff.email in text  # who corrected it, named
    for user in (manager, staff):
        assert f"/admin/accounts/user/{user.pk}/" not in text


# --- A withheld round ---------------------------------------------------------------


def test_a_withheld_round_shows_no_engaged_share_and_exports_nothing(
    administrator, team
):
    shown, withheld = rounds_too_close(team)

    rounds = administrator.get(admin_url(models.Assessment, "changelist"))
    change = administrator.get(admin_url(models.Assessment, "change", withheld.pk))
    export = run_action(administrator, "export_answers", [shown, withheld])

    shares = {row.pk: row.share_engaged for row in listed(rounds)}
    assert shares == {shown.pk: 1.0, withheld.pk: None}
    text = change.content.decode()
    assert "engaged: 100%" not in text
    assert ENGAGED["meaning"] not in text
    assert messages_of(export) == [
        f"Nothing was exported. {withheld}: {withheld.withheld_reason}"
    ]
    assert not listed(
        administrator.get(
            admin_url(models.Response, "changelist")
            + f"?assessment__id__exact={withheld.pk}"
        )
    )


# --- Invitations --------------------------------------------------------------------


@pytest.fixture
def invitations(team):
    """An anonymous round's invitations, one answered, one reminded; and a named
    round's, one answered."""
    anonymous = factories.AssessmentFactory(team=team, title="Hush")
    named = factories.AssessmentFactory(team=team, title="Open book", anonymous=False)
    reminded = factories.InvitationFactory(
        assessment=anonymous,
        name="Quinn Reminded",
        email="quinn@example.com",
        sent_at=timezone.now(),
        reminded_at=timezone.now(),
        mail_kind=models.MailKind.REMINDER,
        mail_status=models.MailStatus.SENT,
    )
    answered = factories.InvitationFactory(
        assessment=anonymous, name="Ada Answered", status="responded"
    )
    named_answered = factories.InvitationFactory(
        assessment=named, name="Nia Named", status="responded"
    )
    return reminded, answered, named_answered


def test_an_anonymous_rounds_invitations_tell_nothing_of_who_answered(
    administrator, invitations
):
    reminded, answered, named_answered = invitations

    page = administrator.get(admin_url(models.Invitation, "changelist"))

    assert page.status_code == HTTPStatus.OK
    admin = page.context["cl"].model_admin
    rows = {row.pk: row for row in listed(page)}
    assert admin.answered(rows[answered.pk]) is None
    assert admin.answered(rows[reminded.pk]) is None
    assert admin.answered(rows[named_answered.pk]) == "Answered"
    assert admin.latest_email(rows[reminded.pk]) is None
    assert "Reminder" not in page.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "status__exact=responded",
        "status=pending",
        "mail_kind__exact=reminder",
        "reminded_at__isnull=False",
        "mail_status__exact=sent",
        "response__isnull=True",
    ],
)
def test_invitations_cannot_be_filtered_by_answering_or_reminders(
    administrator, invitations, query
):
    page = administrator.get(admin_url(models.Invitation, "changelist") + "?" + query)

    assert page.status_code == HTTPStatus.BAD_REQUEST


def test_the_answered_filter_covers_named_rounds_only(administrator, invitations):
    *_, named_answered = invitations

    for value in ("yes", "no"):
        page = administrator.get(
            admin_url(models.Invitation, "changelist") + f"?answered={value}"
        )
        expected = [named_answered.pk] if value == "yes" else []
        assert [row.pk for row in listed(page)] == expected
    sent = administrator.get(admin_url(models.Invitation, "changelist") + "?email=sent")
    assert listed(sent) == []  # the only email sent was a reminder


def test_an_anonymous_invitations_page_shows_no_answer_or_reminder(
    administrator, invitations
):
    reminded, *_ = invitations

    page = administrator.get(admin_url(models.Invitation, "change", reminded.pk))

    text = page.content.decode()
    assert page.status_code == HTTPStatus.OK
    for field in ("status", "reminded_at", "mail_kind", "mail_status"):
        assert f"field-{field}" not in text
    assert "field-sent_at" in text


def test_an_administrator_cannot_add_a_second_invitation_for_one_person(
    admin_client, invitations
):
    person, *_ = invitations
    change = admin_url(models.Invitation, "change", person.pk)
    edited = admin_client.post(
        change,
        {"assessment": person.assessment_id, "email": "someone.else@example.com"},
    )

    assert admin_client.get(admin_url(models.Invitation, "add")).status_code == (
        HTTPStatus.FORBIDDEN
    )
    assert edited.status_code == HTTPStatus.FOUND
    person.refresh_from_db()
    assert person.email != "someone.else@example.com"


# --- Query counts -------------------------------------------------------------------


@pytest.mark.parametrize("answers", [5, 30])
@pytest.mark.parametrize(
    ("model", "rows_per_answer"),
    [(models.Response, 1), (models.AnswerJudgement, 3), (models.Invitation, 1)],
    ids=["answers", "judgements", "invitations"],
)
def test_the_lists_run_a_fixed_number_of_queries(
    admin_client, assessment, django_assert_num_queries, answers, model, rows_per_answer
):
    """Session, user, the two counts and the rows, however many answers and
    invitations: guards against one query per row."""
    factories.VisionFactory(assessment=assessment, statement=TEAM_VISION)
    for _ in range(answers):
        answer(assessment, ENGAGED)
    url = admin_url(model, "changelist")
    admin_client.get(url)  # content types cached, as in a running server

    with django_assert_num_queries(5):
        page = admin_client.get(url)

    assert len(listed(page)) == answers * rows_per_answer
