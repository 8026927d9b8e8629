"""The readiness report: the steps in order, gating, answers, overrides, export."""

import csv
import io
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from assessments import links, reports, services
from assessments.models import (
    AnswerJudgement,
    Assessment,
    Invitation,
    RoundScoring,
    StepResult,
)
from assessments.services import OVERRIDE_NEEDS_A_REASON
from assessments.views.report import OVERRIDE_SAVED, RESCORE_QUEUED
from tests.factories import (
    ActionItemFactory,
    AlignmentRatingFactory,
    AssessmentFactory,
    CommitmentFactory,
    InvitationFactory,
    QuestionFactory,
    TeamFactory,
    UserFactory,
    VisionFactory,
)
from tests.queries import writes
from tests.samples import (
    ENGAGED,
    IN_SPANISH,
    LOST,
    UNSURE,
    UNSURE_CONFIDENCE,
    UNSURE_REASON,
    rounds_too_close,
)
from tests.samples import TEAM_VISION as VISION
from tests.samples import submit as answer
from tests.samples import submit_as as answer_through

pytestmark = pytest.mark.django_db


def report_url(assessment) -> str:
    return reverse("assessments:report", args=(assessment.pk,))


@pytest.fixture
def round_with_vision(assessment):
    VisionFactory(assessment=assessment, statement=VISION)
    return assessment


def test_steps_are_shown_in_order_with_the_first_no_blocking_the_rest(
    manager_client, assessment
):
    page = manager_client.get(report_url(assessment))

    assert page.status_code == HTTPStatus.OK
    text = page.content.decode()
    positions = [
        text.index(f'id="step-{key}-heading"')
        for key in ("vision", "engagement", "alignment", "commitment")
    ]
    assert positions == sorted(positions)
    assert "Steps 2, 3 and 4 wait until step 1, Vision, is ready: fix it first." in text
    summary, details = text.split('id="step-vision"')
    assert summary.count("Blocked by step 1") == 3  # the path in the summary
    assert details.count("Blocked by step 1") == 3  # each step's own section


def test_engagement_not_ready_blocks_alignment_and_commitment(
    manager_client, round_with_vision
):
    for _ in range(3):
        answer(round_with_vision, LOST)

    text = manager_client.get(report_url(round_with_vision)).content.decode()

    assert (
        "Steps 3 and 4 wait until step 2, Engagement, is ready: fix it first." in text
    )
    assert "3 of 3 invited people have answered." in text


def test_scoring_a_round_keeps_each_steps_readiness_for_the_dashboard(
    round_with_vision,
):
    services.assessment_rescore(assessment_id=round_with_vision.pk)

    stored = dict(
        StepResult.objects.filter(assessment=round_with_vision).values_list(
            "step__key", "status"
        )
    )
    assert stored == {
        "vision": "ready",
        "engagement": "not_yet",
        "alignment": "blocked",
        "commitment": "blocked",
    }


def test_scores_and_answers_wait_for_the_minimum_group(
    manager_client, round_with_vision
):
    answer(round_with_vision, ENGAGED)
    answer(round_with_vision, ENGAGED)

    text = manager_client.get(report_url(round_with_vision)).content.decode()

    assert "Scores appear once 3 people have answered (2 so far)." in text
    assert "2 of 2 respondents engaged" not in text
    assert ENGAGED["meaning"] not in text
    assert "Engagement by question" not in text


def test_answers_are_listed_with_reasons_once_the_group_is_big_enough(
    manager_client, round_with_vision
):
    for _ in range(4):
        answer(round_with_vision, ENGAGED)
    answer(round_with_vision, LOST)

    text = manager_client.get(report_url(round_with_vision)).content.decode()

    assert "Engagement by question" in text
    assert "<svg" in text
    assert ENGAGED["meaning"] in text
    assert "a non-answer" in text
    assert "Anonymous round: answers are in random order" in text


def test_team_alignment_view_needs_the_minimum_group(manager_client, round_with_vision):
    question = QuestionFactory(key="empowerment")
    AlignmentRatingFactory(assessment=round_with_vision, question=question, rating=5)
    round_with_vision.team_rates_alignment = True
    round_with_vision.save()
    for rating in (1, 2):
        item = InvitationFactory(
            assessment=round_with_vision, email=f"rater{rating}@example.com"
        )
        services.response_submit(
            link=links.link_lookup(item.token),
            token=item.token,
            answers=ENGAGED,
            ratings={"empowerment": rating},
        )

    page = manager_client.get(report_url(round_with_vision))
    row = page.context["report"].step("alignment").detail.rows[3]
    assert (row.key, row.team_mean, row.gap) == ("empowerment", None, None)

    answer(round_with_vision, ENGAGED, ratings={"empowerment": 3})
    page = manager_client.get(report_url(round_with_vision))
    row = page.context["report"].step("alignment").detail.rows[3]
    assert (row.team_mean, row.gap, row.gap_flagged) == (2.0, -3.0, True)
    assert "seen differently" in page.content.decode()


