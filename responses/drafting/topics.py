"""What a review is about: rule-based topic detection with spaCy, plus the rating as a signal.

The cues are data (`topic_patterns.json`): weighted phrases matched on lemmas and on
lower-cased words, and a few Matcher token patterns (durations, amounts of money).
Three topics come before any scoring because they change whether and how we reply:
rating only (no words), likely spam (links, promo language, markup) and non-English
(judged from stop words, no language-detection dependency). A threat of a lawyer, a lawsuit or a
complaint to a board (the escalation rules' legal and regulator lists, English and Spanish) is the
primary topic of a review rated 1-3 whatever else it says; in a non-English review it comes second,
after "non_english".
"""
from __future__ import annotations

import html
import importlib.util
import json
import logging
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from django.conf import settings

from responses.escalation.rules import threatens_legal_action
from responses.models import Topic

logger = logging.getLogger(__name__)

PATTERNS_FILE = Path(__file__).resolve().parent / "topic_patterns.json"

NEGATIVE_TOPICS = (
    Topic.WAIT_TIME,
    Topic.BILLING_PRICING,
    Topic.STAFF_ATTITUDE,
    Topic.BAD_OUTCOME,
    Topic.COMPLICATION,
    Topic.BOOKING_SCHEDULING,
    Topic.CLEANLINESS,
    Topic.COMMUNICATION,
    Topic.LOGISTICS,
)
POSITIVE_TOPICS = (Topic.POSITIVE_GENERAL, Topic.POSITIVE_STAFF)
# A review with no recognisable complaint still needs a label; "outcome dissatisfaction" is the
# broadest negative one (its templates speak of an experience that fell short, nothing more).
FALLBACK_NEGATIVE_TOPIC = Topic.BAD_OUTCOME
# Secondary topics are listed only when their cues are this strong.
SECONDARY_MIN_SCORE = 3
SPAM_MIN_SCORE = 3

# Languages whose stop words betray a non-English review (Latin-script ones; other scripts are
# recognised by their letters). Loading these modules reads a few word sets, no models.
_FOREIGN_STOP_WORD_LANGUAGES = ("es", "fr", "pt", "de", "it", "nl", "pl", "vi", "tl", "ro", "tr")

_TAG = re.compile(r"<[^>]{0,500}>")
_URL = re.compile(r"(https?://|www\.)\S+|\b[\w-]+\.(com|net|org|io|biz|info|co|ly|example)\b(/\S*)?", re.I)
# Code in a review is an injection attempt, never a customer's words; a bare link tag is promo markup.
_SCRIPT = re.compile(r"<\s*(script|iframe)\b|\bjavascript:|\bon(load|error|click)\s*=", re.I)
_ANCHOR = re.compile(r"<\s*a\s+href", re.I)
# "visit growmyclinic.example", "go to www.x.example": a call to action that points somewhere else.
_CALL_TO_LINK = re.compile(
    r"\b(visit|go\s+to|check\s+out|click|head\s+to|at|dm|follow|contact)\s+(us\s+(at|on)\s+)?"
    r"((https?://|www\.)\S+|[\w-]+\.(com|net|org|io|biz|info|co|ly|example)\b)", re.I)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_CAPS_DEAL = re.compile(r"\b(\d{1,3}\s?%|FREE|OFF|DEALS?|SALE|PROMO)\b")
# "use code GLOW20", "promo code SAVE15": a code to redeem somewhere is an advertisement, usually a competitor's.
_PROMO_CODE = re.compile(r"\b(?:use|with|enter|promo|coupon|discount|referral)\s+code:?\s+[A-Z0-9][A-Z0-9_-]{2,}\b")
# "try Glow Lab instead", "book with X instead", "the place down the street": sending readers to a competitor.
_COMPETITOR = re.compile(
    r"\b(?:try|go\s+to|switch\s+to|book\s+with)\s+[A-Z][\w&'’]*(?:\s+[A-Z][\w&'’]*){0,3}\s+instead\b"
    r"|\bdown\s+the\s+street\s+is\b")
