"""The privacy rules every reader asks: who may see what of a round, and the
guard against telling people apart by comparing two rounds."""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import privacy, services
from assessments.addresses import normalized_address
from assessments.models import Assessment, Invitation, StepResult
from tests.factories import (
    AssessmentFactory,
    InvitationFactory,
    ResponseFactory,
    TeamFactory,
    UserFactory,
    VisionFactory,
)
from tests.queries import writes
from tests.samples import ENGAGED, TEAM_VISION, people, round_opened, rounds_too_close

pytestmark = pytest.mark.django_db


# --- What a round shows -----------------------------------------------------------


@pytest.mark.parametrize(
    ("respondents", "shows_scores", "shows_quotes", "reason"),
    [
        (0, False, False, "Scores appear once 3 people have answered (0 so far)."),
        (2, False, False, "Scores appear once 3 people have answered (2 so far)."),
        (
            3,
            True,
            False,
            "Answers are quoted and exported once 5 people have answered (3 so far).",
        ),
        (5, True, True, None),
    ],
)
def test_a_round_shows_scores_then_quotes_as_its_groups_fill(
    respondents, shows_scores, shows_quotes, reason
):
    assessment = AssessmentFactory.build(anonymous=True)

    shown = privacy.visibility(assessment, respondents)

    assert (shown.shows_scores, shown.shows_quotes, shown.reason) == (
        shows_scores,
        shows_quotes,
        reason,
    )
    assert shown.withheld is False


def test_a_withheld_round_shows_nothing_whatever_its_size_and_says_why():
    assessment = AssessmentFactory.build(withheld_reason="Another round is too close.")

    for shown in (
        privacy.visibility(assessment, 500),
        privacy.visibility(assessment, 500, staff=True),
    ):
        assert (shown.shows_scores, shown.shows_quotes) == (False, False)
        assert (shown.reason, shown.withheld) == ("Another round is too close.", True)


def test_the_admin_sees_a_named_round_whole_and_an_anonymous_one_as_its_managers():
    named = AssessmentFactory.build(anonymous=False)
    anonymous = AssessmentFactory.build(anonymous=True)

    assert privacy.visibility(named, 1, staff=True) == privacy.EVERYTHING
    assert privacy.visibility(named, 1).shows_scores is False
    assert privacy.visibility(anonymous, 1, staff=True) == privacy.visibility(
        anonymous, 1
    )


@pytest.mark.parametrize("respondents", [0, 2, 3, 4, 5, 6])
@pytest.mark.parametrize(
    "fields",
    [
        {"anonymous": True},
        {"anonymous": False, "min_group_for_scores": 1, "min_group_for_verbatims": 2},
        {"anonymous": True, "withheld_reason": "Too close to another round."},
    ],
    ids=["anonymous", "named", "withheld"],
)
def test_the_rule_for_a_set_of_rounds_agrees_with_the_rule_for_one(respondents, fields):
    assessment = AssessmentFactory(**fields)
    ResponseFactory.create_batch(respondents, assessment=assessment)

    shown = privacy.visibility(assessment, privacy.respondent_count(assessment))
    to_staff = privacy.visibility(
        assessment, privacy.respondent_count(assessment), staff=True
    )
    counted = Assessment.objects.annotate(
        respondents=privacy.respondents_per_round()
    ).filter(pk=assessment.pk)

    assert counted.get().respondents == respondents
    assert counted.filter(privacy.scores_shown("respondents")).exists() is (
        shown.shows_scores
    )
    quoting = set(privacy.rounds_quoting_answers().values_list("pk", flat=True))
    quoting_to_staff = set(
        privacy.rounds_quoting_answers(staff=True).values_list("pk", flat=True)
    )
    assert (assessment.pk in quoting) is shown.shows_quotes
    assert (assessment.pk in quoting_to_staff) is to_staff.shows_quotes


def test_answers_cannot_be_read_from_a_round_that_does_not_quote_them():
    assessment = AssessmentFactory()
    ResponseFactory.create_batch(4, assessment=assessment)

    with pytest.raises(privacy.Withheld, match="quoted and exported once 5 people"):
        privacy.require_quotes(assessment)


