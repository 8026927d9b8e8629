"""The survey's hot path: the link's look-up, and a submission written by one
statement on PostgreSQL exactly as the transaction SQLite uses writes it."""

import re

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import links, scoring, services, tokens
from assessments.models import AnswerJudgement, Invitation, Response
from assessments.services import survey, survey_statement
from assessments.statements import Statement
from tests.factories import AssessmentFactory, InvitationFactory, VisionFactory
from tests.samples import ENGAGED, LOST, TEAM_VISION

pytestmark = pytest.mark.django_db


def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement write and PREPARE are PostgreSQL's")


# --- The link ---------------------------------------------------------------------


def test_a_link_reads_its_round_team_and_vision_in_one_query():
    vision = VisionFactory(
        assessment__team__name="Billing desk",
        assessment__anonymous=False,
        assessment__team_rates_alignment=True,
        statement=TEAM_VISION,
    )
    invitation = InvitationFactory(assessment=vision.assessment, name="Ann")

    with CaptureQueriesContext(connection) as queries:
        link = links.link_lookup(invitation.token)

    # On PostgreSQL the first use on a connection also prepares the statement.
    asked = [q for q in queries if not q["sql"].startswith("PREPARE")]
    assert len(asked) == 1
    assert (link.invitation_id, link.invitee_name, link.team_name, link.vision) == (
        invitation.pk,
        "Ann",
        "Billing desk",
        TEAM_VISION,
    )
    assert link.is_open
    assert not link.answered
    assert link.anonymous is False
    assert link.team_rates_alignment is True
    assert link.team_profile == scoring.TeamProfile.from_dict({})


def test_unknown_and_revoked_links_are_not_found():
    revoked = InvitationFactory(status=Invitation.Status.REVOKED)

    assert links.link_lookup("no-such-token") is None
    assert links.link_lookup(revoked.token) is None


def test_a_link_carries_the_team_profile_of_the_last_full_scoring():
    vision = VisionFactory(statement=TEAM_VISION)
    for _ in range(4):
        services.response_submit(
            link=links.link_lookup(
                (item := InvitationFactory(assessment=vision.assessment)).token
            ),
            token=item.token,
            answers=ENGAGED,
        )
    services.answers_release(vision.assessment, closing=True)  # profiled once shown
    services.assessment_rescore(assessment_id=vision.assessment_id)
    invitation = InvitationFactory(assessment=vision.assessment)

    profile = links.link_lookup(invitation.token).team_profile

    assert profile.size == 4
    assert profile.counts
    assert all(n == 4 for n in profile.counts.values())


def _start_of_a_request():
    """What Django does to a persistent connection as each request starts."""
    connection.close_if_unusable_or_obsolete()
    assert connection.health_check_enabled
    assert not connection.health_check_done


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_look_up_checks_the_connection_in_place_of_django(monkeypatch):
    """No ``SELECT 1`` before the look-up: it is the connection's check itself."""
    postgresql_only()
    invitation = InvitationFactory()
    checks = []
    real_check = connection.is_usable
    monkeypatch.setattr(
        connections["default"], "is_usable", lambda: checks.append(1) or real_check()
    )

    _start_of_a_request()
    link = links.link_lookup(invitation.token)
    looked_up = len(checks)
    _start_of_a_request()
    with connection.cursor() as cursor:  # any other first query is checked
        cursor.execute("SELECT 1")

    assert link.invitation_id == invitation.pk
    assert looked_up == 0
    assert len(checks) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_look_up_reconnects_when_the_connection_died_since_the_last_request():
    """As after a database restart: the look-up runs again on a new connection."""
    postgresql_only()
    invitation = InvitationFactory()
    dead = _backend_pid()
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [dead])
            assert cursor.fetchone() == (True,)
    finally:
        other.close()

    _start_of_a_request()
    link = links.link_lookup(invitation.token)

    assert link.invitation_id == invitation.pk
    assert _backend_pid() != dead


# --- The statement helper --------------------------------------------------------

# One object per name: PostgreSQL keeps a prepared name for the whole session.
ECHO = Statement("servicecult_test_echo", "SELECT $1, $2", ("text", "integer"))
ADD_ONE = Statement("servicecult_test_add_one", "SELECT $1 + 1", ("integer",))
DOUBLE = Statement("servicecult_test_double", "SELECT $1 * 2", ("integer",))


def test_a_statement_must_number_its_parameters_from_1_without_gaps():
    with pytest.raises(ValueError, match="uses"):
        Statement("servicecult_test_gap", "SELECT $1, $3", ("text", "text", "text"))