def test_manager_overrides_a_judgement_and_the_report_uses_it(
    manager_client, round_with_vision
):
    for _ in range(5):
        answer(round_with_vision, LOST)
    judgement = AnswerJudgement.objects.filter(question_key="vision").first()

    page = manager_client.post(
        reverse(
            "assessments:judgement_override", args=(round_with_vision.pk, judgement.pk)
        ),
        {"clear": "yes", "consistent": "yes", "reason": "Said aloud in the huddle."},
        follow=True,
    )

    judgement.refresh_from_db()
    assert (judgement.clear, judgement.effective_clear) == (False, True)
    assert judgement.override_reason == "Said aloud in the huddle."
    assert OVERRIDE_SAVED in page.content.decode()
    assert (
        "Your decision (engine said not clear, not consistent)" in page.content.decode()
    )
    tally = page.context["report"].step("engagement").detail.summary.tally("vision")
    assert (tally.clear, tally.consistent) == (1, 1)


def test_override_without_a_reason_is_refused(manager_client, round_with_vision):
    answer(round_with_vision, LOST)
    judgement = AnswerJudgement.objects.first()

    page = manager_client.post(
        reverse(
            "assessments:judgement_override", args=(round_with_vision.pk, judgement.pk)
        ),
        {"clear": "yes", "consistent": "", "reason": "  "},
        follow=True,
    )

    assert escape(OVERRIDE_NEEDS_A_REASON) in page.content.decode()
    judgement.refresh_from_db()
    assert judgement.override_clear is None


class TestARefusedOverride:
    """A decision sent without a reason is shown again beside its own form, open,
    with the choices kept and the browser taken to it; nothing is saved."""

    @pytest.fixture
    def judgement(self, round_with_vision):
        for _ in range(5):
            answer(round_with_vision, LOST)
        return AnswerJudgement.objects.filter(question_key="meaning").first()

    def send(self, manager_client, round_, judgement, **data):
        address = reverse(
            "assessments:judgement_override", args=(round_.pk, judgement.pk)
        )
        return manager_client.post(f"{address}?page=1", data)

    def test_is_shown_beside_its_form_with_the_choices_kept(
        self, manager_client, round_with_vision, judgement
    ):
        page = self.send(
            manager_client, round_with_vision, judgement, clear="no", consistent="yes"
        )

        assert page.status_code == HTTPStatus.OK
        text = page.content.decode()
        assert page.context["failed_pk"] == judgement.pk
        assert page.context["failed_form"].errors == {
            "reason": [OVERRIDE_NEEDS_A_REASON]
        }
        form = text[text.index(f'id="judgement-{judgement.pk}"') :]
        form = form[: form.index("</form>")]
        assert '<details class="no-print" open>' in form
        assert '<option value="no" selected>' in form.split('id="consistent-')[0]
        assert '<option value="yes" selected>' in form.split('id="consistent-')[1]
        assert 'aria-invalid="true"' in form
        assert "autofocus" in form
        assert escape(OVERRIDE_NEEDS_A_REASON) in form
        # Only that form is open; no message repeats the error at the top.
        assert text.count(" open>") == 1
        assert escape(OVERRIDE_NEEDS_A_REASON) not in text[: text.index(form)]
        judgement.refresh_from_db()
        assert (judgement.override_clear, judgement.override_consistent) == (
            None,
            None,
        )

    def test_a_retry_with_a_reason_saves_it(
        self, manager_client, round_with_vision, judgement
    ):
        self.send(manager_client, round_with_vision, judgement, clear="no")
        page = self.send(
            manager_client,
            round_with_vision,
            judgement,
            clear="no",
            consistent="",
            reason="Reads as a joke <script>alert(1)</script> 🙃",
        )

        assert page.status_code == HTTPStatus.FOUND
        assert page.url.endswith(f"?page=1#judgement-{judgement.pk}")
        judgement.refresh_from_db()
        assert judgement.override_clear is False
        assert judgement.override_reason.startswith("Reads as a joke <script>")

    def test_a_reason_typed_with_a_nul_byte_is_kept_for_retyping(
        self, manager_client, round_with_vision, judgement
    ):
        page = self.send(
            manager_client, round_with_vision, judgement, clear="yes", reason="ok\x00"
        )

        assert page.status_code == HTTPStatus.OK
        assert list(page.context["failed_form"].errors) == ["reason"]
        judgement.refresh_from_db()
        assert judgement.override_clear is None

    def test_the_page_runs_the_reports_queries_and_the_judgements(
        self, manager_client, round_with_vision, judgement, django_assert_num_queries
    ):
        """Session, user, the judgement with its response; the refused service's
        savepoint (three statements, none a write); the report's seven."""
        self.send(manager_client, round_with_vision, judgement, clear="no")

        with django_assert_num_queries(13) as captured:
            self.send(manager_client, round_with_vision, judgement, clear="no")

        assert writes(captured) == []


