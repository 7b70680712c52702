"""The analyzer behind the guard: a spaCy model, a Presidio AnalyzerEngine and our recognizers.

Built lazily, once per process and model name, behind a lock. Nothing here runs at import
time of phi_guard; importing this module does import spaCy and Presidio.
"""
from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import spacy
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.nlp_engine import SpacyNlpEngine

from phi_guard import language
from phi_guard.approved import ApprovedSentences, sentence_shape
from phi_guard.attribute_table import attribute_table_install
from phi_guard.classifier import ClassifierMissing, ReplyClassifier, encoder_block
from phi_guard.constructions import build_constructions
from phi_guard.context import PracticeContext, ReplyContext
from phi_guard.encoder import EncoderMissing, SentenceEncoder, get_encoder
from phi_guard.features import in_reply, sentence_features
from phi_guard.icd import ICD_TERMS_PATH, ConditionsMissing, icd_terms
from phi_guard.lexicon import CLINICAL_FILES, echo_key, keys, vocabulary_revision
from phi_guard.normalize import Folded, fold
from phi_guard.offline import use_bundled_suffix_list
from phi_guard.parse_cache import ParsedReplies
from phi_guard.policy import CLASSIFIER_EXPLANATION, ENTITY_POLICY
from phi_guard.profile import PracticeProfile
from phi_guard.recognizers import build_recognizers
from phi_guard.scan import SCAN_KEY, Lexicon, PracticeTerms, ReplyScan
from phi_guard.sentences import add_sentence_rules, split, stripped
from phi_guard.verdict import CLASSIFIER_ENTITY, Finding, Verdict, text_sha256

logger = logging.getLogger(__name__)

LANGUAGE = "en"
BATCH_SIZE = 64
CHECK_CHUNK = 16  # replies check_many analyses at a time
ENGINE_VERSION = "2.17"  # 2.17: the sentences the n-grams are unsure of are read again with a sentence encoder
# (language: dictionary words, words only Spanish writes), a title ending a sentence is no name; 2.14: a common surname that is also a word
# ("Luis Williams."), or after a name a handle spells ("Sam Smith" to "sammy22"), is a full name


class GuardUnavailable(RuntimeError):
    """The guard cannot run (model missing, analyzer broken). Messages never contain patient text."""


class GuardNlpEngine(SpacyNlpEngine):
    """Presidio's spaCy engine without the download-on-miss, and without spaCy's named-entity recognizer.

    The rule-based sentencizer runs first so sentences end where a reader sees them end (phi_guard.sentences); the
    dependency parser then tells who each clause is about (the classifier's structural features). Names are the
    guard's own rules (a name from the review, a title and a surname, the reviewer's full name): the recognizer's
    PERSON spans were half of every parse's time, and leaving them out lost nothing on the training folds (2.8).
    """

    def __init__(self, model_name: str):
        super().__init__(models=[{"lang_code": LANGUAGE, "model_name": model_name}])
        self.model_name = model_name

    def load(self) -> None:
        if not spacy.util.is_package(self.model_name):
            raise GuardUnavailable(f"spaCy model {self.model_name!r} is not installed")
        # The model's string table (84,780 strings, ~17 MB) is not loaded: every string a Doc needs is added as it is
        # made (a token's text, its norm, lemma, tag and label), and the model's weights read hashes, not strings.
        nlp = spacy.load(self.model_name, exclude=["ner", "strings"])
        attribute_table_install(nlp)  # the model's own rules, matched faster
        add_sentence_rules(nlp)
        self.nlp = {LANGUAGE: nlp}


@dataclass(frozen=True)
class SentenceView:
    """One sentence of a reply, in the reply's own offsets, with what the classifier reads of it."""

    start: int
    end: int
    language: str
    features: str
    approved: bool = False  # has the shape of one of the practice's approved sentences
    text: str = ""  # the sentence as the guard read it (folded): what the sentence encoder reads, when it does
    suggestions: tuple[str, ...] = ()  # strict mode: the closest approved sentences


