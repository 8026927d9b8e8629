"""Step 1's key ideas: the engine proposes them from the vision, the manager
keeps, drops or adds ideas and gives the team's words for each."""

import threading
from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from assessments import services
from assessments.forms import KEY_IDEA_NEEDS_TEXT, KEY_IDEAS_HELP
from assessments.models import (
    KEY_IDEA_TOO_LONG,
    MAX_TEAM_WORD_LENGTH,
    TEAM_WORD_TOO_LONG,
    TOO_MANY_KEY_IDEAS,
    TOO_MANY_TEAM_WORDS,
    Assessment,
    Vision,
)
from assessments.scoring import KeyIdea, ideas_as_data, propose_key_ideas
from assessments.scoring.ideas import MAX_IDEA_LENGTH, MAX_IDEAS, MAX_WORDS_PER_IDEA
from assessments.validators import CONTROL_CHARACTERS
from assessments.views.manager import (
    KEY_IDEAS_CLEARED,
    KEY_IDEAS_RESCORING,
    KEY_IDEAS_SAVED,
)
from tests.factories import AssessmentFactory, VisionFactory
from tests.queries import writes
from tests.samples import submit as answer

pytestmark = pytest.mark.django_db

VISION = "One call, one owner, and plain words."
PROPOSED = propose_key_ideas(VISION)


def url(name: str, round_: Assessment) -> str:
    return reverse(f"assessments:{name}", args=(round_.pk,))


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def stored(round_: Assessment) -> Vision:
    return Vision.objects.get(assessment=round_)


def sent_back(page, rows: dict[int, dict] | None = None) -> dict:
    """What the page's key ideas form sends as shown, as a browser would, with
    ``rows`` changed by number ({"idea": ..., "words": ..., "DELETE": "on"})."""
    form = page.context["ideas_form"]
    management = form.rows.management_form
    data = {form["revision"].html_name: form["revision"].value()}
    data |= {management.add_prefix(n): management[n].value() for n in management.fields}
    for number, row in enumerate(form.rows.forms):
        data[row.add_prefix("idea")] = row["idea"].value() or ""
        data[row.add_prefix("words")] = row["words"].value() or ""
        for name, value in (rows or {}).get(number, {}).items():
            data[row.add_prefix(name)] = value
    return data


@pytest.fixture
def round_(draft_round):
    VisionFactory(assessment=draft_round, statement=VISION)
    return draft_round


@pytest.fixture
def page(manager_client, round_):
    return manager_client.get(url("vision", round_))


def confirm(client, round_, data):
    return client.post(url("key_ideas", round_), data)


# --- What the page shows ----------------------------------------------------------


def test_the_engine_s_proposals_are_shown_until_ideas_are_confirmed(page):
    text = page.content.decode()

    assert page.status_code == HTTPStatus.OK
    assert "Proposed from the vision" in text
    assert escape(KEY_IDEAS_HELP) in text
    assert [row["idea"].value() for row in page.context["ideas_form"].rows] == [
        *(idea.idea for idea in PROPOSED),
        None,
        None,
        None,
    ]
    assert 'value="call"' in text
    assert 'name="idea-0-DELETE"' in text
    assert 'name="idea-3-DELETE"' not in text  # blank rows have nothing to drop


def test_a_round_without_a_vision_offers_no_key_ideas_yet(manager_client, draft_round):
    page = manager_client.get(url("vision", draft_round))

    assert page.status_code == HTTPStatus.OK
    assert 'id="key-ideas"' not in page.content.decode()


def test_a_vision_of_only_general_words_offers_blank_rows(manager_client, draft_round):
    VisionFactory(assessment=draft_round, statement="World-class customer service.")

    page = manager_client.get(url("vision", draft_round))

    assert "The vision has no specific idea to propose" in page.content.decode()
    assert page.context["ideas_form"].rows.initial_form_count() == 0