def test_overriding_all_three_answers_makes_the_respondent_engaged(
    manager_client, round_with_vision
):
    answer(round_with_vision, LOST)
    for judgement in AnswerJudgement.objects.all():
        manager_client.post(
            reverse(
                "assessments:judgement_override",
                args=(round_with_vision.pk, judgement.pk),
            ),
            {"clear": "yes", "consistent": "yes", "reason": "Checked in person."},
        )

    assert round_with_vision.responses.get().engaged is True


def test_export_streams_answers_and_judgements_as_csv(
    manager_client, round_with_vision
):
    for _ in range(4):
        answer(round_with_vision, ENGAGED)
    answer(round_with_vision, {**LOST, "vision": '=HYPERLINK("http://evil")'})

    response = manager_client.get(
        reverse("assessments:answers_export", args=(round_with_vision.pk,))
    )

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    )
    assert len(rows) == 5
    assert list(rows[0])[:5] == [
        "respondent",
        "vision",
        "meaning",
        "contribution",
        "engaged",
    ]
    assert sorted(row["engaged"] for row in rows) == [
        "False",
        "True",
        "True",
        "True",
        "True",
    ]
    assert '\'=HYPERLINK("http://evil")' in [row["vision"] for row in rows]
    assert all(row["respondent"].startswith("r-") for row in rows)


def test_export_waits_for_the_minimum_group(manager_client, round_with_vision):
    answer(round_with_vision, ENGAGED)

    page = manager_client.get(
        reverse("assessments:answers_export", args=(round_with_vision.pk,)), follow=True
    )

    assert "Scores appear once 3 people have answered (1 so far)." in (
        page.content.decode()
    )


def test_answers_through_links_without_an_email_make_no_group(
    manager_client, round_with_vision
):
    """Shown once a group is met, but never making one up: a manager could answer
    the links they handed out themselves."""
    round_with_vision.team_rates_alignment = True
    round_with_vision.save()
    answer(round_with_vision, ENGAGED, ratings={"empowerment": 4})
    for _ in range(3):
        answer(round_with_vision, LOST, ratings={"empowerment": 1}, email="")
    export = reverse("assessments:answers_export", args=(round_with_vision.pk,))

    page = manager_client.get(report_url(round_with_vision))
    refused = manager_client.get(export, follow=True)

    assert page.context["summary"].respondents == 4
    assert "Scores appear once 3 people have answered (1 so far)." in (
        page.content.decode()
    )
    assert LOST["meaning"] not in page.content.decode()
    row = page.context["report"].step("alignment").detail.rows[3]
    assert (row.key, row.team_mean) == ("empowerment", None)
    assert "Scores appear once 3 people have answered (1 so far)." in (
        refused.content.decode()
    )
    for _ in range(4):
        answer(round_with_vision, LOST, ratings={"empowerment": 1})
    page = manager_client.get(report_url(round_with_vision))
    assert LOST["meaning"] in page.content.decode()  # every answer, once a group
    row = page.context["report"].step("alignment").detail.rows[3]
    assert (row.team_mean, row.team_count) == (1.375, 8)


def test_named_round_lists_answers_with_names(manager_client, team):
    assessment = Assessment.objects.create(
        team=team,
        anonymous=False,
        status="open",
        opened_at="2026-01-01T00:00Z",
        min_group_for_scores=1,
        min_group_for_verbatims=1,
    )
    VisionFactory(assessment=assessment, statement=VISION)
    answer(assessment, ENGAGED, name="Sam Lee")

    text = manager_client.get(report_url(assessment)).content.decode()

    assert "Sam Lee" in text


# --- Answers that need the manager's review ----------------------------------------


@pytest.fixture
def named_round(team):
    """A named round that quotes every answer from the first."""
    assessment = AssessmentFactory(
        team=team, anonymous=False, min_group_for_scores=1, min_group_for_verbatims=1
    )
    VisionFactory(assessment=assessment, statement=VISION)
    return assessment


