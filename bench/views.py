"""The baseline views (see ``bench/baseline.py``)."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from bench.baseline import BASELINE_PATH, FIELDS, INSERT_ROW, ORM_BASELINE_PATH
from bench.models import BaselineRow


@require_POST
def baseline_insert(request: HttpRequest) -> HttpResponse:
    values = [request.POST.get(name, "") for name in FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(INSERT_ROW, [*values, timezone.now()])
    return HttpResponseRedirect(BASELINE_PATH)


@require_POST
def baseline_orm_create(request: HttpRequest) -> HttpResponse:
    BaselineRow.objects.create(
        **{name: request.POST.get(name, "") for name in FIELDS},
        created_at=timezone.now(),
    )
    return HttpResponseRedirect(ORM_BASELINE_PATH)