def test_two_statements_cannot_share_a_name():
    with pytest.raises(ValueError, match="already"):
        Statement(ECHO.name, "SELECT $1", ("text",))


def test_a_statement_refuses_the_wrong_number_of_values():
    with connection.cursor() as cursor, pytest.raises(ValueError, match="values"):
        ECHO.execute(cursor, ("a", "b", "c"))


@pytest.mark.parametrize(
    "value", ["100% 'sure' %s %(p1)s", "Ünïcode ✓ 🙂", "", "$1 -- not a comment"]
)
def test_values_pass_through_untouched(value):
    with connection.cursor() as cursor:
        ECHO.execute(cursor, (value, 7))
        assert cursor.fetchone() == (value, 7)


def test_postgresql_prepares_once_per_connection():
    postgresql_only()
    fresh = connection.copy()  # on which nothing is prepared yet
    fresh.settings_dict["CONN_MAX_AGE"] = 60
    try:
        with CaptureQueriesContext(fresh) as first, fresh.cursor() as cursor:
            ADD_ONE.execute(cursor, (1,))
            assert cursor.fetchone() == (2,)
        with CaptureQueriesContext(fresh) as second, fresh.cursor() as cursor:
            ADD_ONE.execute(cursor, (2,))
            assert cursor.fetchone() == (3,)
    finally:
        fresh.close()

    assert [q["sql"].split()[0] for q in first] == ["PREPARE", "EXECUTE"]
    assert [q["sql"].split()[0] for q in second] == ["EXECUTE"]


def test_postgresql_sends_the_whole_statement_when_connections_do_not_persist(
    monkeypatch,
):
    """As behind a transaction-pooling PgBouncer, where a prepared statement
    would not be there for the next transaction."""
    postgresql_only()
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)

    with CaptureQueriesContext(connection) as queries, connection.cursor() as cursor:
        DOUBLE.execute(cursor, (21,))
        assert cursor.fetchone() == (42,)
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE name = %s",
            [DOUBLE.name],
        )
        assert cursor.fetchone() == (0,)

    assert queries[0]["sql"].startswith("SELECT")


# --- One statement on PostgreSQL, one transaction elsewhere: the same rows ---------


@pytest.mark.parametrize(
    "statement", [survey_statement.SUBMIT_ANONYMOUS, survey_statement.SUBMIT_NAMED]
)
def test_the_write_lists_the_response_columns_in_the_order_it_is_given_them(
    statement,
):
    sql = " ".join(statement.sql.split())
    columns = re.search(r"INSERT INTO assessments_response AS r \((.*?)\)", sql)
    listed = [name.strip() for name in columns[1].split(",")]

    # The last is worked out in the statement, from the judgements' values.
    assert listed == [
        *survey_statement.SUBMITTED_FIELDS,
        "created_at",
        "updated_at",
        "answers_awaiting_review",
    ]


def test_only_the_named_rounds_write_touches_invitations():
    assert "assessments_invitation" in survey_statement.SUBMIT_NAMED.sql
    assert "assessments_invitation" not in survey_statement.SUBMIT_ANONYMOUS.sql


RATINGS = {
    "goals": 1,
    "hiring": 2,
    "training": 3,
    "empowerment": None,
    "reinforcement": 5,
}


def stored(response_id: int) -> tuple:
    """A response and its judgements, without what differs between two links."""
    response = Response.objects.values().get(pk=response_id)
    for field in ("id", "respondent_key", "invitation_id", "link_key"):
        response.pop(field)
    judgements = list(
        AnswerJudgement.objects.filter(response_id=response_id)
        .order_by("question_key")
        .values()
    )
    for row in judgements:
        row.pop("id")
        row.pop("response_id")
    return response, judgements


def write_both_ways(
    link_tokens: tuple[str, str], answers, ratings, codes, *, new: bool
) -> list[int]:
    """The same answers, at the same moment, through each way of writing them
    (an anonymous respondent known by their edit code); the ids of the responses
    written."""
    now = timezone.now()
    return [
        write(
            survey.submission_judge(
                link=links.link_lookup(token),
                token=token,
                answers=answers,
                ratings=ratings,
                now=now,
                edit_code=code,
                new=new,
            )
        )
        for write, token, code in zip(
            (survey.write_in_one_statement, survey.write_in_one_transaction),
            link_tokens,
            codes,
            strict=True,
        )
    ]