# --- Telling people apart -------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "mailbox"),
    [
        ("Ann.Lee@Example.com ", "ann.lee@example.com"),
        ("ann+surveys@example.com", "ann@example.com"),
        ("a.n.n.lee+x@googlemail.com", "annlee@gmail.com"),
        ("AnnLee@GMAIL.com", "annlee@gmail.com"),
        ("not-an-address", "not-an-address"),
    ],
)
def test_an_address_is_compared_as_the_mailbox_it_reaches(email, mailbox):
    assert normalized_address(email) == mailbox


def test_a_name_and_an_email_on_one_invitation_are_one_person_in_every_round():
    named = AssessmentFactory()
    emailed = AssessmentFactory()
    both = AssessmentFactory()
    InvitationFactory(assessment=named, name="Sam  Lee", email="")
    InvitationFactory(assessment=emailed, name="", email="sam.lee+work@gmail.com")
    InvitationFactory(assessment=both, name="sam lee", email="samlee@gmail.com")
    InvitationFactory(assessment=both, name="", email="")
    InvitationFactory(assessment=both, name="", email="")

    found = privacy.rosters([named.pk, emailed.pk, both.pk])

    assert len(found[both.pk]) == 3  # two people nobody can name count apart
    assert found[named.pk] == found[emailed.pk]
    assert found[named.pk] < found[both.pk]


def test_a_revoked_invitation_still_links_but_is_not_in_its_rounds_list():
    first, second = AssessmentFactory(), AssessmentFactory()
    InvitationFactory(
        assessment=first, name="Sam Lee", email="sam@example.com", status="revoked"
    )
    InvitationFactory(assessment=second, name="Sam Lee", email="")
    InvitationFactory(assessment=second, name="", email="sam@example.com")

    found = privacy.rosters([first.pk, second.pk])

    assert found[first.pk] == set()
    assert len(found[second.pk]) == 1


# --- Differencing: which rounds are compared ------------------------------------------


@pytest.mark.parametrize(
    "relation", ["sibling", "grandchild", "grandparent", "parent", "same-manager"]
)
def test_rounds_are_compared_across_the_whole_tree_and_the_managers_teams(relation):
    root = TeamFactory()
    middle = TeamFactory(parent=root)
    team = TeamFactory(parent=middle, managers=[UserFactory()])
    other = {
        "sibling": lambda: TeamFactory(parent=middle),
        "grandchild": lambda: TeamFactory(parent=TeamFactory(parent=team)),
        "grandparent": lambda: root,
        "parent": lambda: middle,
        "same-manager": lambda: TeamFactory(managers=[team.managers.get()]),
    }[relation]()
    round_opened(other, people("abcde"))

    later = round_opened(team, people("abcdef"))

    assert later.withheld_reason.startswith("Scores and answers are hidden")
    assert "(only 1 different)" in later.withheld_reason


def test_rounds_of_another_tree_and_other_managers_are_not_compared(team):
    round_opened(TeamFactory(managers=[UserFactory()]), people("abcde"))

    later = round_opened(team, people("abcdef"))

    assert later.withheld_reason == ""


def test_the_same_person_by_name_in_one_round_and_by_email_in_another_is_one(team):
    colleagues = [{"name": f"Person {n}", "email": f"p{n}@example.com"} for n in "1234"]
    round_opened(team, [*colleagues, {"name": "Sam Lee", "email": "sam@example.com"}])

    later = round_opened(
        team, [*colleagues, {"name": "Sam Lee", "email": ""}, *people("f")]
    )

    # Counted as lines, Sam would be two people and the difference three.
    assert "(only 1 different)" in later.withheld_reason


def test_only_rounds_that_show_results_are_compared(team):
    round_opened(team, people("abcde"), answered=2)

    later = round_opened(team, people("abcdef"))

    assert later.withheld_reason == ""
    assert later.withheld_decided_at is not None


def test_the_difference_must_reach_the_larger_minimum_group(team):
    round_opened(team, people("abcdefg"), min_group_for_scores=4, answered=4)

    later = round_opened(team, people("abcdefghij"))

    assert "(only 3 different)" in later.withheld_reason