def step_two(text: str) -> str:
    return text[text.index('id="step-engagement"') : text.index('id="step-alignment"')]


def answers_list(text: str) -> str:
    return text[text.index('id="answers-heading"') :]


# The mark on an answer awaiting review (the list's introduction names it too).
MARKED = ">Needs your review<"


@pytest.mark.usefixtures("unsure_engine")
def test_answers_awaiting_review_come_first_marked_with_the_engines_reason(
    manager_client, named_round
):
    answer(named_round, ENGAGED, name="Ann Abbott")
    answer(named_round, UNSURE, name="Zoe Zimmer")
    answer(named_round, ENGAGED, name="Bea Brown")

    page = manager_client.get(report_url(named_round))

    assert [r.invitation.name for r in page.context["page"]] == [
        "Zoe Zimmer",
        "Ann Abbott",
        "Bea Brown",
    ]
    listed = answers_list(page.content.decode())
    unsure, rest = listed.split("Ann Abbott", 1)
    assert unsure.count(MARKED) == 1
    assert unsure.index(MARKED) < unsure.index(escape(UNSURE_REASON))
    assert f"confidence {round(UNSURE_CONFIDENCE * 100)}%" in unsure
    assert MARKED not in rest


@pytest.mark.usefixtures("unsure_engine")
def test_step_two_says_how_many_answers_await_review(manager_client, named_round):
    answer(named_round, UNSURE)
    answer(named_round, {**UNSURE, "vision": IN_SPANISH, "contribution": IN_SPANISH})
    answer(named_round, ENGAGED)

    text = manager_client.get(report_url(named_round)).content.decode()

    assert "4 answers await your review." in step_two(text)


@pytest.mark.usefixtures("unsure_engine")
def test_step_two_says_nothing_of_review_when_no_answer_awaits_it(
    manager_client, named_round
):
    for _ in range(3):
        answer(named_round, ENGAGED)

    text = manager_client.get(report_url(named_round)).content.decode()

    assert "review." not in step_two(text)
    assert MARKED not in text


@pytest.mark.parametrize(
    ("count", "said"),
    [
        (0, ""),
        (1, "1 answer awaits your review."),
        (3, "3 answers await your review."),
    ],
)
def test_the_count_of_answers_awaiting_review_reads_as_a_sentence(count, said):
    assert reports.awaiting_review_message(count) == said


@pytest.mark.usefixtures("unsure_engine")
def test_an_override_settles_an_answer_awaiting_review(manager_client, named_round):
    unsure = answer(named_round, UNSURE, name="Zoe Zimmer")
    answer(named_round, ENGAGED, name="Ann Abbott")
    judgement = unsure.judgements.get(question_key="meaning")

    page = manager_client.post(
        reverse("assessments:judgement_override", args=(named_round.pk, judgement.pk)),
        {"clear": "yes", "consistent": "yes", "reason": "Clear to a Spanish speaker."},
        follow=True,
    )

    text = page.content.decode()
    assert OVERRIDE_SAVED in text
    assert "await" not in step_two(text)
    assert MARKED not in text
    assert [r.invitation.name for r in page.context["page"]] == [
        "Ann Abbott",
        "Zoe Zimmer",
    ]


@pytest.mark.usefixtures("unsure_engine")
def test_an_anonymous_round_counts_only_released_answers_awaiting_review(
    manager_client, round_with_vision
):
    for _ in range(4):
        answer(round_with_vision, ENGAGED)
    answer(round_with_vision, UNSURE)
    # Given since the last release: not read by any page until the next.
    for _ in range(2):
        answer(round_with_vision, UNSURE, released=False)

    page = manager_client.get(report_url(round_with_vision))

    text = page.content.decode()
    assert "1 answer awaits your review." in step_two(text)
    assert answers_list(text).count(MARKED) == 1
    assert len(page.context["page"]) == 5


@pytest.mark.usefixtures("unsure_engine")
def test_no_count_of_answers_awaiting_review_while_answers_are_not_quoted(
    manager_client, round_with_vision
):
    """Scores show from 3 answers, answers from 5: a count of answers the
    manager cannot read would be drawn from what they may not see."""
    for _ in range(3):
        answer(round_with_vision, UNSURE)

    text = manager_client.get(report_url(round_with_vision)).content.decode()

    assert "Scores appear once" not in text
    assert "review" not in step_two(text)
    assert MARKED not in text