@dataclass(frozen=True)
class Analysis:
    """Everything the guard learned about one reply before deciding."""

    text: str
    rule_findings: tuple[Finding, ...]
    sentences: tuple[SentenceView, ...]
    unreadable: str = ""
    # Where the practice's own vocabulary matched: the practice said these words are clinical, so the
    # classifier may not overrule them.
    pinned: tuple[tuple[int, int], ...] = ()
    strict: bool = False
    review: str = ""  # what the classifier reads of the review (features.review_features)
    review_text: str = ""  # the review as the guard read it (folded): what the sentence encoder reads, when it does

    def classifier_inputs(self) -> list[tuple[str, str]]:
        """(sentence features, review features) for each sentence: what the classifier scores."""
        return [(view.features, self.review) for view in self.sentences]

    def encoder_inputs(self, indices: list[int]) -> list[str]:
        """The texts the sentence encoder reads for the sentences at `indices`."""
        return [self.sentences[i].text for i in indices]

    def is_pinned(self, finding: Finding) -> bool:
        return any(start <= finding.start and finding.end <= end for start, end in self.pinned)

    def standing(self, probabilities, decision):
        """What stands once `decision` is applied, sentence by sentence, lazily (tuning stops at the first):
        ("rule", finding, p) for a rule finding the classifier does not overrule, ("not_approved", view, p) in
        strict mode, ("classifier", view, p) for a sentence the classifier blocks on its own. A rule finding
        outside every sentence (never expected) stands: fail closed."""
        placed = set()
        for view, probability in zip(self.sentences, probabilities):
            inside = [f for f in self.rule_findings if f.start < view.end and view.start < f.end]
            placed.update(id(f) for f in inside)
            kept = [f for f in inside if decision.keeps(f.entity_type, probability) or self.is_pinned(f)]
            for finding in kept:
                yield "rule", finding, probability
            if self.strict and not view.approved:
                yield "not_approved", view, probability
            elif probability >= decision.block and not view.approved and not kept:
                yield "classifier", view, probability
        for finding in self.rule_findings:
            if id(finding) not in placed:
                yield "rule", finding, 0.0


