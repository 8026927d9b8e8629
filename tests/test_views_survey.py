"""A team member answers through a personal link, with no account."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import http_date

from assessments import links, services, throttle
from assessments.catalogue import ALIGNMENT_KEYS, ALIGNMENT_QUESTIONS
from assessments.forms import EDIT_CODE_UNKNOWN, EDIT_CODE_UNREADABLE, EMPTY_SURVEY
from assessments.models import (
    MAX_ANSWER_LENGTH,
    AnswerJudgement,
    Invitation,
    Response,
    alignment_questions,
)
from assessments.services import LINK_USED
from assessments.tokens import edit_key, link_key
from assessments.validators import CONTROL_CHARACTERS
from assessments.views.survey import EDIT_COOKIE, OPEN_WITH_CODE
from tests.factories import AssessmentFactory, InvitationFactory, UserFactory
from tests.queries import writes

pytestmark = pytest.mark.django_db

ANSWERS = {
    "vision": "Fix it first time, explain plainly, leave them confident.",
    "meaning": "A customer with a wrong bill gets it corrected on the call.",
    "contribution": "I read the new balance back before we hang up.",
}


def survey_url(invitation) -> str:
    return reverse("assessments:survey", args=(invitation.token,))


@pytest.fixture
def invitation():
    return InvitationFactory(assessment__team__name="Billing desk")


def test_first_screen_says_who_asks_what_for_and_the_privacy_promise(
    client, invitation
):
    page = client.get(survey_url(invitation))

    assert page.status_code == HTTPStatus.OK
    text = page.content.decode()
    assert "Billing desk is checking" in text
    assert "This round is <strong>anonymous</strong>" in text
    words = " ".join(text.split())
    assert (
        "they are released together once at least 3 people who were emailed their "
        "link have answered since the last group" in words
    )
    assert "and whatever is still waiting when the round closes" in words
    assert "answers are quoted only once 5 of them have" in words
    assert "never with names" in words
    assert "this browser keeps your edit code in a cookie sent to this link alone" in (
        words
    )
    assert "What is the customer service vision?" in text
    assert "How do you personally contribute?" in text


def test_named_round_says_the_manager_sees_the_name_beside_the_answers(client):
    invitation = InvitationFactory(assessment__anonymous=False, name="Sam Lee")

    text = client.get(survey_url(invitation)).content.decode()

    assert "This round is <strong>named</strong>" in text
    assert "your manager sees your name (Sam Lee) beside your answers" in " ".join(
        text.split()
    )


def test_unknown_and_revoked_links_get_the_same_404(client, invitation):
    revoked = InvitationFactory(status=Invitation.Status.REVOKED)

    unknown = client.get(reverse("assessments:survey", args=("nope" * 10,)))
    gone = client.get(survey_url(revoked))

    assert unknown.status_code == gone.status_code == HTTPStatus.NOT_FOUND
    assert unknown.content == gone.content


def test_closed_round_shows_a_polite_page_and_accepts_nothing(client):
    invitation = InvitationFactory(assessment=AssessmentFactory(closed=True))

    page = client.post(survey_url(invitation), ANSWERS)

    assert page.status_code == HTTPStatus.OK
    assert "This round is closed" in page.content.decode()
    assert not Response.objects.exists()


def test_draft_round_says_it_has_not_opened(client):
    invitation = InvitationFactory(assessment=AssessmentFactory(draft=True))

    page = client.get(survey_url(invitation))

    assert "This round has not opened yet" in page.content.decode()


def test_submitting_saves_confirms_and_shows_the_edit_code_once(client, invitation):
    page = client.post(survey_url(invitation), ANSWERS, follow=True)

    assert page.redirect_chain == [
        (survey_url(invitation) + "?saved=new", HTTPStatus.FOUND)
    ]
    text = page.content.decode()
    assert "Thank you: your answers are saved." in text
    code = client.cookies[EDIT_COOKIE].value
    assert f'<p class="fs-4 font-monospace mb-1" id="edit-code">{code}</p>' in text
    response = Response.objects.get()
    assert response.vision_answer == ANSWERS["vision"]
    assert response.contribution_answer == ANSWERS["contribution"]
    assert response.respondent_key == edit_key(code)
    again = client.get(survey_url(invitation)).content.decode()
    assert code not in again
    assert ANSWERS["meaning"] in again


def test_the_edit_code_cookie_is_kept_for_this_link_alone_until_the_round_closes(
    client,
):
    invitation = InvitationFactory(
        assessment__closes_on=timezone.localdate() + timedelta(days=10)
    )

    client.post(survey_url(invitation), ANSWERS)

    cookie = client.cookies[EDIT_COOKIE]
    assert cookie["path"] == survey_url(invitation)
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert not cookie["secure"]
    closes_at = invitation.assessment.closes_at
    assert cookie["expires"] == http_date(closes_at.timestamp())


def test_the_edit_code_cookie_is_secure_over_https(client, invitation):
    client.post(survey_url(invitation), ANSWERS, secure=True)

    assert client.cookies[EDIT_COOKIE]["secure"] is True


def test_a_named_submission_marks_the_invitation_answered_at_once(client):
    invitation = InvitationFactory(assessment__anonymous=False)

    page = client.post(survey_url(invitation), ANSWERS, follow=True)

    assert page.redirect_chain == [
        (survey_url(invitation) + "?saved=1", HTTPStatus.FOUND)
    ]
    assert "Thank you: your answers are saved." in page.content.decode()
    assert EDIT_COOKIE not in client.cookies
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.RESPONDED
    assert Response.objects.get().release == 0


def test_an_anonymous_submission_leaves_the_invitation_to_the_release(
    client, invitation
):
    client.post(survey_url(invitation), ANSWERS)

    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING
    response = Response.objects.get()
    assert response.release is None
    assert response.link_key == link_key(invitation.token_hash)


def test_the_thank_you_is_only_shown_for_answers_that_are_saved(client, invitation):
    page = client.get(survey_url(invitation) + "?saved=new")

    assert "Thank you" not in page.content.decode()
    assert 'id="edit-code"' not in page.content.decode()


def test_coming_back_in_the_same_browser_shows_the_saved_answers(client, invitation):
    client.post(survey_url(invitation), ANSWERS)

    text = client.get(survey_url(invitation)).content.decode()

    assert "These are the answers you saved" in text
    assert ANSWERS["meaning"] in text


def test_a_used_link_opened_elsewhere_shows_no_answers_and_offers_the_code_box(
    client, invitation
):
    client.post(survey_url(invitation), ANSWERS)

    page = Client().get(survey_url(invitation))

    text = page.content.decode()
    assert page.status_code == HTTPStatus.OK
    assert "This link has been used" in text
    assert 'name="edit_code"' in text
    for answer in ANSWERS.values():
        assert answer not in text


def test_the_edit_code_opens_the_answers_in_another_browser(client, invitation):
    client.post(survey_url(invitation), ANSWERS)
    code = client.cookies[EDIT_COOKIE].value
    other = Client()

    opened = other.post(
        survey_url(invitation),
        {"edit_code": code.lower().replace("-", " "), OPEN_WITH_CODE: "1"},
        follow=True,
    )
    other.post(survey_url(invitation), {**ANSWERS, "meaning": "Changed elsewhere."})

    assert opened.redirect_chain == [(survey_url(invitation), HTTPStatus.FOUND)]
    assert ANSWERS["meaning"] in opened.content.decode()
    assert Response.objects.get().meaning_answer == "Changed elsewhere."


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("7K2M-9QXD-4HTW", EDIT_CODE_UNREADABLE),
        ("7K2M-9QXD-4HTW-R8ZB-C3NP", EDIT_CODE_UNKNOWN),
    ],
    ids=["unreadable", "unknown"],
)
def test_a_wrong_edit_code_gets_an_error_beside_the_field(
    client, invitation, typed, error
):
    client.post(survey_url(invitation), ANSWERS)
    other = Client()

    page = other.post(survey_url(invitation), {"edit_code": typed, OPEN_WITH_CODE: "1"})

    assert page.status_code == HTTPStatus.OK
    assert page.context["code_form"].errors["edit_code"] == [error]
    assert EDIT_COOKIE not in other.cookies


def test_a_wrong_edit_code_on_an_unused_link_is_refused_beside_the_field(
    client, invitation
):
    page = client.post(
        survey_url(invitation),
        {"edit_code": "7K2M-9QXD-4HTW-R8ZB-C3NP", OPEN_WITH_CODE: "1"},
    )

    assert page.status_code == HTTPStatus.OK
    assert page.context["code_form"].errors["edit_code"] == [EDIT_CODE_UNKNOWN]
    assert "What is the customer service vision?" in page.content.decode()


# Committed as in production: on PostgreSQL the refused write ends the
# transaction it runs in.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_link_answered_through_while_the_answers_were_being_written(
    client, invitation, monkeypatch
):
    """Two people holding one link press save at the same moment: the one whose
    answers were saved first keeps them; the other is told why nothing was."""
    stale = links.link_lookup(invitation.token)
    Client().post(survey_url(invitation), ANSWERS)
    monkeypatch.setattr(links, "link_lookup", lambda token: stale)

    page = client.post(survey_url(invitation), {**ANSWERS, "meaning": "Mine."})

    assert page.status_code == HTTPStatus.CONFLICT
    assert LINK_USED in page.content.decode()
    assert Response.objects.get().meaning_answer == ANSWERS["meaning"]


def test_guessing_edit_codes_is_throttled_like_guessing_links(client, invitation):
    client.post(survey_url(invitation), ANSWERS)
    other = Client()
    wrong = {"edit_code": "7K2M-9QXD-4HTW-R8ZB-C3NP", OPEN_WITH_CODE: "1"}

    statuses = {
        other.post(survey_url(invitation), wrong).status_code
        for _ in range(throttle.FAILED_LOOKUPS_ALLOWED)
    }
    last = other.post(survey_url(invitation), wrong)

    assert statuses == {HTTPStatus.OK}
    assert last.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_answers_posted_through_a_used_link_without_the_code_are_not_saved(
    client, invitation
):
    client.post(survey_url(invitation), ANSWERS)

    page = Client().post(survey_url(invitation), {**ANSWERS, "meaning": "Rewritten."})

    assert page.status_code == HTTPStatus.CONFLICT
    assert LINK_USED in page.content.decode()
    assert Response.objects.get().meaning_answer == ANSWERS["meaning"]


def test_resubmitting_updates_the_one_response_and_the_last_answers_win(
    client, invitation
):
    client.post(survey_url(invitation), ANSWERS)
    client.post(survey_url(invitation), ANSWERS)
    client.post(survey_url(invitation), {**ANSWERS, "meaning": "Changed my mind."})

    response = Response.objects.get()
    assert response.meaning_answer == "Changed my mind."


def test_each_submission_is_judged_at_once(client, invitation):
    client.post(survey_url(invitation), ANSWERS)

    response = Response.objects.get()
    keys = set(response.judgements.values_list("question_key", flat=True))
    assert keys == {"vision", "meaning", "contribution"}
    assert response.engaged is not None


def test_resubmitting_judges_the_new_answers_and_keeps_old_overrides_marked(
    client, invitation
):
    """More in tests/test_survey_overrides.py."""
    client.post(survey_url(invitation), ANSWERS)
    services.judgement_override(
        judgement=AnswerJudgement.objects.get(question_key="vision"),
        clear=True,
        consistent=None,
        reason="Said aloud in the huddle.",
        user=UserFactory(),
    )

    client.post(survey_url(invitation), {**ANSWERS, "vision": "I don't know"})

    judgement = AnswerJudgement.objects.select_related("response").get(
        question_key="vision"
    )
    assert judgement.override_clear is True
    assert judgement.override_reason == "Said aloud in the huddle."
    assert judgement.answer_changed
    assert judgement.clear is False
    assert judgement.response.vision_clear is True
    assert AnswerJudgement.objects.count() == 3


def test_anonymous_response_has_no_link_to_its_invitation_and_only_a_day(
    client, invitation
):
    client.post(survey_url(invitation), ANSWERS)

    response = Response.objects.get()
    assert response.invitation is None
    local = response.created_at
    assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
    assert local.date() == timezone.now().date()


def test_named_response_is_linked_to_its_invitation(client):
    invitation = InvitationFactory(assessment__anonymous=False)

    client.post(survey_url(invitation), ANSWERS)

    assert Response.objects.get().invitation == invitation


def test_empty_submission_is_refused_with_a_clear_message(client, invitation):
    page = client.post(survey_url(invitation), {"vision": "", "meaning": " "})

    assert page.status_code == HTTPStatus.OK
    assert page.context["form"].non_field_errors() == [EMPTY_SURVEY]
    assert not Response.objects.exists()


def test_answer_over_the_limit_gets_a_field_error(client, invitation):
    page = client.post(
        survey_url(invitation), {**ANSWERS, "meaning": "x" * (MAX_ANSWER_LENGTH + 1)}
    )

    assert page.context["form"].errors["meaning"] == [
        f"Ensure this value has at most {MAX_ANSWER_LENGTH} characters (it has "
        f"{MAX_ANSWER_LENGTH + 1})."
    ]
    assert not Response.objects.exists()


@pytest.mark.parametrize("text", ["a\x00b", "bell\x07", "esc\x1b[0m"])
def test_control_characters_get_a_field_error_never_a_500(client, invitation, text):
    page = client.post(survey_url(invitation), {**ANSWERS, "vision": text})

    assert page.status_code == HTTPStatus.OK
    assert CONTROL_CHARACTERS in page.context["form"].errors["vision"] or (
        "Null characters are not allowed." in page.context["form"].errors["vision"]
    )
    assert not Response.objects.exists()


def test_html_is_stored_as_typed_and_shown_escaped(client, invitation):
    script = '<script>alert("x")</script>'
    client.post(survey_url(invitation), {**ANSWERS, "vision": script})

    text = client.get(survey_url(invitation)).content.decode()

    assert Response.objects.get().vision_answer == script
    assert script not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text


@pytest.mark.parametrize(
    "text",
    ["Happy customers 😀👍🏽", "نحل المشكلة من أول اتصال", "Cafe\u0301 staff say hi"],
    ids=["emoji", "right-to-left", "combining"],
)
def test_any_script_and_emoji_round_trip(client, invitation, text):
    client.post(survey_url(invitation), {**ANSWERS, "contribution": text})

    assert Response.objects.get().contribution_answer == text
    assert text in client.get(survey_url(invitation)).content.decode()


class TestTeamAlignmentRatings:
    @pytest.fixture
    def invitation(self):
        return InvitationFactory(assessment__team_rates_alignment=True)

    def test_team_rates_the_five_questions_when_asked(self, client, invitation):
        text = client.get(survey_url(invitation)).content.decode()

        assert '<h1 class="h3">Eight questions about customer service</h1>' in text
        assert "<title>Eight questions about customer service from" in text
        assert text.count('type="radio"') == 25
        for question in ALIGNMENT_QUESTIONS:
            assert escape(question.team_text) in text
            assert escape(question.text) not in text  # the manager's wording
        assert "Do you hire employees" not in text

    def test_ratings_are_saved_and_a_blank_means_not_sure(self, client, invitation):
        client.post(survey_url(invitation), {**ANSWERS, "rating_goals": "2"})
        client.post(
            survey_url(invitation),
            {**ANSWERS, "rating_hiring": "5", "rating_training": "4"},
        )

        response = Response.objects.get()
        assert [response.team_rating_for(key) for key in ALIGNMENT_KEYS] == [
            None,
            5,
            4,
            None,
            None,
        ]

    def test_saved_ratings_are_shown_when_coming_back(self, client, invitation):
        client.post(survey_url(invitation), {**ANSWERS, "rating_empowerment": "2"})

        form = client.get(survey_url(invitation)).context["form"]

        assert form.initial["rating_empowerment"] == 2

    def test_rating_out_of_range_is_refused(self, client, invitation):
        page = client.post(survey_url(invitation), {**ANSWERS, "rating_goals": "9"})

        assert page.context["form"].errors["rating_goals"] == [
            "Select a valid choice. 9 is not one of the available choices."
        ]
        assert not Response.objects.exists()

    def test_ratings_are_not_asked_unless_the_round_says_so(self, client):
        invitation = InvitationFactory()

        text = client.get(survey_url(invitation)).content.decode()

        assert 'type="radio"' not in text


class TestQueryCounts:
    """The survey is the busiest page: a fixed, small number of queries.

    On PostgreSQL a submission is the link's look-up and one statement; SQLite,
    which cannot write from a WITH clause, runs the writes in a transaction. An
    answer being changed is read first, to show or to check its edit code.
    """

    @pytest.fixture(autouse=True)
    def _warm_worker(self, client):
        """A worker that has served a submission of each kind: the catalogue read
        and, on PostgreSQL, the survey's statements prepared on this connection."""
        alignment_questions(1)
        Client().post(survey_url(InvitationFactory()), ANSWERS)
        Client().post(
            survey_url(InvitationFactory(assessment__anonymous=False)), ANSWERS
        )

    @pytest.mark.parametrize("anonymous", [True, False])
    @pytest.mark.parametrize("team_rates_alignment", [False, True])
    def test_showing_takes_1_query_and_2_once_answered(
        self, client, django_assert_num_queries, team_rates_alignment, anonymous
    ):
        invitation = InvitationFactory(
            assessment__team_rates_alignment=team_rates_alignment,
            assessment__anonymous=anonymous,
        )
        with django_assert_num_queries(1):
            client.get(survey_url(invitation))
        client.post(survey_url(invitation), {**ANSWERS, "rating_goals": "3"})

        with django_assert_num_queries(2) as captured:
            client.get(survey_url(invitation) + "?saved=1")
        assert not writes(captured)

    def test_a_used_link_without_its_code_takes_1_query(
        self, client, django_assert_num_queries
    ):
        invitation = InvitationFactory()
        client.post(survey_url(invitation), ANSWERS)

        with django_assert_num_queries(1) as captured:
            Client().get(survey_url(invitation))
        assert not writes(captured)

    def test_entering_an_edit_code_takes_2_queries(
        self, client, django_assert_num_queries
    ):
        invitation = InvitationFactory()
        client.post(survey_url(invitation), ANSWERS)
        code = client.cookies[EDIT_COOKIE].value

        with django_assert_num_queries(2) as captured:
            Client().post(
                survey_url(invitation), {"edit_code": code, OPEN_WITH_CODE: 1}
            )
        assert not writes(captured)

    @pytest.mark.parametrize("anonymous", [True, False])
    @pytest.mark.parametrize("team_rates_alignment", [False, True])
    def test_submitting_takes_2_queries_on_postgresql(
        self, client, django_assert_num_queries, team_rates_alignment, anonymous
    ):
        invitation = InvitationFactory(
            assessment__team_rates_alignment=team_rates_alignment,
            assessment__anonymous=anonymous,
        )
        # Saving again also reads the team profile with the terms it counts for
        # the respondent (an anonymous one's edit code is checked first); the
        # transaction also reads the managers' decisions on a row that may exist.
        if connection.vendor == "postgresql":
            first, again = 2, (4 if anonymous else 3)
        else:  # the transaction, reading back the id of a row that may exist
            first, again = (5 if anonymous else 8), (9 if anonymous else 8)

        with django_assert_num_queries(first):
            client.post(survey_url(invitation), {**ANSWERS, "rating_goals": "3"})
        with django_assert_num_queries(again):
            client.post(survey_url(invitation), {**ANSWERS, "rating_goals": "4"})
        response = Response.objects.get(assessment=invitation.assessment)
        assert response.rating_goals == (4 if team_rates_alignment else None)


