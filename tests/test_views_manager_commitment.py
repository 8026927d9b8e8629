"""Step 4 means something: people named, time and money given in earnest, and an
action plan read in due-date order with what is overdue flagged."""

from datetime import timedelta
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.forms import DUE_IN_THE_PAST, PLACEHOLDER_NAME
from assessments.models import BUDGET_NEEDS_A_CURRENCY, ActionItem, Assessment
from tests.factories import ActionItemFactory
from tests.test_views_manager_steps import action_data, commitment_data

pytestmark = pytest.mark.django_db


def url(name: str, round_: Assessment, *args) -> str:
    return reverse(f"assessments:{name}", args=(round_.pk, *args))


def days(n: int):
    return timezone.localdate() + timedelta(days=n)


@pytest.mark.parametrize(
    "placeholder", ["tbd", "TBC", "-", "n/a", "none", "?", "someone", "me", " N/A "]
)
@pytest.mark.parametrize("field", ["owner", "sponsor"])
def test_owner_and_sponsor_refuse_placeholders_beside_the_field(
    manager_client, draft_round, field, placeholder
):
    response = manager_client.post(
        url("commitment", draft_round), commitment_data(**{field: placeholder})
    )

    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors[field] == [
        PLACEHOLDER_NAME.format(name=placeholder.strip())
    ]
    draft_round.commitment.refresh_from_db()
    assert draft_round.commitment.revision == 1  # nothing half-saved


def test_a_blank_owner_is_saved_as_not_named_yet(manager_client, draft_round):
    response = manager_client.post(
        url("commitment", draft_round), commitment_data(owner="", sponsor="")
    )

    assert response.status_code == HTTPStatus.FOUND
    draft_round.commitment.refresh_from_db()
    assert (draft_round.commitment.owner, draft_round.commitment.sponsor) == ("", "")


def test_a_budget_needs_its_currency_beside_the_field(manager_client, draft_round):
    response = manager_client.post(
        url("commitment", draft_round), commitment_data(budget_currency="")
    )

    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["budget_currency"] == [
        BUDGET_NEEDS_A_CURRENCY
    ]
    assert 'value="1500"' in response.content.decode()  # what was typed is kept


def test_a_currency_is_one_of_the_iso_codes(manager_client, draft_round):
    response = manager_client.post(
        url("commitment", draft_round), commitment_data(budget_currency="€")
    )

    assert response.status_code == HTTPStatus.OK
    assert "budget_currency" in response.context["form"].errors


def test_the_budget_is_saved_and_reported_with_its_currency(
    manager_client, draft_round
):
    manager_client.post(
        url("commitment", draft_round),
        commitment_data(budget="12500", budget_currency="GBP"),
    )

    draft_round.commitment.refresh_from_db()
    assert draft_round.commitment.budget_currency == "GBP"
    assert draft_round.commitment.budget_display == "12,500.00 GBP"
    report = manager_client.get(url("report", draft_round)).content.decode()
    assert "Budget: 12,500.00 GBP" in report


def test_a_budget_saved_before_currencies_says_it_has_none(manager, draft_round):
    services.commitment_update(
        commitment=draft_round.commitment,
        revision=1,
        user=manager,
        budget=Decimal(800),
        budget_currency="",
    )

    assert draft_round.commitment.budget_display == "800.00 (currency not given)"


def test_a_tenth_of_an_hour_a_week_is_saved_but_not_time_set_aside(
    manager_client, draft_round
):
    manager_client.post(
        url("commitment", draft_round), commitment_data(hours_per_week="0.1")
    )

    report = manager_client.get(url("report", draft_round))
    step = report.context["report"].step("commitment")
    assert step.detail.missing[0].key == "time"
    assert "0.1 hours a week, less than 1 hour" in report.content.decode()


def test_a_new_action_cannot_be_due_in_the_past(manager_client, draft_round):
    response = manager_client.post(
        url("action_create", draft_round),
        {
            "new-action-title": "Call back every complaint",
            "new-action-due_on": days(-1).isoformat(),
        },
    )

    assert response.status_code == HTTPStatus.OK
    assert response.context["action_form"].errors["due_on"] == [DUE_IN_THE_PAST]
    assert not ActionItem.objects.exists()


