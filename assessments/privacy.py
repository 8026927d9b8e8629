"""Who may see what of a round. Every reader asks here: the report, the step
pages, the dashboard and team pages (through the stored readiness), the admin,
the answers' export and the commands. Nothing here writes.

- **Respondents** are counted by ``counted_responses`` and nothing else: released
  answers (pages never read an anonymous round's answers live) of people the app
  sent a link to itself.
- **Groups.** Scores, and everything drawn from answers or judgements (step 2's
  verdict and next actions, the team's alignment means and the perception gap,
  the charts, the admin's engaged share), show once a round has
  ``min_group_for_scores`` respondents; answers are quoted, listed and exported
  once it has ``min_group_for_verbatims``. An anonymous round can set neither
  below 3 and 5 (``models.ANONYMOUS_MIN_GROUP_FOR_SCORES`` and ``_VERBATIMS``).
- **Differencing.** Subtracting the figures of two rounds isolates the people in
  one and not the other. An anonymous round is withheld when its people differ
  by 1 to (minimum group - 1) from those of another round in its scope that
  already shows results. Its scope is every round the same managers or the same
  tree of teams can see: the rounds of teams sharing a manager with its team,
  and of every team under the root of its tree (siblings, grandchildren). People
  are counted as persons, however listed: a name and an email on one invitation
  are one person wherever either appears in scope, emails compared lower-case,
  without a +tag, and without dots at Gmail. The rule is applied when a round
  opens and when it closes (``services.round_decide``) and the decision kept on
  the round, so whichever of two close rounds would show second is the one
  hidden, whatever their dates. A withheld round shows nothing drawn from
  answers, and says why.
- **People.** Only a named round has a per-person view (who is engaged, each
  person's verdicts, their alignment ratings: ``shows_people``), and only once
  its answers are quoted. An anonymous round never shows one, to anybody, nor
  any rating of the team's per respondent.
- **Trends.** A team's trend page and its CSV set each round beside the others
  with that round's own visibility: where it shows no scores (withheld, or
  below its minimum group) nothing drawn from answers appears, neither the
  engaged share, the per-question shares, the team's alignment means, nor the
  stored scores of steps 2 and 3 (``trend_shows``, ``trend_shows_step``); the
  page says "hidden" or "too few answers" instead, never a number. The
  dashboard's change since the previous completed round follows the same rule.
- **The admin** shows a named round whole; an anonymous round, to every
  administrator, no more than its managers see.
- **Roll-ups** (``rollup_fold``). A department's or division's roll-up shows each
  team beneath it by the team's latest completed round. A team whose round does
  not show scores (below its minimum group, or withheld) is never shown alone: it
  is folded into "Other teams". The fold's figures are pooled only when (a) it
  holds at least 2 teams and at least as many counted respondents as the largest
  minimum group among them, and (b) subtracting the pooled folds of the roll-ups
  beneath (any team below with teams of its own has a roll-up) leaves nothing or
  again such a pool. Otherwise the fold shows "too few to show" and its teams
  enter no figure of the page, totals included: the totals are the shown teams
  plus a pooled fold, so no difference of two figures, on one page, its CSV or
  two roll-ups of nested scopes, isolates a folded team. Withheld rounds are
  folded but never pooled: they are hidden because a difference already reveals
  people.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from assessments.addresses import normalized_address
from assessments.models import (
    Assessment,
    Invitation,
    InvitationQuerySet,
    Response,
    Team,
)

SCORES_WAIT = "Scores appear once {needed} people have answered ({count} so far)."
QUOTES_WAIT = (
    "Answers are quoted and exported once {needed} people have answered "
    "({count} so far)."
)
DIFFERENCING = (
    "Scores and answers are hidden for this round: {other} invited almost the same "
    "people (only {difference} different), so comparing the two could reveal what "
    "{those} said. Invite at least {needed} different people, or reuse the same list."
)


# --- Respondents ----------------------------------------------------------------------


# Respondents counted against the minimum groups: those the app sent a link to
# itself (``Response.counts_for_minimum``); answers through a printed code or a
# link the manager handed out are shown, but never make up a group.
COUNTED = Q(counts_for_minimum=True)


def released_responses() -> QuerySet[Response]:
    """The responses pages may read: an anonymous round's as the worker releases
    them in groups (``services.answers_release``), a named round's at once."""
    return Response.objects.released()


