"""What a worker does for a round in the background: full scorings, asked for
and served one at a time, and an open round's upkeep every few minutes.

Survey submissions write nothing for any of this. Instead, while a round is
open, its upkeep task comes back every ``UPKEEP_EVERY``: it releases the
anonymous answers waiting, once there are enough (``services/release.py``),
then asks for a full scoring once the team has grown by half since the last
one, when the engine has changed since, or when a request went unserved;
otherwise it refreshes the stored readiness, so step 2's stored verdict follows
the submissions. Each
upkeep queues the next with ``run_after``; the round's scoring row holds when
that one is due, so a duplicate or stray upkeep sees it is not the one expected
and does nothing. ``rounds_upkeep`` (``manage.py rounds_upkeep``, run before
each worker starts) schedules any open round's upkeep that went missing.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.tasks import TaskResult
from django.utils import timezone

from assessments import reports, scoring, tasks
from assessments.models import Assessment, Response, RoundScoring
from assessments.services.judging import assessment_rescore, round_scoring_ensure
from assessments.services.release import answers_release

UPKEEP_EVERY = timedelta(minutes=5)


def assessment_rescore_request(
    *, assessment_id: int, now: datetime | None = None
) -> TaskResult:
    """Ask for every answer of a round to be judged again by a worker; returns
    the queued task (already finished when tasks run in-process)."""
    round_scoring_ensure(assessment_id=assessment_id)
    RoundScoring.objects.filter(pk=assessment_id, requested_at__isnull=True).update(
        requested_at=now or timezone.now()
    )
    # Queued even when a request is pending: a task serves the request, not
    # itself, so a spare one finds nothing to do, and a lost one is replaced.
    return tasks.rescore_round.enqueue(assessment_id=assessment_id)


def assessment_rescore_pending(*, assessment_id: int) -> int | None:
    """Serve a round's pending request for a full scoring unless one is running;
    a request made meanwhile is queued again. Returns how many were judged."""
    judged = assessment_rescore(assessment_id=assessment_id, requested_only=True)
    if (
        judged is not None
        and RoundScoring.objects.filter(
            pk=assessment_id, requested_at__isnull=False
        ).exists()
    ):
        tasks.rescore_round.enqueue(assessment_id=assessment_id)
    return judged


def _can_defer() -> bool:
    """Whether the tasks backend runs work later (the database queue does; the
    tests' in-process backend cannot, and so runs no periodic upkeep)."""
    return tasks.round_upkeep.get_backend().supports_defer


def _upkeep_enqueue(*, assessment_id: int, due: datetime) -> None:
    tasks.round_upkeep.using(run_after=due).enqueue(
        assessment_id=assessment_id, due=due.isoformat()
    )


def round_upkeep_schedule(*, assessment_id: int, now: datetime | None = None) -> bool:
    """Schedule an open round's upkeep unless one is due already; returns whether
    it scheduled one."""
    if not _can_defer():
        return False
    now = now or timezone.now()
    round_scoring_ensure(assessment_id=assessment_id)
    due = now + UPKEEP_EVERY
    # One overdue by a whole period was lost with its worker: replace it.
    free = Q(upkeep_due_at__isnull=True) | Q(upkeep_due_at__lt=now - UPKEEP_EVERY)
    if not RoundScoring.objects.filter(free, pk=assessment_id).update(
        upkeep_due_at=due
    ):
        return False
    _upkeep_enqueue(assessment_id=assessment_id, due=due)
    return True


def _rescore_wanted(scoring_row: RoundScoring, assessment: Assessment) -> bool:
    respondents = Response.objects.filter(assessment=assessment).count()
    return (
        scoring_row.requested_at is not None
        or reports.rescore_due(assessment, respondents)
        or (respondents > 0 and scoring_row.engine_version != scoring.ENGINE_VERSION)
    )


@transaction.atomic
def round_upkeep(*, assessment_id: int, due: datetime, now: datetime | None = None):
    """One round's upkeep, the one due at ``due``: queue the next while the round
    is open, release the answers waiting if due, then ask for a full scoring if
    one is wanted, or else refresh the stored readiness. Returns what it did, in
    a word."""
    now = now or timezone.now()
    scoring_row = (
        RoundScoring.objects.select_for_update(of=("self",))
        .select_related("assessment")
        .filter(pk=assessment_id, upkeep_due_at=due)
        .first()
    )
    if scoring_row is None:
        return "superseded"
    assessment = scoring_row.assessment
    if not assessment.is_open:
        scoring_row.upkeep_due_at = None
        scoring_row.save(update_fields=("upkeep_due_at",))
        return "stopped"
    if _can_defer():
        scoring_row.upkeep_due_at = now + UPKEEP_EVERY
        scoring_row.save(update_fields=("upkeep_due_at",))
        _upkeep_enqueue(assessment_id=assessment_id, due=scoring_row.upkeep_due_at)
    answers_release(assessment)
    if not scoring_row.is_running(now) and _rescore_wanted(scoring_row, assessment):
        assessment_rescore_request(assessment_id=assessment_id, now=now)
        return "rescore"
    tasks.refresh_readiness.enqueue(assessment_id=assessment_id)
    return "readiness"


def rounds_upkeep(*, now: datetime | None = None) -> tuple[int, int]:
    """Schedule the upkeep of every open round that has none due, and ask for
    every round judged by another version of the engine to be scored again;
    returns how many of each."""
    now = now or timezone.now()
    scheduled = sum(
        round_upkeep_schedule(assessment_id=pk, now=now)
        for pk in Assessment.objects.open().values_list("pk", flat=True)
    )
    outdated = list(
        Assessment.objects.filter(
            Exists(Response.objects.filter(assessment=OuterRef("pk")))
        )
        .exclude(scoring__engine_version=scoring.ENGINE_VERSION)
        .values_list("pk", flat=True)
    )
    for pk in outdated:
        assessment_rescore_request(assessment_id=pk, now=now)
    return scheduled, len(outdated)
