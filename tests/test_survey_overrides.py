"""A manager's decision on an answer outlives the team member's later saves, and
a respondent's own earlier words never count as their teammates'.

Everything here goes through the survey as a team member uses it (their link,
in their own browser, saving and saving again) and the report as the manager
uses it, on whichever database runs the tests: the one PREPAREd statement on
PostgreSQL, the ORM's transaction on SQLite.
"""

import uuid
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from assessments import scoring, services
from assessments.catalogue import ENGAGEMENT_KEYS
from assessments.models import OUTCOME_FIELDS, AnswerJudgement, Response
from assessments.services import NO_DECISION_TO_KEEP
from assessments.views.report import OVERRIDE_KEPT
from assessments.views.survey import EDIT_COOKIE
from tests.factories import InvitationFactory, UserFactory, VisionFactory
from tests.samples import ENGAGED, TEAM_VISION
from tests.test_scoring_labelled import load_teams

pytestmark = pytest.mark.django_db

CHANGED_MARK = "Answer changed since your decision."
# Teammates who say the same concrete things about the vision.
TEAMMATE = {
    "vision": "Fix problems on first contact, explain plainly, leave them confident.",
    "meaning": "A wrong bill gets corrected during the call and the engineer "
    "explains the meter reading plainly.",
    "contribution": "I read the corrected meter balance back to the customer.",
}
# Someone whose words nobody else on the team uses.
LONER = {
    "vision": "Fix problems on first contact, explain plainly, leave them confident.",
    "meaning": "Quarterly tariff reconciliation audits with spreadsheets.",
    "contribution": "I reconcile tariff spreadsheets quarterly for auditors.",
}


def survey_url(invitation) -> str:
    return reverse("assessments:survey", args=(invitation.token,))


def report_url(assessment) -> str:
    return reverse("assessments:report", args=(assessment.pk,))


class Member:
    """A team member with their own link, emailed to them, and their own browser."""

    def __init__(self, assessment):
        self.invitation = InvitationFactory(
            assessment=assessment, email=f"member-{uuid.uuid4().hex[:12]}@example.com"
        )
        self.browser = Client()

    def save(self, answers: dict) -> None:
        page = self.browser.post(survey_url(self.invitation), answers)
        assert page.status_code == HTTPStatus.FOUND, page.content.decode()[:500]

    @property
    def response(self) -> Response:
        """Their response, found as the survey finds it (anonymous or named)."""
        saved = Response.objects.filter(assessment=self.invitation.assessment)
        if self.invitation.assessment.anonymous:
            code = self.browser.cookies[EDIT_COOKIE].value
            return saved.for_respondent(
                assessment_id=self.invitation.assessment_id, edit_code=code
            ).get()
        return saved.get(invitation=self.invitation)

    def judgements(self) -> dict[str, tuple]:
        """What the engine said of each answer, as stored."""
        return {
            j.question_key: (j.clear, j.consistent, j.consistency, tuple(j.reasons))
            for j in AnswerJudgement.objects.filter(response=self.response)
        }


def team_answered(assessment, *answers: dict, vision=TEAM_VISION) -> list[Member]:
    """Each of ``answers`` saved by a member of its own, then released."""
    VisionFactory(assessment=assessment, statement=vision)
    members = []
    for given in answers:
        members.append(member := Member(assessment))
        member.save(given)
    services.answers_release(assessment, closing=True)
    return members


def overridden(member: Member, manager, key="vision", **decision) -> AnswerJudgement:
    """The manager's decision on one of ``member``'s answers, through the report."""
    judgement = AnswerJudgement.objects.get(response=member.response, question_key=key)
    manager_browser = Client()
    manager_browser.force_login(manager)
    manager_browser.post(
        reverse(
            "assessments:judgement_override",
            args=(member.invitation.assessment_id, judgement.pk),
        ),
        {"clear": "", "consistent": "", "reason": "Said so in the huddle.", **decision},
    )
    judgement.refresh_from_db()
    assert judgement.is_overridden
    return judgement


