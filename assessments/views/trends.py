"""A team's trend across its rounds, for its managers, and its CSV."""

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from assessments import trends
from assessments.answers_csv import csv_lines
from assessments.catalogue import ALIGNMENT_QUESTIONS, ENGAGEMENT_QUESTIONS
from assessments.models import Team


def _managed_team(request: HttpRequest, pk: int) -> Team:
    """A team the user is a manager of, or 404: a superuser who is not one
    reads a team's rounds through the admin, not here."""
    return get_object_or_404(
        Team.objects.filter(managers=request.user).select_related("parent"), pk=pk
    )


@never_cache
@require_GET
def team_trends(request: HttpRequest, pk: int) -> HttpResponse:
    team = _managed_team(request, pk)
    trend = trends.team_trend(team, today=timezone.localdate())
    return render(
        request,
        "assessments/team_trends.html",
        {
            "team": team,
            "trend": trend,
            "charts": trends.trend_charts(trend) if trend.rounds else None,
            "engagement_questions": ENGAGEMENT_QUESTIONS,
            "alignment_questions": ALIGNMENT_QUESTIONS,
        },
    )


@never_cache
@require_GET
def team_trends_export(request: HttpRequest, pk: int) -> HttpResponse:
    team = _managed_team(request, pk)
    trend = trends.team_trend(team, today=timezone.localdate())
    response = StreamingHttpResponse(
        csv_lines(trends.EXPORT_HEADER, trends.export_rows(trend)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="servicecult-team-{team.pk}-trend.csv"'
    )
    return response
