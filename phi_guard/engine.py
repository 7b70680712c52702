"""The analyzer behind the guard: a spaCy model, a Presidio AnalyzerEngine and our recognizers.

Built lazily, once per process and model name, behind a lock. Nothing here runs at import
time of phi_guard; importing this module does import spaCy and Presidio.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence

import spacy
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

from phi_guard.context import PracticeContext, ReplyContext
from phi_guard.lexicon import CLINICAL_FILES, keys
from phi_guard.offline import use_bundled_suffix_list
from phi_guard.policy import ENTITY_POLICY
from phi_guard.profile import PracticeProfile
from phi_guard.recognizers import build_recognizers
from phi_guard.scan import SCAN_KEY, Lexicon, PracticeTerms, ReplyScan
from phi_guard.verdict import Finding, Verdict, text_sha256

logger = logging.getLogger(__name__)

LANGUAGE = "en"
BATCH_SIZE = 64


class GuardUnavailable(RuntimeError):
    """The guard cannot run (model missing, analyzer broken). Messages never contain patient text."""


class GuardNlpEngine(SpacyNlpEngine):
    """Presidio's spaCy engine without the download-on-miss, the dependency parser, or non-PERSON entities.

    The parser is replaced by the rule-based sentencizer: the recognizers need sentences,
    POS tags and lemmas, not dependency arcs, and this halves the per-reply cost.
    """

    def __init__(self, model_name: str):
        super().__init__(
            models=[{"lang_code": LANGUAGE, "model_name": model_name}],
            ner_model_configuration=NerModelConfiguration(model_to_presidio_entity_mapping={"PERSON": "PERSON"}),
        )
        self.model_name = model_name

    def load(self) -> None:
        if not spacy.util.is_package(self.model_name):
            raise GuardUnavailable(f"spaCy model {self.model_name!r} is not installed")
        nlp = spacy.load(self.model_name, exclude=["parser"])
        if "sentencizer" not in nlp.pipe_names:
            nlp.add_pipe("sentencizer", first=True)
        if "ner" in nlp.pipe_names:
            labels = nlp.get_pipe("ner").labels
            self.ner_model_configuration.labels_to_ignore = [label for label in labels if label != "PERSON"]
        self.nlp = {LANGUAGE: nlp}


class GuardEngine:
    """Checks replies. Thread-safe: analysis runs under a lock (spaCy pipelines are not re-entrant)."""

    def __init__(self, model_name: str):
        started = time.perf_counter()
        use_bundled_suffix_list()
        self.model_name = model_name
        self.nlp_engine = GuardNlpEngine(model_name)
        self.nlp_engine.load()
        self.nlp = self.nlp_engine.get_nlp(LANGUAGE)
        self.lexicon = Lexicon(self.nlp)
        registry = RecognizerRegistry(recognizers=build_recognizers(), supported_languages=[LANGUAGE])
        self.analyzer = AnalyzerEngine(registry=registry, nlp_engine=self.nlp_engine, supported_languages=[LANGUAGE])
        self.entities = sorted(ENTITY_POLICY)
        self.clinical_keys = frozenset().union(*(keys(name) for name in CLINICAL_FILES.values()))
        self._lock = threading.RLock()
        self._practices: OrderedDict[str, tuple[PracticeContext, object]] = OrderedDict()
        logger.info("phi_guard: engine ready (model=%s, %.0f ms)", model_name, (time.perf_counter() - started) * 1000)

    def _practice(self, practice: PracticeProfile):
        key = practice.cache_key
        cached = self._practices.get(key)
        if cached is None:
            terms = PracticeTerms(tuple((label, term) for label, values in practice.vocabulary.items() for term in values))
            cached = (PracticeContext.build(practice), self.lexicon.practice_matcher(terms))
            self._practices[key] = cached
            while len(self._practices) > 64:
                self._practices.popitem(last=False)
        return cached

    def check_many(self, items: Sequence, practice: PracticeProfile) -> list[Verdict]:
        """One verdict per item (objects with .text, .review, .reviewer_name), in order."""
        with self._lock:
            practice_context, practice_matcher = self._practice(practice)
            texts = [item.text for item in items]
            artifacts = self.nlp_engine.process_batch(texts, LANGUAGE, batch_size=BATCH_SIZE)
            verdicts = []
            for item, (_, nlp_artifacts) in zip(items, artifacts):
                try:
                    verdicts.append(self._check_one(item, nlp_artifacts, practice_context, practice_matcher))
                except Exception as exc:  # fail closed, per reply
                    logger.error("phi_guard: check failed (%s, %d chars)", type(exc).__name__, len(item.text))
                    verdicts.append(Verdict.failed(item.text, f"guard error: {type(exc).__name__}"))
            return verdicts

    def _check_one(self, item, nlp_artifacts, practice_context: PracticeContext, practice_matcher) -> Verdict:
        doc = nlp_artifacts.tokens
        doc.user_data[SCAN_KEY] = ReplyScan.build(doc, self.lexicon, practice_matcher)
        doc.user_data[ReplyContext.KEY] = ReplyContext.build(
            practice=practice_context,
            reviewer_name=item.reviewer_name,
            review_tokens=self.nlp.tokenizer(item.review or ""),
            generic=self.lexicon.generic,
            stop_words=self.lexicon.stop_words,
            clinical_keys=self.clinical_keys,
        )
        results = self.analyzer.analyze(item.text, language=LANGUAGE, entities=self.entities, nlp_artifacts=nlp_artifacts)
        findings = _findings(item.text, results, practice_context.allowed_spans(item.text))
        return Verdict(blocked=bool(findings), findings=findings, text_sha256=text_sha256(item.text))

    def sentences(self, text: str) -> list[tuple[int, int]]:
        """Character spans of the sentences of `text` (for the safe rewrite)."""
        with self._lock:
            doc = self.nlp.tokenizer(text)
            doc = self.nlp.get_pipe("sentencizer")(doc)
            return [(sentence.start_char, sentence.end_char) for sentence in doc.sents]


def _findings(text: str, results, allowed: list[tuple[int, int]]) -> tuple[Finding, ...]:
    """Presidio results -> findings: drop the practice's own details, keep one finding per covered span."""
    kept: list[Finding] = []
    for result in sorted(results, key=lambda r: (r.start, -(r.end - r.start), -r.score)):
        if any(start <= result.start and result.end <= end for start, end in allowed):
            continue
        category, explanation = ENTITY_POLICY[result.entity_type]
        if any(f.category == category and f.start <= result.start and result.end <= f.end for f in kept):
            continue
        kept.append(Finding(category=category, entity_type=result.entity_type, start=result.start, end=result.end,
                            text=text[result.start:result.end], score=float(result.score), explanation=explanation))
    return tuple(kept)


_engines: dict[str, GuardEngine] = {}
_engines_lock = threading.Lock()


def get_engine(model_name: str) -> GuardEngine:
    """The process-wide engine for `model_name`, built on first use. Raises GuardUnavailable."""
    engine = _engines.get(model_name)
    if engine is not None:
        return engine
    with _engines_lock:
        engine = _engines.get(model_name)
        if engine is None:
            try:
                engine = GuardEngine(model_name)
            except GuardUnavailable:
                raise
            except Exception as exc:
                raise GuardUnavailable(f"could not load the PHI guard ({type(exc).__name__})") from exc
            _engines[model_name] = engine
        return engine


def loaded_engine(model_name: str) -> GuardEngine | None:
    return _engines.get(model_name)
