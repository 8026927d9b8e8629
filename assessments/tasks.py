"""Background work (Django's tasks framework): each task calls one service.

``manage.py db_worker`` runs them from the database queue (``make run`` starts
one); with the ``immediate`` backend each runs inside whatever enqueues it.
Arguments are plain values, as a queue stores them.
"""

from datetime import datetime

from django.tasks import task

from assessments import services

# --- Scoring, imports and readiness -----------------------------------------------


@task
def rescore_round(assessment_id: int) -> int | None:
    """Serve a round's pending request for every answer to be judged again."""
    return services.assessment_rescore_pending(assessment_id=assessment_id)


@task
def import_answers(upload_id: int) -> int:
    """Import a queued file of answers into its round; a full scoring follows."""
    return services.answers_upload_import(upload_id=upload_id)


@task
def refresh_readiness(assessment_id: int) -> None:
    """Store a round's readiness per step as its report computes it now."""
    services.readiness_refresh(assessment_id=assessment_id)


@task
def round_upkeep(assessment_id: int, due: str) -> str:
    """An open round's periodic upkeep (``services.round_upkeep``)."""
    return services.round_upkeep(
        assessment_id=assessment_id, due=datetime.fromisoformat(due)
    )
