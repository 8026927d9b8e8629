"""An anonymous round's answers are released to its pages in groups: once a
minimum group of people the app emailed has answered since the last release,
and all of them when the round closes; the release marks their invitations
answered and leaves nothing joining a response to an invitation."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from assessments import links, reports, services, tokens
from assessments.models import Invitation, Response, StepResult
from tests.factories import (
    AssessmentFactory,
    InvitationFactory,
    UserFactory,
    VisionFactory,
)
from tests.samples import ENGAGED, LOST, TEAM_VISION

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(assessment):
    VisionFactory(assessment=assessment, statement=TEAM_VISION)
    return assessment


def answered(assessment, answers=ENGAGED, *, email="person@example.com"):
    """Someone answers through their own link; the invitation and what was saved."""
    invitation = InvitationFactory(
        assessment=assessment, email=email and f"{tokens.new_token()[:8]}{email}"
    )
    saved = services.response_submit(
        link=links.link_lookup(invitation.token),
        token=invitation.token,
        answers=answers,
    )
    return invitation, saved


def test_answers_wait_until_a_group_of_people_the_app_emailed_has_answered(round_):
    """Links without an address (handed out by the manager) do not make up the
    group; their answers are released with it."""
    invitations = [answered(round_)[0] for _ in range(2)]
    invitations += [answered(round_, email="")[0] for _ in range(3)]

    assert services.answers_release(round_) == 0
    assert not Response.objects.released().exists()
    invitations.append(answered(round_)[0])

    assert services.answers_release(round_) == 6
    assert set(Response.objects.values_list("release", "link_key")) == {(1, None)}
    assert {
        (i.status, i.link_used) for i in Invitation.objects.filter(assessment=round_)
    } == {(Invitation.Status.RESPONDED, True)}
    assert reports.response_aggregates(round_)["respondents"] == 6
    assert reports.response_aggregates(round_)["counted"] == 3


def test_each_release_has_its_own_number(round_):
    for _ in range(3):
        answered(round_)
    services.answers_release(round_)
    for _ in range(3):
        answered(round_, LOST)

    assert services.answers_release(round_) == 3
    assert (
        sorted(Response.objects.values_list("release", flat=True)) == [1] * 3 + [2] * 3
    )


def test_closing_the_round_releases_every_answer_still_waiting(round_):
    invitation, _ = answered(round_)

    services.assessment_close(assessment=round_)

    response = Response.objects.get()
    assert (response.release, response.link_key) == (1, None)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.RESPONDED


def test_a_release_refreshes_the_stored_readiness(round_):
    for _ in range(3):
        answered(round_)
    assert not StepResult.objects.filter(assessment=round_).exists()

    services.answers_release(round_)

    assert (
        StepResult.objects.get(assessment=round_, step__key="engagement").status
        == "ready"
    )


def test_an_answer_whose_link_was_reissued_meanwhile_marks_no_invitation(round_):
    """Its link is gone: nothing says which invitation it came through, and the
    new link starts unused."""
    moved, _ = answered(round_)
    for _ in range(2):
        answered(round_)
    new_token = services.invitation_reissue(
        invitation=moved, sender=UserFactory()
    ).token

    assert services.answers_release(round_) == 3

    moved.refresh_from_db()
    assert (moved.status, moved.link_used) == (Invitation.Status.PENDING, False)
    assert not links.link_lookup(new_token).answered


def test_changed_answers_stay_released_and_show_at_once(round_):
    invitation, saved = answered(round_)
    for _ in range(2):
        answered(round_)
    services.answers_release(round_)

    services.response_submit(
        link=links.link_lookup(invitation.token),
        token=invitation.token,
        answers=LOST,
        edit_code=saved.edit_code,
    )

    response = Response.objects.get(pk=saved.response_id)
    assert (response.release, response.vision_answer) == (1, LOST["vision"])
    assert reports.response_aggregates(round_)["engaged"] == 2


def test_a_used_link_without_its_edit_code_saves_nothing(round_):
    invitation, _ = answered(round_)

    with pytest.raises(ValidationError) as refused:
        services.response_submit(
            link=links.link_lookup(invitation.token),
            token=invitation.token,
            answers=LOST,
        )

    assert refused.value.messages == [services.LINK_USED]
    assert Response.objects.get().vision_answer == ENGAGED["vision"]


def test_a_named_rounds_answers_are_shown_as_they_come():
    named = AssessmentFactory(anonymous=False)
    answered(named)

    assert Response.objects.released().count() == 1
    assert services.answers_release(named) == 0


@pytest.mark.parametrize(
    ("counted", "closing", "due"),
    [(2, False, False), (3, False, True), (0, True, True)],
)
def test_the_one_decision_of_a_release(counted, closing, due):
    assessment = AssessmentFactory.build(min_group_for_scores=3)

    assert services.release_due(assessment, counted=counted, closing=closing) is due


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_link_answered_through_meanwhile_saves_nothing_more(round_):
    """Two first submissions through one link, each looked up before the other
    saved: the second is told the link is used, and the first stays."""
    invitation = InvitationFactory(assessment=round_)
    first, second = (links.link_lookup(invitation.token) for _ in range(2))
    services.response_submit(link=first, token=invitation.token, answers=ENGAGED)

    with pytest.raises(ValidationError) as refused:
        services.response_submit(link=second, token=invitation.token, answers=LOST)

    assert refused.value.messages == [services.LINK_USED]
    assert Response.objects.get().vision_answer == ENGAGED["vision"]


# --- Someone reading the database (PostgreSQL) ----------------------------------


def _xmin_pairs() -> dict[int, int]:
    """For each response, how many invitations share its transaction id."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.id, count(i.id) FROM assessments_response r "
            "LEFT JOIN assessments_invitation i ON i.xmin = r.xmin GROUP BY r.id"
        )
        return dict(cursor.fetchall())


