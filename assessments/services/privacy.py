"""Deciding whether an anonymous round shows its results (``privacy`` holds the
rule), at the moments its results may come to show: when it opens and when it
closes."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from assessments import privacy
from assessments.models import Assessment
from assessments.services.judging import readiness_refresh


@transaction.atomic
def round_decide(assessment: Assessment, *, now: datetime | None = None) -> str | None:
    """Decide whether the round is withheld against differencing and keep the
    decision on it; a changed decision refreshes the stored readiness that
    follows from it. Returns the reason the round is withheld, or None."""
    now = now or timezone.now()
    # Every team in scope locked, in order: two rounds that could be compared,
    # decided at once, are decided one after the other, the second seeing the
    # first's outcome.
    teams = privacy.teams_in_scope(assessment.team_id).order_by("pk")
    list(teams.select_for_update().values_list("pk", flat=True))
    stored = Assessment.objects.get(pk=assessment.pk)
    reason = privacy.differencing_risk(stored) or ""
    Assessment.objects.filter(pk=stored.pk).update(
        withheld_reason=reason, withheld_decided_at=now
    )
    assessment.withheld_reason, assessment.withheld_decided_at = reason, now
    if reason != stored.withheld_reason:
        readiness_refresh(assessment_id=stored.pk, now=now)
    return reason or None
