"""Opening, closing and reopening a round, and deleting an action, each ask on a
page first: its GET says what will happen and writes nothing, its button's POST
does it."""

from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.models import ActionItem, Assessment, RoundReopening
from assessments.views.manager import (
    ACTION_CHANGED_MEANWHILE,
    ACTION_DELETED,
    ROUND_NOW_REOPENED,
)
from tests.factories import ActionItemFactory, AssessmentFactory, InvitationFactory
from tests.queries import writes

pytestmark = pytest.mark.django_db


def url(name: str, round_: Assessment, *args) -> str:
    return reverse(f"assessments:{name}", args=(round_.pk, *args))


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def get_writing_nothing(client, address: str):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert writes(captured) == []
    return response


@pytest.fixture
def closed_round(team):
    return AssessmentFactory(team=team, closed=True, title="Spring check-in")


def test_the_round_pages_link_to_the_confirmations_not_to_a_button(
    manager_client, draft_round
):
    page = manager_client.get(url("assessment_settings", draft_round)).content.decode()

    assert f'href="{url("assessment_open", draft_round)}"' in page
    assert f'action="{url("assessment_open", draft_round)}"' not in page


class TestOpening:
    def test_asks_first_saying_what_freezes_and_opens_nothing(
        self, manager_client, draft_round
    ):
        InvitationFactory(
            assessment=draft_round, email="ana@example.com", mail_status="queued"
        )

        response = get_writing_nothing(
            manager_client, url("assessment_open", draft_round)
        )

        text = response.content.decode()
        assert response.status_code == HTTPStatus.OK
        assert "Open the round?" in text
        assert "Its privacy is frozen" in text
        assert "<strong>anonymous</strong>" in text
        assert "the 1 invitation email waiting goes out now" in text
        assert f'action="{url("assessment_open", draft_round)}"' in text
        draft_round.refresh_from_db()
        assert draft_round.status == Assessment.Status.DRAFT

    def test_the_question_reads_a_fixed_number_of_queries(
        self, manager_client, draft_round, django_assert_num_queries
    ):
        """Session, user, the round with its team, the emails waiting."""
        with django_assert_num_queries(4):
            manager_client.get(url("assessment_open", draft_round))

    def test_the_button_opens_it(self, manager_client, draft_round):
        response = manager_client.post(url("assessment_open", draft_round))

        assert response.url == url("engagement", draft_round)
        draft_round.refresh_from_db()
        assert draft_round.is_open

    def test_an_open_round_is_not_asked_again(self, manager_client, assessment):
        response = manager_client.get(url("assessment_open", assessment))

        assert response.url == url("assessment_settings", assessment)


class TestClosing:
    def test_asks_first_and_closes_nothing(self, manager_client, assessment):
        response = get_writing_nothing(
            manager_client, url("assessment_close", assessment)
        )

        text = response.content.decode()
        assert "Close the round?" in text
        assert "You can open it again, saying why" in text
        assert "Every\n      answer still waiting for its group is shown now." in text
        assessment.refresh_from_db()
        assert assessment.is_open

    def test_a_reopened_round_says_a_small_last_group_stays_unseen(
        self, manager_client, closed_round, manager
    ):
        services.assessment_reopen(
            assessment=closed_round, reason="Late.", user=manager
        )

        text = manager_client.get(url("assessment_close", closed_round)).content
        assert "a smaller last group stays unseen" in text.decode()

    def test_the_button_closes_it(self, manager_client, assessment):
        manager_client.post(url("assessment_close", assessment))

        assessment.refresh_from_db()
        assert assessment.status == Assessment.Status.CLOSED

    def test_a_draft_is_not_asked(self, manager_client, draft_round):
        response = manager_client.get(url("assessment_close", draft_round))

        assert response.url == url("assessment_settings", draft_round)


