"""The readiness report of a round."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from assessments.models import Assessment


@never_cache
@login_required
def readiness_report(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(
        Assessment.objects.for_manager(request.user).select_related("team"), pk=pk
    )
    return render(request, "assessments/report.html", {"assessment": assessment})
