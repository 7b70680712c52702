"""Shared by the intake, platform, publishing and task tests: a local review platform and eager Celery."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from responses.models import PlatformConnection

TOKEN = "ya29.test-access-token"


@dataclass
class Received:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class PlatformAPI:
    """What the fake platform received, and what it will answer next (status, JSON or bytes, delay)."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    answers: list[tuple[int, object, float]] = field(default_factory=list)

    def answer(self, status: int = 200, body: object = None, *, delay: float = 0.0) -> None:
        self.answers.append((status, {} if body is None else body, delay))


class _Handler(BaseHTTPRequestHandler):
    def _handle(self):
        api: PlatformAPI = self.server.api
        length = int(self.headers.get("Content-Length") or 0)
        url = urlsplit(self.path)
        api.received.append(
            Received(self.command, url.path, parse_qs(url.query), dict(self.headers), self.rfile.read(length))
        )
        status, body, delay = api.answers.pop(0) if api.answers else (200, {}, 0.0)
        time.sleep(delay)
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_PUT = do_POST = do_DELETE = _handle

    def log_message(self, *args):  # keep test output quiet
        pass


@pytest.fixture
def platform_api(settings):
    """A local stand-in for Google Business Profile (and any JSON feed) on 127.0.0.1."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.api = PlatformAPI(url=f"http://127.0.0.1:{server.server_port}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.GOOGLE_BUSINESS_API_URL = f"{server.api.url}/v4"
    yield server.api
    server.shutdown()
    server.server_close()


@pytest.fixture
def celery_eager():
    """Run .delay() in-process, as a worker would, for the duration of a test."""
    from reviewdesk.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def google(location):
    return PlatformConnection.objects.create(
        location=location, platform="google", kind=PlatformConnection.Kind.GOOGLE_BUSINESS,
        resource="accounts/111/locations/222", access_token=TOKEN, publish_enabled=True,
    )