@pytest.mark.usefixtures("unsure_engine")
def test_a_withheld_round_counts_no_answer_awaiting_review(manager_client, team):
    _, withheld = rounds_too_close(team)
    answer(withheld, UNSURE)

    text = manager_client.get(report_url(withheld)).content.decode()

    assert "review" not in step_two(text)
    assert MARKED not in text


def test_the_export_says_which_answers_await_review(
    manager_client, round_with_vision, unsure_engine
):
    for _ in range(4):
        answer(round_with_vision, ENGAGED)
    answer(round_with_vision, UNSURE)

    response = manager_client.get(
        reverse("assessments:answers_export", args=(round_with_vision.pk,))
    )

    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    )
    assert sorted(row["meaning_needs_review"] for row in rows) == [
        "False",
        "False",
        "False",
        "False",
        "True",
    ]
    assert {row["vision_needs_review"] for row in rows} == {"False"}


class TestQueryCounts:
    """The report costs the same queries at any team size: guards against N+1."""

    @pytest.mark.parametrize("team_size", [5, 30])
    @pytest.mark.usefixtures("unsure_engine")
    def test_report_page_runs_a_fixed_number_of_queries(
        self, manager_client, round_with_vision, django_assert_num_queries, team_size
    ):
        """With answers awaiting review among them: ordered and counted in the
        same queries whatever their number."""
        for n in range(team_size):
            answer(round_with_vision, UNSURE if n % 3 == 0 else ENGAGED)
        for key in ("goals", "hiring"):
            AlignmentRatingFactory(
                assessment=round_with_vision, question=QuestionFactory(key=key)
            )
        ActionItemFactory.create_batch(3, assessment=round_with_vision)
        CommitmentFactory(assessment=round_with_vision)
        manager_client.get(report_url(round_with_vision))  # warm caches

        with django_assert_num_queries(9):
            manager_client.get(report_url(round_with_vision))

    def test_report_page_writes_nothing(
        self, manager_client, round_with_vision, django_assert_num_queries
    ):
        for _ in range(5):
            answer(round_with_vision, ENGAGED)
        round_with_vision.team_profile_size = 1  # grown enough to be scored again
        round_with_vision.save(update_fields=("team_profile_size",))

        with django_assert_num_queries(9) as captured:
            page = manager_client.get(report_url(round_with_vision))

        assert page.status_code == HTTPStatus.OK
        assert "Score every answer again" in page.content.decode()
        assert writes(captured) == []

    def test_export_runs_a_fixed_number_of_queries(
        self, manager_client, round_with_vision, django_assert_num_queries
    ):
        for _ in range(30):
            answer(round_with_vision, ENGAGED)

        with django_assert_num_queries(7):
            response = manager_client.get(
                reverse("assessments:answers_export", args=(round_with_vision.pk,))
            )
            b"".join(response.streaming_content)


def test_invitation_status_is_untouched_by_reading_the_report(
    manager_client, round_with_vision
):
    answer(round_with_vision, ENGAGED)
    before = list(Invitation.objects.values_list("status", flat=True))

    manager_client.get(report_url(round_with_vision))

    assert list(Invitation.objects.values_list("status", flat=True)) == before


class TestDifferencing:
    """Two rounds over almost the same people must not be subtractable: the one
    that would show second is hidden, decided as it opens."""

    def round_for(self, team, people: list[str], *, anonymous: bool = True):
        assessment = services.assessment_create(
            team=team, created_by=None, anonymous=anonymous
        )
        VisionFactory(assessment=assessment, statement=VISION)
        invited = [
            InvitationFactory(assessment=assessment, email=f"{person}@example.com")
            for person in people
        ]
        services.assessment_open(assessment=assessment)
        for invitation in invited:
            answer_through(invitation)
        return assessment

    def test_a_later_round_differing_by_one_person_is_suppressed(
        self, manager_client, team
    ):
        first = self.round_for(team, ["a", "b", "c", "d", "e"])
        second = self.round_for(team, ["a", "b", "c", "d", "e", "f"])

        earlier = manager_client.get(report_url(first)).content.decode()
        later = manager_client.get(report_url(second)).content.decode()

        assert "Engagement by question" in earlier
        assert "Engagement by question" not in later
        assert (
            f"Scores and answers are hidden for this round: {first} invited almost "
            "the same people (only 1 different), so comparing the two could reveal "
            "what that person said." in later
        )
        assert ENGAGED["meaning"] not in later

    def test_a_round_over_a_child_team_almost_the_same_as_its_parent_is_suppressed(
        self, manager_client, team
    ):
        child = TeamFactory(parent=team, managers=[team.managers.get()])
        self.round_for(team, ["a", "b", "c", "d", "e", "f"])
        child_round = self.round_for(child, ["a", "b", "c", "d", "e"])

        page = manager_client.get(report_url(child_round))

        assert page.context["summary"].withheld.startswith("Scores and answers are")
        export = manager_client.get(
            reverse("assessments:answers_export", args=(child_round.pk,))
        )
        assert export.status_code == HTTPStatus.FOUND

    @pytest.mark.parametrize(
        ("second", "anonymous"),
        [
            (["a", "b", "c", "d", "e"], True),
            (["a", "b", "f", "g", "h"], True),
            (["a", "b", "c", "d", "e", "f"], False),
        ],
        ids=["same-people", "three-different", "named-round"],
    )
    def test_rounds_that_cannot_isolate_anyone_are_shown(
        self, manager_client, team, second, anonymous
    ):
        self.round_for(team, ["a", "b", "c", "d", "e"])
        later = self.round_for(team, second, anonymous=anonymous)

        page = manager_client.get(report_url(later))

        assert page.context["summary"].withheld is None