def in_team_profile(release: int | None) -> bool:
    """Whether a response of that ``release`` enters its round's team profile
    at a full scoring: released answers only. A waiting answer's words would
    otherwise show in the judgements of the answers already shown, and whether
    the profile counts a response tells no more than its release does."""
    return release is not None


def counted_responses() -> QuerySet[Response]:
    """The responses that count as a round's respondents, wherever they are
    counted against its minimum groups."""
    return released_responses().filter(COUNTED)


def shown_answers(assessment: Assessment) -> Q:
    """The round's responses that may have reached its managers, as a condition
    on them: an anonymous round's once released in a group, a named round's
    once given by anyone counted. The manager's prediction is made before any."""
    released = Q(release__isnull=False)
    return released if assessment.anonymous else released & COUNTED


def answers_shown(assessment: Assessment) -> bool:
    """Whether any of the round's answers may have reached its managers
    (``shown_answers``)."""
    return (
        Response.objects.filter(assessment=assessment)
        .filter(shown_answers(assessment))
        .exists()
    )


def answers_shown_of(assessment: Assessment, *, released: int, counted: int) -> bool:
    """``answers_shown`` from counts already read: the round's ``released``
    responses and the ``counted`` ones among them."""
    return bool(released if assessment.anonymous else counted)


def respondent_count(assessment: Assessment) -> int:
    return counted_responses().filter(assessment=assessment).count()


def respondents_per_round() -> Coalesce:
    """Each round's respondents, as an expression to annotate rounds with."""
    return Coalesce(
        Subquery(
            counted_responses()
            .filter(assessment=OuterRef("pk"))
            .order_by()
            .values("assessment")
            .annotate(count=Count("pk"))
            .values("count")
        ),
        0,
    )


# --- What a round shows ---------------------------------------------------------------


@dataclass(frozen=True)
class Visibility:
    """What a round shows now: scores (and all drawn from answers), quoted
    answers, and why what is hidden is hidden."""

    shows_scores: bool
    shows_quotes: bool
    reason: str | None = None
    withheld: bool = False  # hidden by the round's differencing decision


EVERYTHING = Visibility(shows_scores=True, shows_quotes=True)


def visibility(
    assessment: Assessment, respondents: int, *, staff: bool = False
) -> Visibility:
    """What ``assessment`` shows with ``respondents`` (``respondent_count``), to
    its managers or, ``staff``, in the admin."""
    if staff and not assessment.anonymous:
        return EVERYTHING
    if assessment.withheld_reason:
        return Visibility(False, False, assessment.withheld_reason, withheld=True)
    if respondents < assessment.min_group_for_scores:
        reason = SCORES_WAIT.format(
            needed=assessment.min_group_for_scores, count=respondents
        )
        return Visibility(False, False, reason)
    if respondents < assessment.min_group_for_verbatims:
        reason = QUOTES_WAIT.format(
            needed=assessment.min_group_for_verbatims, count=respondents
        )
        return Visibility(True, False, reason)
    return EVERYTHING


def shows_people(assessment: Assessment, shown: Visibility) -> bool:
    """Whether the round may show each person's results (``Response.for_people``)
    and their ratings one by one, given what it shows now (``visibility``):
    only a named round, and only where its answers are quoted."""
    return not assessment.anonymous and shown.shows_quotes


def trend_shows(shown: Visibility) -> bool:
    """Whether a round's figures drawn from answers appear beside its other
    rounds (the trend page, its CSV, the dashboard's change)."""
    return shown.shows_scores


# Steps whose stored score is drawn from the team's answers.
STEPS_FROM_ANSWERS = frozenset({"engagement", "alignment"})


