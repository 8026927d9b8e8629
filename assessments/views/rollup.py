"""The roll-up of a department or division for its managers, and its export."""

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from assessments import rollup
from assessments.answers_csv import csv_lines
from assessments.models import Team

ROLLUP_LEVELS = (Team.Level.DEPARTMENT, Team.Level.DIVISION)


def _rolled_up(request: HttpRequest, pk: int) -> Team:
    """A department or division the user manages, or 404."""
    team = get_object_or_404(Team.objects.for_manager(request.user), pk=pk)
    if team.level not in ROLLUP_LEVELS:
        raise Http404
    return team


def _sort_of(request: HttpRequest) -> str:
    sort = request.GET.get("sort", "name")
    return sort if sort in rollup.SORTS else "name"


@never_cache
@require_GET
def team_rollup(request: HttpRequest, pk: int) -> HttpResponse:
    team = _rolled_up(request, pk)
    sort = _sort_of(request)
    summary = rollup.rollup(team, request.user, sort)
    return render(
        request,
        "assessments/rollup.html",
        {
            "team": team,
            "summary": summary,
            "sort": sort,
            "too_few": rollup.TOO_FEW,
            "other_teams": rollup.OTHER_TEAMS,
        },
    )


@never_cache
@require_GET
def team_rollup_export(request: HttpRequest, pk: int) -> HttpResponse:
    team = _rolled_up(request, pk)
    summary = rollup.rollup(team, request.user, _sort_of(request))
    response = StreamingHttpResponse(
        csv_lines(rollup.CSV_HEADER, rollup.csv_rows(summary)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="servicecult-team-{team.pk}-rollup.csv"'
    )
    return response
