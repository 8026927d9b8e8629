"""The bare view a submission is compared with: the ceiling of one write.

``POST /bench/baseline/`` goes through the app's whole middleware stack (sessions,
CSRF, authentication, messages, security headers), reads the survey's three form
fields, stores them as one row with one INSERT and redirects, as the survey
does. It does nothing else: no look-up, no validation, no scoring. The INSERT runs
on its own, as its own transaction: wrapping it in ``transaction.atomic()`` would
add a ``BEGIN`` and a ``COMMIT`` round trip, and the survey's write, one
statement, sends neither. The table belongs to the bench:
``bench/bench_submit.py`` creates it (PostgreSQL).
"""

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.views.decorators.http import require_POST

BASELINE_PATH = "/bench/baseline/"
CREATE_TABLE = """
    CREATE TABLE IF NOT EXISTS bench_baseline_row (
        id bigserial PRIMARY KEY,
        vision text NOT NULL,
        meaning text NOT NULL,
        contribution text NOT NULL,
        created_at timestamptz NOT NULL
    )
"""
COUNT_ROWS = "SELECT count(*) FROM bench_baseline_row"
INSERT_ROW = (
    "INSERT INTO bench_baseline_row (vision, meaning, contribution, created_at) "
    "VALUES (%s, %s, %s, %s)"
)
FIELDS = ("vision", "meaning", "contribution")


@require_POST
def baseline_insert(request: HttpRequest) -> HttpResponse:
    values = [request.POST.get(name, "") for name in FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(INSERT_ROW, [*values, timezone.now()])
    return HttpResponseRedirect(BASELINE_PATH)