class GuardEngine:
    """Checks replies. Thread-safe: analysis runs under a lock (spaCy pipelines are not re-entrant).

    A reply is read in its folded form (obfuscation undone, see phi_guard.normalize); findings point
    back at the original characters. Rules find explicit entities; the classifier reads every
    sentence and both are combined by the artifact's Decision.
    """

    def __init__(self, model_name: str, classifier_path: Path | None = None):
        started = time.perf_counter()
        use_bundled_suffix_list()
        self.model_name = model_name
        self.classifier = ReplyClassifier.load(classifier_path) if classifier_path else None
        self.encoder = get_encoder() if classifier_path else None
        if self.classifier and self.classifier.joint.encoder != self.encoder.name:
            raise ClassifierMissing(f"classifier artifact {classifier_path.name} was trained with another sentence "
                                    "encoder (run `make install`)")
        self.nlp_engine = GuardNlpEngine(model_name)
        self.nlp_engine.load()
        self.nlp = self.nlp_engine.get_nlp(LANGUAGE)
        self.parsed = ParsedReplies(self.nlp_engine, LANGUAGE)  # replies read lately, folded and parsed
        self.lexicon = Lexicon(self.nlp, conditions=icd_terms())
        registry = RecognizerRegistry(recognizers=[*build_recognizers(), *build_constructions()],
                                      supported_languages=[LANGUAGE])
        self.analyzer = AnalyzerEngine(registry=registry, nlp_engine=self.nlp_engine, supported_languages=[LANGUAGE])
        self.entities = sorted(set(ENTITY_POLICY) - {"NOT_APPROVED"})  # strict mode is decided, not recognized
        self.clinical_keys = frozenset().union(*(keys(name) for name in CLINICAL_FILES.values()))
        language.load()
        self.version = {
            "engine": ENGINE_VERSION,
            "model": f"{model_name}-{self.nlp.meta.get('version', '?')}",
            "classifier": self.classifier.sha256[:12] if self.classifier else "none",
            "encoder": self.encoder.name if self.encoder else "none",
            "vocabulary": vocabulary_revision(ICD_TERMS_PATH),
        }
        self._lock = threading.RLock()
        self._practices: OrderedDict[str, tuple[PracticeContext, object]] = OrderedDict()
        logger.info("phi_guard: engine ready (model=%s, %.0f ms)", model_name, (time.perf_counter() - started) * 1000)

    def _practice(self, practice: PracticeProfile):
        key = practice.cache_key
        cached = self._practices.get(key)
        if cached is None:
            terms = PracticeTerms(tuple((label, term) for label, values in practice.vocabulary.items() for term in values))
            approved = ApprovedSentences.build(practice.approved, self._split)
            cached = (PracticeContext.build(practice), self.lexicon.practice_matcher(terms), approved)
            self._practices[key] = cached
            while len(self._practices) > 64:
                self._practices.popitem(last=False)
        return cached

    def version_for(self, practice: PracticeProfile) -> dict:
        return {**self.version, "practice": practice.cache_key[:12]}

    def check_many(self, items: Sequence, practice: PracticeProfile, *, keep_parses: bool = False) -> list[Verdict]:
        """One verdict per item (objects with .text, .review, .reviewer_name), in order; `keep_parses` keeps the
        texts' parses and verdicts for later checks (parse_cache). Items with equal analysis keys are analysed
        once and share the verdict: the verdict each would get checked alone.

        Items go through CHECK_CHUNK at a time: a reply's parse and analysis are held until its verdict is made, so
        a whole import checked at once would hold all of them (on the training batches, one call with 1,600 replies
        peaked at 428 MB RSS unchunked and at 312 MB in chunks)."""
        if self.classifier is None:
            raise GuardUnavailable("the reply classifier is not loaded")
        version = self.version_for(practice)
        keyed = _keyed(items, keep_parses)
        verdicts: dict[tuple, Verdict] = {}
        keys: list[tuple] = []
        for start in range(0, len(items), CHECK_CHUNK):
            keys += self._check_chunk(items[start:start + CHECK_CHUNK], practice, version, verdicts,
                                      keep_parses=keep_parses, keyed=keyed)
        return [verdicts[key] for key in keys]

    def _check_chunk(self, items: Sequence, practice: PracticeProfile, version: dict, verdicts: dict[tuple, Verdict],
                     *, keep_parses: bool, keyed: bool) -> list[tuple]:
        """The items' analysis keys; their verdicts go into `verdicts`, where an item whose key is there already (an
        equal item of an earlier chunk) is not analysed again."""
        with self._lock:
            prepared = self._prepare(items, practice, keep_parses, keyed=keyed)
            keys = [key for _form, _context, key in prepared]
            if keep_parses:
                verdicts.update({key: kept for key in dict.fromkeys(keys)
                                 if key not in verdicts and (kept := self.parsed.verdict(key)) is not None})
            firsts = {key: index for index, key in enumerate(keys) if key not in verdicts}
            analyses = self._analyze_distinct(items, prepared, list(firsts.values()), practice, keep_parses)
        # One pass of the classifier over every sentence of every reply: vectorizing is the expensive part.
        readable = [a for a in analyses if isinstance(a, Analysis) and not a.unreadable]
        scores = iter(self.classifier.probabilities([pair for a in readable for pair in a.classifier_inputs()]))
        probabilities = {id(a): [next(scores) for _ in a.sentences] for a in readable}
        failed: dict[int, Exception] = {}
        for analysis in readable:
            try:
                probabilities[id(analysis)] = refine(self.classifier, self.encoder, analysis,
                                                     probabilities[id(analysis)])
            except Exception as exc:  # fail closed, per reply
                logger.error("phi_guard: encoder failed (%s, %d chars)", type(exc).__name__, len(analysis.text))
                failed[id(analysis)] = exc
        for key, index, analysis in zip(firsts, firsts.values(), analyses):
            item = items[index]
            analysis = failed.get(id(analysis), analysis)
            if isinstance(analysis, Exception):
                verdicts[key] = Verdict.failed(item.text, f"guard error: {type(analysis).__name__}", version)
            elif analysis.unreadable:
                verdicts[key] = Verdict.failed(item.text, analysis.unreadable, version, kind="unreadable")
            else:
                findings = self.decide(analysis, probabilities[id(analysis)])
                verdicts[key] = Verdict(blocked=bool(findings), findings=findings, text_sha256=text_sha256(item.text),
                                        guard_version=version)
        if keep_parses:
            with self._lock:
                for key in firsts:
                    self.parsed.keep_verdict(key, verdicts[key])
        return keys

    def analyze_many(self, items: Sequence, practice: PracticeProfile, *,
                     keep_parses: bool = False) -> list[Analysis | Exception]:
        """Rules and sentence features for each item (an Exception in place of an item that failed); items with
        equal analysis keys share one Analysis."""
        with self._lock:
            prepared = self._prepare(items, practice, keep_parses, keyed=_keyed(items, keep_parses))
            firsts = {key: index for index, (_form, _context, key) in enumerate(prepared)}
            analyses = dict(zip(firsts, self._analyze_distinct(items, prepared, list(firsts.values()), practice,
                                                                keep_parses)))
            return [analyses[key] for _form, _context, key in prepared]

    def _prepare(self, items: Sequence, practice: PracticeProfile, keep_parses: bool, *,
                 keyed: bool) -> list[tuple[Folded, ReplyContext, tuple]]:
        """Each item's folded text, its reply context and its analysis key. A key only matters for finding equal
        items in a batch or a kept verdict: a single check that keeps nothing (the live check) is keyed by position
        (`keyed` false)."""
        practice_context = self._practice(practice)[0]
        profile_key = practice.cache_key
        prepared = []
        for index, item in enumerate(items):
            form = self.parsed.fold(item.text, keep=keep_parses)
            review_text = fold(item.review or "").text
            reply_context = ReplyContext.build(
                practice=practice_context,
                reviewer_name=fold(item.reviewer_name or "").text,
                review_tokens=self.nlp.tokenizer(review_text),
                generic=self.lexicon.generic,
                stop_words=self.lexicon.stop_words,
                clinical_keys=self.clinical_keys,
                english_words=self.lexicon.english_words,
            )
            key = (self.analysis_key(item.text, form, reply_context, profile_key) if keyed
                   else (index,))
            prepared.append((form, reply_context, key))
        return prepared

    def analysis_key(self, text: str, form: Folded, reply_context: ReplyContext, profile_key: str) -> tuple:
        """Everything an analysis of `text` reads: the text itself, the practice's profile, the review's words as
        the classifier reads them (features.review_features), and of the reviewer's name only what the reply's own
        tokens can meet. The recognizers, sentence_features and sentence_shape read the reply context by testing
        the reply's tokens (their text, lower case or echo key) against its sets and first name (and whether a word
        lies inside the display name's letters), and by the spans its surname pattern matches in the reply; so the
        parts of those sets the reply's tokens can reach decide the rules, and the rest never counts.
        (The pipeline does not retokenize: the tokenizer's tokens are the parse's.)"""
        tokens = self.nlp.tokenizer(form.text)
        lowers = {token.lower_ for token in tokens}
        echoes = {echo_key(word) for token in tokens for word in (token.text, token.lower_)}
        pattern = reply_context.surname_pattern
        return (
            text, profile_key, reply_context.first_name,
            tuple(match.span() for match in pattern.finditer(form.text)) if pattern else (),
            reply_context.known_name_parts & lowers,
            reply_context.review_terms & echoes,
            reply_context.review_names & echoes,
            frozenset(word for word in lowers if word in reply_context.display_letters),
            reply_context.display_names & lowers, reply_context.initials_after, reply_context.initials_before,
            # Every word of the review (which the first-name rule also reads), and the review as the sentence encoder
            # reads it, as digests: a kept verdict's key must not hold a long review's words for as long as it is kept.
            hashlib.blake2b(reply_context.classifier_review.encode(), digest_size=16).digest(),
            hashlib.blake2b(reply_context.review_text.encode(), digest_size=16).digest(),
        )

    def _analyze_distinct(self, items: Sequence, prepared: list, indices: list[int], practice: PracticeProfile,
                          keep_parses: bool) -> list[Analysis | Exception]:
        """The analyses of items[i] for i in `indices` (their texts parsed in one batch)."""
        _practice_context, practice_matcher, approved = self._practice(practice)
        artifacts = self.parsed.parse_many([prepared[i][0].text for i in indices], batch_size=BATCH_SIZE,
                                           keep=keep_parses)
        analyses: list[Analysis | Exception] = []
        for index, nlp_artifacts in zip(indices, artifacts):
            item, (form, reply_context, _key) = items[index], prepared[index]
            try:
                analyses.append(self._analyze(item, form, nlp_artifacts, reply_context, practice_matcher,
                                              approved, practice.strict))
            except Exception as exc:  # fail closed, per reply
                logger.error("phi_guard: check failed (%s, %d chars)", type(exc).__name__, len(item.text))
                analyses.append(exc)
        return analyses

    def _analyze(self, item, form: Folded, nlp_artifacts, reply_context: ReplyContext,
                 practice_matcher, approved: ApprovedSentences, strict: bool) -> Analysis:
        doc = nlp_artifacts.tokens
        allowed = reply_context.practice.allowed_spans(form.text)
        scan = doc.user_data[SCAN_KEY] = ReplyScan.build(doc, self.lexicon, practice_matcher)
        doc.user_data[ReplyContext.KEY] = reply_context
        results = self.analyzer.analyze(form.text, language=LANGUAGE, entities=self.entities,
                                        nlp_artifacts=nlp_artifacts)
        findings = _findings(item.text, form, results, allowed)
        pinned = [form.span(doc[start:end].start_char, doc[start:end].end_char, len(item.text))
                  for start, end in scan.practice_spans]
        sentences = list(doc.sents)
        spans = [form.span(sentence.start_char, sentence.end_char, len(item.text)) for sentence in sentences]
        # Languages are told from the folded text, as everything else (accents sprinkled over English must not
        # make it read as Spanish). The reply as a whole too: many short sentences in another language tell what
        # one cannot, and it tells which of two close languages a short sentence is in (language.within_reply,
        # which reads the accents, half of what tells Spanish from Portuguese, in the text as written).
        originals = [item.text[start:end] for start, end in spans]
        dictionary = self.lexicon.english_words
        languages = language.spanish_words(
            [language.sentence_language(sentence.text, dictionary) for sentence in sentences], originals)
        whole = language.reply_language(form.text, item.text, dictionary, languages)
        languages = language.within_reply(languages, originals, whole, dictionary)
        unreadable = language.unreadable_reason(item.text, [*languages, whole])
        views = []
        resolved = language.resolve(languages, whole)
        findings = _in_spanish(findings, [span for span, code in zip(spans, resolved) if code != "en"])
        placed = in_reply([
            sentence_features(sentence, allowed=allowed, first_name=reply_context.first_name,
                              rule_types=[f.entity_type for f in findings if f.start < end and start < f.end],
                              language=code, review_terms=reply_context.review_terms)
            for sentence, code, (start, end) in zip(sentences, resolved, spans)])
        for sentence, code, (start, end), features in zip(sentences, resolved, spans, placed):
            shape = sentence_shape(sentence, allowed=allowed, first_name=reply_context.first_name)
            is_approved = shape in approved
            suggestions = tuple(approved.closest(shape)) if strict and not is_approved else ()
            views.append(SentenceView(start=start, end=end, language=code, features=features, approved=is_approved,
                                      suggestions=suggestions, text=sentence.text))
        return Analysis(text=item.text, rule_findings=findings, sentences=tuple(views), unreadable=unreadable,
                        pinned=tuple(pinned), strict=strict, review=reply_context.classifier_review,
                        review_text=reply_context.review_text)

    def decide(self, analysis: Analysis, probabilities) -> tuple[Finding, ...]:
        """Rules and classifier together, sentence by sentence (Analysis.standing, classifier.Decision)."""
        kept: dict[int, Finding] = {}
        for kind, item, probability in analysis.standing(probabilities, self.classifier.decision):
            if kind == "rule":
                kept.setdefault(id(item), item)  # a finding across two sentences is reported once
            elif kind == "not_approved":
                kept[id(item)] = _not_approved_finding(analysis.text, item)
            else:
                kept[id(item)] = self._classifier_finding(analysis, item, float(probability))
        return tuple(sorted(kept.values(), key=lambda f: (f.start, f.end)))

    def _classifier_finding(self, analysis: Analysis, view: SentenceView, probability: float) -> Finding:
        text = analysis.text
        start, end = stripped(text, view.start, view.end)
        category, reasons = self.classifier.explain(view.features, analysis.review)
        because = f" (weighed most: {', '.join(repr(r) for r in reasons)})" if reasons else ""
        return Finding(category=category, entity_type=CLASSIFIER_ENTITY, start=start, end=end, text=text[start:end],
                       score=probability, explanation=CLASSIFIER_EXPLANATION[category] + because)

    def _split(self, text: str) -> list:
        """The sentences of `text` by the tokenizer and sentence rules alone (no tagger, parser or NER)."""
        return split(self.nlp, text)

    def sentences(self, text: str) -> list[tuple[int, int]]:
        """Character spans of the sentences of `text` (for the safe rewrite)."""
        with self._lock:
            return [(sentence.start_char, sentence.end_char) for sentence in self._split(text)]


