"""/healthz: is this process able to serve? Database, broker and PHI guard, as JSON."""
from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - any failure means "not ok"
        logger.warning("healthz: database check failed: %s", type(exc).__name__)
        return {"ok": False, "vendor": connection.vendor, "error": type(exc).__name__}


def _broker() -> dict:
    from reviewdesk.celery import app

    transport = app.conf.broker_url.split("://", 1)[0] or "unknown"
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"ok": True, "transport": transport}
    except Exception as exc:  # noqa: BLE001
        logger.warning("healthz: broker check failed: %s", type(exc).__name__)
        return {"ok": False, "transport": transport, "error": type(exc).__name__}


def _phi_guard() -> dict:
    from phi_guard.service import guard_status

    try:
        return guard_status(load=True)
    except Exception as exc:  # noqa: BLE001 - the guard failing closed is still "not ok"
        return {"ok": False, "error": type(exc).__name__}


@login_not_required
@require_GET
@never_cache
def healthz(request):
    checks = {"database": _database(), "broker": _broker(), "phi_guard": _phi_guard()}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503)