@pytest.mark.parametrize("anonymous", [True, False])
@pytest.mark.parametrize("team_rates_alignment", [True, False])
def test_both_write_paths_store_the_same_rows(anonymous, team_rates_alignment):
    postgresql_only()
    round_ = AssessmentFactory(
        anonymous=anonymous, team_rates_alignment=team_rates_alignment
    )
    VisionFactory(assessment=round_, statement=TEAM_VISION)
    a, b = InvitationFactory(assessment=round_), InvitationFactory(assessment=round_)
    codes = (tokens.new_edit_code(), tokens.new_edit_code())

    # A first submission, then a changed one after a manager's override, which
    # both keep and apply.
    for new, answers, ratings in (
        (True, ENGAGED, RATINGS),
        (False, LOST, {**RATINGS, "goals": 4}),
    ):
        ids = write_both_ways((a.token, b.token), answers, ratings, codes, new=new)
        assert stored(ids[0]) == stored(ids[1])
        AnswerJudgement.objects.filter(response_id__in=ids).update(
            override_clear=True, override_reason="Clear enough, said aloud."
        )
    response, judgements = stored(ids[0])
    assert [j["override_clear"] for j in judgements] == [True] * 3
    assert [j["clear"] for j in judgements] == [False] * 3
    assert (response["vision_clear"], response["engaged"]) == (True, False)

    a.refresh_from_db()
    b.refresh_from_db()
    answered = Invitation.Status.PENDING if anonymous else Invitation.Status.RESPONDED
    assert a.status == b.status == answered
    linked = Response.objects.filter(invitation__isnull=False).count()
    assert linked == (0 if anonymous else 2)
    keys = set(Response.objects.values_list("link_key", flat=True))
    if anonymous:
        assert keys == {tokens.link_key(i.token_hash) for i in (a, b)}
    else:
        assert keys == {None}


def test_a_response_and_its_judgements_get_random_ids():
    invitation = InvitationFactory()
    saved = services.response_submit(
        link=links.link_lookup(invitation.token),
        token=invitation.token,
        answers=ENGAGED,
    )

    ids = [saved.response_id, *AnswerJudgement.objects.values_list("pk", flat=True)]
    assert len(ids) == 4
    assert all(2**32 < pk < 2**63 for pk in ids)


# --- What each submission writes besides its rows ---------------------------------


def _indexed_columns(model) -> set[tuple[str, ...]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(
            cursor, model._meta.db_table
        )
    return {
        tuple(c["columns"])
        for c in constraints.values()
        if c["index"] or c["unique"] or c["primary_key"]
    }


def test_a_submission_writes_only_the_indexes_the_pages_read():
    assert _indexed_columns(Invitation) == {
        ("id",),
        ("token_hash",),  # the link's look-up
        ("assessment_id",),  # a round's invitations
        # Partial, over what an answer never changes: one invitation per person.
        ("assessment_id", "normalized_email"),
    }
    assert _indexed_columns(Response) == {
        ("id",),
        ("respondent_key",),  # the upsert
        ("invitation_id",),  # one response per invitation
        ("link_key",),  # partial: one response per link until released
        ("assessment_id", "engaged"),  # the report's counts
        # The answer list, page by page: those awaiting review first.
        ("assessment_id", "answers_awaiting_review", "id"),
    }
    assert _indexed_columns(AnswerJudgement) == {
        ("id",),
        ("response_id", "question_key"),
        ("overridden_by_id",),  # partial: only judgements a manager overrode
    }


def _invitation_updates() -> tuple[int, int]:
    """Updates of invitations in this transaction so far: all, and heap-only."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_stat_get_xact_tuples_updated(%s::regclass),"
            " pg_stat_get_xact_tuples_hot_updated(%s::regclass)",
            [Invitation._meta.db_table] * 2,
        )
        return cursor.fetchone()


def test_an_anonymous_answer_updates_no_invitation():
    postgresql_only()
    invitation = InvitationFactory()
    link = links.link_lookup(invitation.token)
    updated, hot = _invitation_updates()

    services.response_submit(link=link, token=invitation.token, answers=ENGAGED)

    assert _invitation_updates() == (updated, hot)


def test_answering_updates_the_invitation_in_place_on_postgresql():
    """No index covers the status, and each page of invitations keeps room, so
    marking an invitation answered writes no index (a heap-only update)."""
    postgresql_only()
    invitation = InvitationFactory(assessment__anonymous=False)
    link = links.link_lookup(invitation.token)
    updated, hot = _invitation_updates()

    services.response_submit(link=link, token=invitation.token, answers=ENGAGED)

    assert _invitation_updates() == (updated + 1, hot + 1)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.RESPONDED
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE oid = %s::regclass",
            [Invitation._meta.db_table],
        )
        assert cursor.fetchone() == (["fillfactor=90"],)
