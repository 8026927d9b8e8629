"""Steps 1, 3 and 4 as the manager works through them, and two managers at once."""

import threading
from datetime import timedelta
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from assessments import services
from assessments.forms import DONE_IN_THE_FUTURE, EVIDENCE_NEEDS_RATING
from assessments.models import (
    MAX_ANSWER_LENGTH,
    VISION_YES_NEEDS_STATEMENT,
    ActionItem,
    AlignmentRating,
    Assessment,
    Step,
    StepResult,
    alignment_questions,
)
from assessments.validators import CONTROL_CHARACTERS
from assessments.views.manager import (
    ACTION_ADDED,
    ACTION_CHANGED_MEANWHILE,
    ACTION_SAVED,
    ALIGNMENT_SAVED,
    COMMITMENT_SAVED,
    VISION_SAVED,
)
from tests.factories import ActionItemFactory, AlignmentRatingFactory, StepResultFactory
from tests.queries import writes
from tests.samples import rounds_too_close

pytestmark = pytest.mark.django_db

VISION = (
    "We fix each customer's problem on the first contact and explain it in plain words."
)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def url(name: str, round_: Assessment, *args) -> str:
    return reverse(f"assessments:{name}", args=(round_.pk, *args))


# --- Step 1 -----------------------------------------------------------------------


def test_step_one_ends_with_its_moment_of_truth_from_the_catalogue(
    manager_client, draft_round
):
    response = manager_client.get(url("vision", draft_round))

    step = Step.objects.get(key="vision", version=draft_round.catalogue_version)
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert step.moment_of_truth in page
    assert "Not assessed yet" in page
    assert 'aria-current="page"' in page


def test_step_one_saves_the_vision_and_the_answer(manager_client, draft_round):
    response = manager_client.post(
        url("vision", draft_round),
        {"statement": VISION, "has_vision": "True", "revision": 1},
    )

    assert response.url == url("vision", draft_round)
    assert messages_of(response) == [VISION_SAVED]
    draft_round.vision.refresh_from_db()
    assert draft_round.vision.statement == VISION
    assert draft_round.vision.has_vision is True
    assert draft_round.vision.revision == 2


def test_step_one_shows_the_vision_check_beside_the_statement(
    manager_client, draft_round
):
    manager_client.post(
        url("vision", draft_round),
        {"statement": "World-class customer service.", "revision": 1},
    )

    page = manager_client.get(url("vision", draft_round)).content.decode()

    assert "Uses stock phrases any company could claim" in page


def test_answering_yes_without_a_statement_is_refused_beside_the_statement(
    manager_client, draft_round
):
    response = manager_client.post(
        url("vision", draft_round),
        {"statement": "  ", "has_vision": "True", "revision": 1},
    )

    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["statement"] == [VISION_YES_NEEDS_STATEMENT]
    draft_round.vision.refresh_from_db()
    assert draft_round.vision.has_vision is None


@pytest.mark.parametrize(
    ("statement", "error"),
    [
        ("fix it\x00", "Null characters are not allowed."),
        ("fix it\x07", CONTROL_CHARACTERS),
        (
            "x" * (MAX_ANSWER_LENGTH + 1),
            f"Ensure this value has at most {MAX_ANSWER_LENGTH} characters "
            f"(it has {MAX_ANSWER_LENGTH + 1}).",
        ),
    ],
)
def test_step_one_refuses_bad_text_beside_the_field(
    manager_client, draft_round, statement, error
):
    response = manager_client.post(
        url("vision", draft_round), {"statement": statement, "revision": 1}
    )

    assert response.status_code == HTTPStatus.OK
    assert error in response.context["form"].errors["statement"]


def test_a_vision_changed_by_someone_else_is_not_overwritten(
    manager_client, draft_round, manager
):
    services.vision_update(
        vision=draft_round.vision,
        revision=1,
        statement="Their version.",
        has_vision=True,
        user=manager,
    )

    response = manager_client.post(
        url("vision", draft_round),
        {"statement": "My version.", "has_vision": "True", "revision": 1},
    )

    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert services.STALE_REVISION in page
    assert "My version." in page
    assert "Reload to see their version" in page
    draft_round.vision.refresh_from_db()
    assert draft_round.vision.statement == "Their version."


