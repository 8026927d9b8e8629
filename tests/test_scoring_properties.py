"""Properties that hold for any input: no exception, scores in range, order kept."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.catalogue import ALIGNMENT_KEYS
from assessments.scoring import (
    ActionInput,
    AlignmentAnswer,
    AlignmentInput,
    Answers,
    CommitmentInput,
    Override,
    Status,
    VisionInput,
    apply_override,
    build_report,
    check_vision,
    judge_team,
    summarise,
)

VISION = "Fix it fast, explain it plainly, and leave every customer confident."
AWKWARD = [
    "",
    "\x00",
    "\x00fix\x00it\x00fast",
    "🔧⚡️ fix it fast 👍🏽",
    "ﬁx ﬀ ligatures",
    "e\u0301xplain plai\u0308nly",
    "\u202eright-to-left override\u202c",
    "שירות מהיר והסבר פשוט",
    "خدمة سريعة وشرح واضح",
    "Z\u0351\u0352a\u0353l\u0354g\u0355o\u0356",
    "\ud7ff\ue000\uffff",
    "fix " * 1250,
    "🙂" * 5000,
    "a\u0300" * 2500,
]
answer_text = st.one_of(st.text(), st.sampled_from(AWKWARD))
answers = st.builds(
    Answers, st.text(max_size=10), answer_text, answer_text, answer_text
)


def in_unit_range(value):
    return 0.0 <= value <= 1.0


@settings(max_examples=150, deadline=None)
@given(vision=answer_text, team=st.lists(answers, max_size=6))
def test_judging_never_raises_and_every_score_is_between_0_and_1(vision, team):
    judgements = judge_team(vision, team)
    assert [j.respondent for j in judgements] == [a.respondent for a in team]
    for respondent in judgements:
        for answer in respondent.answers.values():
            assert in_unit_range(answer.clarity)
            assert in_unit_range(answer.consistency)
            assert in_unit_range(answer.score)
            assert answer.clear is (answer.clarity >= 0.5)
            assert answer.consistent is (answer.consistency >= 0.5)
            assert all(isinstance(reason, str) and reason for reason in answer.reasons)
        assert respondent.engaged is all(
            a.clear and a.consistent for a in respondent.answers.values()
        )
    summary = summarise(judgements, invitations=None)
    assert summary.respondents == len(team)
    assert in_unit_range(summary.engaged_share)


@settings(max_examples=150, deadline=None)
@given(statement=answer_text)
def test_vision_check_never_raises_on_any_text(statement):
    for finding in check_vision(statement):
        assert finding.code in {
            "missing",
            "generic",
            "prohibitions",
            "too_long",
            "jargon",
        }
        assert finding.message


@settings(max_examples=100, deadline=None)
@given(
    text=answer_text,
    clear=st.one_of(st.none(), st.booleans()),
    consistent=st.booleans(),
    reason=st.text(min_size=1).filter(str.strip),
)
def test_an_override_always_wins_and_keeps_scores_in_range(
    text, clear, consistent, reason
):
    engine = judge_team(VISION, [Answers("x", text, text, text)])[0].answers["meaning"]
    effective = apply_override(engine, Override(reason, clear, consistent)).effective
    assert effective.consistent is consistent
    assert effective.clear is (engine.clear if clear is None else clear)
    assert in_unit_range(effective.score)


ratings = st.one_of(st.none(), st.integers(1, 5))
alignment_inputs = st.builds(
    AlignmentInput,
    st.tuples(
        *(
            st.builds(
                AlignmentAnswer,
                st.just(key),
                ratings,
                answer_text,
                st.one_of(st.none(), st.floats(1, 5)),
                st.integers(0, 50),
            )
            for key in ALIGNMENT_KEYS
        )
    ),
)
days = st.dates(date(2020, 1, 1), date(2030, 12, 31))
commitment_inputs = st.builds(
    CommitmentInput,
    st.one_of(st.none(), st.floats(0, 168)),
    st.one_of(st.none(), st.floats(0, 1e9)),
    answer_text,
    answer_text,
    answer_text,
    st.one_of(st.none(), days),
    st.lists(
        st.builds(
            ActionInput,
            st.text(),
            st.text(),
            st.one_of(st.none(), days),
            st.one_of(st.none(), days),
        ),
        max_size=5,
    ).map(tuple),
    days,
)


@settings(max_examples=150, deadline=None)
@given(
    statement=answer_text,
    has_vision=st.one_of(st.none(), st.booleans()),
    team=st.lists(answers, max_size=4),
    invitations=st.one_of(st.none(), st.integers(0, 20)),
    alignment=alignment_inputs,
    commitment=commitment_inputs,
)
def test_report_gate_holds_for_any_input(
    statement, has_vision, team, invitations, alignment, commitment
):
    built = build_report(
        vision=VisionInput(statement, has_vision),
        engagement=summarise(judge_team(statement, team), invitations),
        alignment=alignment,
        commitment=commitment,
    )
    blocker = None
    for step in built.steps:
        assert 0 <= step.score <= 100
        assert 2 <= len(step.next_actions) <= 4
        if blocker is not None:
            assert (step.status, step.blocked_by, step.provisional) == (
                Status.BLOCKED,
                blocker,
                True,
            )
        elif step.status is Status.NOT_YET:
            blocker = step.number
        else:
            assert step.status is Status.READY
    assert (built.first_blocker is None) is (blocker is None)


@settings(max_examples=50, deadline=None)
@given(today=days, offset=st.integers(-400, 400))
def test_reassessment_counts_only_from_today_to_six_months_ahead(today, offset):
    reassess_on = today + timedelta(days=offset)
    commitment = CommitmentInput(1, None, "", "A", "B", reassess_on, (), today)
    built = build_report(
        vision=VisionInput(VISION, True),
        engagement=summarise([], None),
        alignment=AlignmentInput(()),
        commitment=commitment,
    )
    missing = [r.key for r in built.step("commitment").detail.missing]
    if offset < 0 or offset > 184:
        assert "reassessment" in missing
    elif offset <= 181:
        assert "reassessment" not in missing