def trend_shows_step(step_key: str, shown: Visibility) -> bool:
    """Whether a step's stored score appears beside the round's others: those
    drawn from answers only where the round shows its scores."""
    return step_key not in STEPS_FROM_ANSWERS or trend_shows(shown)


class Withheld(Exception):
    """Answers were asked for that the round does not show; says why."""


def require_quotes(assessment: Assessment, *, staff: bool = False) -> None:
    """Raise ``Withheld`` unless the round's answers may be read one by one."""
    shown = visibility(assessment, respondent_count(assessment), staff=staff)
    if not shown.shows_quotes:
        raise Withheld(shown.reason)


def scores_shown(respondents: str) -> Q:
    """``visibility(...).shows_scores`` as a condition on rounds annotated with
    ``respondents`` (``respondents_per_round``)."""
    return Q(withheld_reason="") & Q(
        **{f"{respondents}__gte": F("min_group_for_scores")}
    )


def quotes_shown(respondents: str, *, staff: bool = False) -> Q:
    """``visibility(...).shows_quotes`` as a condition, like ``scores_shown``
    (quoting needs at least as many people as scores: a constraint)."""
    shown = Q(withheld_reason="") & Q(
        **{f"{respondents}__gte": F("min_group_for_verbatims")}
    )
    return Q(anonymous=False) | shown if staff else shown


def rounds_quoting_answers(*, staff: bool = False) -> QuerySet:
    """The ids of the rounds whose answers may be read, one by one."""
    return (
        Assessment.objects.alias(respondents=respondents_per_round())
        .filter(quotes_shown("respondents", staff=staff))
        .order_by()
        .values("pk")
    )


# --- Telling people apart -------------------------------------------------------------


def normalized_name(name: str) -> str:
    return " ".join(name.casefold().split())


class _People:
    """Union-find over what names a person on an invitation: keys found on one
    invitation belong to one person."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, first: str, second: str) -> None:
        self.parent[self.find(first)] = self.find(second)


def _keys(pk: int, name: str, email: str) -> list[str]:
    keys = []
    if email.strip():
        keys.append(f"email:{normalized_address(email)}")
    if name.strip():
        keys.append(f"name:{normalized_name(name)}")
    return keys or [f"invitation:{pk}"]  # someone nobody could name twice


def rosters(round_ids: list[int]) -> dict[int, set[str]]:
    """The distinct people invited (and not revoked) in each round, as people
    known across all of these rounds' invitations."""
    rows = (
        Invitation.objects.filter(assessment_id__in=round_ids)
        .annotate(
            is_live=ExpressionWrapper(
                InvitationQuerySet.live_condition(), output_field=BooleanField()
            )
        )
        .order_by()
        .values_list("assessment_id", "pk", "name", "email", "is_live")
    )
    people = _People()
    invited = []
    for round_id, pk, name, email, live in rows:
        keys = _keys(pk, name, email)
        for key in keys[1:]:
            people.union(keys[0], key)
        if live:
            invited.append((round_id, keys[0]))
    found: dict[int, set[str]] = {pk: set() for pk in round_ids}
    for round_id, key in invited:
        found[round_id].add(people.find(key))
    return found


# --- Differencing ---------------------------------------------------------------------


def _team_tree(team_id: int) -> set[int]:
    """Every team in ``team_id``'s tree: its root and all below the root."""
    root, seen = team_id, {team_id}
    while True:
        parent = Team.objects.filter(pk=root).values_list("parent_id", flat=True)[0]
        if parent is None or parent in seen:
            break
        root = parent
        seen.add(parent)
    tree = frontier = {root}
    while frontier:
        below = Team.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        frontier = set(below) - tree
        tree = tree | frontier
    return tree


def teams_in_scope(team_id: int) -> QuerySet[Team]:
    """The teams whose rounds a round of ``team_id`` is compared with: those
    sharing a manager with it, and every team in its tree."""
    memberships = Team.managers.through.objects
    managers = memberships.filter(team_id=team_id).values("user_id")
    sharing = memberships.filter(user_id__in=managers).values("team_id")
    return Team.objects.filter(Q(pk__in=_team_tree(team_id)) | Q(pk__in=sharing))


