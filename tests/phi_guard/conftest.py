"""The cast for guard tests: Willow & Pine Medspa (the corpus practice) and a helper that checks one reply."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from phi_guard.profile import PracticeProfile, StaffMember

WILLOW_PINE = PracticeProfile(
    name="Willow & Pine Medspa",
    phone="(303) 555-0186",
    email="frontdesk@willowpine.example",
    website="www.willowpine.example",
    address="415 Larimer St, Unit 3B, Denver, CO 80202",
    staff=(
        StaffMember("Renee Okafor", "Office Manager"),
        StaffMember("Dr. Tomas Lindqvist", "Medical Director"),
        StaffMember("Hannah Cho", "Client Experience Lead"),
        StaffMember("Jordan Miles", "Nurse Practitioner / Injector"),
        StaffMember("Sofia Ramirez", "Medical Aesthetician"),
    ),
)


@pytest.fixture(scope="session")
def willow_pine() -> PracticeProfile:
    return WILLOW_PINE


@pytest.fixture
def check(willow_pine):
    """check(text, review=..., reviewer_name=...) -> Verdict, against Willow & Pine (engine built once per process)."""
    from phi_guard.service import guard_check

    def run(text, *, review="", reviewer_name="Kelsey P.", practice=None):
        return guard_check(text, practice=practice or willow_pine, review=review, reviewer_name=reviewer_name)

    return run


@pytest.fixture
def analyze(willow_pine):
    """analyze(text, review=..., reviewer_name=...) -> the engine's Analysis (rule findings, sentences, language) before
    the classifier decides, against Willow & Pine."""
    from phi_guard.service import GuardInput, _engine

    def run(text, *, review="", reviewer_name="Kelsey P."):
        return _engine().analyze_many([GuardInput(text, review, reviewer_name)], willow_pine)[0]

    return run


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    path = Path(settings.BASE_DIR).parent / "shared" / "corpus"
    if not (path / "guard_dev.jsonl").exists():
        pytest.skip(f"the labelled corpus is not beside the clone ({path})")
    return path
