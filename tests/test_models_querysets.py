"""The page-shaped QuerySet methods: what each returns, and what it costs.

Each count is taken on the method itself, with everything its page touches read
inside the assertion, at two data sizes: the count must not grow with the data.
Lazy loads raise (``FETCH_RAISE``), so a relation left out of a select_related
fails loudly instead of adding a query per row.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import FieldFetchBlocked
from django.db.models import FETCH_RAISE, Prefetch
from django.utils import timezone

from assessments.catalogue import ALIGNMENT_KEYS, ENGAGEMENT_KEYS
from assessments.models import (
    AnswerJudgement,
    Assessment,
    Invitation,
    Response,
    Step,
    StepResult,
    Team,
)
from tests.factories import (
    AnswerJudgementFactory,
    AssessmentFactory,
    CommitmentFactory,
    InvitationFactory,
    ResponseFactory,
    StepResultFactory,
    TeamFactory,
    UserFactory,
    VisionFactory,
)

pytestmark = pytest.mark.django_db

RESPONDED = Invitation.Status.RESPONDED
REVOKED = Invitation.Status.REVOKED


def raising(queryset):
    """``queryset`` with lazy loads raising, and the querysets it prefetches too:
    a queryset's fetch mode does not reach the querysets of its prefetches."""
    queryset = queryset.fetch_mode(FETCH_RAISE)
    for lookup in queryset._prefetch_related_lookups:
        if isinstance(lookup, Prefetch) and lookup.queryset is not None:
            lookup.queryset = raising(lookup.queryset)
    return queryset


def readiness(assessment) -> list[tuple[int, str, str]]:
    """What a readiness list shows of a round: each result's step and status."""
    return [
        (result.step.number, result.step.name, result.get_status_display())
        for result in assessment.step_results.all()
    ]


def step(key: str) -> Step:
    return Step.objects.get(key=key, version=1)


def judged_response(assessment, **fields) -> Response:
    """A response with the engine's judgement of each of its three answers."""
    response = ResponseFactory(assessment=assessment, **fields)
    for key in ENGAGEMENT_KEYS:
        AnswerJudgementFactory(response=response, question_key=key)
    return response


def test_a_relation_left_out_of_the_select_raises_instead_of_querying(manager):
    """The guard the counts below rely on: without select_related("parent"), the
    parent is not fetched behind the page's back."""
    TeamFactory(managers=[manager], parent=TeamFactory())
    [team] = raising(Team.objects.filter(managers=manager))

    with pytest.raises(FieldFetchBlocked):
        team.parent  # noqa: B018


# --- The dashboard ----------------------------------------------------------------


@pytest.mark.parametrize("teams", [2, 30])
def test_the_dashboard_reads_teams_their_results_and_rounds_under_way_in_five_queries(
    manager, django_assert_num_queries, teams
):
    """Teams with their parent; their latest closed rounds and those rounds'
    results; their latest rounds under way and those rounds' results."""
    parent = TeamFactory(name="Customer care")
    completed, under_way = {}, {}
    for n in range(teams):
        team = TeamFactory(name=f"Team {n:02}", managers=[manager], parent=parent)
        AssessmentFactory(team=team, title="Earlier", closed=True)
        completed[team.name] = AssessmentFactory(team=team, title="", closed=True)
        StepResultFactory(assessment=completed[team.name], step=step("vision"))
        under_way[team.name] = AssessmentFactory(team=team, title="Next", draft=True)
    TeamFactory(name="Someone else's", managers=[UserFactory()])

    with django_assert_num_queries(5):
        shown = [
            (
                team.name,
                team.get_level_display(),
                team.parent.name,
                [(str(round_), round_.get_status_display()) for round_ in closed],
                [readiness(round_) for round_ in closed],
                [(round_.pk, round_.get_status_display()) for round_ in next_],
                [readiness(round_) for round_ in next_],
            )
            for team in raising(Team.objects.for_dashboard(manager))
            for closed, next_ in [(team.completed_rounds, team.rounds_under_way)]
        ]

    vision = step("vision")
    assert shown == [
        (
            name,
            "Team",
            "Customer care",
            [(f"{name} round {round_.pk}", "Closed")],
            [[(vision.number, vision.name, "Ready")]],
            [(under_way[name].pk, "Draft")],
            [[]],
        )
        for name, round_ in sorted(completed.items())
    ]


