"""/healthz tells a load balancer (and a worried manager) whether the desk can work."""
import pytest

from reviewdesk.celery import app as celery_app


@pytest.mark.django_db
def test_healthz_reports_database_broker_and_guard_as_json_without_login(client):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert body["phi_guard"]["ok"] is True


@pytest.mark.django_db
def test_healthz_says_degraded_when_the_broker_is_unreachable(client, monkeypatch):
    # Nothing listens on port 1 of loopback: the broker check must fail fast and say so.
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "degraded"
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True


def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405
