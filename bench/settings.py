"""Settings for the bench scripts: the production settings, plus the baselines.

``ROOT_URLCONF`` adds two bare views (``bench/baseline.py``) next to the app's own
URLs, the ``bench`` app holds the one model they use (``bench/models.py``), and
``BENCH_STATIC_ROOT`` lets each run collect static files into its own temporary
directory instead of the repository's ``staticfiles/``.
"""

import os

from servicecult.settings import *  # noqa: F403
from servicecult.settings import INSTALLED_APPS, STATIC_ROOT

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
ROOT_URLCONF = "bench.baseline_urls"
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT") or STATIC_ROOT
