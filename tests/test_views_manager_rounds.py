"""Starting a round, its settings and timetable, opening and closing it."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.forms import CLOSES_ON_NOT_AHEAD, REMINDER_DAYS_NOT_NUMBERS
from assessments.models import (
    ANONYMOUS_SCORES_FLOOR,
    ANONYMOUS_VERBATIMS_FLOOR,
    CLOSES_AFTER_OPENING,
    GROUP_SIZES_OUT_OF_ORDER,
    REMINDER_DAYS,
    Assessment,
    Commitment,
    Vision,
)
from assessments.views.manager import (
    ROUND_CREATED,
    ROUND_NOW_CLOSED,
    ROUND_NOW_OPEN,
    SETTINGS_SAVED,
)
from tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def round_settings(**changes) -> dict:
    return {
        "title": "Spring check-in",
        "anonymous": "True",
        "min_group_for_scores": 3,
        "min_group_for_verbatims": 5,
        "ready_engaged_share": 0.8,
        "ready_min_respondents": 3,
        "ready_min_participation": 0.6,
        **changes,
    }


def test_a_round_starts_as_an_anonymous_draft_and_leads_to_step_one(
    manager_client, team, manager
):
    page = manager_client.get(reverse("assessments:assessment_create", args=(team.pk,)))
    assert page.context["form"]["anonymous"].value() is True

    response = manager_client.post(
        reverse("assessments:assessment_create", args=(team.pk,)),
        round_settings(),
    )

    round_ = Assessment.objects.get(team=team)
    assert response.url == reverse("assessments:vision", args=(round_.pk,))
    assert messages_of(response) == [ROUND_CREATED]
    assert round_.status == Assessment.Status.DRAFT
    assert round_.anonymous is True
    assert round_.created_by == manager
    assert Vision.objects.filter(assessment=round_).exists()
    assert Commitment.objects.filter(assessment=round_).exists()


def test_a_round_can_be_named_with_its_own_group_sizes(manager_client, team):
    manager_client.post(
        reverse("assessments:assessment_create", args=(team.pk,)),
        round_settings(
            title="",
            anonymous="False",
            min_group_for_scores=1,
            min_group_for_verbatims=1,
        ),
    )

    round_ = Assessment.objects.get(team=team)
    assert round_.anonymous is False
    assert (round_.min_group_for_scores, round_.min_group_for_verbatims) == (1, 1)
    assert str(round_) == f"{team.name} round {round_.pk}"


def test_the_advanced_settings_open_when_one_of_them_is_wrong(manager_client, team):
    response = manager_client.post(
        reverse("assessments:assessment_create", args=(team.pk,)),
        round_settings(
            anonymous="False", min_group_for_scores=5, min_group_for_verbatims=3
        ),
    )

    assert response.status_code == HTTPStatus.OK
    form = response.context["form"]
    assert form.errors["min_group_for_verbatims"] == [GROUP_SIZES_OUT_OF_ORDER]
    assert '<details class="mb-3 border rounded p-3" open>' in response.content.decode()
    assert not Assessment.objects.filter(team=team).exists()


def test_an_anonymous_round_refuses_groups_below_the_floors_beside_each_field(
    manager_client, team
):
    response = manager_client.post(
        reverse("assessments:assessment_create", args=(team.pk,)),
        round_settings(min_group_for_scores=1, min_group_for_verbatims=1),
    )

    assert response.status_code == HTTPStatus.OK
    errors = response.context["form"].errors
    assert errors == {
        "min_group_for_scores": [ANONYMOUS_SCORES_FLOOR],
        "min_group_for_verbatims": [ANONYMOUS_VERBATIMS_FLOOR],
    }
    assert not Assessment.objects.filter(team=team).exists()


def test_a_draft_turned_anonymous_keeps_no_group_below_the_floors(manager_client, team):
    draft = services.assessment_create(
        team=team,
        created_by=None,
        anonymous=False,
        min_group_for_scores=1,
        min_group_for_verbatims=4,
    )

    response = manager_client.post(
        reverse("assessments:assessment_settings", args=(draft.pk,)),
        round_settings(
            anonymous="True", min_group_for_scores=3, min_group_for_verbatims=4
        ),
    )

    assert response.context["form"].errors == {
        "min_group_for_verbatims": [ANONYMOUS_VERBATIMS_FLOOR]
    }
    draft.refresh_from_db()
    assert (draft.anonymous, draft.min_group_for_scores) == (False, 1)


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("ready_engaged_share", 1.5, "Ensure this value is less than or equal to 1."),
        (
            "ready_min_participation",
            -0.1,
            "Ensure this value is greater than or equal to 0.",
        ),
        ("min_group_for_scores", 0, "Ensure this value is greater than or equal to 1."),
        (
            "ready_min_respondents",
            0,
            "Ensure this value is greater than or equal to 1.",
        ),
        (
            "title",
            "x" * 201,
            "Ensure this value has at most 200 characters (it has 201).",
        ),
    ],
)
def test_out_of_range_settings_are_refused_beside_the_field(
    manager_client, team, field, value, error
):
    response = manager_client.post(
        reverse("assessments:assessment_create", args=(team.pk,)),
        round_settings(**{field: value}),
    )

    assert error in response.context["form"].errors[field]


def test_a_draft_rounds_privacy_can_still_change(manager_client, draft_round):
    response = manager_client.post(
        reverse("assessments:assessment_settings", args=(draft_round.pk,)),
        round_settings(anonymous="False", title="Renamed"),
    )

    assert messages_of(response) == [SETTINGS_SAVED]
    draft_round.refresh_from_db()
    assert (draft_round.anonymous, draft_round.title) == (False, "Renamed")


def test_an_open_rounds_privacy_fields_are_disabled_and_ignored(
    manager_client, draft_round
):
    services.assessment_open(assessment=draft_round)
    url = reverse("assessments:assessment_settings", args=(draft_round.pk,))

    page = manager_client.get(url)
    form = page.context["form"]
    assert form.fields["anonymous"].disabled
    assert form.fields["min_group_for_scores"].disabled
    assert not form.fields["ready_engaged_share"].disabled

    manager_client.post(
        url,
        round_settings(
            anonymous="False", min_group_for_scores=1, ready_engaged_share=0.7
        ),
    )

    draft_round.refresh_from_db()
    assert draft_round.anonymous is True
    assert draft_round.min_group_for_scores == 3
    assert draft_round.ready_engaged_share == 0.7


def test_opening_a_round_makes_its_links_work(manager_client, draft_round):
    response = manager_client.post(
        reverse("assessments:assessment_open", args=(draft_round.pk,))
    )

    assert response.url == reverse("assessments:engagement", args=(draft_round.pk,))
    assert messages_of(response) == [ROUND_NOW_OPEN]
    draft_round.refresh_from_db()
    assert draft_round.status == Assessment.Status.OPEN
    assert draft_round.opened_at is not None


def test_closing_a_round_records_when(manager_client, assessment):
    response = manager_client.post(
        reverse("assessments:assessment_close", args=(assessment.pk,))
    )

    assert messages_of(response) == [ROUND_NOW_CLOSED]
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.CLOSED
    assert assessment.closed_at >= assessment.opened_at


def test_a_draft_cannot_be_closed(manager_client, draft_round):
    response = manager_client.post(
        reverse("assessments:assessment_close", args=(draft_round.pk,))
    )

    assert messages_of(response) == [services.ROUND_NOT_OPEN]
    draft_round.refresh_from_db()
    assert draft_round.status == Assessment.Status.DRAFT


def test_the_settings_page_runs_a_fixed_number_of_queries(
    manager_client, draft_round, django_assert_num_queries
):
    """Session, user, the round with its team."""
    with django_assert_num_queries(3):
        manager_client.get(
            reverse("assessments:assessment_settings", args=(draft_round.pk,))
        )


@pytest.mark.parametrize("earlier_rounds", [0, 3])
def test_the_new_round_page_runs_a_fixed_number_of_queries(
    manager_client, team, django_assert_num_queries, earlier_rounds
):
    """Session, user, the team, its latest round that opened (to start from)."""
    for _ in range(earlier_rounds):
        AssessmentFactory(team=team, title="", closed=True)
    with django_assert_num_queries(4):
        manager_client.get(reverse("assessments:assessment_create", args=(team.pk,)))


# --- Reminders and closing ------------------------------------------------------------


def settings_url(round_: Assessment) -> str:
    return reverse("assessments:assessment_settings", args=(round_.pk,))


def test_reminder_days_and_a_closing_day_are_saved_from_the_settings_page(
    manager_client, draft_round
):
    closes_on = timezone.localdate() + timedelta(days=14)

    response = manager_client.post(
        settings_url(draft_round),
        round_settings(remind_after_days="3, 7", closes_on=closes_on.isoformat()),
    )

    assert messages_of(response) == [SETTINGS_SAVED]
    draft_round.refresh_from_db()
    assert draft_round.remind_after_days == [3, 7]
    assert draft_round.closes_on == closes_on
    page = manager_client.get(settings_url(draft_round)).content.decode()
    assert 'value="3, 7"' in page


@pytest.mark.parametrize(
    ("days", "error"),
    [
        ("3, soon", REMINDER_DAYS_NOT_NUMBERS),
        ("7, 3", REMINDER_DAYS),
        ("3, 3", REMINDER_DAYS),
        ("1, 2, 3, 4", REMINDER_DAYS),
        ("0", REMINDER_DAYS),
        ("91", REMINDER_DAYS),
    ],
)
def test_reminder_days_are_refused_beside_the_field(
    manager_client, draft_round, days, error
):
    response = manager_client.post(
        settings_url(draft_round), round_settings(remind_after_days=days)
    )

    assert response.context["form"].errors == {"remind_after_days": [error]}


def test_a_closing_day_must_be_ahead(manager_client, assessment):
    today = timezone.localdate()

    response = manager_client.post(
        settings_url(assessment), round_settings(closes_on=today.isoformat())
    )

    assert response.context["form"].errors == {"closes_on": [CLOSES_ON_NOT_AHEAD]}


def test_a_round_cannot_close_before_the_day_after_it_opened(assessment):
    assessment.closes_on = timezone.localdate(assessment.opened_at)

    with pytest.raises(ValidationError) as caught:
        assessment.full_clean()

    assert caught.value.message_dict == {"closes_on": [CLOSES_AFTER_OPENING]}


def test_a_closed_rounds_timetable_cannot_change(manager_client, assessment):
    services.assessment_close(assessment=assessment)

    response = manager_client.post(
        settings_url(assessment), round_settings(remind_after_days="3")
    )

    assessment.refresh_from_db()
    assert assessment.remind_after_days == []
    assert response.status_code == HTTPStatus.FOUND


def test_a_round_past_its_closing_day_is_not_opened(manager_client, draft_round):
    draft_round.closes_on = timezone.localdate()
    draft_round.save()

    response = manager_client.post(
        reverse("assessments:assessment_open", args=(draft_round.pk,))
    )

    assert response.url == settings_url(draft_round)
    [message] = messages_of(response)
    assert message.startswith("This round was to close on ")
    draft_round.refresh_from_db()
    assert draft_round.status == Assessment.Status.DRAFT


def test_team_ratings_are_chosen_when_the_round_starts(manager_client, team):
    manager_client.post(
        reverse("assessments:assessment_create", args=(team.pk,)),
        round_settings(team_rates_alignment="on"),
    )

    assert Assessment.objects.get(team=team).team_rates_alignment is True


def test_team_ratings_change_in_the_settings_until_the_round_opens(
    manager_client, draft_round
):
    settings_url = reverse("assessments:assessment_settings", args=(draft_round.pk,))
    manager_client.post(settings_url, round_settings(team_rates_alignment="on"))
    draft_round.refresh_from_db()
    assert draft_round.team_rates_alignment is True

    services.assessment_open(assessment=draft_round)
    page = manager_client.get(settings_url)
    field = page.context["form"].fields["team_rates_alignment"]
    assert field.disabled
    assert "Fixed since the round opened" in page.content.decode()

    manager_client.post(settings_url, round_settings())
    draft_round.refresh_from_db()
    assert draft_round.team_rates_alignment is True


def test_an_open_rounds_team_ratings_are_refused_by_the_service(assessment):
    with pytest.raises(ValidationError) as caught:
        services.assessment_update(assessment=assessment, team_rates_alignment=True)

    assert caught.value.message_dict == {
        "team_rates_alignment": [services.TEAM_RATINGS_FROZEN]
    }
    assessment.refresh_from_db()
    assert assessment.team_rates_alignment is False
