"""A closed round opened again by its manager: with a reason kept, refused once
the team's next round has opened, and, anonymous, releasing no group smaller
than its minimum even when it closes again."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments import links, services, tokens
from assessments.models import Assessment, Response, RoundReopening
from tests.factories import AssessmentFactory, InvitationFactory, VisionFactory
from tests.samples import ENGAGED, TEAM_VISION

pytestmark = pytest.mark.django_db


def refused(call) -> dict | list:
    with pytest.raises(ValidationError) as caught:
        call()
    error = caught.value
    return error.message_dict if hasattr(error, "error_dict") else error.messages


@pytest.fixture
def closed_round(team):
    round_ = AssessmentFactory(team=team, closed=True)
    VisionFactory(assessment=round_, statement=TEAM_VISION)
    return round_


def answered(assessment):
    invitation = InvitationFactory(
        assessment=assessment, email=f"{tokens.new_token()[:8]}@example.com"
    )
    services.response_submit(
        link=links.link_lookup(invitation.token),
        token=invitation.token,
        answers=ENGAGED,
    )
    return invitation


def test_reopening_keeps_the_reason_and_when_it_had_closed(closed_round, manager):
    closed_at = closed_round.closed_at

    services.assessment_reopen(
        assessment=closed_round, reason="  Two people were on leave. ", user=manager
    )

    closed_round.refresh_from_db()
    assert closed_round.status == Assessment.Status.OPEN
    assert closed_round.closed_at is None
    assert closed_round.reopen_reason == "Two people were on leave."
    reopening = RoundReopening.objects.get()
    assert (reopening.reason, reopening.closed_at, reopening.reopened_by) == (
        "Two people were on leave.",
        closed_at,
        manager,
    )
    assert reopening.reopened_at == closed_round.reopened_at


def test_every_reopening_stays_in_the_history(closed_round, manager):
    for reason in ("First time.", "Second time."):
        services.assessment_reopen(assessment=closed_round, reason=reason, user=manager)
        services.assessment_close(assessment=closed_round)

    assert list(
        RoundReopening.objects.filter(assessment=closed_round).values_list(
            "reason", flat=True
        )
    ) == ["Second time.", "First time."]
    closed_round.refresh_from_db()
    assert closed_round.status == Assessment.Status.CLOSED


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_reopening_needs_a_reason_beside_its_field(closed_round, manager, reason):
    assert refused(
        lambda: services.assessment_reopen(
            assessment=closed_round, reason=reason, user=manager
        )
    ) == {"reason": [services.REOPEN_NEEDS_A_REASON]}
    closed_round.refresh_from_db()
    assert closed_round.status == Assessment.Status.CLOSED
    assert not RoundReopening.objects.exists()


def test_a_reason_with_control_characters_is_refused_and_nothing_saved(
    closed_round, manager
):
    with pytest.raises(ValidationError):
        services.assessment_reopen(
            assessment=closed_round, reason="Leave\x00", user=manager
        )

    closed_round.refresh_from_db()
    assert closed_round.status == Assessment.Status.CLOSED
    assert not RoundReopening.objects.exists()


@pytest.mark.parametrize("draft", [True, False])
def test_only_a_closed_round_opens_again(team, manager, draft):
    round_ = AssessmentFactory(team=team, draft=draft)

    assert refused(
        lambda: services.assessment_reopen(
            assessment=round_, reason="Why not.", user=manager
        )
    ) == [services.ROUND_NOT_CLOSED]


def test_a_round_cannot_open_again_once_the_next_one_has_opened(
    closed_round, team, manager
):
    AssessmentFactory(team=team, title="Autumn check-in")

    assert refused(
        lambda: services.assessment_reopen(
            assessment=closed_round, reason="Late answers.", user=manager
        )
    ) == [services.NEXT_ROUND_STARTED.format(round="Autumn check-in")]
    closed_round.refresh_from_db()
    assert closed_round.status == Assessment.Status.CLOSED


def test_a_next_round_still_a_draft_does_not_stop_a_reopening(
    closed_round, team, manager
):
    AssessmentFactory(team=team, draft=True)

    services.assessment_reopen(assessment=closed_round, reason="Late.", user=manager)

    closed_round.refresh_from_db()
    assert closed_round.is_open


def test_an_earlier_round_or_another_teams_does_not_stop_a_reopening(
    closed_round, team, manager
):
    AssessmentFactory(closed=True)  # another team's, later
    earlier = AssessmentFactory(team=team, closed=True)
    Assessment.objects.filter(pk=earlier.pk).update(
        created_at=closed_round.created_at - timedelta(days=90)
    )

    services.assessment_reopen(assessment=closed_round, reason="Late.", user=manager)

    closed_round.refresh_from_db()
    assert closed_round.is_open


def test_a_closing_date_that_has_passed_is_cleared(closed_round, manager):
    Assessment.objects.filter(pk=closed_round.pk).update(closes_on=timezone.localdate())
    closed_round.refresh_from_db()

    services.assessment_reopen(assessment=closed_round, reason="Late.", user=manager)

    closed_round.refresh_from_db()
    assert (closed_round.status, closed_round.closes_on) == ("open", None)


def test_links_accept_answers_again(closed_round, manager):
    invitation = InvitationFactory(assessment=closed_round)
    assert not links.link_lookup(invitation.token).is_open

    services.assessment_reopen(assessment=closed_round, reason="Late.", user=manager)

    assert links.link_lookup(invitation.token).is_open


class TestAReopenedAnonymousRound:
    """Closing releases every waiting answer once; after a reopening, only
    minimum groups, or closing again at will would show one person's answers."""

    def test_closing_it_again_holds_back_a_group_smaller_than_the_minimum(
        self, closed_round, manager
    ):
        services.assessment_reopen(
            assessment=closed_round, reason="Late.", user=manager
        )
        answered(closed_round)
        answered(closed_round)

        services.assessment_close(assessment=closed_round)

        assert not Response.objects.released().exists()
        assert Response.objects.waiting().count() == 2

    def test_a_whole_group_is_released_as_it_closes_again(self, closed_round, manager):
        services.assessment_reopen(
            assessment=closed_round, reason="Late.", user=manager
        )
        for _ in range(closed_round.min_group_for_scores):
            answered(closed_round)

        services.assessment_close(assessment=closed_round)

        assert Response.objects.released().count() == closed_round.min_group_for_scores

    def test_a_round_never_reopened_still_releases_its_last_group_at_close(self, team):
        round_ = AssessmentFactory(team=team)
        VisionFactory(assessment=round_, statement=TEAM_VISION)
        answered(round_)

        services.assessment_close(assessment=round_)

        assert Response.objects.released().count() == 1


@pytest.mark.parametrize(
    ("counted", "due"), [(0, False), (2, False), (3, True), (4, True)]
)
def test_a_reopened_round_releases_minimum_groups_only_even_closing(counted, due):
    assessment = AssessmentFactory.build(
        min_group_for_scores=3, reopened_at=timezone.now()
    )

    assert services.release_due(assessment, counted=counted, closing=True) is due
