"""docker-compose.yml describes the production shape: every app service shares one database and one Redis."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_it_has_the_five_production_services(compose):
    assert set(compose["services"]) == {"web", "worker", "beat", "postgres", "redis"}


def test_app_services_share_one_database_and_one_redis(compose):
    environments = [compose["services"][name]["environment"] for name in APP_SERVICES]
    assert len({env["DATABASE_URL"] for env in environments}) == 1
    assert len({env["REDIS_URL"] for env in environments}) == 1
    assert "@postgres:5432/" in environments[0]["DATABASE_URL"]
    assert environments[0]["REDIS_URL"].startswith("redis://redis:6379/")


def test_every_service_is_health_checked_and_data_lives_in_named_volumes(compose):
    for name in ("web", "worker", "postgres", "redis"):
        assert "healthcheck" in compose["services"][name], name
    assert {"postgres-data", "redis-data"} <= set(compose["volumes"])
    assert compose["services"]["web"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_the_env_example_names_every_secret_the_compose_file_needs():
    example = (ROOT / ".env.example").read_text()
    for name in ("SECRET_KEY", "POSTGRES_PASSWORD", "ALLOWED_HOSTS"):
        assert f"\n{name}=" in "\n" + example


def _compose_command() -> list[str] | None:
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_the_compose_client_accepts_the_file(tmp_path):
    command = _compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed; the YAML checks above still ran")
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    result = subprocess.run([*command, "config"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    rendered = yaml.safe_load(result.stdout)
    urls = {rendered["services"][name]["environment"]["DATABASE_URL"] for name in APP_SERVICES}
    assert urls == {"postgres://reviewdesk:replace-with-a-strong-password@postgres:5432/reviewdesk"}


def test_web_and_worker_share_var_for_large_uploads(compose):
    mounts = [compose["services"][name]["volumes"] for name in APP_SERVICES]
    assert all("app-var:/app/var" in volumes for volumes in mounts)
