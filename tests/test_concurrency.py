"""A submission is all or nothing, one link never gets two responses, and a lost
database connection is told apart from a lost database.

The deterministic part of the concurrency checks; the rest runs through gunicorn
in ``bench/check_concurrency.py`` (simultaneous POSTs, killed workers, a database
restart, SQLite under load).
"""

import dataclasses
import threading
import time
from types import MappingProxyType

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction

from assessments import links, services
from assessments.catalogue import ENGAGEMENT_KEYS
from assessments.middleware import database_reachable
from assessments.models import AnswerJudgement, Invitation, Response
from assessments.services import survey as survey_service
from tests.factories import InvitationFactory

FIRST = {
    "vision": "Fix it on the first contact and explain it plainly.",
    "meaning": "A wrong bill is corrected before we hang up.",
    "contribution": "I read the corrected balance back to the customer.",
}
SECOND = {
    "vision": "Solve it first time, in plain words, and leave them confident.",
    "meaning": "Nobody has to ring twice about the same problem.",
    "contribution": "I stay on the line until the refund shows as processed.",
}
THREADS = 8


def submit(invitation, answers, edit_code=None):
    return services.response_submit(
        link=links.link_lookup(invitation.token),
        token=invitation.token,
        answers=answers,
        edit_code=edit_code,
    )


def refuse_the_last_judgement(monkeypatch):
    """Make the database refuse the submission's last judgement row (a score out
    of range breaks a check constraint): a failure inside the write itself."""
    judge = survey_service.respondent_judge

    def judge_out_of_range(**kwargs):
        judgement = judge(**kwargs)
        *kept, (key, last) = judgement.answers.items()
        answers = dict(kept) | {key: dataclasses.replace(last, score=2.0)}
        return dataclasses.replace(judgement, answers=MappingProxyType(answers))

    monkeypatch.setattr(survey_service, "respondent_judge", judge_out_of_range)


def stored_answers(response: Response) -> dict[str, str]:
    return {key: response.answer_for(key) for key in ENGAGEMENT_KEYS}


def judgement_rows(response: Response) -> list[tuple]:
    return list(
        AnswerJudgement.objects.filter(response=response)
        .order_by("question_key")
        .values_list("question_key", "clear", "consistent", "score", "reasons")
    )


ANSWERED = {
    True: Invitation.Status.PENDING,  # until the answers are released
    False: Invitation.Status.RESPONDED,
}


@pytest.mark.django_db
@pytest.mark.parametrize("anonymous", [True, False])
def test_two_submissions_in_a_row_leave_one_response_with_the_last_answers(anonymous):
    invitation = InvitationFactory(assessment__anonymous=anonymous)

    saved = submit(invitation, FIRST)
    submit(invitation, SECOND, edit_code=saved.edit_code)

    response = Response.objects.get()
    assert stored_answers(response) == SECOND
    assert [row[0] for row in judgement_rows(response)] == sorted(ENGAGEMENT_KEYS)
    invitation.refresh_from_db()
    assert invitation.status == ANSWERED[anonymous]


@pytest.mark.django_db
def test_a_first_submission_that_fails_inside_leaves_no_row_behind(monkeypatch):
    invitation = InvitationFactory()
    refuse_the_last_judgement(monkeypatch)

    with pytest.raises(IntegrityError), transaction.atomic():
        submit(invitation, FIRST)

    assert not Response.objects.exists()
    assert not AnswerJudgement.objects.exists()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


@pytest.mark.django_db
def test_a_resubmission_that_fails_inside_keeps_the_earlier_answers_whole(
    monkeypatch,
):
    invitation = InvitationFactory()
    saved = submit(invitation, FIRST)
    response = Response.objects.get()
    judgements_before = judgement_rows(response)
    refuse_the_last_judgement(monkeypatch)

    with pytest.raises(IntegrityError), transaction.atomic():
        submit(invitation, SECOND, edit_code=saved.edit_code)

    response.refresh_from_db()
    assert Response.objects.count() == 1
    assert stored_answers(response) == FIRST
    assert judgement_rows(response) == judgements_before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("anonymous", [True, False])
def test_simultaneous_submissions_to_one_link_leave_one_whole_response(anonymous):
    """In a named round each submission updates the one response; in an
    anonymous one the first wins and the others are told the link is used."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite takes one writer at a time on the whole file, so threads only "
            "queue; bench/check_concurrency.py --only sqlite covers it under load"
        )
    invitation = InvitationFactory(assessment__anonymous=anonymous)
    sent = [
        {key: f"{text} (submission {n})" for key, text in FIRST.items()}
        for n in range(THREADS)
    ]
    barrier = threading.Barrier(THREADS, timeout=10)
    errors: list[BaseException] = []
    refused: list[str] = []

    def submit_at_once(answers):
        try:
            link = links.link_lookup(invitation.token)
            barrier.wait()
            services.response_submit(link=link, token=invitation.token, answers=answers)
        except ValidationError as error:
            refused.extend(error.messages)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit_at_once, args=(a,)) for a in sent]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert refused == ([services.LINK_USED] * (THREADS - 1) if anonymous else [])
    response = Response.objects.get()
    assert stored_answers(response) in sent
    assert len(judgement_rows(response)) == len(ENGAGEMENT_KEYS)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT xmin::text) FROM ("
            " SELECT xmin FROM assessments_response WHERE id = %s"
            " UNION ALL"
            " SELECT xmin FROM assessments_answerjudgement WHERE response_id = %s"
            ") AS written",
            [response.pk, response.pk],
        )
        transactions = cursor.fetchone()[0]
    assert transactions == 1, "the judgements and the answers come from one submission"
    invitation.refresh_from_db()
    assert invitation.status == ANSWERED[anonymous]


def _terminate_own_backend() -> None:
    """End this connection's server process from another connection, as a
    database restart does, and wait until it has gone."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            for _ in range(100):
                cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
                if cursor.fetchone() is None:
                    break
                time.sleep(0.02)
    finally:
        other.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_connection_lost_mid_request_does_not_stop_the_database_check():
    if connection.vendor != "postgresql":
        pytest.skip("needs a database server whose connection can be cut")
    try:
        _terminate_own_backend()
        with pytest.raises(OperationalError), connection.cursor() as cursor:
            cursor.execute("SELECT 1")  # the view's query, failing

        assert database_reachable()
    finally:
        connection.close()