def stored_outcome(response: Response) -> dict:
    response.refresh_from_db()
    return {field: getattr(response, field) for field in OUTCOME_FIELDS}


@pytest.fixture(params=[True, False], ids=["anonymous", "named"])
def round_(request, assessment):
    assessment.anonymous = request.param
    assessment.save(update_fields=("anonymous",))
    return assessment


# --- Overrides that stick -------------------------------------------------------------


def test_saving_the_same_answers_again_keeps_the_decision_unmarked(
    round_, manager, manager_client
):
    first, *_ = team_answered(round_, ENGAGED, ENGAGED, ENGAGED, ENGAGED, ENGAGED)
    decided = overridden(first, manager, clear="no")

    first.save(ENGAGED)
    first.save(ENGAGED)  # a double submit

    judgement = AnswerJudgement.objects.get(pk=decided.pk)
    assert (judgement.override_clear, judgement.override_reason) == (
        False,
        "Said so in the huddle.",
    )
    assert judgement.overridden_by == manager
    assert not judgement.answer_changed
    assert CHANGED_MARK not in manager_client.get(report_url(round_)).content.decode()


def test_new_answers_keep_the_decision_marked_until_the_manager_keeps_it(
    round_, manager, manager_client
):
    first, *_ = team_answered(round_, ENGAGED, ENGAGED, ENGAGED, ENGAGED, ENGAGED)
    decided = overridden(first, manager, clear="no")

    first.save({**ENGAGED, "vision": "Fix it at first contact, <b>plainly</b> 🙂"})

    judgement = AnswerJudgement.objects.get(pk=decided.pk)
    assert judgement.override_clear is False
    assert judgement.answer_changed
    text = manager_client.get(report_url(round_)).content.decode()
    assert text.count(CHANGED_MARK) == 1
    assert "Keep my decision" in text
    assert "&lt;b&gt;plainly&lt;/b&gt;" in text

    keep = reverse("assessments:judgement_override_keep", args=(round_.pk, decided.pk))
    page = manager_client.post(keep, follow=True)

    assert OVERRIDE_KEPT in page.content.decode()
    assert CHANGED_MARK not in page.content.decode()
    judgement.refresh_from_db()
    assert (judgement.override_clear, judgement.answer_changed) == (False, False)
    assert judgement.overridden_by == manager


def test_a_changed_answer_takes_a_changed_or_removed_decision_unmarked(
    round_, manager, manager_client
):
    first, second, *_ = team_answered(round_, *[ENGAGED] * 5)
    changed = overridden(first, manager, clear="no")
    removed = overridden(second, manager, clear="no")
    first.save({**ENGAGED, "vision": "Something else entirely."})
    second.save({**ENGAGED, "vision": "Something else entirely."})

    changed = overridden(first, manager, clear="yes")
    manager_client.post(
        reverse("assessments:judgement_override", args=(round_.pk, removed.pk)),
        {"clear": "", "consistent": "", "reason": ""},
    )

    assert not changed.answer_changed
    removed.refresh_from_db()
    assert not removed.is_overridden
    assert removed.override_answer_digest == ""
    assert not removed.answer_changed


def test_the_stored_outcome_follows_the_kept_decision_after_a_save(round_, manager):
    first, *_ = team_answered(round_, ENGAGED, ENGAGED, ENGAGED, ENGAGED, ENGAGED)
    overridden(first, manager, clear="no")
    overridden(first, manager, key="contribution", consistent="no")
    assert stored_outcome(first.response)["engaged"] is False

    first.save(ENGAGED)

    assert stored_outcome(first.response) == {
        "vision_clear": False,
        "vision_consistent": True,
        "meaning_clear": True,
        "meaning_consistent": True,
        "contribution_clear": True,
        "contribution_consistent": False,
        "engaged": False,
    }
    # The engine still judges the answers engaged: only the decisions differ.
    assert all(
        clear and consistent for clear, consistent, *_ in first.judgements().values()
    )


