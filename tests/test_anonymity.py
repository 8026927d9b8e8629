"""Anonymity that holds against the manager who holds the links, and against
someone reading the database."""

import re
from datetime import time
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from assessments import services, tokens
from assessments.models import AnswerJudgement, Invitation, Response
from tests.factories import AssessmentFactory, InvitationFactory, VisionFactory
from tests.samples import TEAM_VISION

pytestmark = pytest.mark.django_db

ANSWERS = {
    "vision": "Fix it first time.",
    "meaning": "A wrong bill is corrected on the call.",
    "contribution": "I read the balance back.",
}
NEW_LINK = re.compile(r"http://testserver(/r/[\w-]+/)")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def columns(model) -> dict[str, object]:
    with connection.cursor() as cursor:
        return {
            column.name: column
            for column in connection.introspection.get_table_description(
                cursor, model._meta.db_table
            )
        }


def survey_url(invitation) -> str:
    return reverse("assessments:survey", args=(invitation.token,))


def answered_round(people: int = 3, **round_):
    """A round whose people each answered through their emailed link, each in
    their own browser (returned with the invitations)."""
    assessment = AssessmentFactory(anonymous=True, **round_)
    VisionFactory(assessment=assessment, statement=TEAM_VISION)
    invitations = [
        InvitationFactory(assessment=assessment, email=f"person{n}@example.com")
        for n in range(people)
    ]
    browsers = []
    for n, invitation in enumerate(invitations):
        browser = Client()
        browser.post(survey_url(invitation), {**ANSWERS, "vision": f"Answer {n}."})
        browsers.append(browser)
    return assessment, invitations, browsers


def test_the_only_link_from_a_response_to_an_invitation_is_empty_in_anonymous_rounds():
    assessment, *_ = answered_round()
    services.answers_release(assessment)

    relations = {
        field.name
        for field in Response._meta.get_fields()
        if field.is_relation and field.related_model is Invitation
    }
    assert relations == {"invitation"}
    assert "invitation_id" in columns(Response)
    assert not Response.objects.filter(
        assessment=assessment, invitation__isnull=False
    ).exists()
    assert not Response.objects.filter(link_key__isnull=False).exists()


def test_response_keys_come_from_edit_codes_not_from_links():
    _, invitations, browsers = answered_round()

    keys = set(Response.objects.values_list("respondent_key", flat=True))
    codes = {browser.cookies["servicecult_edit_code"].value for browser in browsers}
    assert keys == {tokens.edit_key(code) for code in codes}
    for invitation in invitations:
        assert tokens.respondent_key(invitation.token) not in keys
        assert tokens.invitation_hash(invitation.token) not in keys


def test_no_time_finer_than_a_day_is_kept_for_anonymous_answers():
    answered_round()

    stamps = [
        *Response.objects.values_list("created_at", "updated_at"),
        *AnswerJudgement.objects.values_list("scored_at", "scored_at"),
    ]
    assert stamps
    for first, second in stamps:
        assert first.time() == second.time() == time(0, 0)


def test_answering_changes_nothing_on_the_invitation(client):
    invitation = InvitationFactory(assessment__anonymous=True)
    before = Invitation.objects.filter(pk=invitation.pk).values().get()

    client.post(survey_url(invitation), ANSWERS)

    assert Invitation.objects.filter(pk=invitation.pk).values().get() == before


def test_respondents_addresses_and_browsers_are_never_stored(client):
    invitation = InvitationFactory()

    client.post(
        reverse("assessments:survey", args=(invitation.token,)),
        ANSWERS,
        REMOTE_ADDR="198.51.100.23",
        HTTP_USER_AGENT="Mozilla/5.0 (Distinctive Browser 1.2.3)",
    )

    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table.startswith(("assessments_", "django_session", "servicecult_")):
                cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
                dumped = repr(cursor.fetchall())
                assert "198.51.100.23" not in dumped, table
                assert "Distinctive Browser" not in dumped, table


# --- The manager, who holds the links ---------------------------------------------


@pytest.mark.parametrize("released", [False, True])
def test_holding_the_links_neither_reads_nor_rewrites_anyones_answers(released):
    assessment, invitations, _ = answered_round(people=5)
    if released:
        services.answers_release(assessment)
    manager = Client()

    for n, invitation in enumerate(invitations):
        opened = manager.get(survey_url(invitation))
        rewritten = manager.post(
            survey_url(invitation), {**ANSWERS, "vision": "Rewritten."}
        )

        assert opened.status_code == HTTPStatus.OK
        assert f"Answer {n}." not in opened.content.decode()
        assert ANSWERS["meaning"] not in opened.content.decode()
        assert rewritten.status_code == HTTPStatus.CONFLICT
    assert sorted(Response.objects.values_list("vision_answer", flat=True)) == [
        f"Answer {n}." for n in range(5)
    ]