def test_the_latest_completed_round_is_the_last_one_closed(manager):
    team = TeamFactory(managers=[manager])
    now = timezone.now()
    last_closed = AssessmentFactory(
        team=team,
        closed=True,
        opened_at=now - timedelta(days=60),
        closed_at=now - timedelta(days=1),
    )
    AssessmentFactory(
        team=team,
        closed=True,
        opened_at=now - timedelta(days=20),
        closed_at=now - timedelta(days=10),
    )
    AssessmentFactory(team=team, draft=True)
    latest_started = AssessmentFactory(team=team)

    [shown] = Team.objects.for_dashboard(manager)

    assert shown.completed_rounds == [last_closed]
    assert shown.rounds_under_way == [latest_started]


def test_a_team_without_a_round_has_neither_results_nor_a_round_under_way(manager):
    TeamFactory(name="New team", managers=[manager])

    [team] = Team.objects.for_dashboard(manager)

    assert (team.completed_rounds, team.rounds_under_way) == ([], [])


def test_a_superusers_dashboard_lists_only_the_teams_they_manage(superuser):
    TeamFactory(name="Someone else's", managers=[UserFactory()])
    TeamFactory(name="Mine", managers=[superuser])

    assert [team.name for team in Team.objects.for_dashboard(superuser)] == ["Mine"]


# --- The team page ----------------------------------------------------------------


@pytest.mark.parametrize("rounds", [2, 30])
def test_the_team_page_reads_rounds_with_progress_and_readiness_in_two_queries(
    team, django_assert_num_queries, rounds
):
    """Rounds with their counts, their step results with their steps."""
    created = []
    for _ in range(rounds):
        round_ = AssessmentFactory(team=team, title="")
        InvitationFactory(assessment=round_)
        InvitationFactory(assessment=round_, status=RESPONDED)
        InvitationFactory(assessment=round_, status=REVOKED)
        ResponseFactory(assessment=round_)
        StepResultFactory(assessment=round_, step=step("vision"))
        StepResultFactory(
            assessment=round_,
            step=step("engagement"),
            status=StepResult.Status.NOT_YET,
            score=40,
        )
        created.append(round_)
    AssessmentFactory(team=TeamFactory())  # another team's round

    with django_assert_num_queries(2):
        shown = [
            (
                str(round_),
                round_.get_status_display(),
                round_.created_at,
                round_.invited,
                round_.answered,
                readiness(round_),
            )
            for round_ in raising(team.assessments.for_team_page())
        ]

    vision, engagement = step("vision"), step("engagement")
    assert shown == [
        (
            f"{team.name} round {round_.pk}",
            "Open",
            round_.created_at,
            2,
            1,
            [
                (vision.number, vision.name, "Ready"),
                (engagement.number, engagement.name, "Not yet"),
            ],
        )
        for round_ in reversed(created)
    ]


def test_progress_counts_live_invitations_as_invited_and_responses_as_answered(
    assessment,
):
    """Answers are counted, not invitations marked answered: revoking an answered
    invitation leaves the count as it was, so it cannot tell who had answered."""
    InvitationFactory(assessment=assessment, status=RESPONDED)
    InvitationFactory.create_batch(2, assessment=assessment)
    InvitationFactory(assessment=assessment, status=REVOKED)
    ResponseFactory.create_batch(2, assessment=assessment)  # one since revoked
    quiet = AssessmentFactory(team=assessment.team)

    counted = {
        round_.pk: (round_.invited, round_.answered)
        for round_ in Assessment.objects.with_progress()
    }

    assert counted == {assessment.pk: (3, 2), quiet.pk: (0, 0)}
    assert counted[assessment.pk][0] == assessment.invitations.live().count()


# --- The step pages ---------------------------------------------------------------


