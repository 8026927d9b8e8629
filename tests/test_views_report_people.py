"""A named round's per-person table in its report: who is engaged, each answer's
verdict with the manager's decisions applied, sortable without script, a page at
a time; never in an anonymous round."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from assessments import privacy, services
from assessments.models import AnswerJudgement, Response
from assessments.views.report import PEOPLE_PER_PAGE
from tests.factories import AssessmentFactory, VisionFactory
from tests.samples import ENGAGED, LOST
from tests.samples import TEAM_VISION as VISION
from tests.samples import submit as answer

pytestmark = pytest.mark.django_db


def report_url(assessment, **query) -> str:
    url = reverse("assessments:report", args=(assessment.pk,))
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def named_round(team):
    assessment = AssessmentFactory(
        team=team, anonymous=False, min_group_for_scores=1, min_group_for_verbatims=1
    )
    VisionFactory(assessment=assessment, statement=VISION)
    return assessment


def names(page) -> list[str]:
    return [person["name"] for person in page.context["people"]["page"]]


def people_table(text: str) -> str:
    return text[text.index('id="people-heading"') : text.index('id="answers-heading"')]


def test_a_named_round_shows_who_is_engaged_by_name(manager_client, named_round):
    answer(named_round, ENGAGED, name="Bea Brown")
    answer(named_round, LOST, name="Ann Abbott")
    answer(named_round, ENGAGED, name="", email="cy@example.com")

    page = manager_client.get(report_url(named_round))

    assert names(page) == ["Ann Abbott", "Bea Brown", "cy@example.com"]
    ann, bea, _ = page.context["people"]["page"]
    assert (ann["engaged"], bea["engaged"]) == (False, True)
    table = people_table(page.content.decode())
    assert table.index("Ann Abbott") < table.index("Not engaged") < table.index("Bea")
    assert "<strong>not clear</strong>" in table


def test_the_table_applies_the_managers_decisions(manager_client, manager, named_round):
    response = answer(named_round, LOST, name="Ann Abbott")
    for judgement in AnswerJudgement.objects.filter(response=response):
        services.judgement_override(
            judgement=judgement,
            clear=True,
            consistent=True,
            reason="She said this in our one-to-one.",
            user=manager,
        )

    [ann] = manager_client.get(report_url(named_round)).context["people"]["page"]

    assert ann["engaged"] is True
    assert ann["vision_clear"] is ann["contribution_consistent"] is True


@pytest.mark.parametrize(
    ("sort", "expected", "aria"),
    [
        ("name", ["Ann Abbott", "Bea Brown", "Cy Cole"], "ascending"),
        ("-name", ["Cy Cole", "Bea Brown", "Ann Abbott"], "descending"),
        ("engaged", ["Bea Brown", "Ann Abbott", "Cy Cole"], "ascending"),
        ("-engaged", ["Ann Abbott", "Cy Cole", "Bea Brown"], "descending"),
        ("-vision", ["Ann Abbott", "Cy Cole", "Bea Brown"], "descending"),
    ],
)
def test_the_table_sorts_by_a_column_with_aria_sort_on_its_heading(
    manager_client, named_round, sort, expected, aria
):
    answer(named_round, ENGAGED, name="Cy Cole")
    answer(named_round, LOST, name="Bea Brown")
    answer(named_round, ENGAGED, name="Ann Abbott")

    page = manager_client.get(report_url(named_round, sort=sort))

    assert names(page) == expected
    table = people_table(page.content.decode())
    assert table.count("aria-sort=") == 1
    assert f'aria-sort="{aria}"' in table
    sorted_heading = table[table.index("aria-sort=") :]
    key = sort.removeprefix("-")
    flipped = key if sort.startswith("-") else f"-{key}"
    assert sorted_heading.index(f"sort={flipped}#people") < sorted_heading.index(
        "</th>"
    )


def test_an_unknown_sort_falls_back_to_names(manager_client, named_round):
    answer(named_round, ENGAGED, name="Bea Brown")
    answer(named_round, ENGAGED, name="Ann Abbott")

    page = manager_client.get(report_url(named_round, sort="pk;drop"))

    assert page.status_code == HTTPStatus.OK
    assert names(page) == ["Ann Abbott", "Bea Brown"]


def test_a_long_table_comes_a_page_at_a_time(manager_client, named_round):
    for n in range(PEOPLE_PER_PAGE + 2):
        answer(named_round, ENGAGED, name=f"Person {n:03}")

    first = manager_client.get(report_url(named_round))
    second = manager_client.get(report_url(named_round, sort="-name", people=2))

    assert len(names(first)) == PEOPLE_PER_PAGE
    assert names(second) == ["Person 001", "Person 000"]
    assert "Page 2 of 2" in people_table(second.content.decode())
    assert "sort=-name&amp;people=1#people" in people_table(second.content.decode())


def test_an_anonymous_round_never_shows_a_per_person_table(manager_client, team):
    assessment = AssessmentFactory(team=team)
    VisionFactory(assessment=assessment, statement=VISION)
    for _ in range(6):
        answer(assessment, ENGAGED)

    page = manager_client.get(report_url(assessment, sort="engaged"))

    assert page.context["summary"].shows_verbatims  # answers are quoted
    assert page.context["people"] is None
    assert 'id="people-table"' not in page.content.decode()


def test_a_named_round_shows_no_table_before_its_answers_are_quoted(
    manager_client, team
):
    assessment = AssessmentFactory(
        team=team, anonymous=False, min_group_for_scores=1, min_group_for_verbatims=3
    )
    answer(assessment, ENGAGED, name="Ann Abbott")

    page = manager_client.get(report_url(assessment))

    assert page.context["people"] is None
    assert "Ann Abbott" not in page.content.decode()


@pytest.mark.parametrize(
    ("anonymous", "quotes", "shown"),
    [(False, True, True), (False, False, False), (True, True, False)],
)
def test_only_named_rounds_quoting_answers_show_people(anonymous, quotes, shown):
    assessment = AssessmentFactory.build(anonymous=anonymous)
    visibility = privacy.Visibility(shows_scores=True, shows_quotes=quotes)

    assert privacy.shows_people(assessment, visibility) is shown


def test_for_people_reads_only_released_answers(named_round):
    answer(named_round, ENGAGED, name="Ann Abbott")
    Response.objects.filter(assessment=named_round).update(release=None)

    assert list(Response.objects.for_people(named_round)) == []


@pytest.mark.parametrize("team_size", [5, 30])
def test_the_named_report_runs_a_fixed_number_of_queries(
    manager_client, named_round, django_assert_num_queries, team_size
):
    """One query more than an anonymous round's report: the table's page."""
    for n in range(team_size):
        answer(named_round, ENGAGED if n % 2 else LOST, name=f"Person {n}")
    manager_client.get(report_url(named_round))  # warm caches

    with django_assert_num_queries(10):
        page = manager_client.get(report_url(named_round, sort="-engaged"))

    assert len(names(page)) == team_size