def rounds_in_scope(assessment: Assessment) -> QuerySet[Assessment]:
    """Every other round the managers of ``assessment`` or its tree of teams can
    see (``teams_in_scope``)."""
    return Assessment.objects.filter(
        team__in=teams_in_scope(assessment.team_id)
    ).exclude(pk=assessment.pk)


def differencing_risk(assessment: Assessment) -> str | None:
    """Why this round must stay hidden, if it must: its people differ by 1 to
    (minimum group - 1) from those of another round in its scope that shows
    results now. Named rounds promise no anonymity and are never hidden."""
    if not assessment.anonymous:
        return None
    others = list(
        rounds_in_scope(assessment)
        .annotate(respondents=respondents_per_round())
        .select_related("team")
        .order_by("pk")
    )
    showing = [
        other for other in others if visibility(other, other.respondents).shows_scores
    ]
    if not showing:
        return None
    people = rosters([assessment.pk, *(other.pk for other in others)])
    mine = people[assessment.pk]
    for other in showing:
        needed = max(assessment.min_group_for_scores, other.min_group_for_scores)
        difference = len(mine ^ people[other.pk])
        if 0 < difference < needed:
            return DIFFERENCING.format(
                other=other,
                difference=difference,
                those="that person" if difference == 1 else "those people",
                needed=needed,
            )
    return None


# --- Roll-ups -------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """What the roll-up rule needs of one team's round: its counted respondents,
    its minimum group for scores, and whether it shows scores or is withheld."""

    people: int
    min_group: int
    shows_scores: bool
    withheld: bool = False


@dataclass(frozen=True)
class Fold:
    """How a roll-up shows the teams beneath it: ``shown`` on their own rows,
    ``folded`` into "Other teams" (never shown alone), and ``pooled``, those of
    the folded whose figures enter the page's figures (empty when too few)."""

    shown: frozenset[int]
    folded: frozenset[int]
    pooled: frozenset[int]


def _pools(teams: set[int], standings: Mapping[int, Standing]) -> bool:
    """Whether ``teams`` may be shown as one aggregate: at least 2 teams, and at
    least as many people as the largest minimum group among them."""
    if len(teams) < 2:
        return False
    people = sum(standings[team].people for team in teams)
    return people >= max(standings[team].min_group for team in teams)


def rollup_fold(
    root: int, children: Mapping[int, list[int]], standings: Mapping[int, Standing]
) -> Fold:
    """Which teams beneath ``root`` the roll-up shows, folds and pools, given each
    team's children and the ``standings`` of the teams with a completed round
    (see the module docstring: "Roll-ups")."""
    beneath: dict[int, set[int]] = {}
    pooled_below: dict[int, bool] = {}
    known_below: dict[int, set[int]] = {}  # the pooled folds readable beneath

    def candidates(team: int) -> set[int]:
        return {
            below
            for below in beneath[team]
            if below in standings
            and not standings[below].shows_scores
            and not standings[below].withheld
        }

    def visit(team: int, path: frozenset[int]) -> None:
        beneath[team], known_below[team] = set(), set()
        for child in children.get(team, ()):
            if child in path or child in beneath:  # a loop in the tree
                continue
            visit(child, path | {child})
            beneath[team] |= {child} | beneath[child]
            if children.get(child) and pooled_below[child]:
                known_below[team] |= candidates(child)
            else:
                known_below[team] |= known_below[child]
        pool = candidates(team)
        rest = pool - known_below[team]
        pooled_below[team] = _pools(pool, standings) and (
            not rest or _pools(rest, standings)
        )

    visit(root, frozenset({root}))
    ranked = [team for team in beneath[root] if team in standings]
    return Fold(
        shown=frozenset(t for t in ranked if standings[t].shows_scores),
        folded=frozenset(t for t in ranked if not standings[t].shows_scores),
        pooled=frozenset(candidates(root) if pooled_below[root] else ()),
    )