def test_a_reissued_link_after_answering_is_a_fresh_link(client):
    """Whether an earlier link was answered through is not for the new one to
    tell: it opens like any unused link."""
    invitation = InvitationFactory(email="sam@example.com")
    client.post(survey_url(invitation), ANSWERS)
    old = survey_url(invitation)

    token = services.invitation_reissue(
        invitation=invitation, sender=UserFactory()
    ).token

    page = Client().get(reverse("assessments:survey", args=(token,)))

    assert client.get(old).status_code == HTTPStatus.NOT_FOUND
    text = page.content.decode()
    assert page.status_code == HTTPStatus.OK
    assert "This link has been used" not in text
    assert ANSWERS["meaning"] not in text
    assert page.context["answered"] is False


def test_a_reissued_named_link_reaches_the_same_answers(client):
    invitation = InvitationFactory(assessment__anonymous=False)
    client.post(survey_url(invitation), ANSWERS)
    token = services.invitation_reissue(
        invitation=invitation, sender=UserFactory()
    ).token

    text = Client().get(reverse("assessments:survey", args=(token,))).content.decode()

    assert "You have already answered" in text
    assert ANSWERS["meaning"] in text


def test_three_questions_are_titled_three(client):
    invitation = InvitationFactory()

    text = client.get(survey_url(invitation)).content.decode()

    assert '<h1 class="h3">Three questions about customer service</h1>' in text
    assert 'type="radio"' not in text