def test_a_decision_that_an_answer_is_fine_holds_after_it_gets_worse(round_, manager):
    first, *_ = team_answered(round_, ENGAGED, ENGAGED, ENGAGED, ENGAGED, ENGAGED)
    overridden(first, manager, clear="yes", consistent="yes")

    first.save({**ENGAGED, "vision": "I don't know"})

    assert stored_outcome(first.response)["vision_clear"] is True
    judgement = AnswerJudgement.objects.get(
        response=first.response, question_key="vision"
    )
    assert (judgement.clear, judgement.effective_clear) == (False, True)
    assert judgement.answer_changed


def test_a_full_scoring_keeps_decisions_and_their_marks(round_, manager):
    first, second, *_ = team_answered(round_, *[ENGAGED] * 5)
    overridden(first, manager, clear="no")
    overridden(second, manager, clear="no")
    second.save({**ENGAGED, "vision": "Fix it fast."})

    services.assessment_rescore_request(assessment_id=round_.pk)  # the worker's task

    kept = {
        j.response_id: (j.override_clear, j.answer_changed)
        for j in AnswerJudgement.objects.filter(
            question_key="vision", override_clear__isnull=False
        ).select_related("response")
    }
    assert kept == {
        first.response.pk: (False, False),
        second.response.pk: (False, True),
    }
    assert stored_outcome(first.response)["engaged"] is False


def test_an_administrators_correction_keeps_the_decision_marked(round_, manager):
    first, *_ = team_answered(round_, *[ENGAGED] * 5)
    overridden(first, manager, clear="no")
    response = first.response

    services.response_correct(
        response=response, answers={**ENGAGED, "vision": "Fix it, [name removed]."}
    )

    judgement = AnswerJudgement.objects.get(response=response, question_key="vision")
    assert (judgement.override_clear, judgement.answer_changed) == (False, True)
    assert stored_outcome(response)["vision_clear"] is False


def test_keeping_needs_a_decision_to_keep(round_, manager_client):
    first, *_ = team_answered(round_, *[ENGAGED] * 5)
    judgement = AnswerJudgement.objects.get(
        response=first.response, question_key="vision"
    )
    keep = reverse(
        "assessments:judgement_override_keep", args=(round_.pk, judgement.pk)
    )

    page = manager_client.post(keep, follow=True)

    assert NO_DECISION_TO_KEEP in page.content.decode()
    judgement.refresh_from_db()
    assert not judgement.is_overridden
    assert judgement.override_answer_digest == ""


def test_only_the_rounds_managers_keep_its_decisions(round_, manager):
    first, *_ = team_answered(round_, *[ENGAGED] * 5)
    decided = overridden(first, manager, clear="no")
    first.save({**ENGAGED, "vision": "Fix it fast."})
    stranger = Client()
    stranger.force_login(UserFactory())

    page = stranger.post(
        reverse("assessments:judgement_override_keep", args=(round_.pk, decided.pk))
    )

    assert page.status_code == HTTPStatus.NOT_FOUND
    decided.refresh_from_db()
    assert decided.answer_changed
    assert decided.overridden_by == manager


@pytest.mark.parametrize("team_size", [5, 12])
def test_deciding_and_keeping_take_a_fixed_number_of_queries(
    round_, manager, manager_client, django_assert_num_queries, team_size
):
    members = team_answered(round_, *[ENGAGED] * team_size)
    judgement = AnswerJudgement.objects.get(
        response=members[0].response, question_key="vision"
    )
    decide = reverse("assessments:judgement_override", args=(round_.pk, judgement.pk))
    keep = reverse(
        "assessments:judgement_override_keep", args=(round_.pk, judgement.pk)
    )
    manager_client.get(report_url(round_))  # warm caches
    decision = {"clear": "no", "consistent": "", "reason": "Too vague."}

    with django_assert_num_queries(15):
        manager_client.post(decide, decision)
    members[0].save({**ENGAGED, "vision": "Fix it fast."})
    with django_assert_num_queries(8):
        manager_client.post(keep)

    judgement.refresh_from_db()
    assert (judgement.override_clear, judgement.answer_changed) == (False, False)