def test_long_clauses_offer_no_more_team_words_than_an_idea_takes(
    manager_client, draft_round
):
    many = " ".join(f"word{chr(97 + n)}" for n in range(MAX_WORDS_PER_IDEA + 5))
    VisionFactory(assessment=draft_round, statement=many)

    page = manager_client.get(url("vision", draft_round))
    response = confirm(manager_client, draft_round, sent_back(page))

    assert response.status_code == HTTPStatus.FOUND
    (idea,) = stored(draft_round).confirmed_ideas
    assert len(idea.words) == MAX_WORDS_PER_IDEA


# --- Keeping, dropping, adding ----------------------------------------------------


def test_confirming_the_proposals_as_shown_stores_them(manager_client, round_, page):
    response = confirm(manager_client, round_, sent_back(page))

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == url("vision", round_) + "#key-ideas"
    assert messages_of(response) == [KEY_IDEAS_SAVED]
    assert stored(round_).confirmed_ideas == PROPOSED


def test_the_manager_keeps_drops_and_adds_ideas_with_the_team_s_words(
    manager_client, round_, page
):
    data = sent_back(
        page,
        {
            0: {"words": "first time, first contact, un appel"},
            1: {"DELETE": "on"},
            3: {"idea": "Customers leave confident", "words": "reassured"},
        },
    )

    confirm(manager_client, round_, data)

    assert stored(round_).confirmed_ideas == (
        KeyIdea("One call", ("first time", "first contact", "un appel")),
        PROPOSED[2],
        KeyIdea("Customers leave confident", ("reassured",)),
    )


def test_team_words_are_read_as_a_comma_separated_list_without_repeats(
    manager_client, round_, page
):
    data = sent_back(page, {0: {"words": " first  time,, un appel , First Time,"}})

    confirm(manager_client, round_, data)

    assert stored(round_).confirmed_ideas[0].words == ("first time", "un appel")


def test_the_same_idea_twice_is_kept_once_with_the_words_of_both(
    manager_client, round_, page
):
    data = sent_back(page, {3: {"idea": "one CALL", "words": "first time"}})

    confirm(manager_client, round_, data)

    ideas = stored(round_).confirmed_ideas
    assert [idea.idea for idea in ideas] == [idea.idea for idea in PROPOSED]
    assert ideas[0].words == ("call", "first time")


def test_the_page_shows_the_confirmed_ideas_next_time(manager_client, round_, page):
    confirm(manager_client, round_, sent_back(page, {0: {"words": "un appel"}}))

    again = manager_client.get(url("vision", round_))

    text = again.content.decode()
    assert "Confirmed: answers are weighed against these ideas." in text
    assert 'value="un appel"' in text
    assert again.context["ideas_form"].rows.initial_form_count() == len(PROPOSED)


def test_dropping_every_idea_goes_back_to_the_engine_s_reading(
    manager_client, round_, page
):
    confirm(manager_client, round_, sent_back(page))
    shown = manager_client.get(url("vision", round_))
    every = {n: {"DELETE": "on"} for n in range(len(PROPOSED))}

    response = confirm(manager_client, round_, sent_back(shown, every))

    assert messages_of(response) == [KEY_IDEAS_CLEARED]
    assert stored(round_).key_ideas == []


def test_confirming_ideas_once_answers_exist_says_they_are_judged_again(
    manager_client, round_, page
):
    answer(round_, {"vision": "One call.", "meaning": "", "contribution": ""})

    response = confirm(manager_client, round_, sent_back(page))

    assert messages_of(response) == [KEY_IDEAS_SAVED + KEY_IDEAS_RESCORING]


# --- A new vision -----------------------------------------------------------------


@pytest.fixture
def confirmed(manager_client, round_, page):
    confirm(manager_client, round_, sent_back(page, {0: {"words": "un appel"}}))
    return round_


def test_a_new_vision_keeps_the_ideas_and_asks_to_check_them(
    manager_client, manager, confirmed
):
    vision = stored(confirmed)
    services.vision_update(
        vision=vision,
        revision=vision.revision,
        statement="Every problem sorted by its first owner.",
        has_vision=True,
        user=manager,
    )

    page = manager_client.get(url("vision", confirmed))

    assert "The vision has changed since these key ideas were confirmed" in (
        page.content.decode()
    )
    assert page.context["ideas_form"].rows.initial[0]["words"] == "un appel"
    assert stored(confirmed).key_ideas != []