def test_a_round_made_without_a_vision_row_still_opens_step_one(
    manager_client, assessment
):
    response = manager_client.get(url("vision", assessment))

    assert response.status_code == HTTPStatus.OK
    assert assessment.vision.revision == 1


def test_step_one_shows_where_the_team_stands(manager_client, draft_round):
    StepResultFactory(
        assessment=draft_round,
        step=Step.objects.get(key="vision"),
        status=StepResult.Status.BLOCKED,
        score=0,
    )

    page = manager_client.get(url("vision", draft_round)).content.decode()

    assert "Blocked" in page
    assert "Score 0 out of 100" in page


# --- Step 3 -----------------------------------------------------------------------


def alignment_data(**changes) -> dict:
    data = {}
    for question in alignment_questions(1):
        data[f"{question.key}_rating"] = "3"
        data[f"{question.key}_evidence"] = f"Evidence for {question.key}."
        data[f"{question.key}_revision"] = "0"
    return {**data, **changes}


def test_step_three_rates_the_five_questions_in_one_form(manager_client, draft_round):
    response = manager_client.post(
        url("alignment", draft_round),
        alignment_data(goals_rating="5"),
    )

    assert response.url == url("alignment", draft_round)
    assert messages_of(response) == [ALIGNMENT_SAVED]
    ratings = {
        r.question.key: r.rating
        for r in AlignmentRating.objects.filter(assessment=draft_round)
    }
    assert ratings == {
        "goals": 5,
        "hiring": 3,
        "training": 3,
        "empowerment": 3,
        "reinforcement": 3,
    }


def test_step_three_says_whether_the_team_rates_too_and_changes_nothing_of_it(
    manager_client, draft_round
):
    page = manager_client.get(url("alignment", draft_round)).content.decode()
    assert "Team members do not rate these questions" in page
    assert "Change\n    this in the round's settings" in page.replace("&#x27;", "'")

    manager_client.post(
        url("alignment", draft_round), alignment_data(team_rates_alignment="on")
    )

    draft_round.refresh_from_db()
    assert draft_round.team_rates_alignment is False


def test_step_three_saves_the_questions_rated_so_far(manager_client, draft_round):
    unrated = {
        f"{question.key}_{field}": ""
        for question in alignment_questions(1)[1:]
        for field in ("rating", "evidence")
    }
    manager_client.post(
        url("alignment", draft_round), alignment_data(goals_rating="4", **unrated)
    )

    assert AlignmentRating.objects.get(assessment=draft_round).rating == 4


def test_step_three_refuses_evidence_without_a_rating(manager_client, draft_round):
    response = manager_client.post(
        url("alignment", draft_round),
        alignment_data(goals_rating=""),
    )

    assert response.context["form"].errors["goals_rating"] == [EVIDENCE_NEEDS_RATING]
    assert not AlignmentRating.objects.exists()


def test_step_three_refuses_a_rating_outside_one_to_five(manager_client, draft_round):
    response = manager_client.post(
        url("alignment", draft_round), alignment_data(goals_rating="6")
    )

    assert response.context["form"].errors["goals_rating"] == [
        "Select a valid choice. 6 is not one of the available choices."
    ]


def test_alignment_ratings_changed_by_someone_else_are_not_overwritten(
    manager_client, draft_round
):
    goals = alignment_questions(1)[0]
    AlignmentRatingFactory(
        assessment=draft_round, question=goals, rating=2, evidence="Theirs."
    )

    response = manager_client.post(
        url("alignment", draft_round), alignment_data(goals_evidence="Mine.")
    )

    assert response.status_code == HTTPStatus.OK
    assert services.STALE_REVISION in response.content.decode()
    assert "Mine." in response.content.decode()
    assert AlignmentRating.objects.get(assessment=draft_round).evidence == "Theirs."


@pytest.fixture
def catalogue_read_afresh():
    """Each process reads the catalogue once: cleared, as in a process started
    after an edit, and cleared again so no other test sees this one's rows."""
    alignment_questions.cache_clear()
    yield
    alignment_questions.cache_clear()


