"""Background work (django.tasks), run by ``manage.py worker`` on the database
queue. Each task calls one service and returns plain values for its result row;
arguments are ids, so a task reads the rows as they are when it runs."""

from django.tasks import task

from assessments import services

# --- Email and a round's own timetable ------------------------------------------------


@task
def invitations_deliver(assessment_id: int) -> dict:
    """Send a batch of the round's queued emails (services.mail)."""
    return services.invitations_deliver(assessment_id=assessment_id).as_dict()


@task
def assessment_remind(assessment_id: int, number: int) -> int:
    """Queue the round's automatic reminder ``number`` if it is still due."""
    return services.assessment_remind_due(assessment_id=assessment_id, number=number)


@task
def assessment_close_due(assessment_id: int) -> bool:
    """Close the round if its closing day has come."""
    return services.assessment_close_due(assessment_id=assessment_id)