class TestAHiddenRound:
    """Below its minimum group, or withheld, a round shows nothing that follows
    from what anyone answered."""

    def test_below_the_minimum_group_step_two_is_the_same_whatever_was_answered(
        self, manager_client, team
    ):
        seen = []
        for answers in (ENGAGED, LOST):
            assessment = AssessmentFactory(team=team)
            VisionFactory(assessment=assessment, statement=VISION)
            answer(assessment, answers)
            answer(assessment, answers)

            report = manager_client.get(report_url(assessment)).context["report"]

            step = report.step("engagement")
            seen.append(
                (
                    step.status,
                    step.score,
                    step.evidence,
                    step.next_actions,
                    report.headline,
                    [s.status for s in report.steps],
                )
            )
        assert seen[0] == seen[1]
        assert seen[0][3] == (
            "Wait for 1 more person to answer: scores appear once 3 have.",
            reports.REMIND_THE_REST,
        )
        assert seen[0][2] == ("Scores appear once 3 people have answered (2 so far).",)

    def test_a_withheld_round_shows_nothing_drawn_from_its_answers(
        self, manager_client, team
    ):
        _, withheld = rounds_too_close(team)
        empowerment = QuestionFactory(key="empowerment")
        AlignmentRatingFactory(assessment=withheld, question=empowerment, rating=5)
        services.readiness_refresh(assessment_id=withheld.pk)

        page = manager_client.get(report_url(withheld))

        text = page.content.decode()
        report = page.context["report"]
        row = next(r for r in report.step("alignment").detail.rows if r.rating)
        assert (row.team_mean, row.team_count, row.gap) == (None, 0, None)
        assert "seen differently" not in text
        assert "Ask the team why" not in text
        assert page.context["engagement_chart"] is None
        assert "team" not in {bar.kind for bar in page.context["alignment_chart"].bars}
        engagement = report.step("engagement")
        assert engagement.next_actions == reports.WITHHELD_ACTIONS
        assert engagement.evidence == (withheld.withheld_reason,)
        assert [s.blocked_by for s in report.steps[2:]] == [2, 2]
        assert '<span class="badge text-bg-secondary">Withheld</span>' in text
        assert escape(withheld.withheld_reason) in text
        assert ENGAGED["meaning"] not in text
        export = manager_client.get(
            reverse("assessments:answers_export", args=(withheld.pk,)), follow=True
        )
        assert escape(withheld.withheld_reason) in export.content.decode()

    def test_the_round_shown_first_keeps_its_team_view(self, manager_client, team):
        shown, _ = rounds_too_close(team)

        page = manager_client.get(report_url(shown))

        assert page.context["summary"].withheld is None
        assert page.context["engagement_chart"] is not None


def test_scoring_every_answer_again_from_the_report(manager_client, round_with_vision):
    for _ in range(4):
        answer(round_with_vision, ENGAGED)

    page = manager_client.post(
        reverse("assessments:assessment_rescore", args=(round_with_vision.pk,)),
        follow=True,
    )

    round_with_vision.refresh_from_db()
    assert round_with_vision.team_profile_size == 4
    assert "Every answer is scored again against the whole team." in (
        page.content.decode()
    )
    assert "Score every answer again" not in page.content.decode()


