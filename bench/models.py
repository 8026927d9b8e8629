"""The table the ORM baseline (``bench/baseline.py``) writes through a model.

Unmanaged: ``bench/bench_submit.py`` creates it, as it does the lone-``INSERT``
baseline's table, and no migration of the app knows it.
"""

from django.db import models


class BaselineRow(models.Model):  # noqa: DJ008 (never displayed)
    vision = models.TextField()
    meaning = models.TextField()
    contribution = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "bench_baseline_orm_row"