def test_the_report_reads_the_marks_in_its_usual_queries(
    round_, manager, manager_client, django_assert_num_queries
):
    members = team_answered(round_, *[ENGAGED] * 6)
    # A named round's report reads its per-person table too: one query more.
    queries = 9 if round_.anonymous else 10
    manager_client.get(report_url(round_))
    with django_assert_num_queries(queries):
        manager_client.get(report_url(round_))
    for member in members[:3]:
        overridden(member, manager, clear="no")
        member.save({**ENGAGED, "vision": "Fix it fast."})

    with django_assert_num_queries(queries):
        text = manager_client.get(report_url(round_)).content.decode()

    assert text.count(CHANGED_MARK) == 3


# --- Nobody agrees with themselves ------------------------------------------------


def test_saving_the_same_answers_again_after_a_full_scoring_changes_nothing(round_):
    """The reported case, on a hand-labelled team's real answers: each member
    saves the same answers twice after a full scoring, and is judged exactly as
    the full scoring judged them (not with more words "shared")."""
    team = load_teams()[0]
    answers = [
        {key: person[key][0] for key in ENGAGEMENT_KEYS}
        for person in team["respondents"]
    ]
    members = team_answered(round_, *answers, vision=team["vision"])
    services.assessment_rescore(assessment_id=round_.pk)
    scored = [member.judgements() for member in members]

    for member, given in zip(members, answers, strict=True):
        member.save(given)
        member.save(given)

    assert [member.judgements() for member in members] == scored


def test_someone_whose_words_nobody_uses_never_agrees_with_themselves(round_):
    *_, loner = team_answered(round_, *[TEAMMATE] * 4, LONER)
    services.assessment_rescore(assessment_id=round_.pk)
    scored = loner.judgements()

    for _ in range(3):
        loner.save(LONER)

    meaning = loner.judgements()["meaning"]
    assert loner.judgements() == scored
    assert meaning[1] is False  # not consistent
    assert "shares no specific words with what teammates say" in meaning[3]


def test_new_answers_after_a_full_scoring_are_judged_against_the_others_alone(round_):
    first, *_ = team_answered(round_, LONER, *[TEAMMATE] * 5)
    services.assessment_rescore(assessment_id=round_.pk)
    counted = first.response.profile_terms

    first.save(TEAMMATE)  # now says what the others say
    shared = first.judgements()
    first.save(LONER)  # and back: their old words are still only theirs
    back = first.judgements()

    assert first.response.profile_terms == counted  # only a full scoring writes it
    assert "common among teammates" in " ".join(shared["meaning"][3])
    assert back["meaning"][1] is False
    assert "shares no specific words with what teammates say" in back["meaning"][3]


def test_a_full_scoring_stores_the_terms_its_profile_counts_for_each_response(round_):
    # Eight: a word one of seven teammates uses is not common, so the stored
    # profile leaves it out.
    *_, loner = team_answered(round_, *[TEAMMATE] * 7, LONER)
    services.assessment_rescore(assessment_id=round_.pk)
    round_.refresh_from_db()
    stored = scoring.TeamProfile.from_dict(round_.team_profile)
    later = Member(round_)
    later.save(TEAMMATE)

    terms = dict(Response.objects.values_list("pk", "profile_terms"))

    assert terms.pop(later.response.pk) is None  # not in the profile
    assert terms.pop(loner.response.pk) == []  # counted, but its words are only its own
    assert {tuple(t) for t in terms.values()} == {
        tuple(sorted(stored.counts))
    }  # teammates' shared words, all of them in the profile


def test_answers_waiting_for_their_release_stay_out_of_the_profile(assessment):
    """An anonymous round's waiting answers show nowhere, not even as words
    other answers share: the profile counts released answers only."""
    team_answered(assessment, *[ENGAGED] * 5)
    waiting = Member(assessment)
    waiting.save(TEAMMATE)  # the words "meter" and "engineer", nobody else's

    services.assessment_rescore(assessment_id=assessment.pk)

    assessment.refresh_from_db()
    assert assessment.team_profile["size"] == 5
    assert "meter" not in assessment.team_profile["counts"]
    assert waiting.response.profile_terms is None