def _keyed(items: Sequence, keep_parses: bool) -> bool:
    """Whether a call's items are keyed by content (GuardEngine.analysis_key): only a batch can hold equal items and
    only kept parses are looked up again; a single check that keeps nothing is keyed by position."""
    return keep_parses or len(items) > 1


def _not_approved_finding(text: str, view: SentenceView) -> Finding:
    start, end = stripped(text, view.start, view.end)
    closest = " / ".join(f"“{s}”" for s in view.suggestions)
    offer = f" Closest approved: {closest}" if closest else ""
    return Finding(category="not_approved", entity_type="NOT_APPROVED", start=start, end=end, text=text[start:end],
                   score=1.0, explanation=ENTITY_POLICY["NOT_APPROVED"][1] + offer)


def _in_spanish(findings: tuple[Finding, ...], spanish: list[tuple[int, int]]) -> tuple[Finding, ...]:
    """Findings of the English pipeline that mean nothing in a Spanish sentence: the English rules read a capitalised
    Spanish word of the review as a person's name, and every Spanish word is unknown to the English dictionary (an
    echoed word is an ordinary echo there, not a product name)."""
    if not spanish:
        return findings
    kept = []
    for finding in findings:
        if any(start <= finding.start < end for start, end in spanish):
            if finding.entity_type == "PERSON":
                continue
            if finding.entity_type == "REVIEW_TERM":
                finding = replace(finding, entity_type="REVIEW_ECHO", explanation=ENTITY_POLICY["REVIEW_ECHO"][1])
        kept.append(finding)
    return tuple(kept)


