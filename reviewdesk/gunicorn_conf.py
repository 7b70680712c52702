"""gunicorn's settings for ReviewDesk: `gunicorn -c python:reviewdesk.gunicorn_conf reviewdesk.wsgi` (the Dockerfile,
docker compose, `manage.py rundesk` and `make load` all start it so). The address comes from --bind.

The access log never holds a query string or a Referer: inbox search terms are patient words (`/?q=…`).
"""
import os

ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'

accesslog = "-"
access_log_format = ACCESS_LOG_FORMAT
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = 60


def post_worker_init(worker):
    """Load the PHI guard's model before the worker takes its first request (else that request waits ~2 s)."""
    from phi_guard.service import guard_status

    status = guard_status(load=True)
    worker.log.info("PHI guard %s in worker %s", "loaded" if status["ok"] else "unavailable", worker.pid)
