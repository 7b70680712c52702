"""Shared argument handling for the phi_* commands."""
from __future__ import annotations

from django.core.management.base import CommandError

from phi_guard.profile import PracticeProfile


def load_practice(path: str) -> PracticeProfile:
    try:
        return PracticeProfile.from_json_file(path)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