def test_a_hint_with_a_link_set_in_the_admin_shows_as_text_on_step_three(
    staff_client, manager_client, draft_round, catalogue_read_afresh
):
    goals = alignment_questions(1)[0]
    saved = staff_client.post(
        reverse("admin:assessments_question_change", args=(goals.pk,)),
        {
            "step": goals.step_id,
            "key": goals.key,
            "position": goals.position,
            "text": goals.text,
            "hint": '<a href="https://evil.example/">Read the guide</a>',
        },
    )
    alignment_questions.cache_clear()

    text = manager_client.get(url("alignment", draft_round)).content.decode()

    assert saved.status_code == HTTPStatus.FOUND
    assert (
        "&lt;a href=&quot;https://evil.example/&quot;&gt;Read the guide&lt;/a&gt; "
        "1 = not at all, 5 = fully."
    ) in text
    assert 'evil.example/">' not in text


# --- Step 4 -----------------------------------------------------------------------


def commitment_data(**changes) -> dict:
    return {
        "hours_per_week": "2.5",
        "budget": "1500",
        "budget_currency": "EUR",
        "attention": "A standing item in the Monday leadership meeting.",
        "owner": "Priya Shah",
        "sponsor": "Alex Morgan",
        "reassess_on": (timezone.localdate() + timedelta(days=120)).isoformat(),
        "revision": "1",
        **changes,
    }


def test_step_four_saves_the_commitment_evidence(manager_client, draft_round):
    response = manager_client.post(url("commitment", draft_round), commitment_data())

    assert response.url == url("commitment", draft_round)
    assert messages_of(response) == [COMMITMENT_SAVED]
    draft_round.commitment.refresh_from_db()
    assert draft_round.commitment.hours_per_week == Decimal("2.5")
    assert draft_round.commitment.owner == "Priya Shah"
    assert draft_round.commitment.revision == 2


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        (
            "hours_per_week",
            "169",
            "Ensure this value is less than or equal to 168.",
        ),
        ("budget", "-1", "Ensure this value is greater than or equal to 0."),
        ("owner", "Priya\x00", "Null characters are not allowed."),
    ],
)
def test_step_four_refuses_impossible_evidence_beside_the_field(
    manager_client, draft_round, field, value, error
):
    response = manager_client.post(
        url("commitment", draft_round), commitment_data(**{field: value})
    )

    assert response.status_code == HTTPStatus.OK
    assert error in response.context["form"].errors[field]


def test_commitment_changed_by_someone_else_is_not_overwritten(
    manager_client, draft_round, manager
):
    services.commitment_update(
        commitment=draft_round.commitment, revision=1, user=manager, owner="Theirs"
    )

    response = manager_client.post(
        url("commitment", draft_round), commitment_data(owner="Mine")
    )

    assert services.STALE_REVISION in response.content.decode()
    assert 'value="Mine"' in response.content.decode()
    draft_round.commitment.refresh_from_db()
    assert draft_round.commitment.owner == "Theirs"


def test_an_action_is_added_to_the_plan(manager_client, draft_round):
    response = manager_client.post(
        url("action_create", draft_round),
        {
            "new-action-title": "Refund limit of 50 for every agent",
            "new-action-owner": "Tom",
        },
    )

    assert response.url == url("commitment", draft_round) + "#actions"
    action = ActionItem.objects.get(assessment=draft_round)
    assert action.title == "Refund limit of 50 for every agent"
    assert messages_of(response) == [ACTION_ADDED.format(title=action.title)]


def test_an_action_needs_a_title(manager_client, draft_round):
    response = manager_client.post(
        url("action_create", draft_round), {"new-action-title": ""}
    )

    assert response.status_code == HTTPStatus.OK
    assert response.context["action_form"].errors["title"] == [
        "This field is required."
    ]


