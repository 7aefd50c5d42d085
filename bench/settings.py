"""Settings for the benchmarks' server: the product's, with the floor page's URL added.

`bench/load.py` serves the product with these settings so that every page is measured
against a floor served by the same server, middleware and layout (see bench/urls.py).
"""

from perfgoals.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
