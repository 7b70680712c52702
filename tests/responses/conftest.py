"""Shared by the intake, platform, publishing and task tests: a local review platform and eager Celery."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest

from responses.models import PlatformConnection
from tests.fake_http import JSONHandler, serving

TOKEN = "ya29.test-access-token"
REFRESH_TOKEN = "1//test-refresh-token"


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


class _Handler(JSONHandler):
    def _handle(self):
        api: PlatformAPI = self.server.api
        length = int(self.headers.get("Content-Length") or 0)
        url = urlsplit(self.path)
        api.received.append(
            Received(self.command, url.path, parse_qs(url.query), dict(self.headers), self.rfile.read(length))
        )
        status, body, delay = api.answers.pop(0) if api.answers else (200, {}, 0.0)
        time.sleep(delay)
        self.send_json(body, status)

    do_GET = do_PUT = do_POST = do_DELETE = _handle


@pytest.fixture
def platform_api(settings):
    """A local stand-in for Google Business Profile (and any JSON feed) on 127.0.0.1."""
    with serving(_Handler) as server:
        server.api = PlatformAPI(url=f"http://127.0.0.1:{server.server_port}")
        settings.GOOGLE_BUSINESS_API_URL = f"{server.api.url}/v4"
        settings.PLATFORM_RETRY_ATTEMPTS = 1  # one request per call; the backoff tests ask for more
        settings.PLATFORM_RETRY_SECONDS = 0
        yield server.api


@pytest.fixture
def celery_eager():
    """Run .delay() in-process, as a worker would, for the duration of a test."""
    from reviewdesk.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@dataclass
class TokenEndpoint:
    """A local stand-in for Google's OAuth token endpoint: which refresh tokens (and codes) it accepts."""

    url: str = ""
    refresh_tokens: dict = field(default_factory=lambda: {REFRESH_TOKEN: TOKEN})
    codes: dict = field(default_factory=dict)  # authorization code -> refresh token it gives
    requests: list = field(default_factory=list)
    failures: list = field(default_factory=list)  # HTTP statuses to answer first (429, 500...)


class _TokenHandler(JSONHandler):
    def do_POST(self):
        endpoint: TokenEndpoint = self.server.endpoint
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers.get("Content-Length") or 0))
                                                 .decode()).items()}
        endpoint.requests.append((form, dict(self.headers)))
        if endpoint.failures:
            status, body = endpoint.failures.pop(0), {"error": "temporarily_unavailable"}
        elif form.get("grant_type") == "refresh_token" and form.get("refresh_token") in endpoint.refresh_tokens:
            status, body = 200, {"access_token": endpoint.refresh_tokens[form["refresh_token"]],
                                 "expires_in": 3599, "token_type": "Bearer"}
        elif form.get("grant_type") == "authorization_code" and form.get("code") in endpoint.codes:
            refresh = endpoint.codes[form["code"]]
            endpoint.refresh_tokens[refresh] = TOKEN
            status, body = 200, {"access_token": TOKEN, "refresh_token": refresh, "expires_in": 3599,
                                 "token_type": "Bearer"}
        else:
            status, body = 400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
        self.send_json(body, status)


@pytest.fixture
def token_endpoint(settings):
    """Google's OAuth 2.0 token endpoint, played on 127.0.0.1; the OAuth client settings point at it."""
    with serving(_TokenHandler) as server:
        server.endpoint = TokenEndpoint(url=f"http://127.0.0.1:{server.server_port}/token")
        settings.GOOGLE_OAUTH_CLIENT_ID = "reviewdesk-test.apps.example"
        settings.GOOGLE_OAUTH_CLIENT_SECRET = "test-client-secret"
        settings.GOOGLE_OAUTH_TOKEN_URL = server.endpoint.url
        settings.GOOGLE_OAUTH_AUTHORIZE_URL = f"http://127.0.0.1:{server.server_port}/auth"
        settings.PLATFORM_RETRY_SECONDS = 0
        yield server.endpoint


@pytest.fixture
def google(location, token_endpoint):
    from responses.sources.tokens import token_encrypt

    return PlatformConnection.objects.create(
        location=location, platform="google", kind=PlatformConnection.Kind.GOOGLE_BUSINESS,
        resource="accounts/111/locations/222", secret_encrypted=token_encrypt(REFRESH_TOKEN), publish_enabled=True,
    )


