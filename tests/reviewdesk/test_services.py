"""In CI the suite runs on the real services this machine kind provides; these say which, and check them."""
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction

from reviewdesk.celery import app

needs_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="REDIS_URL is not set: running on the embedded broker and file cache")
needs_postgres = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="DATABASE_URL is not PostgreSQL: running on SQLite",
)


@needs_redis
def test_cache_and_broker_are_the_configured_redis():
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert app.conf.broker_url == settings.REDIS_URL
    cache.set("reviewdesk-ci-probe", "pong", 5)
    assert cache.get("reviewdesk-ci-probe") == "pong"
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1)


@needs_postgres
@pytest.mark.django_db
def test_postgres_enforces_the_review_invariants(location, make_review):
    assert connection.vendor == "postgresql"
    review = make_review()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_review(external_id=review.external_id)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_review(rating=6)


def test_without_redis_the_embedded_defaults_need_no_server():
    if settings.REDIS_URL:
        pytest.skip("REDIS_URL is set: the embedded defaults are not in use")
    assert app.conf.broker_url.startswith("filesystem://")
    assert settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache")
