"""Small, loud parsers for settings read from the environment.

Each helper raises ImproperlyConfigured with the variable's name and what was
expected, so a typo in a deployment fails at start-up, not at 3 a.m.
"""
from __future__ import annotations

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no, on/off), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def _redacted(url: str) -> str:
    """The URL with any password replaced, safe to put in an error message."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable>"
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def database_from_url(url: str, *, name: str = "DATABASE_URL") -> dict:
    """A Django DATABASES entry from a URL; a clear error for anything unusable."""
    import dj_database_url

    supported = ("postgres", "postgresql", "pgsql", "sqlite")
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in supported:
        raise ImproperlyConfigured(
            f"{name}={_redacted(url)!r} is not a usable database URL: expected "
            "postgres://USER:PASSWORD@HOST:5432/NAME or sqlite:///PATH "
            f"(scheme {scheme or 'missing'!r} is not supported)."
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={_redacted(url)!r} could not be parsed: {exc}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name}={_redacted(url)!r} names no database.")
    if config["ENGINE"].endswith("sqlite3"):
        config.pop("CONN_MAX_AGE", None)
        # Web, worker and beat write to one file. A transaction that reads and then writes (DEFERRED, SQLite's
        # default) fails at once with "database is locked" when another writer committed meanwhile; IMMEDIATE takes
        # the write lock when the transaction begins, waiting up to `timeout` seconds for it. In WAL mode readers do
        # not wait for a writer (an import's batch) at all.
        config.setdefault("OPTIONS", {}).update(
            {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"})
    else:
        # psycopg 3 sends the values apart from the statement ("VALUES ($1, $2)"), so a statement that
        # PostgreSQL refuses and writes to its log carries placeholders, never review or reply text.
        config.setdefault("OPTIONS", {})["server_side_binding"] = True
    return config
