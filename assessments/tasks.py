"""Background work (Django's tasks framework): each task calls one service.

``manage.py worker`` runs them from the database queue (``make run`` starts
one); with the ``immediate`` backend each runs inside whatever enqueues it.
Arguments are plain values (ids), as a queue stores them, so a task reads the
rows as they are when it runs.
"""

from datetime import datetime

from django.tasks import task

from assessments import services

# --- Email and a round's own timetable ------------------------------------------------


@task
def invitations_deliver(assessment_id: int) -> dict:
    """Send a batch of the round's queued emails (services.mail)."""
    return services.invitations_deliver(assessment_id=assessment_id).as_dict()


@task
def manager_invitation_send(invitation_id: int) -> bool:
    """Email an invitation to manage a team its link (services.teams)."""
    return services.manager_invitation_deliver(invitation_id=invitation_id)


@task
def assessment_remind(assessment_id: int, number: int) -> int:
    """Queue the round's automatic reminder ``number`` if it is still due."""
    return services.assessment_remind_due(assessment_id=assessment_id, number=number)


@task
def assessment_close_due(assessment_id: int) -> bool:
    """Close the round if its closing day has come."""
    return services.assessment_close_due(assessment_id=assessment_id)


@task
def reassessment_remind(commitment_id: int) -> int:
    """Email the team's managers that its re-assessment date has come, once."""
    return services.reassessment_remind_due(commitment_id=commitment_id)


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