def test_every_alignment_question_has_its_own_team_wording():
    wordings = [question.team_text for question in ALIGNMENT_QUESTIONS]

    assert all(wordings)
    assert len(set(wordings)) == len(wordings)
    assert not any(w.startswith("Do you ") for w in wordings)


class TestTheDoneState:
    """After saving, the form gives way to what was saved and what happens next,
    with a way back to change the answers."""

    @pytest.mark.parametrize("anonymous", [False, True])
    def test_saving_replaces_the_form_with_what_was_saved(self, client, anonymous):
        invitation = InvitationFactory(
            assessment__anonymous=anonymous, assessment__team_rates_alignment=True
        )

        page = client.post(
            survey_url(invitation),
            {**ANSWERS, "rating_goals": "4"},
            follow=True,
        )

        text = page.content.decode()
        assert "Done: your answers are saved" in text
        assert "<textarea" not in text
        assert escape(ANSWERS["meaning"]) in text
        assert "4 out of 5" in text
        assert "What happens next" in text
        assert ("never yours alone" in text) is anonymous
        assert f'href="{survey_url(invitation)}">Change my answers</a>' in text

    def test_changing_them_opens_the_form_filled_in(self, client):
        invitation = InvitationFactory(assessment__anonymous=False)
        client.post(survey_url(invitation), ANSWERS)

        text = client.get(survey_url(invitation)).content.decode()

        assert "Done: your answers are saved" not in text
        assert "<textarea" in text
        assert escape(ANSWERS["meaning"]) in text

    def test_a_refused_submission_keeps_the_form(self, client):
        invitation = InvitationFactory(assessment__anonymous=False)

        page = client.post(survey_url(invitation), {"vision": "", "meaning": ""})

        text = page.content.decode()
        assert "Done: your answers are saved" not in text
        assert "<textarea" in text
