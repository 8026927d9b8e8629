"""The app's URLs plus the bench's baseline view (``bench/baseline.py``)."""

from django.urls import include, path

from bench.baseline import BASELINE_PATH, baseline_insert

urlpatterns = [
    path(BASELINE_PATH.lstrip("/"), baseline_insert, name="bench_baseline"),
    path("", include("servicecult.urls")),
]
