"""Composing a reply from template blocks: pure functions over plain data (no database, no guard).

A negative reply is acknowledge -> listen -> resolve (the resolve block offers the private
channel); a positive one is a thank-you. Variants are picked by a stable hash of the review's
identity, separately for each kind, so replies to different reviews vary while a re-draft of
the same review gives the same text.
"""
from __future__ import annotations

import hashlib
import re
import string
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from responses.models import TemplateBlock, Topic

Kind = TemplateBlock.Kind

PLACEHOLDERS = frozenset({"first_name", "practice", "location", "phone", "email", "channel", "signature"})
NEGATIVE_KINDS = (Kind.ACKNOWLEDGE, Kind.LISTEN, Kind.RESOLVE)
POSITIVE_TOPICS = frozenset({Topic.POSITIVE_GENERAL, Topic.POSITIVE_STAFF, Topic.RATING_ONLY})
# Complaints a mostly positive or mixed review can carry: the reply must hear them, not only say thanks.
COMPLAINT_TOPICS = frozenset({
    Topic.WAIT_TIME, Topic.BILLING_PRICING, Topic.STAFF_ATTITUDE, Topic.BAD_OUTCOME, Topic.COMPLICATION,
    Topic.BOOKING_SCHEDULING, Topic.CLEANLINESS, Topic.COMMUNICATION, Topic.LOGISTICS,
})

# Reviews that get no reply: answering spam only lends it weight (report it to the platform),
# and a review with neither words nor a rating gives nothing to respond to.
SKIP_REASONS = {
    "spam": "Looks like spam or a fake review: report it to the platform instead of replying.",
    "empty": "The review has neither text nor a rating; there is nothing to reply to.",
}

# A display name yields a first name only when it looks like "Kelsey P." or "Beth Ann Rourke":
# two to four capitalised words (or initials), the first one a plausible given name.
_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)*$")
_INITIAL = re.compile(r"^[^\W\d_]\.?$")
_NOT_FIRST_NAMES = frozenset(
    """mr mrs ms miss mx dr doctor prof sir madam the a an my our your local happy unhappy angry real
    anonymous anon user guest customer client patient google yelp facebook reviewer verified promo deals
    deal best top official team staff admin support medspa spa clinic beauty skin glow salon studio
    king queen lady mister big little""".split()
)
# "Nguyen Thi Lan", "Tran Van Minh": Vietnamese names put the family name first; the middle word gives it away.
_FAMILY_NAME_FIRST_MARKERS = frozenset({"thi", "thị", "van", "văn"})


@dataclass(frozen=True)
class BlockText:
    """One template block as plain data."""

    kind: str
    topic: str  # "" = any topic
    text: str


@dataclass(frozen=True)
class ReplyContext:
    """Who the reply speaks for and where the reviewer can reach them privately."""

    practice: str
    location: str = ""
    phone: str = ""
    email: str = ""
    signature: str = ""
    language: str = "en"  # the draft's language: "or" between phone and e-mail is "o" in Spanish

    @property
    def channel(self) -> str:
        return (" o " if self.language == "es" else " or ").join(part for part in (self.phone, self.email) if part)

    def values(self, first_name: str) -> dict[str, str]:
        return {
            "first_name": first_name,
            "practice": self.practice,
            "location": self.location or self.practice,
            "phone": self.phone or self.channel,
            "email": self.email or self.channel,
            "channel": self.channel,
            "signature": self.signature or f"— The {self.practice} team",
        }


@dataclass(frozen=True)
class ReviewInput:
    """The parts of a review that drafting reads; `identity` must be stable (platform + external id)."""

    identity: str
    author_name: str = ""
    rating: int | None = None
    text: str = ""


@dataclass(frozen=True)
class Draft:
    """A drafted reply (or the reason there is none). `verdict` is the guard's, when it was run."""

    topic: str
    topics: list[str] = field(default_factory=list)
    text: str = ""
    skipped: bool = False
    reason: str = ""
    verdict: object | None = None
    language: str = "en"  # the language the draft is written in

    @property
    def blocked(self) -> bool:
        return bool(self.verdict is not None and self.verdict.blocked)


def placeholders_in(text: str) -> set[str]:
    """The placeholder names used in a template text; ValueError if its braces are malformed."""
    names = set()
    for _literal, name, spec, conversion in string.Formatter().parse(text):
        if name is None:
            continue
        if spec or conversion or not name.isidentifier():
            raise ValueError(f"“{{{name}}}” is not a simple placeholder")
        names.add(name)
    return names


def first_name_from(display_name: str) -> str:
    """The reviewer's first name if the display name looks like a real name, else "".

    Never the full display name, never a handle ("sweetpea303", "wanderlust_jen"), never a
    single word (it could be a nickname or a surname), never a title ("Dr. Smith").
    """
    words = (display_name or "").split()
    if not 2 <= len(words) <= 4:
        return ""
    first, rest = words[0], words[1:]
    if not _NAME_WORD.match(first) or len(first) < 2 or len(first) > 20:
        return ""
    if not (first[0].isupper() and first[1:] == first[1:].lower()):
        return ""
    if first.lower() in _NOT_FIRST_NAMES:
        return ""
    if not all(_INITIAL.match(w) or (_NAME_WORD.match(w) and w[0].isupper()) for w in rest):
        return ""
    if all(_INITIAL.match(w) for w in words):
        return ""
    if len(words) >= 3 and any(w.lower() in _FAMILY_NAME_FIRST_MARKERS for w in words[1:-1]):
        return ""
    return first