# "Renee went", "Jordan Miles has", "Dr. Lindqvist took": a capitalised name doing something,
# which is how reviews praise one person rather than the place.
_PERSON_DOING = re.compile(
    r"(?:\bDr\.?\s+)?\b([A-Z][a-z]{2,})(?:\s+[A-Z][a-z]+)?"
    # "Hannah at the front desk made", "Sofia from reception was"
    r"(?:\s+(?:at|from)\s+(?:the\s+)?(?:front(?:\s+desk)?|desk|reception|check-?in))?\s+"
    r"(?:is|was|went|has|had|did|does|made|makes|took|takes|listened|listens|explained|knows|always|really|truly|"
    r"helped|fixed|answered|talked|walked|got|gave|kept|remembered)\b"
)
_NOT_PERSON = frozenset(
    "the this that they everyone everything everybody staff team nothing it she he we you "
    "service services place room rooms results price prices parking checkout booking front nobody noone "
    "someone somebody anyone anybody".split()
)
# A positive cue right after one of these is not praise ("not impressed", "wasn't great", "never happy").
_NEGATORS = frozenset({"not", "n't", "never", "no", "hardly", "barely", "nt", "wasnt", "isnt", "didnt", "dont"})


@dataclass(frozen=True)
class TopicScores:
    """Cue weights found in one review (for tuning and for tests that explain a decision)."""

    negative: dict[str, float]
    positive: float
    staff_praise: float
    mixed: float
    contrast: bool


class TopicModelUnavailable(Exception):
    """Drafting's spaCy pipeline cannot load. The message names the model, never a review."""


# Shown wherever intake or drafting meets a missing model: the review is kept, only the drafting waits.
DRAFTING_UNAVAILABLE = (
    "Drafting is unavailable right now (its language model could not load), so no topics or draft were made. "
    "The review is saved; try again once the model is back."
)


class _Detector:
    """spaCy pipeline + matchers, built once per process and model (see `detector()`)."""

    def __init__(self, model: str):
        import spacy
        from spacy.matcher import Matcher, PhraseMatcher

        from phi_guard.attribute_table import attribute_table_install

        # Lemmas need the tagger and attribute ruler; the parser and NER are not used.
        self.nlp = spacy.load(model, exclude=["parser", "ner", "senter"])
        attribute_table_install(self.nlp)  # the model's own attribute rules, matched faster
        data = json.loads(PATTERNS_FILE.read_text(encoding="utf-8"))
        self.weights: dict[str, tuple[str, float]] = {}  # match key -> (group, weight)
        self.by_lemma = PhraseMatcher(self.nlp.vocab, attr="LEMMA")
        self.by_lower = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.by_tokens = Matcher(self.nlp.vocab)

        groups: dict[str, dict[str, float]] = {"neutral": dict.fromkeys(data["neutral"]["phrases"], 0.0)}
        for topic, cues in data["topics"].items():
            Topic(topic)  # a typo in the data file fails loudly here
            groups[topic] = cues.get("phrases", {})
            for index, entry in enumerate(cues.get("patterns", [])):
                key = f"{topic}#{index}"
                self.weights[key] = (topic, float(entry["weight"]))
                self.by_tokens.add(key, [entry["pattern"]])
        for group in ("general", "staff", "mixed"):
            groups[f"positive:{group}"] = data["positive"][group]
        groups["spam"] = data["spam"]["phrases"]
        self.contrast = frozenset(data["positive"]["contrast"])

        for group, phrases in groups.items():
            for phrase, weight in phrases.items():
                key = f"{group}:{phrase}"
                self.weights[key] = (group, float(weight))
                doc = self.nlp(phrase.lower())
                self.by_lemma.add(key, [doc])
                self.by_lower.add(key, [self.nlp.make_doc(phrase.lower())])

    def cue_weights(self, text: str, doc=None) -> dict[str, float]:
        """Sum of cue weights per group; each cue counts once, and overlapping cues keep the longest.
        `doc` is `text.lower()` already parsed (detect_topics_many parses a batch with nlp.pipe)."""
        from spacy.tokens import Span
        from spacy.util import filter_spans

        doc = self.nlp(text.lower()) if doc is None else doc
        spans = [
            Span(doc, start, end, label=match_id)
            for matcher in (self.by_lemma, self.by_lower, self.by_tokens)
            for match_id, start, end in matcher(doc)
        ]
        totals: dict[str, float] = defaultdict(float)
        seen = set()
        for span in filter_spans(spans):
            if span.label_ in seen:
                continue
            seen.add(span.label_)
            group, weight = self.weights[span.label_]
            if group.startswith("positive:") and _negated(doc, span.start):
                continue
            totals[group] += weight
        totals["_contrast"] = float(any(token.lower_ in self.contrast for token in doc) or "only wish" in doc.text)
        return totals

    @cached_property
    def cue_words(self) -> frozenset[str]:
        """Single-word cues of any group (product names, complaint words): never taken for a person's name."""
        return frozenset(key.rsplit(":", 1)[1] for key in self.weights if ":" in key and " " not in key.rsplit(":", 1)[1])

    @cached_property
    def english_stop_words(self) -> frozenset[str]:
        return frozenset(self.nlp.Defaults.stop_words)

    @cached_property
    def foreign_stop_words(self) -> frozenset[str]:
        words: set[str] = set()
        for code in _FOREIGN_STOP_WORD_LANGUAGES:
            words |= _stop_words_of(code)
        # Short forms shared with English ("a", "me", "no", "he") say nothing about the language.
        return frozenset(w for w in words if w not in self.english_stop_words and len(w) > 1)


