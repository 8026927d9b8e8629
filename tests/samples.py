"""Visions and answers shared by the tests, and a submission as the survey makes it."""

import dataclasses
import uuid
from types import MappingProxyType

from assessments import links, scoring, services
from assessments.catalogue import CATALOGUE_VERSION
from assessments.models import Assessment, Question, Response, Step
from tests.factories import (
    AlignmentRatingFactory,
    AssessmentFactory,
    InvitationFactory,
    ResponseFactory,
    StepResultFactory,
    VisionFactory,
)

VISION = "We fix each problem on the first contact and explain it in plain words."
ANSWERS_CSV = (
    "respondent,vision,meaning,contribution\n"
    "ann,Fix problems on first contact and explain plainly,"
    '"A wrong bill is corrected on the call, with no jargon",'
    "I read the corrected balance back to the customer\n"
    "bob,I don't know,not sure,I do my job\n"
    "cy,First contact fixes in plain words,"
    "I solve the billing error while they are on the line,"
    "I explain the fix without jargon\n"
)

# A round's vision, and answers the engine judges engaged and not engaged.
TEAM_VISION = (
    "We fix each customer's problem on the first contact, explain it in plain words, "
    "and leave them confident."
)
ENGAGED = {
    "vision": "Fix problems on first contact, explain plainly, leave them confident.",
    "meaning": "A wrong bill gets corrected during the call and I say why plainly.",
    "contribution": "I read the corrected balance back to the customer on the call.",
}
LOST = {"vision": "I don't know", "meaning": "not sure", "contribution": "I do my job"}
# Answers the engine is made unsure of by ``engine_unsure_of_spanish``: the
# meaning given in Spanish.
IN_SPANISH = "Arreglamos cada problema en la primera llamada y lo explicamos claro."
ALSO_IN_SPANISH = "Resolvemos el problema del cliente a la primera, sin jerga."
UNSURE = {**ENGAGED, "meaning": IN_SPANISH}
UNSURE_CONFIDENCE = 0.52  # near a coin toss: below any threshold for review
UNSURE_REASON = "written in a language the engine cannot judge (es)"


def _with_confidence(judgement, answers: scoring.Answers):
    """``judgement`` with every answer sure, except answers ``IN_SPANISH`` or
    ``ALSO_IN_SPANISH``: unsure, in Spanish, with a reason saying so. The
    engine's own confidence is left out, so tests do not depend on how it is
    worked out."""
    verdicts = {}
    for key, verdict in judgement.answers.items():
        if getattr(answers, key) in (IN_SPANISH, ALSO_IN_SPANISH):
            verdict = dataclasses.replace(
                verdict,
                confidence=UNSURE_CONFIDENCE,
                language="es",
                reasons=(UNSURE_REASON, *verdict.reasons),
            )
        else:
            verdict = dataclasses.replace(verdict, confidence=1.0, language="en")
        verdicts[key] = verdict
    return dataclasses.replace(judgement, answers=MappingProxyType(verdicts))


def engine_unsure_of_spanish(monkeypatch) -> None:
    """Make the engine unsure of answers in Spanish and sure of the rest,
    wherever it judges: one respondent or the whole team."""
    judge_respondent = scoring.judge_respondent
    judge_team_with_profile = scoring.judge_team_with_profile
    judge_team_with_terms = scoring.judge_team_with_terms

    def one(vision, answers, profile, **options):
        judgement = judge_respondent(vision, answers, profile, **options)
        return _with_confidence(judgement, answers)

    def team(vision, answers, **options):
        judgements, profile = judge_team_with_profile(vision, answers, **options)
        return tuple(
            _with_confidence(j, a) for j, a in zip(judgements, answers, strict=True)
        ), profile

    def team_with_terms(vision, answers, **options):
        judgements, profile, terms = judge_team_with_terms(vision, answers, **options)
        return (
            tuple(
                _with_confidence(j, a) for j, a in zip(judgements, answers, strict=True)
            ),
            profile,
            terms,
        )

    monkeypatch.setattr(scoring, "judge_respondent", one)
    monkeypatch.setattr(scoring, "judge_team_with_profile", team)
    monkeypatch.setattr(scoring, "judge_team_with_terms", team_with_terms)


