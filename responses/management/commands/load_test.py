"""`make load`: start gunicorn on loopback as production does and drive it with wrk for a bounded time."""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

LUA = Path(__file__).resolve().parents[2] / "load" / "desk.lua"
REVIEW = "Waited forty minutes and nobody explained the delay. The room was lovely though."


class Command(BaseCommand):
    help = ("Load test: gunicorn on 127.0.0.1 (reviewdesk/gunicorn_conf.py) driven by wrk as N desk users, each "
            "typing in the reply editor (a live check every 0.5 s of think time); first live checks only, then "
            "the desk mix (one request in ten opens the inbox, one the review page). Prints p50/p95/p99 and errors. "
            "Uses the configured database (a 'Load test practice' is created in it once).")

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=10)
        parser.add_argument("--seconds", type=int, default=30, help="length of each of the two runs")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--web-workers", type=int, default=2)

    def handle(self, *args, users, seconds, port, web_workers, **options):
        if not shutil.which("wrk"):
            raise CommandError("wrk is not installed (Debian: apt-get install wrk).")
        users_file = Path(settings.VAR_DIR) / "load-users.txt"
        users_file.parent.mkdir(parents=True, exist_ok=True)
        users_file.write_text("".join(f"{line}\n" for line in _desk_users(users)))
        users_file.chmod(0o600)
        env = {**os.environ, "SECURE_SSL_REDIRECT": "0"}
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "reviewdesk.wsgi:application", "-c", "python:reviewdesk.gunicorn_conf",
             "--bind", f"127.0.0.1:{port}", "--workers", str(web_workers), "--access-logfile", "/dev/null"],
            cwd=settings.BASE_DIR, env=env,
        )
        try:
            _wait_until_up(f"http://127.0.0.1:{port}/accounts/login/", server)
            self.stdout.write(f"gunicorn: {web_workers} workers on 127.0.0.1:{port}; {users} users, {seconds} s a run, "
                              f"0.5 s think time; database {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[1]}")
            for mix in ("typing", "desk"):
                result = subprocess.run(
                    ["wrk", f"-t{users}", f"-c{users}", f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA),
                     f"http://127.0.0.1:{port}"],
                    env={**env, "USERS_FILE": str(users_file), "MIX": mix}, capture_output=True, text=True,
                )
                line = next((x for x in result.stdout.splitlines() if x.startswith("RESULT")), result.stdout)
                self.stdout.write(f"  {mix:6} {line.removeprefix('RESULT ')}")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
            users_file.unlink(missing_ok=True)


def _wait_until_up(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(url, timeout=10).read()
            return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise CommandError("gunicorn did not start") from None
            time.sleep(0.3)


def _desk_users(count: int) -> list[str]:
    """Front-desk users of a load-test practice, each with a review and a draft, logged in: "session csrf review"."""
    from responses.models import Location, Practice, Reply, Review, Role, text_sha256
    from responses.roles import membership_grant
    from responses.workflow import reply_start

    practice, _ = Practice.objects.get_or_create(
        name="Load test practice", defaults={"phone": "(303) 555-0186", "signature": "— The team"}
    )
    location, _ = Location.objects.get_or_create(practice=practice, name="Main", defaults={"phone": practice.phone})
    lines = []
    for n in range(count):
        user, created = get_user_model().objects.get_or_create(username=f"load-user-{n}")
        if created:
            user.set_unusable_password()
            user.save()
            membership_grant(user=user, practice=practice, role=Role.FRONT_DESK)
        review, _ = Review.objects.get_or_create(
            location=location, platform="google", external_id=f"load-{n}",
            defaults={"author_name": "Jamie R.", "rating": 2, "text": REVIEW, "text_sha256": text_sha256(REVIEW),
                      "posted_at": timezone.now() - timedelta(days=1)},
        )
        if not Reply.objects.filter(review=review).exists():
            reply_start(review=review, actor=user, text="Thank you for your feedback. Please call (303) 555-0186.")
        session = SessionStore()
        session.update({"_auth_user_id": str(user.pk), "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                        "_auth_user_hash": user.get_session_auth_hash()})
        session.create()
        lines.append(f"{session.session_key} {secrets.token_hex(16)} {review.pk}")
    return lines
