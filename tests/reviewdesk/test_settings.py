"""Settings come from the environment and fail loudly, with a clear message, when they are wrong."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from reviewdesk.env import database_from_url, env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k3y-" + "x7Qp9" * 12


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_it_reads_booleans_in_every_usual_spelling(monkeypatch):
    for raw, expected in [("1", True), ("TRUE", True), ("on", True), ("0", False), ("no", False), ("", False)]:
        monkeypatch.setenv("SOME_FLAG", raw)
        assert env_bool("SOME_FLAG", not expected) is expected


def test_it_refuses_a_boolean_it_cannot_read(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG must be a boolean"):
        env_bool("SOME_FLAG", False)


def test_it_refuses_numbers_that_are_not_numbers_or_too_small(monkeypatch):
    monkeypatch.setenv("SOME_DAYS", "two")
    with pytest.raises(ImproperlyConfigured, match="SOME_DAYS must be a whole number"):
        env_int("SOME_DAYS", 2)
    monkeypatch.setenv("SOME_DAYS", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("SOME_DAYS", 2, minimum=1)


def test_it_splits_lists_on_commas(monkeypatch):
    monkeypatch.setenv("SOME_HOSTS", " a.example, b.example ,,")
    assert env_list("SOME_HOSTS", []) == ["a.example", "b.example"]


def test_it_reads_postgres_and_sqlite_urls():
    pg = database_from_url("postgres://rd:secret@db.internal:5433/reviewdesk")
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["HOST"], pg["PORT"], pg["NAME"], pg["USER"]) == ("db.internal", 5433, "reviewdesk", "rd")
    lite = database_from_url("sqlite:////tmp/reviewdesk.sqlite3")
    assert lite["ENGINE"] == "django.db.backends.sqlite3"
    assert lite["NAME"] == "/tmp/reviewdesk.sqlite3"


def test_sqlite_writers_take_the_write_lock_up_front_and_wait_for_it(tmp_path, django_db_blocker):
    """Under make run, web, worker and beat write to one SQLite file. A transaction that reads and then writes
    would fail with "database is locked" when another writer committed meanwhile (two gunicorn workers
    approving); with the settings' transaction mode it waits for the lock and goes through."""
    import threading

    from django.db import connections, transaction

    config = database_from_url(f"sqlite:///{tmp_path / 'desk.sqlite3'}")
    connections.settings["sqlite_writers"] = connections.configure_settings({"default": config, "sqlite_writers": config})[
        "sqlite_writers"]
    failures, holding, release = [], threading.Event(), threading.Event()

    def worker(hold: bool):
        try:
            with transaction.atomic(using="sqlite_writers"), connections["sqlite_writers"].cursor() as cursor:
                cursor.execute("SELECT n FROM counter")
                if hold:
                    holding.set()
                    release.wait(5)
                cursor.execute("UPDATE counter SET n = n + 1")
        except Exception as exc:  # noqa: BLE001 - the failure is what the test looks for
            failures.append(exc)
        finally:
            connections["sqlite_writers"].close()

    try:
        with django_db_blocker.unblock():  # a file of its own, not the test database
            with connections["sqlite_writers"].cursor() as cursor:
                cursor.execute("CREATE TABLE counter (n INTEGER)")
                cursor.execute("INSERT INTO counter VALUES (0)")
                assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            first = threading.Thread(target=worker, args=(True,))
            first.start()
            assert holding.wait(5)
            second = threading.Thread(target=worker, args=(False,))
            second.start()
            second.join(0.3)
            release.set()
            first.join(10)
            second.join(10)
            with connections["sqlite_writers"].cursor() as cursor:
                count = cursor.execute("SELECT n FROM counter").fetchone()[0]
            connections["sqlite_writers"].close()
    finally:
        del connections.settings["sqlite_writers"]
    assert not failures and count == 2


def test_postgres_binds_values_on_the_server_so_its_log_never_holds_them():
    # psycopg 3 then sends "INSERT ... VALUES ($1, $2)" and the values apart: a failing statement that
    # PostgreSQL logs shows placeholders, not review text.
    assert database_from_url("postgres://rd@db.internal/reviewdesk")["OPTIONS"]["server_side_binding"] is True
    assert "server_side_binding" not in database_from_url("sqlite:////tmp/x.sqlite3").get("OPTIONS", {})


def test_the_running_app_binds_values_on_the_server_when_on_postgres():
    from django.conf import settings

    options = settings.DATABASES["default"].get("OPTIONS", {})
    assert options.get("server_side_binding") is (settings.DATABASES["default"]["ENGINE"].endswith("postgresql") or None)


def test_a_bad_database_url_gets_a_clear_error_without_the_password():
    with pytest.raises(ImproperlyConfigured) as excinfo:
        database_from_url("mysqlx://admin:hunter2@db/reviews")
    message = str(excinfo.value)
    assert "DATABASE_URL" in message and "postgres://" in message and "'mysqlx'" in message
    assert "hunter2" not in message


def test_a_database_url_without_a_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured, match="scheme 'missing' is not supported"):
        database_from_url("just-a-hostname")


def test_the_app_refuses_to_start_with_a_bad_database_url():
    result = run_manage("check", DEBUG="1", DATABASE_URL="oracle://u:topsecret@h/db")
    assert result.returncode != 0
    assert "is not a usable database URL" in result.stderr
    assert "topsecret" not in result.stderr


def test_without_debug_it_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_without_debug_it_refuses_a_weak_secret_key():
    result = run_manage("check", DEBUG="0", SECRET_KEY="django-insecure-short")
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr


def test_the_deployment_checklist_is_clean_in_production_settings():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", DEBUG="0", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="reviews.example"
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_settings_turn_on_secure_cookies_and_hsts():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT)"
    )
    result = run_manage("shell", "-c", code, DEBUG="0", SECRET_KEY=STRONG_KEY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["True", "True", "31536000", "True"]