def test_an_action_is_marked_done_later(manager_client, manager, draft_round):
    action = ActionItemFactory(assessment=draft_round, title="Huddle review")
    prefix = f"action-{action.pk}"
    today = timezone.localdate().isoformat()

    response = manager_client.post(
        url("action_update", draft_round, action.pk),
        {
            f"{prefix}-title": "Huddle review",
            f"{prefix}-done_on": today,
            f"{prefix}-revision": "1",
        },
    )

    assert messages_of(response) == [ACTION_SAVED.format(title="Huddle review")]
    action.refresh_from_db()
    assert action.is_done
    assert (action.revision, action.updated_by) == (2, manager)
    assert (
        "1 of 1 done."
        in manager_client.get(url("commitment", draft_round)).content.decode()
    )


def test_an_action_cannot_be_done_in_the_future(manager_client, draft_round):
    action = ActionItemFactory(assessment=draft_round)
    prefix = f"action-{action.pk}"
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    response = manager_client.post(
        url("action_update", draft_round, action.pk),
        {f"{prefix}-title": action.title, f"{prefix}-done_on": tomorrow},
    )

    assert response.status_code == HTTPStatus.OK
    forms = response.context["action_forms"]
    assert forms[0].errors["done_on"] == [DONE_IN_THE_FUTURE]
    action.refresh_from_db()
    assert not action.is_done


def action_data(action, **changes) -> dict:
    """An action's form on the step 4 page, as opened now and sent with changes."""
    prefix = f"action-{action.pk}"
    fields = {
        "title": action.title,
        "owner": action.owner,
        "due_on": action.due_on.isoformat() if action.due_on else "",
        "done_on": action.done_on.isoformat() if action.done_on else "",
        "revision": str(action.revision),
        **changes,
    }
    return {f"{prefix}-{name}": value for name, value in fields.items()}


def test_an_action_form_carries_the_revision_it_was_opened_at(
    manager_client, draft_round
):
    action = ActionItemFactory(assessment=draft_round, revision=3)

    page = manager_client.get(url("commitment", draft_round)).content.decode()

    assert f'name="action-{action.pk}-revision" value="3"' in page


def test_an_action_changed_by_someone_else_is_not_overwritten(
    manager_client, draft_round, other_manager
):
    action = ActionItemFactory(assessment=draft_round, title="Weekly huddle")
    opened = action_data(action, title="Mine: daily huddle", owner="Sam")
    services.action_update(
        action=action,
        revision=1,
        user=other_manager,
        values={"title": "Theirs: fortnightly huddle"},
    )

    response = manager_client.post(url("action_update", draft_round, action.pk), opened)

    text = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert services.STALE_REVISION in text
    assert 'value="Mine: daily huddle"' in text
    assert 'value="Sam"' in text
    assert f'href="{url("commitment", draft_round)}#actions">Reload' in text
    action.refresh_from_db()
    assert (action.title, action.revision) == ("Theirs: fortnightly huddle", 2)


def test_a_save_from_the_page_makes_an_older_form_elsewhere_stale(
    manager_client, manager, draft_round
):
    action = ActionItemFactory(assessment=draft_round, title="Weekly huddle")

    saved = manager_client.post(
        url("action_update", draft_round, action.pk),
        action_data(action, title="Daily huddle"),
    )

    assert saved.status_code == HTTPStatus.FOUND
    with pytest.raises(ValidationError) as refused:
        services.action_update(
            action=action, revision=1, user=manager, values={"title": "Older form"}
        )
    assert refused.value.messages == [services.STALE_REVISION]
    action.refresh_from_db()
    assert (action.title, action.revision, action.updated_by) == (
        "Daily huddle",
        2,
        manager,
    )


def test_saving_an_unchanged_action_from_an_older_form_changes_nothing(
    manager_client, draft_round, other_manager
):
    action = ActionItemFactory(assessment=draft_round, title="Weekly huddle")
    opened = action_data(action, owner="Sam")
    services.action_update(
        action=action, revision=1, user=other_manager, values={"owner": "Sam"}
    )

    response = manager_client.post(url("action_update", draft_round, action.pk), opened)

    assert response.status_code == HTTPStatus.FOUND
    action.refresh_from_db()
    assert (action.owner, action.revision) == ("Sam", 2)