def _reissued_link(manager_client, invitation, mailoutbox, capture) -> str:
    """Re-issue a link from the engagement page; the new link, from the email
    that brings it to the person (the page shows none)."""
    mailoutbox.clear()
    with capture(execute=True):
        page = manager_client.post(
            reverse(
                "assessments:invitation_reissue",
                args=(invitation.assessment_id, invitation.pk),
            ),
            follow=True,
        )
    assert NEW_LINK.findall(page.content.decode()) == []
    [email] = mailoutbox
    (link,) = NEW_LINK.findall(email.body)
    return link


@pytest.mark.parametrize("released", [False, True])
def test_a_reissued_link_does_not_tell_whether_the_person_answered(
    manager_client, team, released, mailoutbox, django_capture_on_commit_callbacks
):
    assessment, (answered, *_), _ = answered_round(team=team)
    if released:
        services.answers_release(assessment)
    silent = InvitationFactory(assessment=assessment, email="silent@example.com")

    pages = []
    for invitation in (answered, silent):
        link = _reissued_link(
            manager_client, invitation, mailoutbox, django_capture_on_commit_callbacks
        )
        page = Client().get(link)
        assert page.status_code == HTTPStatus.OK
        pages.append(CSRF.sub("", page.content.decode()))

    assert pages[0] == pages[1]
    assert "This link has been used" not in pages[0]
    assert Client().get(survey_url(answered)).status_code == HTTPStatus.NOT_FOUND


def _cards(page: str) -> list[tuple[int, int]]:
    """The answer list's cards in page order: (vision judgement id, answer number)."""
    return [
        (int(pk), int(n))
        for pk, n in re.findall(
            r'id="judgement-(\d+)">\s*<p class="mb-1 fw-semibold">What is the '
            r'customer service vision\?</p>\s*<p class="answer-text mb-1">Answer '
            r"(\d+)\.</p>",
            page,
        )
    ]


def test_the_answer_list_moves_in_batches_and_tells_no_order_of_answering(
    manager_client, team
):
    assessment, _, _ = answered_round(
        people=12, team=team, min_group_for_scores=3, min_group_for_verbatims=5
    )
    report = reverse("assessments:report", args=(assessment.pk,))
    assert _cards(manager_client.get(report).content.decode()) == []

    services.answers_release(assessment)
    cards = _cards(manager_client.get(report).content.decode())
    for n in (12, 13):  # two more answer: fewer than a group
        extra = InvitationFactory(assessment=assessment, email=f"late{n}@example.com")
        Client().post(survey_url(extra), {**ANSWERS, "vision": f"Answer {n}."})
        services.answers_release(assessment)
        assert _cards(manager_client.get(report).content.decode()) == cards
    extra = InvitationFactory(assessment=assessment, email="late14@example.com")
    Client().post(survey_url(extra), {**ANSWERS, "vision": "Answer 14."})
    services.answers_release(assessment)
    later = _cards(manager_client.get(report).content.decode())

    answered_order = list(range(12))
    assert sorted(n for _, n in cards) == answered_order
    assert [n for _, n in cards] != answered_order
    assert [n for _, n in sorted(cards)] != answered_order
    assert max(pk for pk, _ in cards) > 2**40  # random, not counted up
    assert sorted(n for _, n in later) == list(range(15))


def test_links_without_an_email_do_not_make_up_a_minimum_group(manager_client, team):
    """Four printed codes, answered by the manager who holds them, and one real
    person: the minimum of 5 is not met, and nothing of theirs is shown."""
    assessment = AssessmentFactory(
        team=team, min_group_for_scores=5, min_group_for_verbatims=5
    )
    VisionFactory(assessment=assessment, statement=TEAM_VISION)
    codes = manager_client.post(
        reverse("assessments:invitation_codes_create", args=(assessment.pk,)),
        {"count": 4},
        follow=True,
    ).content.decode()
    dummies = sorted(set(NEW_LINK.findall(codes)))
    assert len(dummies) == 4
    real = InvitationFactory(assessment=assessment, email="real.person@example.com")
    for n, link in enumerate(dummies):  # a browser each: each keeps its own code
        Client().post(link, {**ANSWERS, "vision": f"Dummy answer {n}."})
    Client().post(survey_url(real), {**ANSWERS, "vision": "The real answer."})

    services.answers_release(assessment)
    assert not Response.objects.released().exists()
    manager_client.post(reverse("assessments:assessment_close", args=(assessment.pk,)))
    text = manager_client.get(
        reverse("assessments:report", args=(assessment.pk,))
    ).content.decode()

    assert Response.objects.released().count() == 5
    assert "Scores appear once 5 people have answered (1 so far)." in text
    assert "The real answer." not in text