def test_the_proposals_are_shown_again_on_request_and_nothing_is_saved(
    manager_client, confirmed, django_assert_num_queries
):
    with django_assert_num_queries(4) as captured:
        page = manager_client.get(url("vision", confirmed) + "?proposals")

    assert writes(captured) == []
    assert "not saved yet" in page.content.decode()
    assert page.context["ideas_form"].rows.initial[0] == {
        "idea": "One call",
        "words": "call",
    }
    assert stored(confirmed).confirmed_ideas[0].words == ("un appel",)


# --- What is refused, beside the field, keeping what was typed --------------------


@pytest.mark.parametrize(
    ("row", "field", "error"),
    [
        ({"idea": "", "words": "un appel"}, "idea", KEY_IDEA_NEEDS_TEXT),
        ({"idea": "x" * (MAX_IDEA_LENGTH + 1)}, "idea", KEY_IDEA_TOO_LONG),
        ({"idea": "One\x00call"}, "idea", "Null characters are not allowed."),
        ({"idea": "One\x1bcall"}, "idea", CONTROL_CHARACTERS),
        ({"words": "first\x07time"}, "words", CONTROL_CHARACTERS),
        (
            {"words": ", ".join(f"w{n}" for n in range(MAX_WORDS_PER_IDEA + 1))},
            "words",
            TOO_MANY_TEAM_WORDS,
        ),
        (
            {"words": "y" * (MAX_TEAM_WORD_LENGTH + 1)},
            "words",
            TEAM_WORD_TOO_LONG.format(word="y" * 20 + "…"),
        ),
        (
            # Within the request's limit, far beyond the field's.
            {"words": "z" * 200_000},
            "words",
            "Ensure this value has at most",
        ),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_kept(
    manager_client, round_, page, row, field, error
):
    typed = {"idea": "Sorted at once", "words": "first time", **row}

    response = confirm(manager_client, round_, sent_back(page, {0: typed}))

    assert response.status_code == HTTPStatus.OK
    first = response.context["ideas_form"].rows.forms[0]
    assert any(message.startswith(error) for message in first.errors[field])
    shown = {name: first[name].value() for name in ("idea", "words")}
    assert shown == {"idea": typed["idea"], "words": typed["words"]}
    assert (stored(round_).key_ideas, stored(round_).revision) == ([], 1)


def test_an_error_keeps_every_other_row_as_typed(manager_client, round_, page):
    data = sent_back(
        page, {1: {"words": "owns it, end to end"}, 4: {"words": "no idea given"}}
    )

    response = confirm(manager_client, round_, data)

    text = response.content.decode()
    assert response.context["ideas_form"].rows.forms[4].errors == {
        "idea": [KEY_IDEA_NEEDS_TEXT]
    }
    assert escape(KEY_IDEA_NEEDS_TEXT) in text
    assert 'value="owns it, end to end"' in text
    assert 'value="no idea given"' in text
    assert stored(round_).key_ideas == []


def test_more_ideas_than_the_limit_are_refused(manager_client, round_, page):
    data = sent_back(page)
    data["idea-TOTAL_FORMS"] = str(MAX_IDEAS + 1)
    for n in range(MAX_IDEAS + 1):
        data[f"idea-{n}-idea"] = f"Idea number {n}"

    response = confirm(manager_client, round_, data)

    assert response.status_code == HTTPStatus.OK
    assert TOO_MANY_KEY_IDEAS in response.content.decode()
    assert stored(round_).key_ideas == []


def test_a_form_sent_without_its_rows_is_refused_not_a_500(manager_client, round_):
    response = confirm(manager_client, round_, {"ideas-revision": "1"})

    assert response.status_code == HTTPStatus.OK
    assert "ManagementForm data is missing" in response.content.decode()
    assert stored(round_).key_ideas == []


def test_html_is_stored_as_text_and_shown_escaped(manager_client, round_, page):
    html = "<b>One</b> call"
    script = "<script>alert(1)</script>"
    confirm(
        manager_client, round_, sent_back(page, {0: {"idea": html, "words": script}})
    )

    text = manager_client.get(url("vision", round_)).content.decode()

    assert stored(round_).confirmed_ideas[0] == KeyIdea(html, (script,))
    assert escape(html) in text
    assert html not in text
    assert script not in text


@pytest.mark.parametrize(
    "words", ["📞 one call, ☎️", "un appel, ein Anruf, 一次解决", "مكالمة واحدة"]
)
def test_any_script_and_emoji_round_trip(manager_client, round_, page, words):
    confirm(manager_client, round_, sent_back(page, {0: {"words": words}}))

    again = manager_client.get(url("vision", round_))

    assert again.context["ideas_form"].rows.initial[0]["words"] == words
    assert words in again.content.decode()


# --- Two managers at once ---------------------------------------------------------


def test_ideas_confirmed_by_someone_else_meanwhile_are_not_overwritten(
    manager_client, manager, round_, page
):
    vision = stored(round_)
    services.key_ideas_confirm(
        vision=vision, revision=vision.revision, ideas=[KeyIdea("Theirs")], user=manager
    )
    mine = sent_back(page, {0: {"idea": "Mine", "words": "my words"}})

    response = confirm(manager_client, round_, mine)

    assert response.status_code == HTTPStatus.OK
    text = response.content.decode()
    assert services.STALE_REVISION in text
    assert 'value="Mine"' in text
    assert 'value="my words"' in text
    assert f'href="{url("vision", round_)}">Reload to see their version' in text
    assert stored(round_).confirmed_ideas == (KeyIdea("Theirs"),)


def test_ideas_for_a_vision_someone_else_changed_meanwhile_are_refused(
    manager_client, manager, round_, page
):
    vision = stored(round_)
    services.vision_update(
        vision=vision,
        revision=vision.revision,
        statement="A different vision.",
        has_vision=True,
        user=manager,
    )

    response = confirm(manager_client, round_, sent_back(page))

    assert services.STALE_REVISION in response.content.decode()
    assert stored(round_).key_ideas == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_managers_confirming_at_once_save_one_and_refuse_the_other(
    catalogue_rows, draft_round, manager, other_manager
):
    VisionFactory(assessment=draft_round, statement=VISION)
    draft_round.team.managers.add(other_manager)
    sent = []
    for n, user in enumerate((manager, other_manager)):
        client = Client()
        client.force_login(user)
        page = client.get(url("vision", draft_round))
        sent.append((client, sent_back(page, {0: {"words": f"words of {n}"}})))
    barrier = threading.Barrier(len(sent), timeout=10)
    responses, errors = [], []

    def save(client, data):
        try:
            barrier.wait()
            responses.append(confirm(client, draft_round, data))
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
    vision = stored(draft_round)
    assert vision.revision == 2  # one confirmation
    assert vision.confirmed_ideas[0].words in {("words of 0",), ("words of 1",)}


# --- Who may, and what a page costs -----------------------------------------------


def test_another_manager_s_round_is_not_found(manager_client, other_manager):
    theirs = AssessmentFactory(team__managers=[other_manager])
    VisionFactory(assessment=theirs, statement=VISION)

    response = confirm(manager_client, theirs, {"ideas-revision": "1"})

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert stored(theirs).key_ideas == []


def test_key_ideas_are_only_ever_sent(manager_client, round_):
    response = manager_client.get(url("key_ideas", round_))

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


@pytest.mark.parametrize("confirmed_ideas", [False, True])
def test_step_one_with_its_key_ideas_runs_a_fixed_number_of_queries(
    manager_client, round_, django_assert_num_queries, confirmed_ideas
):
    """Session, user, round with its vision, step results: the proposals are
    the engine's, read from the vision already joined."""
    if confirmed_ideas:
        Vision.objects.filter(assessment=round_).update(
            key_ideas=ideas_as_data(PROPOSED * 1), key_ideas_vision=VISION
        )

    with django_assert_num_queries(4) as captured:
        page = manager_client.get(url("vision", round_))

    assert writes(captured) == []
    assert page.context["ideas_form"].rows.initial_form_count() == len(PROPOSED)