def test_named_rounds_are_never_withheld_but_are_compared_with(team):
    round_opened(
        team,
        people("abcde"),
        anonymous=False,
        min_group_for_scores=1,
        min_group_for_verbatims=1,
    )

    named = round_opened(team, people("abcdef"), anonymous=False)
    anonymous = round_opened(team, people("abcdefg"))

    assert named.withheld_reason == ""
    assert "(only 2 different)" in anonymous.withheld_reason


# --- Differencing: when it is decided -------------------------------------------------


def test_the_decision_is_kept_with_step_two_stored_as_withheld(team):
    _, withheld = rounds_too_close(team)

    stored = StepResult.objects.get(assessment=withheld, step__key="engagement")
    assert stored.status == StepResult.Status.WITHHELD
    assert stored.score == 0
    assert withheld.withheld_decided_at is not None


def test_a_report_shows_the_stored_decision_and_writes_nothing(
    manager_client, team, django_assert_num_queries
):
    _, withheld = rounds_too_close(team)
    # As if decided before the other round showed: reading it decides nothing.
    Assessment.objects.filter(pk=withheld.pk).update(withheld_reason="")
    url = reverse("assessments:report", args=(withheld.pk,))
    manager_client.get(url)

    with django_assert_num_queries(9) as captured:
        page = manager_client.get(url)

    assert page.context["summary"].withheld is None
    assert writes(captured) == []


def test_two_close_rounds_decided_again_keep_the_first_shown(team):
    first, second = rounds_too_close(team)

    assert services.round_decide(first) is None
    assert services.round_decide(second).startswith("Scores and answers are hidden")


def test_a_withheld_round_shows_once_its_people_differ_enough(team):
    _, second = rounds_too_close(team)
    for invitee in people("xy"):
        InvitationFactory(assessment=second, **invitee)

    assert services.round_decide(second) is None
    stored = StepResult.objects.get(assessment=second, step__key="engagement")
    assert stored.status != StepResult.Status.WITHHELD


class TestTheOrderAttack:
    """A manager reads the later of two close rounds while the earlier one is
    still short of its minimum group, then lets the earlier one fill and close:
    it is the earlier one that is hidden, so the two are never both read."""

    def open_round(self, manager_client, team, letters: str):
        draft = services.assessment_create(team=team, created_by=None)
        VisionFactory(assessment=draft, statement=TEAM_VISION)
        invited = [InvitationFactory(assessment=draft, **p) for p in people(letters)]
        opened = manager_client.post(
            reverse("assessments:assessment_open", args=(draft.pk,))
        )
        assert opened.status_code == HTTPStatus.FOUND
        return draft, invited

    def answer(self, invitations):
        """Team members answer, on their own devices; then the worker's upkeep
        releases what makes a group."""
        for invitation in invitations:
            page = Client().post(
                reverse("assessments:survey", args=(invitation.token,)), ENGAGED
            )
            assert page.status_code == HTTPStatus.FOUND
        services.answers_release(invitations[0].assessment)

    def report(self, manager_client, assessment) -> str:
        url = reverse("assessments:report", args=(assessment.pk,))
        return manager_client.get(url).content.decode()

    def test_the_earlier_round_is_hidden_when_it_comes_to_show(
        self, manager_client, team
    ):
        earlier, earlier_people = self.open_round(manager_client, team, "abcde")
        self.answer(earlier_people[:2])
        later, later_people = self.open_round(manager_client, team, "abcdef")
        self.answer(later_people)

        assert "Engagement by question" in self.report(manager_client, later)

        self.answer(earlier_people[2:])
        closed = manager_client.post(
            reverse("assessments:assessment_close", args=(earlier.pk,))
        )

        assert closed.status_code == HTTPStatus.FOUND
        text = self.report(manager_client, earlier)
        assert "Engagement by question" not in text
        assert ENGAGED["meaning"] not in text
        assert (
            f"Scores and answers are hidden for this round: {later} invited almost "
            "the same people (only 1 different)"
        ) in text
        export = manager_client.get(
            reverse("assessments:answers_export", args=(earlier.pk,)), follow=True
        )
        assert export["Content-Type"].startswith("text/html")
        assert "Engagement by question" in self.report(manager_client, later)
        earlier.refresh_from_db()
        assert earlier.status == Assessment.Status.CLOSED
        assert earlier.withheld_decided_at <= timezone.now()
        assert Invitation.objects.filter(assessment=earlier).count() == 5