def _answer_numbers(order_by: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT vision_answer FROM assessments_response "  # noqa: S608
            f"ORDER BY {order_by}"
        )
        return [int(row[0].split()[1].rstrip(".")) for row in cursor.fetchall()]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="transaction ids and row positions are PostgreSQL's",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_transaction_id_or_row_order_pairs_a_response_with_its_invitation(
    catalogue_rows,
):
    """Many people answer in the order they were invited, each through the survey
    in their own browser; once released, nothing in the tables' system columns
    or row order leads from a response to its invitation."""
    people = 30
    round_ = AssessmentFactory()
    VisionFactory(assessment=round_, statement=TEAM_VISION)
    for n in range(people):
        invitation = InvitationFactory(assessment=round_, email=f"p{n}@example.com")
        Client().post(
            reverse("assessments:survey", args=(invitation.token,)),
            {**ENGAGED, "vision": f"Answer {n}."},
        )
    assert set(_xmin_pairs().values()) == {0}

    services.answers_release(round_)

    assert set(_xmin_pairs().values()) == {people}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT xmin::text) FROM assessments_invitation "
            "WHERE status = 'responded'"
        )
        assert cursor.fetchone() == (1,)
        cursor.execute(
            "SELECT count(DISTINCT xmin::text), count(DISTINCT created_at) "
            "FROM assessments_response"
        )
        assert cursor.fetchone() == (1, 1)  # tell no order
        cursor.execute(
            "SELECT count(*) FROM assessments_answerjudgement "
            "WHERE xmin::text <> (SELECT min(xmin::text) FROM assessments_response)"
        )
        assert cursor.fetchone() == (0,)  # the judgements were rewritten with them
    invitation_order = list(range(people))
    for order in ("id", "ctid", "created_at, id"):
        assert _answer_numbers(order) != invitation_order, order
        assert _answer_numbers(order) != invitation_order[::-1], order
