"""Settings for the bench scripts: the production settings, plus the baseline view.

``ROOT_URLCONF`` adds one bare view (``bench/baseline_urls.py``) next to the app's
own URLs, and ``BENCH_STATIC_ROOT`` lets each run collect static files into its own
temporary directory instead of the repository's ``staticfiles/``.
"""

import os

from servicecult.settings import *  # noqa: F403
from servicecult.settings import STATIC_ROOT

ROOT_URLCONF = "bench.baseline_urls"
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT") or STATIC_ROOT
