"""The bare views a submission is compared with (``bench/views.py``): their
paths, their tables and the form fields they store.

Both go through the app's whole middleware stack (sessions, CSRF,
authentication, messages, security headers), read the survey's three form
fields, store them as one row and redirect, as the survey does. They do nothing
else: no look-up, no validation, no scoring. The tables belong to the bench:
``bench/bench_submit.py`` creates them (PostgreSQL).

- ``POST /bench/baseline/`` is the ceiling, the target's measure: one ``INSERT``
  through a cursor, the cheapest write the stack can do. It runs on its own, as
  its own transaction: wrapping it in ``transaction.atomic()`` would add a
  ``BEGIN`` and a ``COMMIT`` round trip, and the survey's write, one statement,
  sends neither.
- ``POST /bench/baseline-orm/`` stores the same row the way a Django view
  usually does, with the model's ``objects.create()`` (also one ``INSERT`` and
  no transaction of its own). It is printed for reference only: how the survey
  compares with the plainest Django write, not the target's ceiling.
"""

BASELINE_PATH = "/bench/baseline/"
ORM_BASELINE_PATH = "/bench/baseline-orm/"
CREATE_TABLES = tuple(
    f"""
    CREATE TABLE IF NOT EXISTS {table} (
        id bigserial PRIMARY KEY,
        vision text NOT NULL,
        meaning text NOT NULL,
        contribution text NOT NULL,
        created_at timestamptz NOT NULL
    )
    """
    for table in ("bench_baseline_row", "bench_baseline_orm_row")
)
COUNT_ROWS = "SELECT count(*) FROM bench_baseline_row"
COUNT_ORM_ROWS = "SELECT count(*) FROM bench_baseline_orm_row"
INSERT_ROW = (
    "INSERT INTO bench_baseline_row (vision, meaning, contribution, created_at) "
    "VALUES (%s, %s, %s, %s)"
)
FIELDS = ("vision", "meaning", "contribution")
