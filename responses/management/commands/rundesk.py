import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Run the whole system in the foreground: web server (gunicorn), Celery worker and beat. "
        "Ctrl-C stops all three."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--web-workers", type=int, default=2, help="gunicorn worker processes")

    def handle(self, *args, port, host, web_workers, **options):
        python = sys.executable
        celery = [python, "-m", "celery", "-A", "reviewdesk"]
        commands = {
            # gunicorn as in production: its access log leaves out query strings (search terms are patient words).
            "web": [python, "-m", "gunicorn", "reviewdesk.wsgi:application", "-c", "python:reviewdesk.gunicorn_conf",
                    "--bind", f"{host}:{port}", "--workers", str(web_workers)],
            "worker": [*celery, "worker", "--loglevel=INFO", "--concurrency=1"],
            "beat": [*celery, "beat", "--loglevel=INFO", "--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME],
        }
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        broker = "Redis" if settings.REDIS_URL else "the embedded file-system broker (var/broker)"
        self.stdout.write(f"ReviewDesk on http://{host}:{port}/ with {broker}. Ctrl-C stops everything.")
        children = {name: subprocess.Popen(cmd, cwd=settings.BASE_DIR) for name, cmd in commands.items()}

        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, child in children.items():
                    if child.poll() is not None:
                        self.stderr.write(f"{name} exited with status {child.returncode}; stopping the others.")
                        stopping = True
                        break
                time.sleep(0.5)
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 15
            for child in children.values():
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
            self.stdout.write("Stopped web, worker and beat.")