def variant_index(identity: str, kind: str, count: int, offset: int = 0) -> int:
    """Stable choice among `count` variants for this review and kind (sha256, not Python's hash())."""
    digest = hashlib.sha256(f"{identity}\x1f{kind}".encode()).digest()
    return (int.from_bytes(digest[:8], "big") + offset) % count


def blocks_for(library: Sequence[BlockText], kind: str, topic: str) -> list[BlockText]:
    """The topic's own blocks of this kind, else the any-topic ones (in library order)."""
    own = [b for b in library if b.kind == kind and b.topic == topic]
    return own or [b for b in library if b.kind == kind and not b.topic]


def _without_first_name(template: str) -> str:
    """The template with {first_name} taken out so the sentence still reads naturally."""
    text = re.sub(r"\bHola\s+\{first_name\}", "Hola", template)  # "Hola {first_name}, gracias" -> "Hola, gracias"
    text = re.sub(r"\b(Hi|Hello|Hey)\s+\{first_name\}", r"\1 there", text)
    text = re.sub(r",\s*\{first_name\}\s*,\s*", " ", text)  # "Thank you, {first_name}, for" -> "Thank you for"
    text = re.sub(r",?\s*\{first_name\}(?=\s*[.!?])", "", text)  # "Thank you, {first_name}!" -> "Thank you!"
    text = re.sub(r"^\s*\{first_name\}\s*,\s*(\w)", lambda m: m.group(1).upper(), text)
    return text.replace("{first_name}", "")


def fill(template: str, context: ReplyContext, first_name: str = "") -> str:
    """Fill a block's placeholders; without a first name, the sentence is reshaped around its absence."""
    if not first_name:
        template = _without_first_name(template)
    values = context.values(first_name)
    text = template.format_map({name: values.get(name, "") for name in placeholders_in(template)})
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def is_positive(topic: str, rating: int | None) -> bool:
    """A thank-you (no private channel needed) only for praise rated 4-5 or unrated."""
    return topic in POSITIVE_TOPICS and (rating is None or rating >= 4)


def compose(
    *, review: ReviewInput, topics: Sequence[str], library: Sequence[BlockText], context: ReplyContext,
    offset: int = 0, use_name: bool = True, generic: bool = False,
) -> str:
    """The reply text for `review` from `library`; `offset` moves every kind to its next variant;
    `generic` uses the any-topic blocks even where the topic has its own."""
    topic = topics[0] if topics else ""
    first_name = first_name_from(review.author_name) if use_name else ""
    # A first name the review's own text also uses could read as echoing someone the review named.
    if first_name and re.search(rf"\b{re.escape(first_name)}\b", review.text or "", re.I):
        first_name = ""
    positive = is_positive(topic, review.rating)
    kinds = (Kind.THANKS,) if positive else NEGATIVE_KINDS
    # Praise with a complaint inside ("lovely staff, but a 50-minute wait"): thank or acknowledge as the review's
    # main topic says, then listen and resolve as the complaint's topic says.
    complaint = next((t for t in topics[1:] if t in COMPLAINT_TOPICS), "")
    if complaint and (positive or topic == Topic.MIXED):
        kinds = (Kind.THANKS if positive else Kind.ACKNOWLEDGE, Kind.LISTEN, Kind.RESOLVE)
    parts = []
    for kind in kinds:
        kind_topic = complaint if complaint and kind in (Kind.LISTEN, Kind.RESOLVE) and len(kinds) == 3 \
            and (positive or topic == Topic.MIXED) else topic
        choices = blocks_for(library, kind, "" if generic else kind_topic)
        if not choices:
            continue
        block = choices[variant_index(review.identity, kind, len(choices), offset)]
        # Only the first block greets the reviewer by name.
        parts.append(fill(block.text, context, first_name if not parts else ""))
    body = " ".join(part for part in parts if part)
    if (not positive or complaint) and context.channel and not _offers_channel(body, context):
        offer = ("Puede comunicarse con nosotros en privado al" if context.language == "es"
                 else "You can reach us privately at")
        body = f"{body} {offer} {context.channel}.".strip()
    signature = context.values("")["signature"]
    if signature and signature not in body:
        body = f"{body}\n\n{signature}"
    return body


def _offers_channel(text: str, context: ReplyContext) -> bool:
    return any(part and part in text for part in (context.phone, context.email))


def candidates(
    *, review: ReviewInput, topics: Sequence[str], library: Sequence[BlockText], context: ReplyContext,
    attempts: int = 3,
) -> Iterator[str]:
    """Texts to try in order until the guard passes one: each variant with the name, then without it; last,
    the any-topic blocks, whose wording is least likely to repeat a word the review used. Lazy: most drafts
    pass with their first text, and composing the other eleven would cost more than drafting needs."""
    seen: set[str] = set()
    for generic in (False, True):
        for offset in range(attempts):
            for use_name in (True, False):
                text = compose(review=review, topics=topics, library=library, context=context,
                               offset=offset, use_name=use_name, generic=generic)
                if text not in seen:
                    seen.add(text)
                    yield text


def skip_reason(*, review: ReviewInput, topics: Iterable[str]) -> str:
    """Why this review should get no reply, or ""."""
    topics = list(topics)
    if topics and topics[0] == Topic.SPAM_OR_FAKE:
        return SKIP_REASONS["spam"]
    if not (review.text or "").strip() and review.rating is None:
        return SKIP_REASONS["empty"]
    return ""