def _findings(text: str, form: Folded, results, allowed: list[tuple[int, int]]) -> tuple[Finding, ...]:
    """Presidio results on the folded text -> findings on `text`: drop the practice's own details, keep one
    finding per covered span."""
    kept: list[Finding] = []
    for result in sorted(results, key=lambda r: (r.start, -(r.end - r.start), -r.score)):
        if any(start <= result.start and result.end <= end for start, end in allowed):
            continue
        category, explanation = ENTITY_POLICY[result.entity_type]
        start, end = form.span(result.start, result.end, len(text))
        if any(f.category == category and f.start <= start and end <= f.end for f in kept):
            continue
        kept.append(Finding(category=category, entity_type=result.entity_type, start=start, end=end,
                            text=text[start:end], score=float(result.score), explanation=explanation))
    return tuple(kept)


_engines: dict[tuple[str, str], GuardEngine] = {}
_engines_lock = threading.Lock()


def refine(classifier: ReplyClassifier, encoder: SentenceEncoder, analysis: Analysis,
           probabilities: list[float]) -> list[float]:
    """The n-grams' probabilities of an analysis's sentences, with those in classifier.GATE scored again by the joint
    model, which also reads the encoder's vectors of the sentence and of the review (the same in phi_train)."""
    gated = [i for i, probability in enumerate(probabilities) if classifier.gated(probability)]
    if not gated:
        return probabilities
    sentences = encoder.sentence_vectors(analysis.encoder_inputs(gated))
    vectors = encoder_block(sentences, encoder.review_vector(analysis.review_text))
    inputs = analysis.classifier_inputs()
    refined = list(probabilities)
    for i, probability in zip(gated, classifier.refined([inputs[i] for i in gated], vectors)):
        refined[i] = probability
    return refined


def get_engine(model_name: str, classifier_path: Path | None = None) -> GuardEngine:
    """The process-wide engine for `model_name` and classifier, built on first use. Raises GuardUnavailable.

    Without a classifier path the engine has rules only: for training the classifier, never for verdicts.
    """
    key = (model_name, str(classifier_path or ""))
    engine = _engines.get(key)
    if engine is not None:
        return engine
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            try:
                engine = GuardEngine(model_name, classifier_path)
            except GuardUnavailable:
                raise
            except (ClassifierMissing, ConditionsMissing, EncoderMissing) as exc:
                raise GuardUnavailable(str(exc)) from exc
            except Exception as exc:
                raise GuardUnavailable(f"could not load the PHI guard ({type(exc).__name__})") from exc
            _engines[key] = engine
        return engine


def loaded_engine(model_name: str, classifier_path: Path | None = None) -> GuardEngine | None:
    return _engines.get((model_name, str(classifier_path or "")))
