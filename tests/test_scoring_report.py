"""The readiness report: four steps in order, gated by their moments of truth."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from assessments.catalogue import ALIGNMENT_KEYS, STEPS
from assessments.scoring import (
    ActionInput,
    AlignmentAnswer,
    AlignmentInput,
    Answer,
    CommitmentInput,
    EngagementSummary,
    EngagementThresholds,
    QuestionTally,
    Report,
    Status,
    StepReport,
    VisionInput,
    build_report,
)

TODAY = date(2026, 3, 10)
VISION = VisionInput(
    "Fix it fast, explain it plainly, leave customers confident.", True
)
ENGAGED = EngagementSummary(
    invitations=10,
    respondents=10,
    engaged=9,
    per_question=(
        QuestionTally("vision", 10, 10, 10),
        QuestionTally("meaning", 10, 9, 9),
        QuestionTally("contribution", 9, 10, 9),
    ),
)
ALIGNED = AlignmentInput(
    tuple(
        AlignmentAnswer(key, 5, "Written down and checked.") for key in ALIGNMENT_KEYS
    )
)
COMMITTED = CommitmentInput(
    hours_per_week=3,
    budget=2000,
    attention="Standing item at the weekly leadership meeting.",
    owner="Priya Shah",
    sponsor="Head of Operations",
    reassess_on=date(2026, 8, 1),
    actions=(ActionInput("New estimate letter", "Sam", date(2026, 4, 1)),),
    today=TODAY,
)
NOT_ENGAGED = replace(ENGAGED, engaged=5)
NOT_ALIGNED = AlignmentInput((AlignmentAnswer("goals", 2, ""),))
NOT_COMMITTED = replace(COMMITTED, sponsor="")


def report(
    vision=VISION,
    engagement=ENGAGED,
    alignment=ALIGNED,
    commitment=COMMITTED,
    **options,
):
    return build_report(
        vision=vision,
        engagement=engagement,
        alignment=alignment,
        commitment=commitment,
        **options,
    )


def statuses(built):
    return [(s.status, s.blocked_by) for s in built.steps]


def test_every_step_ready_gives_a_ready_report():
    built = report()
    assert statuses(built) == [(Status.READY, None)] * 4
    assert built.ready
    assert built.first_blocker is None
    assert built.headline == "All four steps are ready: keep the improvements going."


def test_a_vision_of_stock_phrases_answered_yes_is_not_ready_and_says_what_to_write():
    built = report(vision=VisionInput("world-class customer service", True))
    vision = built.steps[0]

    assert statuses(built)[:2] == [(Status.NOT_YET, None), (Status.BLOCKED, 1)]
    assert vision.score == 40
    assert any("not yet a vision" in line for line in vision.evidence)
    assert any("such as" in line for line in vision.evidence)
    assert vision.next_actions[0].startswith("Rewrite the vision")


def test_a_vision_with_a_stock_phrase_and_a_real_promise_stays_ready():
    statement = "World-class service: every bill explained on the first call."
    built = report(vision=VisionInput(statement, True))

    assert statuses(built)[0] == (Status.READY, None)
    assert built.steps[0].score == 85


def test_steps_come_in_the_frameworks_order_with_their_moments_of_truth():
    steps = report().steps
    assert [(s.number, s.key) for s in steps] == [
        (1, "vision"),
        (2, "engagement"),
        (3, "alignment"),
        (4, "commitment"),
    ]
    assert [s.moment_of_truth for s in steps] == [s.moment_of_truth for s in STEPS]


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        (
            {"vision": VisionInput("", None)},
            [
                (Status.NOT_YET, None),
                (Status.BLOCKED, 1),
                (Status.BLOCKED, 1),
                (Status.BLOCKED, 1),
            ],
        ),
        (
            {"engagement": NOT_ENGAGED},
            [
                (Status.READY, None),
                (Status.NOT_YET, None),
                (Status.BLOCKED, 2),
                (Status.BLOCKED, 2),
            ],
        ),
        (
            {"alignment": NOT_ALIGNED},
            [
                (Status.READY, None),
                (Status.READY, None),
                (Status.NOT_YET, None),
                (Status.BLOCKED, 3),
            ],
        ),
        (
            {"commitment": NOT_COMMITTED},
            [
                (Status.READY, None),
                (Status.READY, None),
                (Status.READY, None),
                (Status.NOT_YET, None),
            ],
        ),
        (
            {"engagement": NOT_ENGAGED, "commitment": NOT_COMMITTED},
            [
                (Status.READY, None),
                (Status.NOT_YET, None),
                (Status.BLOCKED, 2),
                (Status.BLOCKED, 2),
            ],
        ),
    ],
)
def test_a_step_not_yet_ready_blocks_every_later_step(inputs, expected):
    assert statuses(report(**inputs)) == expected


def test_blocked_steps_still_show_their_data_marked_provisional():
    built = report(vision=VisionInput("", None))
    alignment = built.step("alignment")
    assert alignment.provisional
    assert alignment.answer is Answer.YES
    assert alignment.score == 100
    assert alignment.evidence
    assert not built.step("vision").provisional


def test_first_blocker_is_the_first_step_whose_answer_is_no():
    built = report(engagement=NOT_ENGAGED, alignment=NOT_ALIGNED)
    assert built.first_blocker is built.step("engagement")
    assert built.headline.startswith("Start with step 2, Engagement: ")
    assert built.headline.endswith(built.step("engagement").next_actions[0])


@pytest.mark.parametrize(
    "inputs",
    [
        {},
        {"vision": VisionInput("", None)},
        {"vision": VisionInput("World-class service per our SLA", True)},
        {"engagement": EngagementSummary(None, 0, 0, ())},
        {"engagement": NOT_ENGAGED, "alignment": NOT_ALIGNED},
        {"alignment": AlignmentInput(())},
        {"commitment": CommitmentInput(None, None, "", "", "", None, (), TODAY)},
    ],
)
def test_every_step_offers_two_to_four_distinct_next_actions(inputs):
    for step in report(**inputs).steps:
        assert 2 <= len(step.next_actions) <= 4
        assert len(set(step.next_actions)) == len(step.next_actions)


def test_vision_advice_never_fails_the_step():
    built = report(vision=VisionInput("World-class service per our SLA and KPIs", True))
    vision = built.step("vision")
    assert vision.status is Status.READY
    assert [f.code for f in vision.detail.findings] == ["generic", "jargon"]
    assert vision.score == 70


@pytest.mark.parametrize(
    ("vision", "score", "answer"),
    [
        (VisionInput("", None), 0, Answer.NO),
        (VisionInput("Fix it fast.", False), 100, Answer.NO),
        (VisionInput("Fix it fast.", None), 100, Answer.YES),
        (
            VisionInput(
                "Never miss the SLA. Don't let world-class standards slip. No "
                "customer waits longer than the KPI allows, no matter how busy the "
                "team and the phones are today.",
                True,
            ),
            40,
            Answer.YES,
        ),
    ],
)
def test_vision_score_drops_with_each_finding_but_not_below_forty(
    vision, score, answer
):
    step = report(vision=vision).step("vision")
    assert (step.score, step.answer) == (score, answer)


def test_manager_answering_no_is_asked_to_settle_the_statement_first():
    step = report(vision=VisionInput("Fix it fast.", False)).step("vision")
    assert step.next_actions[0].startswith("You answered no although a statement")


def test_engagement_score_is_the_engaged_share_and_detail_has_the_summary():
    step = report(engagement=NOT_ENGAGED).step("engagement")
    assert step.score == 50
    assert step.detail.summary == NOT_ENGAGED
    assert step.detail.readiness.shortfalls == (
        "5 of 10 respondents are engaged (50%); 80% needed",
    )
    assert "5 of 10 respondents engaged (50%; 80% needed)" in step.evidence


def test_engagement_uses_the_given_thresholds():
    lenient = EngagementThresholds(min_engaged_share=0.5)
    built = report(engagement=NOT_ENGAGED, engagement_thresholds=lenient)
    assert built.step("engagement").status is Status.READY


def test_unknown_invitations_are_said_and_not_checked():
    step = report(engagement=replace(ENGAGED, invitations=None)).step("engagement")
    assert step.status is Status.READY
    assert "Invitations sent: not known, so participation is not checked" in (
        step.evidence
    )


def test_low_participation_asks_for_a_reminder():
    step = report(engagement=replace(ENGAGED, invitations=30)).step("engagement")
    assert step.status is Status.NOT_YET
    assert step.next_actions[0].startswith("Send a reminder")


def test_alignment_detail_has_rows_with_gaps_and_flags():
    answers = tuple(
        AlignmentAnswer(key, 5, "Evidence.", 2.5 if key == "hiring" else 4.5, 6)
        for key in ALIGNMENT_KEYS
    )
    step = report(alignment=AlignmentInput(answers)).step("alignment")
    assert [row.key for row in step.detail.flagged] == ["hiring"]
    assert step.detail.rows[1].gap == -2.5  # the team rates it lower
    assert any("differently from you" in action for action in step.next_actions)


def test_alignment_score_is_the_mean_question_score():
    step = report(alignment=NOT_ALIGNED).step("alignment")
    assert step.score == 5
    assert step.evidence[0] == "Goals: rated 2; 4 or more is needed"


def test_commitment_detail_lists_what_is_missing_and_follow_through():
    commitment = replace(
        NOT_COMMITTED,
        actions=(
            ActionInput("Done", due_on=date(2026, 3, 1), done_on=date(2026, 2, 27)),
            ActionInput("Late", due_on=date(2026, 3, 1)),
        ),
    )
    step = report(commitment=commitment).step("commitment")
    assert [r.key for r in step.detail.missing] == ["sponsor"]
    assert step.detail.follow_through == 0.5
    assert step.score == 65  # half of 4 in 5 met, half of 1 in 2 on time
    assert step.answer is Answer.NO
    assert "A senior sponsor: nobody named (missing)" in step.evidence
    assert (
        "1 of 2 actions due so far were done on time (50%); 1 overdue" in step.evidence
    )
    assert step.next_actions[0].startswith("Ask a senior leader to sponsor")


def test_the_budget_is_shown_with_its_currency():
    commitment = replace(NOT_COMMITTED, budget=Decimal("12500"), budget_currency="EUR")
    step = report(commitment=commitment).step("commitment")
    assert "Budget: 12,500.00 EUR" in step.evidence


def test_scores_are_whole_numbers_from_0_to_100():
    for step in report(engagement=NOT_ENGAGED, alignment=NOT_ALIGNED).steps:
        assert isinstance(step.score, int)
        assert 0 <= step.score <= 100


def test_statuses_read_as_plain_strings():
    assert [str(s) for s in Status] == ["ready", "not_yet", "blocked"]
    assert Status.NOT_YET == "not_yet"


def test_gating_names_the_waiting_steps_and_the_step_to_fix():
    steps = [
        _step(1, Status.READY),
        _step(2, Status.NOT_YET),
        _step(3, Status.BLOCKED),
        _step(4, Status.BLOCKED),
    ]

    assert Report(tuple(steps)).gating == (
        "Steps 3 and 4 wait until step 2, Engagement, is ready: fix it first."
    )


def test_gating_with_one_waiting_step_and_with_none():
    one = [_step(n, Status.READY) for n in (1, 2)] + [
        _step(3, Status.NOT_YET),
        _step(4, Status.BLOCKED),
    ]
    ready = [_step(n, Status.READY) for n in (1, 2, 3, 4)]

    assert Report(tuple(one)).gating == (
        "Step 4 waits until step 3, Alignment, is ready: fix it first."
    )
    assert Report(tuple(ready)).gating is None


def _step(number: int, status: Status) -> StepReport:
    key, name = {
        1: ("vision", "Vision"),
        2: ("engagement", "Engagement"),
        3: ("alignment", "Alignment"),
        4: ("commitment", "Commitment"),
    }[number]
    return StepReport(
        number=number,
        key=key,
        name=name,
        moment_of_truth="?",
        answer=Answer.YES if status is Status.READY else Answer.NO,
        status=status,
        blocked_by=None,
        score=0,
        evidence=(),
        next_actions=("Do the thing.",),
        provisional=status is Status.BLOCKED,
        detail=None,
    )
