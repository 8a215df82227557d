"""The settings the tests run on: production's, except that each parallel test process
(pytest -n, named gw0, gw1…) gets a Redis database and a files folder of its own. They share
the PostgreSQL server, where pytest-django already gives each process its own test database;
without this, one process's Celery worker would take another's tasks, and a flush of the
queues or the cache by one test would empty another's."""

import os
from urllib.parse import urlsplit, urlunsplit

_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
# The processes a test starts (workers, manage.py) inherit this environment, already moved.
if _worker and os.environ.get("VIGIA_TEST_PROCESS") != _worker:
    _index = int(_worker.removeprefix("gw"))
    if os.environ.get("REDIS_URL"):
        _redis = urlsplit(os.environ["REDIS_URL"])
        _database = int(_redis.path.strip("/") or 0) + 1 + _index
        os.environ["REDIS_URL"] = urlunsplit(_redis._replace(path=f"/{_database}"))
    if os.environ.get("VIGIA_VAR_DIR"):
        os.environ["VIGIA_VAR_DIR"] = os.path.join(os.environ["VIGIA_VAR_DIR"], _worker)
    os.environ["VIGIA_TEST_PROCESS"] = _worker

from config.settings import *  # noqa: E402, F403
