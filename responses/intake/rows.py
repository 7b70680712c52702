"""One review row, from any input (paste form, file, platform feed), validated the same way.

Error messages describe the problem and never quote the review's text: a
misaligned CSV can put review text in any column, so only parsed numbers and
dates are ever echoed back.
"""
from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from responses.models import Platform

MAX_TEXT_LENGTH = 20_000
MAX_AUTHOR_LENGTH = 200  # Review.author_name
MAX_EXTERNAL_ID_LENGTH = 300  # Review.external_id
CLOCK_SKEW = timedelta(minutes=5)  # a review "posted" this far ahead is a clock difference, not an error
EARLIEST_POSTED_AT = datetime(2000, 1, 1, tzinfo=ZoneInfo("UTC"))  # before online reviews: a typo (0024 for 2024)

# Google Business Profile's StarRating enum.
_STAR_WORDS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}
_NO_RATING_WORDS = {"", "STAR_RATING_UNSPECIFIED", "NONE", "NULL", "N/A", "NA", "-"}
_PLATFORMS = {value: value for value in Platform.values} | {
    label.casefold(): value for value, label in Platform.choices
}
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class OwnerReply:
    """The practice's reply already on the platform (Google's reviewReply), and what moderation made of it."""

    text: str
    posted_at: datetime | None
    status: str  # a PlatformReplyStatus value ("" when the platform does not say)
    reason: str  # the platform's policy word for a rejection, or ""


@dataclass(frozen=True)
class ReviewRow:
    """A validated review, ready to be stored."""

    platform: str
    external_id: str
    author_name: str
    rating: int | None
    text: str
    posted_at: datetime
    platform_updated_at: datetime | None = None  # the platform's "last edited" time, when it gives one
    owner_reply: OwnerReply | None = None


class RowInvalid(ValidationError):
    """The row's problems, per field (`message_dict`), each safe to show: no review text inside."""

    @property
    def reason(self) -> str:
        return "; ".join(message for messages in self.message_dict.values() for message in messages)


def _plain(value) -> str:
    """A string that PostgreSQL and UTF-8 accept: no NUL characters, no lone surrogates."""
    if value is None:
        return ""
    text = str(value).replace("\x00", "")
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _platform(value, default: str) -> str:
    raw = _plain(value).strip() or default
    if not raw:
        raise ValueError("platform is missing")
    platform = _PLATFORMS.get(raw.casefold())
    if platform is None:
        raise ValueError(f"platform must be one of {', '.join(Platform.values)}")
    return platform


def _rating(value) -> int | None:
    if isinstance(value, bool):  # JSON true/false is not a rating
        raise ValueError("rating must be a whole number 1-5 or empty")
    if isinstance(value, (int, float)):
        number = value
    else:
        raw = _plain(value).strip().upper()
        if raw in _NO_RATING_WORDS:
            return None
        raw = raw.removeprefix("STAR_RATING_")
        if raw in _STAR_WORDS:
            return _STAR_WORDS[raw]
        try:
            number = float(raw.replace(",", "."))
        except ValueError:
            raise ValueError("rating must be a whole number 1-5 or empty (got a non-numeric value)") from None
    if not math.isfinite(number) or number != int(number):  # NaN, infinity or a fraction
        raise ValueError(f"rating must be a whole number 1-5, got {number:g}")
    if not 1 <= number <= 5:
        raise ValueError(f"rating must be 1-5, got {int(number)}")
    return int(number)


def _posted_at(value, zone: ZoneInfo | None = None) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        raw = _plain(value).strip()
        if not raw:
            raise ValueError("posted_at is missing")
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            raise ValueError("posted_at must be an ISO-8601 date/time such as 2024-03-01T14:30:00Z") from None
    if timezone.is_naive(moment):  # a time without an offset is the location's wall-clock time
        moment = moment.replace(tzinfo=zone or ZoneInfo(settings.TIME_ZONE))
    try:
        too_early = moment < EARLIEST_POSTED_AT
    except OverflowError:  # year 1 with a positive offset is before year 1 in UTC
        too_early = True
    if too_early:
        raise ValueError("posted_at is before 2000; check the year")
    if moment > timezone.now() + CLOCK_SKEW:
        raise ValueError(f"posted_at is in the future ({moment.isoformat(timespec='seconds')})")
    return moment