def submit(
    assessment, answers: dict, *, ratings=None, released=True, **invitation
) -> Response:
    """Submit as the survey page does: a new person's link, emailed to them and
    looked up fresh; then, unless ``released`` is false, release the round's
    waiting answers as the worker does, however few."""
    item = InvitationFactory(
        assessment=assessment,
        **{"email": f"person-{uuid.uuid4().hex[:12]}@example.com", **invitation},
    )
    return submit_as(item, answers, ratings=ratings, released=released)


def submit_as(
    invitation, answers: dict = ENGAGED, *, ratings=None, released=True
) -> Response:
    """Submit as the survey page does, through an invitation made by
    ``InvitationFactory`` (which keeps its token), and release as ``submit``."""
    saved = services.response_submit(
        link=links.link_lookup(invitation.token),
        token=invitation.token,
        answers=answers,
        ratings=ratings,
    )
    if released:
        services.answers_release(invitation.assessment, closing=True)
    return Response.objects.get(pk=saved.response_id)


def people(letters: str) -> list[dict]:
    """Invitees known by email only, one per letter: "abc" is a@, b@ and c@."""
    return [{"name": "", "email": f"{letter}@example.com"} for letter in letters]


def round_opened(
    team, invitees: list[dict], *, answered=None, ratings=(), **settings
) -> Assessment:
    """A round of ``team`` with a vision, opened as a manager opens one for
    ``invitees`` (``InvitationFactory`` fields each), then answered with engaged
    answers by the first ``answered`` of them (all by default), the first ones
    rating alignment as ``ratings`` says (one dict each)."""
    assessment = services.assessment_create(team=team, created_by=None, **settings)
    VisionFactory(assessment=assessment, statement=TEAM_VISION)
    invited = [InvitationFactory(assessment=assessment, **one) for one in invitees]
    services.assessment_open(assessment=assessment)
    for n, invitation in enumerate(invited[:answered]):
        rated = ratings[n] if n < len(ratings) else None
        submit_as(invitation, ENGAGED, ratings=rated)
    assessment.refresh_from_db()
    return assessment


def rounds_too_close(team) -> tuple[Assessment, Assessment]:
    """Two anonymous rounds of ``team`` whose people differ by one: the first
    shows its results; the second, opened after it, is withheld. In the second
    the team also rated empowerment, all of them 1."""
    first = round_opened(team, people("abcde"))
    second = round_opened(
        team,
        people("abcdef"),
        team_rates_alignment=True,
        ratings=[{"empowerment": 1}] * 6,
    )
    return first, second


# A closed round's stored readiness, as the roll-up reads it.
STEP_SCORES = {"vision": 90, "engagement": 70, "alignment": 60, "commitment": 40}


def closed_round_with_results(
    team, people, *, engaged=0, rating=None, ratings=(), **fields
):
    """A closed round of ``team`` with ``people`` counted respondents (the first
    ``engaged`` engaged), its four stored results and a manager's rating."""
    assessment = AssessmentFactory(team=team, closed=True, **fields)
    for key, score in STEP_SCORES.items():
        StepResultFactory(
            assessment=assessment,
            step=Step.objects.get(key=key, version=CATALOGUE_VERSION),
            status="ready" if score >= 60 else "not_yet",
            score=score,
        )
    for number in range(people):
        team_rating = ratings[number] if number < len(ratings) else None
        ResponseFactory(
            assessment=assessment, engaged=number < engaged, rating_goals=team_rating
        )
    if rating is not None:
        AlignmentRatingFactory(
            assessment=assessment,
            question=Question.objects.get(key="goals", step__version=CATALOGUE_VERSION),
            rating=rating,
        )
    return assessment