def _negated(doc, start: int) -> bool:
    """A negator one or two words before `start` ("not impressed", "wasn't very good")."""
    return any(doc[i].lower_ in _NEGATORS for i in range(max(0, start - 2), start))


def _stop_words_of(code: str) -> set[str]:
    """spaCy's stop-word list for a language, read from its file alone: importing spacy.lang.<code>
    would also build that language's tokenizer rules, which costs ~1 s a language."""
    lang_dir = Path(importlib.util.find_spec("spacy.lang").submodule_search_locations[0])
    spec = importlib.util.spec_from_file_location(f"_reviewdesk_stop_words_{code}", lang_dir / code / "stop_words.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return set(module.STOP_WORDS)


_detectors: dict[str, _Detector] = {}
_detector_lock = threading.Lock()


def detector() -> _Detector:
    """The process-wide detector for settings.PHI_GUARD_SPACY_MODEL; the first caller loads spaCy (a second or
    so), others wait for it. Raises TopicModelUnavailable when the model cannot load (tried again next call)."""
    model = settings.PHI_GUARD_SPACY_MODEL
    found = _detectors.get(model)
    if found is None:
        with _detector_lock:
            found = _detectors.get(model)
            if found is None:
                try:
                    found = _Detector(model)
                except Exception as exc:  # not installed (OSError), or a broken package: either way, no model
                    logger.error("topic model %r could not load (%s)", model, type(exc).__name__)
                    raise TopicModelUnavailable(f"The topic model {model!r} could not load.") from None
                _detectors[model] = found
    return found


def plain_text(text: str) -> str:
    """Review text without markup or links: what the reviewer actually wrote."""
    text = html.unescape(_TAG.sub(" ", text or ""))
    return _URL.sub(" ", text)


def spam_score(text: str, *, cues: dict[str, float] | None = None) -> float:
    """Links, script/anchor markup, promo language and ALL-CAPS deals add up; 3 or more is likely spam."""
    score = 0.0
    if _URL.search(text or ""):
        score += 2
    if _SCRIPT.search(text or ""):
        score += 3
    elif _ANCHOR.search(text or ""):
        score += 2
    if _CALL_TO_LINK.search(text or ""):
        score += 1
    if _PROMO_CODE.search(text or ""):
        score += 2
    if _COMPETITOR.search(text or ""):
        score += 1
    caps_deals = _CAPS_DEAL.findall(text or "")
    if caps_deals:
        score += min(len(caps_deals), 2)
    if cues is not None:
        score += cues.get("spam", 0.0)
    return score


def looks_non_english(text: str) -> bool:
    """Cheap language check: non-Latin letters, or foreign stop words outnumbering English ones."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 8:
        return False
    # Beyond Latin Extended (Cyrillic, Greek, CJK, Arabic, Hangul...); Vietnamese stays in Latin ranges.
    non_latin = sum(1 for c in letters if ord(c) > 0x24F and not 0x1E00 <= ord(c) <= 0x1EFF)
    if non_latin / len(letters) > 0.5:
        return True
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < 3:
        return False
    found = detector()
    english = sum(1 for w in words if w in found.english_stop_words)
    # One-letter words count too when they cannot be English ("é", "à").
    foreign = sum(1 for w in words if w in found.foreign_stop_words or (len(w) == 1 and not w.isascii()))
    accented = sum(1 for c in letters if ord(c) > 0x7F) / len(letters)
    if foreign >= 2 and foreign > 1.5 * english:
        return True
    # Five or more words without a single English function word, with some foreign sign, are not English.
    if english == 0 and len(words) >= 5 and (foreign >= 1 or accented > 0.02):
        return True
    return accented > 0.08 and english <= 1


def topic_scores(text: str, *, cues: dict[str, float] | None = None) -> TopicScores:
    """The weighted cues in `text` (markup and links removed)."""
    plain = plain_text(text)
    if cues is None:
        cues = detector().cue_weights(plain)
    staff_praise = cues.get("positive:staff", 0.0)
    if any(_could_be_a_name(m.group(1)) for m in _PERSON_DOING.finditer(plain)):
        staff_praise += 2
    return TopicScores(
        negative={topic: cues.get(topic, 0.0) for topic in NEGATIVE_TOPICS},
        positive=cues.get("positive:general", 0.0),
        staff_praise=staff_praise,
        mixed=cues.get("positive:mixed", 0.0),
        contrast=bool(cues.get("_contrast")),
    )


def _could_be_a_name(word: str) -> bool:
    """A capitalised word that is not a function word ("Which is", "Nobody explained") nor a cue of its own
    ("Botox did nothing")."""
    lower = word.lower()
    found = detector()
    return lower not in _NOT_PERSON and lower not in found.english_stop_words and lower not in found.cue_words


def _ranked_negative(scores: TopicScores) -> list[tuple[str, float]]:
    # Ties go to the order of NEGATIVE_TOPICS (the more specific, more actionable topics first).
    order = {topic: i for i, topic in enumerate(NEGATIVE_TOPICS)}
    ranked = sorted(scores.negative.items(), key=lambda item: (-item[1], order[item[0]]))
    return [(topic, score) for topic, score in ranked if score > 0]


def _positive_topic(scores: TopicScores) -> str:
    if scores.staff_praise >= 3 and scores.staff_praise >= scores.positive:
        return Topic.POSITIVE_STAFF
    return Topic.POSITIVE_GENERAL


def _primary(scores: TopicScores, rating: int | None) -> str:
    ranked = _ranked_negative(scores)
    top_negative = ranked[0][1] if ranked else 0.0
    praise = scores.positive + min(scores.staff_praise, 2)

    if rating is not None and rating >= 4:
        # A glowing rating wins unless a clear complaint is set against the praise.
        if rating == 4 and scores.contrast and top_negative >= 4 and praise >= 1:
            return Topic.MIXED
        return _positive_topic(scores)
    if scores.mixed >= 3 and (rating is None or rating >= 2):
        return Topic.MIXED
    # Praise and complaint of similar weight: joined by "but", or simply set side by side.
    balanced = (scores.contrast and praise >= 1 and top_negative <= 1.5 * praise) or (
        praise >= 2 and top_negative <= praise
    )
    if balanced and (rating is None or rating >= 2):
        return Topic.MIXED
    # Three stars with real praise ("Great results, terrible scheduling") is a mixed review unless the
    # complaint clearly outweighs it; faint praise ("nice folks, slow service") leaves the complaint in front.
    if rating == 3 and scores.positive >= 2 and top_negative <= 2 * scores.positive:
        return Topic.MIXED
    if ranked and top_negative >= 1:
        return ranked[0][0]
    if rating is None:
        return _positive_topic(scores) if praise > 0 else FALLBACK_NEGATIVE_TOPIC
    if rating == 3 and praise > 0:
        return Topic.MIXED
    return FALLBACK_NEGATIVE_TOPIC


def detect_topics(text: str, rating: int | None, *, doc=None) -> list[str]:
    """Topics of a review, the primary one first (values of `responses.models.Topic`)."""
    plain = plain_text(text)
    if not _WORD.search(plain):
        # Only a rating, emoji or bare markup: nothing to answer but the stars.
        return [Topic.SPAM_OR_FAKE.value if spam_score(text) >= SPAM_MIN_SCORE else Topic.RATING_ONLY.value]
    cues = detector().cue_weights(plain, doc)
    if spam_score(text, cues=cues) >= SPAM_MIN_SCORE:
        return [Topic.SPAM_OR_FAKE.value]
    # A lawyer, a lawsuit or a complaint to a board outweighs whatever else the review is about: its reply must
    # neither dismiss nor admit anything (the legal-threat blocks). Praise rated 4-5 is left as praise.
    legal_threat = (rating is None or rating <= 3) and threatens_legal_action(plain)
    if looks_non_english(plain):
        # The language comes first (it picks the draft's language); a threat in it ("mi abogado") follows it.
        return [Topic.NON_ENGLISH.value, *([Topic.LEGAL_THREAT.value] if legal_threat else [])]
    scores = topic_scores(text, cues=cues)
    primary = Topic.LEGAL_THREAT if legal_threat else _primary(scores, rating)
    secondary = [t for t, score in _ranked_negative(scores) if score >= SECONDARY_MIN_SCORE and t != primary]
    return [Topic(primary).value, *(Topic(t).value for t in secondary)]


def detect_topics_many(reviews: Sequence[tuple[str, int | None]], *, batch_size: int = 64) -> list[list[str]]:
    """detect_topics for many (text, rating) pairs, parsing them in batches with nlp.pipe (imports use this)."""
    nlp = detector().nlp
    docs = nlp.pipe((plain_text(text).lower() for text, _ in reviews), batch_size=batch_size)
    return [detect_topics(text, rating, doc=doc) for (text, rating), doc in zip(reviews, docs)]


def topic_misses(rows) -> Counter:
    """(expected, detected) -> count over labelled rows ({"text", "rating", "topic"}): for tuning the cues and for
    the tests that hold an accuracy floor. Reads the text, never reports it."""
    return Counter(
        (row["topic"], detected)
        for row in rows
        if (detected := detect_topics(row["text"], row["rating"])[0]) != row["topic"]
    )


@cache
def _language_stop_words() -> dict[str, frozenset[str]]:
    """Each foreign language's stop words without English ones (and without one-letter words)."""
    english = frozenset(_stop_words_of("en"))
    return {code: frozenset(w for w in _stop_words_of(code) if w not in english and len(w) > 1)
            for code in _FOREIGN_STOP_WORD_LANGUAGES}


def review_language(text: str) -> str:
    """The language a non-English review is most likely written in (ISO code; "en" when nothing stands out),
    from words that only one language's stop-word list has ("pero", "muy" are Spanish; "mas", "muito"
    Portuguese): enough to answer a Spanish review in Spanish without a language-detection dependency."""
    words = [w.lower() for w in _WORD.findall(plain_text(text))]
    lists = _language_stop_words()
    scores = Counter()
    for word in words:
        owners = [code for code, stop_words in lists.items() if word in stop_words]
        for code in owners:
            # A word many languages share counts for little; one only this language has counts fully.
            scores[code] += 1 / len(owners)
    if not scores:
        return "en"
    (best, top), *rest = scores.most_common(2) + [("", 0.0)]
    runner_up = rest[0][1]
    return best if top >= 1.5 and top > 1.25 * runner_up else "en"
