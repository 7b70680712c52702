"""The web server's access log: gunicorn started as production starts it logs no search term (a PHI canary).

The server is another process and must see this test's database: PostgreSQL only (skipped on SQLite).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client

from reviewdesk.gunicorn_conf import ACCESS_LOG_FORMAT

ROOT = Path(__file__).resolve().parents[2]
CANARY = "Zephyrinequill"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_production_and_rundesk_start_gunicorn_with_this_configuration():
    assert "python:reviewdesk.gunicorn_conf" in (ROOT / "Dockerfile").read_text()
    assert "python:reviewdesk.gunicorn_conf" in (ROOT / "docker-compose.yml").read_text()
    assert "python:reviewdesk.gunicorn_conf" in (ROOT / "responses/management/commands/rundesk.py").read_text()
    for atom in ("%(r)s", "%(q)s", "%(f)s", "{referer}i"):  # the request line with its query, the query, Referer
        assert atom not in ACCESS_LOG_FORMAT


@pytest.fixture
def web_server(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the server process needs the test database on PostgreSQL (DATABASE_URL)")
    database = connection.settings_dict
    port = _free_port()
    log = tmp_path / "access.log"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
                        f"/{database['NAME']}",
        "REVIEWDESK_VAR_DIR": str(django_settings.VAR_DIR),
        "SECURE_SSL_REDIRECT": "0",
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "reviewdesk.wsgi:application", "-c", "python:reviewdesk.gunicorn_conf",
             "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/accounts/login/", timeout=10).read()
                break
            except OSError:  # refused while it starts, or a timeout while the worker loads the guard
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("gunicorn did not start: " + log.read_text())
                time.sleep(0.2)
        yield url, log
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_inbox_search_leaves_no_patient_words_in_the_access_log(web_server, bob, make_review):
    url, log = web_server
    make_review(f"{CANARY} says the filler in her lip went lumpy.")
    client = Client()
    client.force_login(bob)
    cookie = f"sessionid={client.cookies['sessionid'].value}"

    def get(path, **headers):
        request = urllib.request.Request(url + path, headers={"Cookie": cookie, **headers})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read().decode()

    assert CANARY in get(f"/?q={CANARY}+lip"), "the search found the review"
    get(f"/?q={CANARY}&status=open", **{"HX-Request": "true", "HX-Current-URL": f"{url}/?q={CANARY}"})
    get("/approvals", Referer=f"{url}/?q={CANARY}+lumpy")

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and '"GET /approvals HTTP/1.1"' not in log.read_text():
        time.sleep(0.1)
    logged = log.read_text()
    assert logged.count('"GET / HTTP/1.1" 200') == 2, logged
    assert '"GET /approvals HTTP/1.1" 200' in logged
    assert CANARY.lower() not in logged.lower() and "lumpy" not in logged
