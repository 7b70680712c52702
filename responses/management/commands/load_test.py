"""`make load`: start gunicorn on loopback as production does and drive it with wrk for a bounded time.
`make soak` (--soak): one long run of the desk mix while the RSS of gunicorn's processes is sampled."""
from __future__ import annotations

import csv
import os
import re
import secrets
import shutil
import signal
import socket
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
from django.db.models import Value
from django.db.models.functions import Concat
from django.utils import timezone

LUA = Path(__file__).resolve().parents[2] / "load" / "desk.lua"
REVIEW = "Waited forty minutes and nobody explained the delay. The room was lovely though."
APPROVABLE = "Thank you for writing to us. Please call (303) 555-0186 so we can listen and make it right."
# Approvals a user sends in a second of the desk mix: one request in ten, two requests a second (0.5 s think time).
APPROVALS_PER_SECOND = 0.2
QUEUE_PREFIX = "load-approve-"  # external ids of the reviews whose replies wait for approval in a run


class Command(BaseCommand):
    help = ("Load test: gunicorn on 127.0.0.1 (reviewdesk/gunicorn_conf.py) driven by wrk as N desk users, each "
            "typing in the reply editor (a live check every 0.5 s of think time); first live checks only, then "
            "the desk mix (one request in ten opens the inbox, one the review page, one approves a waiting reply). "
            "Prints p50/p95/p99, errors and how many approvals went through. "
            "Uses the configured database (a 'Load test practice' is created in it once). With --soak: one run of "
            "the desk mix for --seconds, sampling the RSS of gunicorn's master and workers, then per process the "
            "start, end-of-warm-up, end and max RSS and the slope after the warm-up, and whether memory stayed "
            "flat (responses/load/soak.py); exits non-zero when it did not or when a request failed.")

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=10)
        parser.add_argument("--seconds", type=int, default=30, help="length of each of the two runs")
        parser.add_argument("--port", type=int, default=0, help="default: a free port on 127.0.0.1")
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument("--soak", action="store_true", help="one long desk-mix run with memory sampling")
        parser.add_argument("--sample-seconds", type=float, default=10.0, help="soak: RSS sampling interval")
        parser.add_argument("--warmup-seconds", type=float, default=None,
                            help="soak: samples before this are the warm-up (default: a sixth of the run, at most 300)")
        parser.add_argument("--samples-csv", default="", help="soak: also write every sample to this CSV file")

    def handle(self, *args, users, seconds, port, web_workers, soak, sample_seconds, warmup_seconds, samples_csv,
               **options):
        if not shutil.which("wrk"):
            raise CommandError("wrk is not installed (Debian: apt-get install wrk).")
        port = _free_port(port)
        users_file = Path(settings.VAR_DIR) / "load-users.txt"
        users_file.parent.mkdir(parents=True, exist_ok=True)
        queued = int(seconds * APPROVALS_PER_SECOND) + 5  # replies waiting for each user to approve in a run
        users_file.write_text("".join(f"{line}\n" for line in _desk_users(users, approvals=queued)))
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
            wrk = ["wrk", f"-t{users}", f"-c{users}", f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA),
                   f"http://127.0.0.1:{port}"]
            wrk_env = {**env, "USERS_FILE": str(users_file)}
            if soak:
                warmup = min(300.0, seconds / 6) if warmup_seconds is None else warmup_seconds
                self._soak(server, wrk, {**wrk_env, "MIX": "desk"}, seconds=seconds, sample_seconds=sample_seconds,
                           warmup_seconds=warmup, samples_csv=samples_csv)
                return
            for mix in ("typing", "desk"):
                result = subprocess.run(wrk, env={**wrk_env, "MIX": mix}, capture_output=True, text=True)
                self.stdout.write(f"  {mix:6} {_wrk_result(result.stdout)}")
            self.stdout.write(f"  approvals: {_approved_count()} of the replies waiting were approved")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
            users_file.unlink(missing_ok=True)


    def _soak(self, server: subprocess.Popen, wrk: list[str], env: dict, *, seconds: int, sample_seconds: float,
              warmup_seconds: float, samples_csv: str) -> None:
        import psutil

        from responses.load.soak import (
            GROWTH_LIMIT_MIB,
            SLOPE_LIMIT_MIB_PER_HOUR,
            gunicorn_memory_sample,
            memory_verdicts,
        )

        master, memory = psutil.Process(server.pid), {}
        load_before = os.getloadavg()
        self.stdout.write(f"soak: desk mix for {seconds} s, RSS every {sample_seconds:g} s, warm-up {warmup_seconds:g} s; "
                          f"load average before {load_before[0]:.2f} on {os.cpu_count()} cores")
        started = time.monotonic()
        driver = subprocess.Popen(wrk, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        loads = []
        while driver.poll() is None:
            gunicorn_memory_sample(master, memory, at=time.monotonic() - started)
            loads.append(os.getloadavg()[0])
            try:
                driver.wait(timeout=sample_seconds)
            except subprocess.TimeoutExpired:
                pass
        if server.poll() is not None:
            raise CommandError("gunicorn's master stopped during the soak")
        gunicorn_memory_sample(master, memory, at=time.monotonic() - started)
        result = _wrk_result(driver.stdout.read())
        self.stdout.write(f"  desk   {result}")
        self.stdout.write(f"  approvals: {_approved_count()} of the replies waiting were approved")
        self.stdout.write(f"  machine load average during the run: mean {sum(loads) / max(len(loads), 1):.2f}, "
                          f"max {max(loads, default=0):.2f}, after {os.getloadavg()[0]:.2f}")
        if samples_csv:
            with open(samples_csv, "w", newline="") as out:
                rows = csv.writer(out)
                rows.writerow(["pid", "role", "seconds", "rss_bytes"])
                for process in memory.values():
                    rows.writerows([process.pid, process.role, f"{at:.1f}", rss] for at, rss in process.samples)
        verdicts = memory_verdicts(list(memory.values()), warmup_seconds=warmup_seconds,
                                   end_seconds=time.monotonic() - started, sample_seconds=sample_seconds)
        self.stdout.write("  process      pid   start MiB  warm MiB   end MiB   max MiB  growth MiB  slope MiB/h")
        for v in verdicts:
            self.stdout.write(f"  {v.role:7} {v.pid:>8} {v.start_mib:>10.1f} {v.warm_mib:>9.1f} {v.end_mib:>9.1f} "
                              f"{v.max_mib:>9.1f} {v.growth_mib:>+11.1f} {v.slope_mib_per_hour:>+12.1f}"
                              f"{'' if v.flat else '  NOT FLAT: ' + v.problem}")
        errors = re.search(r"non200=(\d+) socket_errors=(\d+)", result)
        failed_requests = not errors or int(errors[1]) + int(errors[2]) > 0
        flat = all(v.flat for v in verdicts)
        self.stdout.write(f"soak {'PASSED' if flat and not failed_requests else 'FAILED'}: memory "
                          f"{'flat' if flat else 'NOT flat'} (after the warm-up: growth <= {GROWTH_LIMIT_MIB:g} MiB "
                          f"and slope <= {SLOPE_LIMIT_MIB_PER_HOUR:g} MiB/h per process), "
                          f"{'requests failed' if failed_requests else '0 failed requests'}")
        if not flat or failed_requests:
            raise CommandError("the soak failed")


def _wrk_result(stdout: str) -> str:
    """The RESULT line desk.lua prints (requests, errors, percentiles), or all of wrk's output if it has none."""
    line = next((x for x in stdout.splitlines() if x.startswith("RESULT")), stdout)
    return line.removeprefix("RESULT ")


def _free_port(port: int) -> int:
    """`port` if nothing listens on it on 127.0.0.1 (0: any free one). Driving someone else's server (another
    checkout's `runserver` on a shared machine) would measure the wrong thing."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise CommandError(f"port {port} on 127.0.0.1 is in use; choose another with --port") from None
        return probe.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(url, timeout=10).read()
            if server.poll() is not None:  # something else answered: our gunicorn could not bind
                raise CommandError("gunicorn exited; is the port taken?")
            return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise CommandError("gunicorn did not start") from None
            time.sleep(0.3)


def _approved_count() -> int:
    """Replies of this run's approval queues (the `load-approve-` reviews) that are approved."""
    from responses.models import Reply, ReplyState

    return Reply.objects.filter(review__external_id__startswith=QUEUE_PREFIX, state=ReplyState.APPROVED).count()


def _desk_users(count: int, *, approvals: int) -> list[str]:
    """Managers of a load-test practice, each with a review and a draft to type in, and `approvals` replies
    waiting for their approval, logged in: "session csrf review queue" (queue: "review:revision,..."). The
    previous run's queues are closed first, so that a run's approvals are counted alone."""
    from responses.models import Location, Practice, Reply, Review, Role, text_sha256
    from responses.roles import membership_grant
    from responses.workflow import reply_start, reply_submit

    practice, _ = Practice.objects.get_or_create(
        name="Load test practice", defaults={"phone": "(303) 555-0186", "signature": "— The team"}
    )
    location, _ = Location.objects.get_or_create(practice=practice, name="Main", defaults={"phone": practice.phone})
    Review.objects.filter(location=location, external_id__startswith=QUEUE_PREFIX).update(
        external_id=Concat(Value("done-"), "external_id"), closed_at=timezone.now())
    run = secrets.token_hex(4)
    lines = []
    for n in range(count):
        user, created = get_user_model().objects.get_or_create(username=f"load-user-{n}")
        if created:
            user.set_unusable_password()
            user.save()
        membership_grant(user=user, practice=practice, role=Role.MANAGER)  # they draft and they approve
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
        queue = []
        for k in range(approvals):
            waiting = Review.objects.create(
                location=location, platform="google", external_id=f"{QUEUE_PREFIX}{run}-{n}-{k}",
                author_name="Sam T.", rating=4, text=REVIEW, text_sha256=text_sha256(REVIEW),
                posted_at=timezone.now() - timedelta(days=1))
            reply = reply_submit(reply=reply_start(review=waiting, actor=user, text=APPROVABLE), actor=user)
            queue.append(f"{waiting.pk}:{reply.revision}")
        lines.append(f"{session.session_key} {secrets.token_hex(16)} {review.pk} {','.join(queue) or '-'}")
    return lines
