"""Real Celery workers for the tests that kill them: started as separate processes on this test's database,
the configured Redis broker and a queue of the test's own, and the helpers those tests share."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection


def children(pid: int) -> list[int]:
    """The process's direct children (a prefork worker's pool processes)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def wait_for(predicate, seconds: float, what: str):
    """The predicate's first true value, polled every 0.1 s; fails the test after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def require_redis_and_postgresql() -> None:
    """The embedded file broker cannot redeliver a lost task, and a worker in another process sees this test's
    data only on a database server."""
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.skip("needs Redis and PostgreSQL (REDIS_URL, DATABASE_URL)")


def worker_environment(**extra: str) -> dict[str, str]:
    """The environment of a worker process: this test's database (pytest-django's test database) and var/."""
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
                        f"/{database['NAME']}",
        "REVIEWDESK_VAR_DIR": str(settings.VAR_DIR),
        **extra,
    }
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = database["PASSWORD"]
    return env


def worker_start(*queues: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """A prefork worker with one pool process on `queues`, in a session of its own (so the whole worker can be
    killed at once without touching pytest)."""
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "reviewdesk", "worker", "--pool=prefork", "--concurrency=1",
         "--loglevel=WARNING", "-Q", ",".join(queues), "--without-gossip", "--without-mingle",
         "--without-heartbeat"],
        cwd=settings.BASE_DIR, env=env or worker_environment(), stdout=subprocess.DEVNULL, start_new_session=True,
    )


def worker_stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
