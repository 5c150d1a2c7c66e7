"""Settings of the app served by ``bench/load.py``: the production settings (DEBUG off,
from the environment), with the collected static files in the benchmark's data directory
instead of the deployment's ``staticfiles/``."""

import os

from ais.settings import *  # noqa: F403

STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
