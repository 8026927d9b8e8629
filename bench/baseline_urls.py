"""The app's URLs plus the bench's baseline views (``bench/baseline.py``)."""

from django.urls import include, path

from bench.baseline import BASELINE_PATH, ORM_BASELINE_PATH
from bench.views import baseline_insert, baseline_orm_create

urlpatterns = [
    path(BASELINE_PATH.lstrip("/"), baseline_insert, name="bench_baseline"),
    path(ORM_BASELINE_PATH.lstrip("/"), baseline_orm_create, name="bench_baseline_orm"),
    path("", include("servicecult.urls")),
]