@pytest.mark.parametrize("results", [1, 4])
def test_a_step_page_reads_its_round_in_two_queries(
    draft_round, django_assert_num_queries, results
):
    """The round with its team, vision and commitment, then its step results."""
    draft_round.title = ""
    draft_round.save(update_fields=("title",))
    VisionFactory(assessment=draft_round, statement="We fix it first time.")
    CommitmentFactory(assessment=draft_round, owner="Priya Shah")
    steps = list(Step.objects.filter(version=1).order_by("number")[:results])
    for each in steps:
        StepResultFactory(assessment=draft_round, step=each)

    with django_assert_num_queries(2):
        round_ = raising(Assessment.objects.for_steps()).get(pk=draft_round.pk)
        shown = (
            str(round_),
            round_.vision.statement,
            round_.commitment.owner,
            readiness(round_),
        )

    assert shown == (
        f"{draft_round.team.name} round {draft_round.pk}",
        "We fix it first time.",
        "Priya Shah",
        [(each.number, each.name, "Ready") for each in steps],
    )


# --- The engagement page ----------------------------------------------------------


@pytest.mark.parametrize("members", [2, 30])
def test_the_engagement_page_lists_live_invitations_in_one_query(
    assessment, django_assert_num_queries, members
):
    sent = timezone.now()
    invited = [
        InvitationFactory(
            assessment=assessment, email=f"p{n}@example.com", sent_at=sent
        )
        for n in range(members)
    ]
    InvitationFactory(assessment=assessment, status=REVOKED)
    InvitationFactory(assessment=AssessmentFactory(team=assessment.team))

    with django_assert_num_queries(1):
        shown = [
            (str(i), i.name, i.email, i.get_status_display(), i.sent_at)
            for i in raising(assessment.invitations.for_engagement())
        ]

    assert shown == [
        (i.name, i.name, i.email, "Not answered", sent)
        for i in sorted(invited, key=lambda i: i.pk)
    ]


# --- The report's answers ---------------------------------------------------------


def shown_answers(responses) -> list[tuple]:
    """What the answer list shows of each response: its answers and judgements."""
    return [
        (
            response.pk,
            [response.answer_for(key) for key in ENGAGEMENT_KEYS],
            [
                (
                    judgement.pk,
                    judgement.get_question_key_display(),
                    judgement.effective_clear,
                    judgement.effective_consistent,
                    judgement.is_overridden,
                    judgement.reasons,
                )
                for judgement in response.judgements.all()
            ],
        )
        for response in responses
    ]


@pytest.mark.parametrize("team_size", [2, 30])
def test_an_anonymous_rounds_released_answers_are_read_in_id_order_in_two_queries(
    assessment, django_assert_num_queries, team_size
):
    """Responses, then their judgements, in the order of the questions. The ids
    are random, so their order says nothing of when anyone answered."""
    responses = [judged_response(assessment) for _ in range(team_size)]
    judged_response(assessment, release=None)  # waiting for its release
    judged_response(AssessmentFactory(team=assessment.team))

    with django_assert_num_queries(2):
        shown = shown_answers(raising(Response.objects.for_review(assessment)))

    in_id_order = sorted(responses, key=lambda response: response.pk)
    assert [pk for pk, _, _ in shown] == [response.pk for response in in_id_order]
    assert [[j[1] for j in judgements] for _, _, judgements in shown] == [
        [
            "What is the customer service vision?",
            "What does it mean?",
            "How do you personally contribute?",
        ]
    ] * team_size


@pytest.mark.parametrize("team_size", [2, 30])
def test_a_named_rounds_answers_are_read_by_name_in_two_queries(
    django_assert_num_queries, team_size
):
    """Responses with their invitations, then their judgements."""
    named = AssessmentFactory(anonymous=False)
    names = [f"Person {n:02}" for n in range(team_size)]
    for name in reversed(names):
        judged_response(
            named, invitation=InvitationFactory(assessment=named, name=name)
        )

    with django_assert_num_queries(2):
        reviewed = raising(Response.objects.for_review(named))
        shown = [(r.invitation.name, len(r.judgements.all())) for r in reviewed]

    assert shown == [(name, len(ENGAGEMENT_KEYS)) for name in names]


def needing_review(response, key="meaning", **override) -> AnswerJudgement:
    """Mark one of ``response``'s judgements as one the engine was unsure of."""
    judgement = response.judgements.get(question_key=key)
    judgement.confidence, judgement.needs_review = 0.52, True
    for field, value in override.items():
        setattr(judgement, field, value)
    judgement.save()
    return judgement


