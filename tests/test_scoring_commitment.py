"""Final step: fully committed or merely enthusiastic, and follow-through."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from assessments.scoring import (
    ActionInput,
    CommitmentInput,
    CommitmentLevel,
    assess_commitment,
)
from assessments.scoring.commitment import add_months, budget_text, is_placeholder_name

TODAY = date(2026, 3, 10)
COMMITTED = CommitmentInput(
    hours_per_week=Decimal("2.5"),
    budget=Decimal("1500.00"),
    attention="Service is the first item of the Monday leadership meeting.",
    owner="Priya Shah",
    sponsor="Head of Operations",
    reassess_on=date(2026, 7, 1),
    actions=(ActionInput("Rewrite the estimate letter", "Sam", date(2026, 4, 1)),),
    today=TODAY,
)


def missing(commitment):
    return [r.key for r in assess_commitment(commitment).missing]


def test_time_owner_sponsor_dated_action_and_reassessment_make_full_commitment():
    result = assess_commitment(COMMITTED)
    assert result.level is CommitmentLevel.FULLY_COMMITTED
    assert result.missing == ()
    assert result.score == 1.0


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"hours_per_week": None}, "time"),
        ({"hours_per_week": 0}, "time"),
        ({"hours_per_week": Decimal("0.0")}, "time"),
        ({"owner": ""}, "owner"),
        ({"owner": "   "}, "owner"),
        ({"sponsor": ""}, "sponsor"),
        ({"actions": ()}, "actions"),
        ({"actions": (ActionInput("Someday"),)}, "actions"),
        ({"reassess_on": None}, "reassessment"),
        ({"reassess_on": date(2026, 3, 9)}, "reassessment"),
        ({"reassess_on": date(2026, 9, 11)}, "reassessment"),
    ],
)
def test_any_missing_requirement_leaves_the_leader_enthusiastic(changes, key):
    commitment = replace(COMMITTED, **changes)
    result = assess_commitment(commitment)
    assert result.level is CommitmentLevel.ENTHUSIASTIC
    assert missing(commitment) == [key]
    assert result.score == pytest.approx(0.8)


def test_budget_and_attention_are_not_required():
    commitment = replace(COMMITTED, budget=None, attention="")
    assert assess_commitment(commitment).level is CommitmentLevel.FULLY_COMMITTED


def test_nothing_at_all_misses_all_five():
    empty = CommitmentInput(None, None, "", "", "", None, (), TODAY)
    assert missing(empty) == ["time", "owner", "sponsor", "actions", "reassessment"]
    assert assess_commitment(empty).score == 0


@pytest.mark.parametrize(
    ("reassess_on", "met"),
    [
        (date(2026, 3, 10), True),
        (date(2026, 9, 10), True),
        (date(2026, 9, 11), False),
        (date(2026, 3, 9), False),
    ],
)
def test_reassessment_must_be_from_today_to_six_months_ahead(reassess_on, met):
    commitment = replace(COMMITTED, reassess_on=reassess_on)
    assert ("reassessment" not in missing(commitment)) is met


@pytest.mark.parametrize(
    ("reassess_on", "detail"),
    [
        (None, "no date set"),
        (date(2026, 1, 5), "05 Jan 2026 is in the past"),
        (date(2027, 1, 5), "05 Jan 2027 is more than six months away"),
    ],
)
def test_reassessment_detail_says_what_is_wrong(reassess_on, detail):
    result = assess_commitment(replace(COMMITTED, reassess_on=reassess_on))
    assert result.missing[0].detail == detail


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 3, 10), 6, date(2026, 9, 10)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
    ],
)
def test_six_months_are_calendar_months_clipped_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


def test_follow_through_counts_actions_done_or_past_due():
    actions = (
        ActionInput("on time", due_on=date(2026, 3, 1), done_on=date(2026, 2, 28)),
        ActionInput("on the day", due_on=date(2026, 3, 1), done_on=date(2026, 3, 1)),
        ActionInput("late", due_on=date(2026, 2, 1), done_on=date(2026, 2, 20)),
        ActionInput("overdue", due_on=date(2026, 3, 9)),
        ActionInput("done, no date", done_on=date(2026, 3, 2)),
        ActionInput("due today", due_on=TODAY),
        ActionInput("future", due_on=date(2026, 5, 1)),
        ActionInput("no date"),
    )
    result = assess_commitment(replace(COMMITTED, actions=actions))
    assert (result.actions_on_time, result.actions_counted) == (3, 5)
    assert result.follow_through == pytest.approx(0.6)


@pytest.mark.parametrize(
    ("done_on", "score"),
    [
        (None, 0.5),  # 0 of 1 due actions done: not 100 beside 0%
        (date(2026, 3, 20), 0.5),  # done, but after its due date
        (date(2026, 2, 27), 1.0),
    ],
)
def test_the_score_weighs_follow_through_once_an_action_is_due(done_on, score):
    due = ActionInput("Rewrite the estimate letter", "Sam", date(2026, 3, 1), done_on)
    commitment = replace(COMMITTED, actions=(due,), today=date(2026, 3, 25))
    result = assess_commitment(commitment)
    assert result.missing == ()
    assert result.score == pytest.approx(score)


def test_follow_through_and_missing_requirements_both_lower_the_score():
    overdue = ActionInput("Call back", due_on=date(2026, 3, 1))
    on_time = ActionInput("Huddle", due_on=date(2026, 3, 1), done_on=date(2026, 3, 1))
    commitment = replace(COMMITTED, sponsor="", actions=(overdue, on_time))
    assert assess_commitment(commitment).score == pytest.approx(0.5 * 0.8 + 0.5 * 0.5)


def test_follow_through_is_unknown_before_any_action_is_due_or_done():
    assert assess_commitment(COMMITTED).follow_through is None


def test_requirements_describe_what_was_given():
    details = {r.key: r.detail for r in assess_commitment(COMMITTED).requirements}
    assert details == {
        "time": "2.5 hours a week",
        "owner": "Priya Shah",
        "sponsor": "Head of Operations",
        "actions": "1 of 1 actions have a due date",
        "reassessment": "booked for 01 Jul 2026",
    }


@pytest.mark.parametrize(
    ("hours", "met"),
    [
        (Decimal("0.1"), False),
        (Decimal("0.9"), False),
        (Decimal("1.0"), True),
        (1, True),
        (Decimal("40"), True),
    ],
)
def test_time_needs_at_least_an_hour_a_week(hours, met):
    result = assess_commitment(replace(COMMITTED, hours_per_week=hours))
    time = next(r for r in result.requirements if r.key == "time")
    assert time.met is met
    assert (result.level is CommitmentLevel.FULLY_COMMITTED) is met


def test_a_few_minutes_a_week_say_why_they_are_not_time():
    result = assess_commitment(replace(COMMITTED, hours_per_week=Decimal("0.1")))
    assert result.missing[0].detail == "0.1 hours a week, less than 1 hour"


@pytest.mark.parametrize(
    "placeholder",
    [
        "tbd",
        "TBC",
        "-",
        "--",
        "n/a",
        "N/A",
        "none",
        "?",
        "???",
        "someone",
        "me",
        " Me. ",
        "to be decided",
        "...",
        "123",
        "x",
    ],
)
def test_a_placeholder_owner_or_sponsor_names_nobody(placeholder):
    for key in ("owner", "sponsor"):
        commitment = replace(COMMITTED, **{key: placeholder})
        assert missing(commitment) == [key]
        detail = next(
            r.detail for r in assess_commitment(commitment).requirements if r.key == key
        )
        assert detail == f"“{placeholder.strip()}” names nobody"


@pytest.mark.parametrize(
    "name", ["Priya Shah", "Mé", "Na Li", "Jo", "Ólafur", "李娜", "Head of Operations"]
)
def test_real_names_are_no_placeholders(name):
    assert not is_placeholder_name(name)
    assert missing(replace(COMMITTED, owner=name, sponsor=name)) == []


def test_a_blank_name_is_none_rather_than_a_placeholder():
    assert not is_placeholder_name("   ")


def test_overdue_actions_count_against_follow_through():
    actions = (
        ActionInput("on time", due_on=date(2026, 3, 1), done_on=date(2026, 3, 1)),
        ActionInput("overdue", due_on=date(2026, 3, 9)),
        ActionInput("long overdue", due_on=date(2025, 12, 1)),
        ActionInput("due today", due_on=TODAY),
    )
    result = assess_commitment(replace(COMMITTED, actions=actions))
    assert (result.actions_on_time, result.actions_counted) == (1, 3)
    assert result.actions_overdue == 2
    assert result.follow_through == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    ("action", "overdue"),
    [
        (ActionInput("yesterday", due_on=date(2026, 3, 9)), True),
        (ActionInput("today", due_on=TODAY), False),
        (ActionInput("done late", due_on=date(2026, 3, 1), done_on=TODAY), False),
        (ActionInput("no date"), False),
    ],
)
def test_an_action_is_overdue_when_undone_after_its_due_date(action, overdue):
    assert action.is_overdue(TODAY) is overdue


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (Decimal("1500"), "EUR", "1,500.00 EUR"),
        (Decimal("0.5"), "JPY", "0.50 JPY"),
        (Decimal("99"), "", "99.00 (currency not given)"),
        (None, "GBP", "none"),
    ],
)
def test_a_budget_reads_with_its_currency(amount, currency, text):
    assert budget_text(amount, currency) == text
