"""The bench server's settings: the application's own, with a URL conf that adds the
baseline list (bench/load/urls.py). Never used by the application."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.load.urls"
