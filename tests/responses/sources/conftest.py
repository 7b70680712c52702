"""Source tests share the cache (Redis in CI): a "run now" marker must not outlive its test."""
from __future__ import annotations

import pytest
from django.core.cache import cache

from responses.models import PlatformConnection
from responses.sources.services import _queued_key


@pytest.fixture(autouse=True)
def _forget_queued_runs(db):
    yield
    cache.delete_many([_queued_key(pk) for pk in PlatformConnection.objects.values_list("pk", flat=True)])