@pytest.mark.parametrize("team_size", [3, 30])
def test_answers_awaiting_review_are_read_first_in_the_same_two_queries(
    assessment, django_assert_num_queries, team_size
):
    """Responses with the most answers awaiting review first, each group in id
    order."""
    responses = sorted(
        (judged_response(assessment) for _ in range(team_size)),
        key=lambda response: response.pk,
    )
    one, two = responses[-1], responses[-2]
    Response.objects.filter(pk=one.pk).update(answers_awaiting_review=1)
    Response.objects.filter(pk=two.pk).update(answers_awaiting_review=2)
    # Unreleased: neither listed nor moved.
    judged_response(assessment, release=None, answers_awaiting_review=3)

    with django_assert_num_queries(2):
        shown = shown_answers(raising(Response.objects.for_review(assessment)))

    assert [pk for pk, _, _ in shown] == [
        two.pk,
        one.pk,
        *(response.pk for response in responses[:-2]),
    ]


def test_a_named_rounds_answers_awaiting_review_come_before_the_names():
    named = AssessmentFactory(anonymous=False)
    for name in ("Ann", "Bea", "Zoe"):
        judged_response(
            named,
            invitation=InvitationFactory(assessment=named, name=name),
            answers_awaiting_review=int(name == "Zoe"),
        )

    reviewed = Response.objects.for_review(named)

    assert [r.invitation.name for r in reviewed] == ["Zoe", "Ann", "Bea"]


# --- The answers' export ----------------------------------------------------------


@pytest.mark.parametrize("team_size", [2, 30])
def test_the_export_reads_responses_as_plain_rows_in_one_query(
    assessment, django_assert_num_queries, team_size
):
    responses = [judged_response(assessment) for _ in range(team_size)]
    judged_response(assessment, release=None)  # waiting for its release
    judged_response(AssessmentFactory(team=assessment.team))

    with django_assert_num_queries(1):
        rows = list(Response.objects.for_export(assessment))

    assert rows == [
        (
            r.pk,
            r.respondent_key,
            None,
            r.vision_answer,
            r.meaning_answer,
            r.contribution_answer,
            None,
            *[None] * len(ALIGNMENT_KEYS),  # never per person in an anonymous round
        )
        for r in sorted(responses, key=lambda r: r.pk)
    ]


def test_the_export_reads_a_named_rounds_ratings_per_person(team):
    named = AssessmentFactory(team=team, anonymous=False)
    judged_response(named, rating_goals=5, rating_hiring=2)
    anonymous = AssessmentFactory(team=team)
    judged_response(anonymous, rating_goals=5, rating_hiring=2)

    [named_row] = Response.objects.for_export(named)
    [anonymous_row] = Response.objects.for_export(anonymous)

    assert named_row[-len(ALIGNMENT_KEYS) :] == (5, 2, None, None, None)
    assert anonymous_row[-len(ALIGNMENT_KEYS) :] == (None,) * len(ALIGNMENT_KEYS)


@pytest.mark.parametrize("team_size", [2, 30])
def test_the_export_reads_judgements_as_plain_values_in_one_query(
    assessment, django_assert_num_queries, team_size
):
    responses = [judged_response(assessment) for _ in range(team_size)]
    overridden = responses[0].judgements.get(question_key="vision")
    overridden.override_clear = False
    overridden.override_reason = "Too vague."
    overridden.needs_review = True  # and so settled
    overridden.save()
    unsure = needing_review(responses[-1])
    judged_response(assessment)  # not asked for

    with django_assert_num_queries(1):
        judged = list(AnswerJudgement.objects.for_export([r.pk for r in responses]))

    assert len(judged) == team_size * len(ENGAGEMENT_KEYS)
    assert {j["response_id"] for j in judged} == {r.pk for r in responses}
    assert {
        "response_id": overridden.response_id,
        "question_key": "vision",
        "clear": True,
        "consistent": True,
        "score": 0.85,
        "reasons": ["names 4 of 5 key ideas of the vision"],
        "awaits_review": False,
        "override_clear": False,
        "override_consistent": None,
        "override_reason": "Too vague.",
    } in judged
    assert [
        (j["response_id"], j["question_key"]) for j in judged if j["awaits_review"]
    ] == [(unsure.response_id, "meaning")]