def _moment_or_none(value) -> datetime | None:
    """An optional platform time (an edit time, a reply's time): unreadable means unknown, not a bad row."""
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(_plain(value).strip())
        except ValueError:
            return None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    return moment


def _owner_reply(value) -> OwnerReply | None:
    """{"text", "posted_at", "status", "reason"} (files.google_review_fields reads Google's reviewReply so)."""
    if not isinstance(value, dict):
        return None
    text = _plain(value.get("text")).strip()
    if not text:
        return None
    return OwnerReply(
        text=text[: MAX_TEXT_LENGTH],
        posted_at=_moment_or_none(value.get("posted_at")),
        status=str(value.get("status") or ""),
        reason=str(value.get("reason") or ""),
    )


def _text(value, rating: int | None) -> str:
    text = _plain(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > MAX_TEXT_LENGTH:
        raise ValueError(f"text is {len(text):,} characters; the limit is {MAX_TEXT_LENGTH:,}")
    if not text and rating is None:
        raise ValueError("a review needs a rating or a text (both are empty)")
    return text


def _external_id(value) -> str:
    external_id = _WHITESPACE.sub(" ", _plain(value)).strip()
    if len(external_id) > MAX_EXTERNAL_ID_LENGTH:
        raise ValueError(f"external_id is longer than {MAX_EXTERNAL_ID_LENGTH} characters")
    return external_id


def generated_external_id(*, platform: str, author_name: str, posted_at: datetime, text: str) -> str:
    """A stable id for a review that came without one (pasted, or a file row with no external_id).

    The same platform, author, posting time and text always give the same id, so pasting or
    importing a review twice stores it once. An edited text gives a new id: only a platform's
    own ids let an edit be recognised as an edit.
    """
    moment = posted_at.astimezone(ZoneInfo("UTC")).replace(microsecond=0).isoformat()
    key = "\x1f".join((platform, author_name.casefold(), moment, text))
    return "rd-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]


def is_generated_external_id(external_id: str) -> bool:
    """True for ids made by generated_external_id (the platform's own id is unknown)."""
    return external_id.startswith("rd-") and len(external_id) == 43


def row_validate(raw: dict, *, default_platform: str = "", zone: ZoneInfo | None = None) -> ReviewRow:
    """Validate one review's fields (values as they came: strings, numbers, datetimes or None). A posted_at
    without an offset is read in `zone` (the location's time zone; the desk's TIME_ZONE when not given).

    Raises RowInvalid listing every problem of the row.
    """
    problems: dict[str, str] = {}

    def field(name, parse, *args):
        try:
            return parse(*args)
        except ValueError as exc:
            problems[name] = str(exc)
            return None

    platform = field("platform", _platform, raw.get("platform"), default_platform)
    external_id = field("external_id", _external_id, raw.get("external_id"))
    rating = field("rating", _rating, raw.get("rating"))
    posted_at = field("posted_at", _posted_at, raw.get("posted_at"), zone)
    if "rating" in problems:
        # Without a usable rating we cannot tell whether an empty text is allowed; judge length only.
        text = field("text", _text, raw.get("text"), 0)
    else:
        text = field("text", _text, raw.get("text"), rating)
    author_name = _WHITESPACE.sub(" ", _plain(raw.get("author_name"))).strip()[:MAX_AUTHOR_LENGTH]
    if problems:
        raise RowInvalid({name: [message] for name, message in problems.items()})
    if not external_id:
        external_id = generated_external_id(
            platform=platform, author_name=author_name, posted_at=posted_at, text=text
        )
    return ReviewRow(
        platform=platform,
        external_id=external_id,
        author_name=author_name,
        rating=rating,
        text=text,
        posted_at=posted_at,
        platform_updated_at=_moment_or_none(raw.get("updated_at")) if raw.get("updated_at") else None,
        owner_reply=_owner_reply(raw.get("owner_reply")),
    )