def test_the_button_queues_the_scoring_instead_of_scoring_in_the_request(
    manager_client, round_with_vision, task_queue
):
    for _ in range(4):
        answer(round_with_vision, ENGAGED)

    page = manager_client.post(
        reverse("assessments:assessment_rescore", args=(round_with_vision.pk,)),
        follow=True,
    )

    text = page.content.decode()
    assert RESCORE_QUEUED in text
    assert escape(reports.SCORING_QUEUED) in text
    assert "Score every answer again" not in text
    round_with_vision.refresh_from_db()
    assert round_with_vision.team_profile_size == 0
    assert task_queue.run() == ["rescore_round"]
    round_with_vision.refresh_from_db()
    assert round_with_vision.team_profile_size == 4
    assert (
        "Scores will be updated"
        not in manager_client.get(report_url(round_with_vision)).content.decode()
    )


class TestDuringAFullScoring:
    """While a worker scores the round again, the report says so and shows the
    last complete figures."""

    @pytest.fixture
    def scored(self, round_with_vision):
        for _ in range(4):
            answer(round_with_vision, ENGAGED)
        answer(round_with_vision, LOST)
        services.assessment_rescore(assessment_id=round_with_vision.pk)
        for _ in range(4):  # grown by half: a scoring is due
            answer(round_with_vision, ENGAGED)
        return round_with_vision

    def test_the_report_shows_how_far_it_has_got_and_the_last_figures(
        self, manager_client, scored
    ):
        now = timezone.now()
        RoundScoring.objects.filter(assessment=scored).update(
            started_at=now, progress_at=now, done=4120, total=10000
        )

        page = manager_client.get(report_url(scored))

        text = page.content.decode()
        assert (
            "Scores are being updated: 4,120 of 10,000. Until that is done, the "
            "figures below are from the last complete scoring."
        ) in text
        assert "8 of 9 respondents engaged" in text
        assert "Score every answer again" not in text

    def test_a_queued_scoring_is_announced(self, manager_client, scored):
        RoundScoring.objects.filter(assessment=scored).update(
            requested_at=timezone.now()
        )

        text = manager_client.get(report_url(scored)).content.decode()

        assert escape(reports.SCORING_QUEUED) in text
        assert "Score every answer again" not in text

    def test_a_scoring_whose_worker_died_is_not_announced(self, manager_client, scored):
        long_ago = timezone.now() - timedelta(hours=1)
        RoundScoring.objects.filter(assessment=scored).update(
            started_at=long_ago, progress_at=long_ago, done=3, total=9
        )

        text = manager_client.get(report_url(scored)).content.decode()

        assert "Scores are being updated" not in text
        assert "Score every answer again" in text

    def test_the_report_runs_the_same_queries_and_writes_nothing_during_a_scoring(
        self, manager_client, scored, django_assert_num_queries
    ):
        now = timezone.now()
        RoundScoring.objects.filter(assessment=scored).update(
            started_at=now, progress_at=now, done=1, total=9
        )
        manager_client.get(report_url(scored))

        with django_assert_num_queries(9) as captured:
            manager_client.get(report_url(scored))

        assert writes(captured) == []


def test_another_manager_cannot_rescore_a_round(client, round_with_vision):
    client.force_login(UserFactory())

    response = client.post(
        reverse("assessments:assessment_rescore", args=(round_with_vision.pk,))
    )

    assert response.status_code == HTTPStatus.NOT_FOUND


class TestKeyIdeas:
    """Step 1 of the report lists the key ideas answers are weighed against."""

    def test_the_confirmed_key_ideas_are_listed_with_the_team_s_words(
        self, manager_client, assessment
    ):
        VisionFactory(assessment=assessment, statement=VISION, confirmed=True)

        text = manager_client.get(report_url(assessment)).content.decode()

        assert "One conversation" in text
        assert "(the team's words: un appel, first time)" in text
        assert "Not confirmed yet" not in text
        assert "The vision has changed since these were confirmed" not in text

    def test_ideas_not_confirmed_yet_link_to_step_one(self, manager_client, assessment):
        VisionFactory(assessment=assessment, statement=VISION)

        text = manager_client.get(report_url(assessment)).content.decode()

        vision_page = reverse("assessments:vision", args=(assessment.pk,))
        assert "Not confirmed yet" in text
        assert f'href="{vision_page}#key-ideas">Confirm the key ideas' in text

    def test_ideas_confirmed_for_another_statement_are_to_be_checked(
        self, manager_client, assessment
    ):
        VisionFactory(
            assessment=assessment,
            statement=VISION,
            confirmed=True,
            key_ideas_vision="An older vision.",
        )

        text = manager_client.get(report_url(assessment)).content.decode()

        assert "The vision has changed since these were confirmed" in text

    def test_the_ideas_cost_the_report_no_query(
        self, manager_client, assessment, django_assert_num_queries
    ):
        VisionFactory(assessment=assessment, statement=VISION, confirmed=True)
        for _ in range(5):
            answer(assessment, ENGAGED)
        manager_client.get(report_url(assessment))  # warm caches

        with django_assert_num_queries(9) as captured:
            page = manager_client.get(report_url(assessment))

        assert "One conversation" in page.content.decode()
        assert writes(captured) == []


