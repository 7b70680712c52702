"""The cast: alice works the front desk, bob manages the practice, charlie works for another practice."""
from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from responses.models import Location, Practice, Review, Role, StaffMember, text_sha256
from responses.roles import membership_grant

_external_ids = itertools.count(1)


@pytest.fixture
def practice(db):
    practice = Practice.objects.create(
        name="Willow & Pine Medspa",
        phone="(303) 555-0186",
        email="frontdesk@willowpine.example",
        website="www.willowpine.example",
        address="415 Larimer St, Unit 3B, Denver, CO 80202",
        signature="— The Willow & Pine team",
    )
    for name, role in [
        ("Renee Okafor", "Office Manager"),
        ("Dr. Tomas Lindqvist", "Medical Director"),
        ("Hannah Cho", "Client Experience Lead"),
        ("Jordan Miles", "Nurse Practitioner / Injector"),
        ("Sofia Ramirez", "Medical Aesthetician"),
    ]:
        StaffMember.objects.create(practice=practice, name=name, role=role)
    return practice


@pytest.fixture
def location(practice):
    return Location.objects.create(
        practice=practice,
        name="Larimer Square",
        phone="(303) 555-0186",
        email="frontdesk@willowpine.example",
        address=practice.address,
    )


@pytest.fixture
def other_practice(db):
    practice = Practice.objects.create(name="Elsewhere Skin Studio", phone="(212) 555-0100")
    Location.objects.create(practice=practice, name="Midtown", phone="(212) 555-0100")
    return practice


def _user(django_user_model, username, practice, role):
    user = django_user_model.objects.create_user(username=username, password="not-a-real-password-123")
    membership_grant(user=user, practice=practice, role=role)
    return user


@pytest.fixture
def alice(django_user_model, practice):
    """Front desk at Willow & Pine."""
    return _user(django_user_model, "alice", practice, Role.FRONT_DESK)


@pytest.fixture
def bob(django_user_model, practice):
    """Practice manager at Willow & Pine."""
    return _user(django_user_model, "bob", practice, Role.MANAGER)


@pytest.fixture
def charlie(django_user_model, other_practice):
    """Manager at another practice: must never see or touch Willow & Pine's reviews."""
    return _user(django_user_model, "charlie", other_practice, Role.MANAGER)


@pytest.fixture
def make_review(location):
    def make(text="The wait was long and nobody told me why.", *, rating=2, author_name="Kelsey P.",
             platform="google", posted_days_ago=1, **fields):
        return Review.objects.create(
            location=fields.pop("location", location),
            platform=platform,
            external_id=fields.pop("external_id", f"ext-{next(_external_ids)}"),
            author_name=author_name,
            rating=rating,
            text=text,
            text_sha256=text_sha256(text),
            posted_at=timezone.now() - timedelta(days=posted_days_ago),
            **fields,
        )

    return make


@pytest.fixture
def review(make_review):
    return make_review()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Production hashing costs ~0.3 s a password; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class ServerLog:
    """The PostgreSQL server's log file on this machine: what it gained since the test started."""

    def __init__(self, path):
        self.path = path
        self.start = path.stat().st_size

    def since_start(self, *, waiting_for: str = "", seconds: float = 3.0) -> str:
        """The text logged since the test started; waits (briefly) until `waiting_for` shows up in it."""
        import time

        deadline = time.monotonic() + seconds
        while True:
            with self.path.open("rb") as log:
                log.seek(self.start)
                text = log.read().decode("utf-8", "replace")
            if waiting_for in text or time.monotonic() > deadline:
                return text
            time.sleep(0.05)


@pytest.fixture
def postgres_server_log(db):
    """The server log of the PostgreSQL the tests run on, where this machine can read it; else the test is skipped."""
    import os
    from pathlib import Path

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the tests run on SQLite: no database server log")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_logfile(), current_setting('data_directory'), "
                       "current_setting('server_version_num')::int / 10000")
        current, data_directory, major = cursor.fetchone()
    # The logging collector's file, else Debian's default for a server that logs to stderr.
    path = Path(data_directory) / current if current else Path(f"/var/log/postgresql/postgresql-{major}-main.log")
    if not (path.is_file() and os.access(path, os.R_OK)):
        pytest.skip("the PostgreSQL server's log is not readable on this machine")
    return ServerLog(path)
