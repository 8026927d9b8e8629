"""Anonymity that holds even against someone reading the database."""

from datetime import time

import pytest
from django.db import connection
from django.urls import reverse

from assessments import tokens
from assessments.models import AnswerJudgement, Invitation, Response
from tests.factories import AssessmentFactory, InvitationFactory

pytestmark = pytest.mark.django_db

ANSWERS = {
    "vision": "Fix it first time.",
    "meaning": "A wrong bill is corrected on the call.",
    "contribution": "I read the balance back.",
}


def columns(model) -> dict[str, object]:
    with connection.cursor() as cursor:
        return {
            column.name: column
            for column in connection.introspection.get_table_description(
                cursor, model._meta.db_table
            )
        }


def answered_round(client, people: int = 3):
    assessment = AssessmentFactory(anonymous=True)
    invitations = InvitationFactory.create_batch(people, assessment=assessment)
    for invitation in invitations:
        client.post(reverse("assessments:survey", args=(invitation.token,)), ANSWERS)
    return assessment, invitations


def test_the_only_link_from_a_response_to_an_invitation_is_empty_in_anonymous_rounds(
    client,
):
    assessment, _ = answered_round(client)

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


def test_response_keys_cannot_be_joined_to_invitation_hashes(client):
    _, invitations = answered_round(client)

    keys = set(Response.objects.values_list("respondent_key", flat=True))
    hashes = set(Invitation.objects.values_list("token_hash", flat=True))
    assert len(keys) == 3
    assert not keys & hashes
    for invitation in invitations:
        # Both come from the token with different keyed purposes: the stored hash
        # of one says nothing about the other without the secret and the token.
        assert tokens.respondent_key(invitation.token) in keys
        assert tokens.invitation_hash(invitation.token) != tokens.respondent_key(
            invitation.token
        )


def test_no_time_finer_than_a_day_is_kept_for_anonymous_answers(client):
    answered_round(client)

    stamps = [
        *Response.objects.values_list("created_at", "updated_at"),
        *AnswerJudgement.objects.values_list("scored_at", "scored_at"),
    ]
    assert stamps
    for first, second in stamps:
        assert first.time() == second.time() == time(0, 0)


def test_answering_changes_nothing_on_the_invitation_but_its_status(client):
    invitation = InvitationFactory(assessment__anonymous=True)
    before = Invitation.objects.filter(pk=invitation.pk).values().get()

    client.post(reverse("assessments:survey", args=(invitation.token,)), ANSWERS)

    after = Invitation.objects.filter(pk=invitation.pk).values().get()
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {"status"}


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