def test_a_delete_without_the_form_s_revision_is_refused(manager_client, draft_round):
    action = ActionItemFactory(assessment=draft_round)

    response = manager_client.post(url("action_delete", draft_round, action.pk))

    assert response.status_code == HTTPStatus.OK
    assert ACTION_CHANGED_MEANWHILE in response.content.decode()
    assert ActionItem.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_saves_of_one_action_racing_save_one_and_refuse_the_other(
    catalogue_rows, draft_round, manager, other_manager
):
    draft_round.team.managers.add(other_manager)
    action = ActionItemFactory(assessment=draft_round, title="Weekly huddle")
    sent = []
    for n, user in enumerate((manager, other_manager)):
        client = Client()
        client.force_login(user)
        sent.append((client, action_data(action, title=f"Huddle by manager {n}")))
    barrier = threading.Barrier(len(sent), timeout=10)
    responses, errors = [], []

    def save(client, data):
        try:
            barrier.wait()
            responses.append(
                client.post(url("action_update", draft_round, action.pk), data)
            )
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=pair) for pair in sent]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(r.status_code for r in responses) == [HTTPStatus.OK, HTTPStatus.FOUND]
    (refused,) = [r for r in responses if r.status_code == HTTPStatus.OK]
    assert services.STALE_REVISION in refused.content.decode()
    action.refresh_from_db()
    assert action.revision == 2
    assert action.title in {data[f"action-{action.pk}-title"] for _c, data in sent}
    assert action.history.count() == 2  # created, then the one save


# --- Query counts -----------------------------------------------------------------


@pytest.mark.parametrize("actions", [2, 30])
def test_step_four_runs_a_fixed_number_of_queries(
    manager_client, draft_round, django_assert_num_queries, actions
):
    """Session, user, round, commitment, actions, step results, steps."""
    ActionItemFactory.create_batch(actions, assessment=draft_round)

    with django_assert_num_queries(5) as captured:
        manager_client.get(url("commitment", draft_round))

    assert writes(captured) == []


def test_step_one_runs_a_fixed_number_of_queries(
    manager_client, draft_round, django_assert_num_queries
):
    """Session, user, round, step results, steps, vision."""
    with django_assert_num_queries(4) as captured:
        manager_client.get(url("vision", draft_round))

    assert writes(captured) == []


def test_step_three_runs_a_fixed_number_of_queries(
    manager_client, draft_round, django_assert_num_queries
):
    """Session, user, round, ratings, step results, steps; the catalogue's
    questions are read once per process."""
    alignment_questions(draft_round.catalogue_version)
    AlignmentRatingFactory(
        assessment=draft_round, question=alignment_questions(1)[0], rating=4
    )

    with django_assert_num_queries(5) as captured:
        manager_client.get(url("alignment", draft_round))

    assert writes(captured) == []


# --- A round withheld for privacy ---------------------------------------------------


class TestAWithheldRound:
    """A round withheld because another round over almost the same people shows
    its results: its step pages say so, with the reason, and show nothing the
    answers decided."""

    def test_step_two_is_withheld_with_the_reason_instead_of_a_score(
        self, manager_client, team, django_assert_num_queries
    ):
        _, withheld = rounds_too_close(team)

        with django_assert_num_queries(6) as captured:
            page = manager_client.get(url("engagement", withheld))

        text = page.content.decode()
        assert page.context["result"].status == StepResult.Status.WITHHELD
        assert '<span class="badge text-bg-secondary">Withheld</span>' in text
        assert escape(withheld.withheld_reason) in text
        assert "out of 100" not in text
        assert writes(captured) == []

    def test_step_three_waits_for_step_two(
        self, manager_client, team, django_assert_num_queries
    ):
        _, withheld = rounds_too_close(team)
        alignment_questions(withheld.catalogue_version)

        with django_assert_num_queries(5):
            page = manager_client.get(url("alignment", withheld))

        assert page.context["result"].status == StepResult.Status.BLOCKED
        step_two = '2 Engagement <span class="visually-hidden">:</span> <small>'
        assert f"{step_two}(Withheld)</small>" in page.content.decode()

    def test_the_dashboard_shows_step_two_withheld(self, manager_client, team):
        rounds_too_close(team)

        text = manager_client.get(reverse("assessments:dashboard")).content.decode()

        assert "2 Engagement" in text
        assert ">Withheld</span>" in text