def test_a_new_action_can_be_due_today(manager_client, draft_round):
    manager_client.post(
        url("action_create", draft_round),
        {"new-action-title": "Huddle", "new-action-due_on": days(0).isoformat()},
    )

    assert ActionItem.objects.get().due_on == days(0)


def test_an_action_keeps_its_past_due_date_but_cannot_be_moved_into_the_past(
    manager_client, draft_round
):
    action = ActionItemFactory(assessment=draft_round, due_on=days(-10))

    kept = manager_client.post(
        url("action_update", draft_round, action.pk),
        action_data(action, done_on=days(0).isoformat()),
    )
    action.refresh_from_db()
    moved = manager_client.post(
        url("action_update", draft_round, action.pk),
        action_data(action, due_on=days(-20).isoformat()),
    )

    assert kept.status_code == HTTPStatus.FOUND
    assert action.done_on == days(0)
    assert moved.status_code == HTTPStatus.OK
    assert moved.context["action_forms"][0].errors["due_on"] == [DUE_IN_THE_PAST]


def test_an_action_owner_is_a_person_too(manager_client, draft_round):
    response = manager_client.post(
        url("action_create", draft_round),
        {"new-action-title": "Rewrite the letter", "new-action-owner": "tbd"},
    )

    assert response.context["action_form"].errors["owner"] == [
        PLACEHOLDER_NAME.format(name="tbd")
    ]


def test_actions_are_listed_by_due_date_with_undated_ones_last(
    manager_client, draft_round
):
    later = ActionItemFactory(assessment=draft_round, title="Later", due_on=days(40))
    undated = ActionItemFactory(assessment=draft_round, title="Undated", due_on=None)
    soon = ActionItemFactory(assessment=draft_round, title="Soon", due_on=days(3))
    overdue = ActionItemFactory(assessment=draft_round, title="Late", due_on=days(-2))

    response = manager_client.get(url("commitment", draft_round))

    listed = [form.instance for form in response.context["action_forms"]]
    assert listed == [overdue, soon, later, undated]
    assert list(draft_round.actions.all()) == listed


def test_overdue_actions_are_flagged_and_counted(manager_client, draft_round):
    overdue = ActionItemFactory(assessment=draft_round, due_on=days(-2))
    done_late = ActionItemFactory(
        assessment=draft_round, due_on=days(-5), done_on=days(-1)
    )
    due_today = ActionItemFactory(assessment=draft_round, due_on=days(0))

    text = manager_client.get(url("commitment", draft_round)).content.decode()

    assert f'id="action-{overdue.pk}-overdue"' in text
    assert f'id="action-{done_late.pk}-overdue"' not in text
    assert f'id="action-{due_today.pk}-overdue"' not in text
    assert "1 of 3 done, <strong>1 overdue</strong>." in text


def test_follow_through_in_the_report_counts_the_overdue_action(
    manager_client, draft_round
):
    ActionItemFactory(assessment=draft_round, due_on=days(-2))
    ActionItemFactory(assessment=draft_round, due_on=days(-5), done_on=days(-6))

    response = manager_client.get(url("report", draft_round))
    step = response.context["report"].step("commitment")

    assert step.detail.follow_through == 0.5
    assert step.detail.actions_overdue == 1
    assert (
        "1 of 2 actions due so far were done on time (50%); 1 overdue" in step.evidence
    )
    assert (
        "1 of 2 actions done or due so far were done on time (50%); 1 overdue."
        in response.content.decode()
    )


def test_a_long_title_is_shown_whole(manager_client, draft_round):
    title = "Call back " + "every customer who complained " * 6
    action = ActionItemFactory(assessment=draft_round, title=title.strip())

    text = manager_client.get(url("commitment", draft_round)).content.decode()

    assert f'<h4 class="h6 mb-0 answer-text" id="action-{action.pk}-title">' in text
    assert action.title in text
