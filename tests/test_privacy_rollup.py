"""The roll-up's anonymity rule one level up (``privacy.rollup_fold``): a team
below its minimum group, or withheld, is never shown alone, and no difference
of two figures isolates it."""

import itertools

import pytest

from assessments.privacy import Standing, rollup_fold

SHOWN = Standing(people=10, min_group=3, shows_scores=True)


def few(people: int = 2) -> Standing:
    return Standing(people=people, min_group=3, shows_scores=False)


def test_teams_below_their_minimum_group_are_folded_and_pooled_when_enough():
    children = {1: [2, 3, 4]}
    fold = rollup_fold(1, children, {2: SHOWN, 3: few(2), 4: few(1)})
    assert fold.shown == {2}
    assert fold.folded == {3, 4}
    assert fold.pooled == {3, 4}


def test_a_single_folded_team_is_too_few_to_pool():
    fold = rollup_fold(1, {1: [2, 3]}, {2: SHOWN, 3: few(2)})
    assert fold.folded == {3}
    assert fold.pooled == frozenset()


def test_a_fold_of_too_few_people_is_not_pooled():
    fold = rollup_fold(1, {1: [2, 3]}, {2: few(1), 3: few(1)})
    assert fold.pooled == frozenset()


def test_the_largest_minimum_group_of_the_fold_applies():
    strict = Standing(people=2, min_group=5, shows_scores=False)
    fold = rollup_fold(1, {1: [2, 3]}, {2: strict, 3: few(2)})
    assert fold.pooled == frozenset()


def test_withheld_rounds_are_folded_but_never_pooled():
    withheld = Standing(people=20, min_group=3, shows_scores=False, withheld=True)
    fold = rollup_fold(1, {1: [2, 3, 4]}, {2: withheld, 3: few(2), 4: few(2)})
    assert fold.folded == {2, 3, 4}
    assert fold.pooled == {3, 4}


def test_teams_without_a_completed_round_are_neither_shown_nor_folded():
    fold = rollup_fold(1, {1: [2, 3]}, {2: SHOWN})
    assert fold.shown == {2}
    assert fold.folded == frozenset()


def test_every_level_beneath_is_rolled_up():
    children = {1: [2], 2: [3], 3: [4]}
    fold = rollup_fold(1, children, {2: SHOWN, 3: SHOWN, 4: SHOWN})
    assert fold.shown == {2, 3, 4}


def test_a_loop_in_the_tree_ends():
    fold = rollup_fold(1, {1: [2], 2: [1, 3]}, {2: SHOWN, 3: SHOWN})
    assert fold.shown == {2, 3}


def test_division_minus_department_cannot_isolate_a_folded_team():
    """The department pools {a, b}; the division would pool {a, b, c}: their
    difference is team c alone, so the division shows its fold as too few."""
    children = {1: [10, 4], 10: [2, 3], 4: []}
    standings = {10: SHOWN, 2: few(2), 3: few(2), 4: few(2)}
    department = rollup_fold(10, children, standings)
    division = rollup_fold(1, children, standings)
    assert department.pooled == {2, 3}
    assert division.pooled == frozenset()


def test_division_minus_two_departments_cannot_isolate_a_team_directly_beneath():
    children = {1: [10, 20, 5], 10: [2, 3], 20: [6, 7]}
    standings = {
        10: SHOWN,
        20: SHOWN,
        2: few(2),
        3: few(2),
        6: few(2),
        7: few(2),
        5: few(2),
    }
    assert rollup_fold(10, children, standings).pooled == {2, 3}
    assert rollup_fold(20, children, standings).pooled == {6, 7}
    assert rollup_fold(1, children, standings).pooled == frozenset()


def test_a_remainder_of_two_teams_may_be_pooled():
    children = {1: [10, 4, 5], 10: [2, 3]}
    standings = {10: SHOWN, 2: few(2), 3: few(2), 4: few(2), 5: few(2)}
    assert rollup_fold(1, children, standings).pooled == {2, 3, 4, 5}


@pytest.mark.parametrize("seed", range(40))
def test_no_difference_of_pooled_folds_in_a_tree_isolates_one_team(seed):
    """Over random trees, every difference of the pooled folds of nested
    roll-ups is empty or holds at least two folded teams."""
    import random

    chance = random.Random(seed)
    children: dict[int, list[int]] = {}
    standings = {}
    for team in range(2, 30):
        parent = chance.randrange(1, team)
        children.setdefault(parent, []).append(team)
        standings[team] = SHOWN if chance.random() < 0.4 else few(chance.randint(0, 3))
    folds = {node: rollup_fold(node, children, standings).pooled for node in children}
    known = [pool for pool in folds.values() if pool]
    for first, second in itertools.permutations(known, 2):
        if second <= first:
            rest = first - second
            assert len(rest) != 1