class TestTheSummaryAndItsFigures:
    """Page one of the report, and figures that agree wherever they are written."""

    def test_the_summary_names_the_team_round_dates_and_who_took_part(
        self, manager_client, round_with_vision
    ):
        for _ in range(3):
            answer(round_with_vision, ENGAGED)
        InvitationFactory(assessment=round_with_vision)

        text = manager_client.get(report_url(round_with_vision)).content.decode()

        summary = text[text.index('id="summary"') : text.index('id="step-vision"')]
        assert round_with_vision.team.name in summary
        assert "3 of 4 invited people have answered." in summary
        assert "Opened " in summary
        for name in ("Step 1: Vision", "Step 2: Engagement", "Final step: Commitment"):
            assert name in summary
        assert "What to do first" in summary
        assert summary.count(" / 100") == 4

    def test_a_mean_and_its_gap_read_the_same_in_the_table_chart_and_text(
        self, manager_client, round_with_vision
    ):
        question = QuestionFactory(key="empowerment")
        AlignmentRatingFactory(
            assessment=round_with_vision, question=question, rating=3, evidence="x"
        )
        round_with_vision.team_rates_alignment = True
        round_with_vision.save()
        for rating in (3, 3, 3, 4):  # a mean of 3.25
            answer(round_with_vision, ENGAGED, ratings={"empowerment": rating})

        text = manager_client.get(report_url(round_with_vision)).content.decode()

        alignment = text[text.index('id="step-alignment"') :]
        alignment = alignment[: alignment.index('id="step-commitment"')]
        assert "3.3 <small" in alignment  # the table
        assert ">3.3</text>" in alignment  # the chart
        assert "3.2" not in alignment
        assert "+0.3" in alignment  # the gap, team minus manager
        assert "Gap <span" in alignment
        assert "(team \u2212 manager)" in alignment
        assert "positive when the team rates a question higher" in alignment

    def test_chart_labels_fit_their_column(self, manager_client, round_with_vision):
        for key in ("goals", "reinforcement", "empowerment"):
            AlignmentRatingFactory(
                assessment=round_with_vision, question=QuestionFactory(key=key)
            )

        page = manager_client.get(report_url(round_with_vision))

        chart = page.context["alignment_chart"]
        longest = max(len(bar.label) for bar in chart.bars)
        assert longest == len("Reinforcement: manager")
        assert chart.label_width >= longest * 7 + 6  # from x=0 to the bars

    def test_commitment_with_an_overdue_action_does_not_score_100(
        self, manager_client, round_with_vision
    ):
        today = timezone.localdate()
        CommitmentFactory(assessment=round_with_vision)
        ActionItemFactory(
            assessment=round_with_vision, due_on=today - timedelta(days=3), done_on=None
        )

        page = manager_client.get(report_url(round_with_vision))

        step = page.context["report"].step("commitment")
        assert step.detail.actions_on_time == 0
        assert step.score < 100
        assert (
            "0 of 1 actions done or due so far were done on time (0%)"
            in page.content.decode()
        )

    def test_no_section_is_said_twice(self, manager_client, round_with_vision):
        CommitmentFactory(assessment=round_with_vision)

        text = manager_client.get(report_url(round_with_vision)).content.decode()

        vision = text[
            text.index('id="step-vision"') : text.index('id="step-engagement"')
        ]
        commitment = text[text.index('id="step-commitment"') :]
        commitment = commitment[: commitment.index("</section>")]
        assert "Evidence</h3>" not in vision
        assert "Evidence</h3>" not in commitment
        assert text.count(escape(VISION)) == 1
        assert commitment.count("A named owner") == 1

    def test_printing_leaves_out_links_forms_and_answers(
        self, manager_client, assessment
    ):
        text = manager_client.get(report_url(assessment)).content.decode()
        settings_link = text[: text.index("Round settings")].rsplit("<a", 1)[1]
        assert "no-print" in settings_link
        stylesheet = (settings.BASE_DIR / "static/css/print.css").read_text()
        assert ".no-print, nav, form, .btn, details { display: none" in stylesheet
        assert ".report-summary { break-after: page; }" in stylesheet
