"""Releasing an anonymous round's answers to its pages, in batches, never live.

An anonymous answer is not shown as it is given: pages and exports read released
answers only (``Response.objects.released()``). The worker releases a round's
waiting answers once at least ``min_group_for_scores`` respondents who count for
the minimum groups have answered since the last release (the round's upkeep,
every few minutes), and all of them when the round closes. So a manager sees
answers arrive in groups, not one person at a time, and never sooner than the
next upkeep: a submission queues nothing.

A release happens in one transaction:

1. the invitations whose current link an answer came through are marked
   answered, in random order, in batches: a waiting response carries
   ``link_key``, a keyed hash of its invitation's stored link hash, which the
   release computes again from each invitation;
2. every released response and judgement is rewritten, one row at a time in
   random order, with the release's number and without its ``link_key``. The
   rows then share the release's transaction id (PostgreSQL's ``xmin``) with
   the invitations it marks, and lie on disk in the order of the rewrite, so
   neither pairs a response with an invitation, nor tells the order people
   answered in; their random ids tell neither;
3. the round's stored readiness is refreshed.

Right before, whether the round may show its results at all is decided again
(``services.round_decide``): the people it would show, compared with every other
round its managers or team tree show.

A respondent may change released answers: they stay released, and the change
shows at once. It tells the manager that one of the people already shown
changed their answers, not which; holding it back until the next release would
show the same change then, to anyone comparing the two.
"""

import secrets

from django.db import connection, transaction
from django.db.models import Max

from assessments import tokens
from assessments.models import AnswerJudgement, Assessment, Invitation, Response
from assessments.services.judging import readiness_refresh
from assessments.services.privacy import round_decide

# Invitations marked answered per statement; ids read per statement.
BATCH = 500

RELEASE_RESPONSE = (
    "UPDATE assessments_response SET release = %s, link_key = NULL WHERE id = %s"
)
REWRITE_JUDGEMENT = (
    "UPDATE assessments_answerjudgement SET scored_at = scored_at WHERE id = %s"
)


def release_due(assessment: Assessment, *, counted: int, closing: bool) -> bool:
    """Whether a round's waiting answers, ``counted`` of whose respondents count
    for the minimum groups, may be released now: every one when the round is
    closing, otherwise once they make a minimum group. A round opened again
    after closing releases minimum groups only, closing or not: otherwise
    closing it again at will would show a group as small as one person.

    The one place a release is decided: a rule that must hold one back belongs
    here."""
    if closing and assessment.reopened_at is None:
        return True
    return counted >= assessment.min_group_for_scores


@transaction.atomic
def answers_release(assessment: Assessment, *, closing: bool = False) -> int:
    """Release a round's waiting answers if ``release_due`` says so (all of them
    when ``closing``) and refresh its readiness; returns how many were released.
    """
    # Locked, so two releases of a round never interleave; submissions, which
    # only reference the round, go on meanwhile (a no-key lock).
    assessment = Assessment.objects.select_for_update(no_key=True).get(pk=assessment.pk)
    responses = Response.objects.filter(assessment=assessment)
    waiting = list(
        responses.waiting().values_list("pk", "link_key", "counts_for_minimum")
    )
    counted = sum(counts for *_, counts in waiting)
    if not waiting or not release_due(assessment, counted=counted, closing=closing):
        return 0
    # Decided before the answers show: a round that would tell people apart
    # from another round already showing is withheld (assessments/privacy.py).
    round_decide(assessment)
    number = (responses.aggregate(last=Max("release"))["last"] or 0) + 1
    _invitations_mark(assessment, {key for _, key, _ in waiting if key})
    _rows_rewrite([pk for pk, *_ in waiting], number)
    readiness_refresh(assessment_id=assessment.pk)
    return len(waiting)


def _shuffled(items: list) -> list:
    secrets.SystemRandom().shuffle(items)
    return items


def _invitations_mark(assessment: Assessment, link_keys: set[str]) -> None:
    """Mark answered the invitations whose current link one of ``link_keys``
    came through, in random order and in batches."""
    current = assessment.invitations.live().filter(link_used=False)
    answered = _shuffled(
        [
            pk
            for pk, token_hash in current.values_list("pk", "token_hash")
            if tokens.link_key(token_hash) in link_keys
        ]
    )
    for start in range(0, len(answered), BATCH):
        Invitation.objects.filter(pk__in=answered[start : start + BATCH]).update(
            status=Invitation.Status.RESPONDED, link_used=True
        )


def _rows_rewrite(response_ids: list[int], number: int) -> None:
    """Rewrite the responses and their judgements one row at a time, in random
    order: the responses released as ``number``, without their link keys."""
    judgement_ids = [
        pk
        for start in range(0, len(response_ids), BATCH)
        for pk in AnswerJudgement.objects.filter(
            response_id__in=response_ids[start : start + BATCH]
        )
        .order_by()
        .values_list("pk", flat=True)
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            RELEASE_RESPONSE, [(number, pk) for pk in _shuffled(response_ids)]
        )
        cursor.executemany(
            REWRITE_JUDGEMENT, [(pk,) for pk in _shuffled(judgement_ids)]
        )
