"""The manager's pages: teams, rounds and the four steps."""

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from assessments.models import Assessment, Team


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    teams = (
        Team.objects.filter(managers=request.user)
        .select_related("parent")
        .prefetch_related(
            Prefetch(
                "assessments",
                queryset=Assessment.objects.order_by("-created_at", "-pk"),
            )
        )
    )
    return render(request, "assessments/dashboard.html", {"teams": teams})