class TestReopening:
    def test_a_closed_round_offers_to_open_again(self, manager_client, closed_round):
        page = manager_client.get(url("engagement", closed_round)).content.decode()

        assert f'href="{url("assessment_reopen", closed_round)}"' in page

    def test_asks_why_first_and_reopens_nothing(self, manager_client, closed_round):
        response = get_writing_nothing(
            manager_client, url("assessment_reopen", closed_round)
        )

        text = response.content.decode()
        assert "Open the round again?" in text
        assert 'name="reason"' in text
        assert "New answers show only in groups of at least 3 people" in text
        closed_round.refresh_from_db()
        assert closed_round.status == Assessment.Status.CLOSED

    def test_the_question_reads_a_fixed_number_of_queries(
        self, manager_client, closed_round, django_assert_num_queries
    ):
        """Session, user, the round with its team, the team's next round."""
        with django_assert_num_queries(4):
            manager_client.get(url("assessment_reopen", closed_round))

    def test_the_reason_is_kept_and_shown_on_the_rounds_pages(
        self, manager_client, closed_round, manager
    ):
        response = manager_client.post(
            url("assessment_reopen", closed_round),
            {"reason": "Two people were on leave <b>that week</b> 🌴"},
        )

        assert response.url == url("engagement", closed_round)
        assert messages_of(response) == [ROUND_NOW_REOPENED]
        closed_round.refresh_from_db()
        assert closed_round.is_open
        assert RoundReopening.objects.get().reopened_by == manager
        for page in ("engagement", "report", "assessment_settings"):
            text = manager_client.get(url(page, closed_round)).content.decode()
            assert "Two people were on leave &lt;b&gt;that week&lt;/b&gt; 🌴" in text, (
                page
            )

    @pytest.mark.parametrize("reason", ["", "   ", "x" * 1001, "on leave\x00"])
    def test_a_bad_reason_is_shown_beside_its_field_and_nothing_changes(
        self, manager_client, closed_round, reason
    ):
        response = manager_client.post(
            url("assessment_reopen", closed_round), {"reason": reason}
        )

        assert response.status_code == HTTPStatus.OK
        form = response.context["form"]
        assert list(form.errors) == ["reason"]
        assert form.errors["reason"]
        assert 'class="invalid-feedback"' in response.content.decode()
        closed_round.refresh_from_db()
        assert closed_round.status == Assessment.Status.CLOSED
        assert not RoundReopening.objects.exists()

    def test_an_empty_reason_says_why_one_is_needed(self, manager_client, closed_round):
        response = manager_client.post(
            url("assessment_reopen", closed_round), {"reason": " "}
        )

        assert response.context["form"].errors["reason"] == [
            services.REOPEN_NEEDS_A_REASON
        ]

    def test_refused_once_the_next_round_has_opened(
        self, manager_client, closed_round, team
    ):
        AssessmentFactory(team=team, title="Autumn check-in")

        page = manager_client.get(url("assessment_reopen", closed_round))
        assert "Autumn check-in has opened since" in page.content.decode()
        assert 'name="reason"' not in page.content.decode()

        response = manager_client.post(
            url("assessment_reopen", closed_round), {"reason": "Late answers."}
        )
        assert response.context["form"].non_field_errors() == [
            services.NEXT_ROUND_STARTED.format(round="Autumn check-in")
        ]
        assert "Autumn check-in has opened since" in response.content.decode()
        closed_round.refresh_from_db()
        assert closed_round.status == Assessment.Status.CLOSED

    def test_a_round_not_closed_is_not_reopened(self, manager_client, assessment):
        response = manager_client.post(
            url("assessment_reopen", assessment), {"reason": "Why not."}
        )

        assert messages_of(response) == [services.ROUND_NOT_CLOSED]
        assert not RoundReopening.objects.exists()


class TestDeletingAnAction:
    def test_the_action_links_to_the_question_with_its_revision(
        self, manager_client, draft_round
    ):
        action = ActionItemFactory(assessment=draft_round)

        page = manager_client.get(url("commitment", draft_round)).content.decode()

        assert f'href="{url("action_delete", draft_round, action.pk)}?revision=1"' in (
            page
        )

    def test_asks_first_showing_the_action_and_deletes_nothing(
        self, manager_client, draft_round
    ):
        action = ActionItemFactory(assessment=draft_round, title="Weekly huddle")

        response = get_writing_nothing(
            manager_client, url("action_delete", draft_round, action.pk) + "?revision=1"
        )

        text = response.content.decode()
        assert "Delete this action?" in text
        assert "Weekly huddle" in text
        assert f'name="action-{action.pk}-revision" value="1"' in text
        assert ActionItem.objects.exists()

    @pytest.mark.parametrize("revision", ["", "abc", "-1"])
    def test_a_question_without_a_readable_revision_asks_over_the_stored_one(
        self, manager_client, draft_round, revision
    ):
        action = ActionItemFactory(assessment=draft_round)

        response = manager_client.get(
            url("action_delete", draft_round, action.pk) + f"?revision={revision}"
        )

        assert f'name="action-{action.pk}-revision" value="1"' in (
            response.content.decode()
        )

    def test_the_button_deletes_it(self, manager_client, draft_round):
        action = ActionItemFactory(assessment=draft_round, title="Old idea")

        response = manager_client.post(
            url("action_delete", draft_round, action.pk),
            {f"action-{action.pk}-revision": "1"},
        )

        assert response.url == url("commitment", draft_round) + "#actions"
        assert messages_of(response) == [ACTION_DELETED.format(title="Old idea")]
        assert not ActionItem.objects.exists()

    def test_an_action_changed_meanwhile_is_shown_as_it_is_now_before_it_goes(
        self, manager_client, draft_round, other_manager
    ):
        action = ActionItemFactory(assessment=draft_round, title="Weekly huddle")
        services.action_update(
            action=action, revision=1, user=other_manager, values={"title": "Theirs"}
        )

        response = manager_client.post(
            url("action_delete", draft_round, action.pk),
            {f"action-{action.pk}-revision": "1"},
        )

        text = response.content.decode()
        assert response.status_code == HTTPStatus.OK
        assert ACTION_CHANGED_MEANWHILE in text
        assert "Theirs" in text
        assert f'name="action-{action.pk}-revision" value="2"' in text
        assert ActionItem.objects.get().title == "Theirs"

        manager_client.post(
            url("action_delete", draft_round, action.pk),
            {f"action-{action.pk}-revision": "2"},
        )
        assert not ActionItem.objects.exists()
