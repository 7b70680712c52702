"""Time as the practice lives it: a location's time zone (else the practice's, else the desk's TIME_ZONE), and the
response target counted in that zone's calendar days.

A review posted on a location's local day D with a target of N days is answered in time until the end of local day
D + N; from the next local midnight on it is past the target ("overdue"). Counting calendar days, not 24-hour
periods, is how a practice reads "within two days", and it keeps the day boundaries right across DST changes.
The inbox's "posted in the last 7 days" counts the same days: today and the six before it, from local midnight.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from responses.models import Location, Practice
from responses.practice.selectors import practice_settings_for


def _zone(name: str, fallback: ZoneInfo | None = None) -> ZoneInfo:
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):  # a name tzdata no longer knows: use the fallback
            pass
    return fallback or ZoneInfo(settings.TIME_ZONE)


def practice_time_zone(practice: Practice) -> ZoneInfo:
    """The practice's time zone (desk settings), else the desk's TIME_ZONE."""
    return _zone(practice_settings_for(practice).time_zone)


def location_time_zone(location: Location, *, practice_zone: ZoneInfo | None = None) -> ZoneInfo:
    """The location's own time zone, else its practice's (`practice_zone`, when the caller has it)."""
    if location.time_zone:
        return _zone(location.time_zone, practice_zone)
    return practice_zone or practice_time_zone(location.practice)


def location_zones(practice: Practice) -> dict[int, ZoneInfo]:
    """Every location of the practice with its time zone (two queries)."""
    default = practice_time_zone(practice)
    return {pk: _zone(name, default) for pk, name in practice.locations.values_list("pk", "time_zone")}


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant local day `day` begins in `zone` (aware)."""
    return datetime.combine(day, time(0), tzinfo=zone)


def local_wall_time(value: datetime, zone: ZoneInfo) -> datetime:
    """A form's date and time (made aware in the request's time zone) read as the same wall-clock time in
    `zone`: what a person typed into a form about a location."""
    return timezone.make_aware(timezone.make_naive(value), zone)


def local_days_since(moment: datetime, *, now: datetime, zone: ZoneInfo) -> int:
    """Calendar days from `moment`'s local date to `now`'s, in `zone` (0 on the same local day)."""
    return max((now.astimezone(zone).date() - moment.astimezone(zone).date()).days, 0)


def response_deadline(posted_at: datetime, *, zone: ZoneInfo, target_days: int) -> datetime:
    """The instant a review posted at `posted_at` becomes past the target: the local midnight ending day D + N."""
    return local_midnight(posted_at.astimezone(zone).date() + timedelta(days=target_days + 1), zone)


def local_days_start(now: datetime, *, zone: ZoneInfo, days: int) -> datetime:
    """The local midnight that began the last `days` calendar days at `now` in `zone`: today and the `days - 1`
    days before it."""
    return local_midnight(now.astimezone(zone).date() - timedelta(days=days - 1), zone)


def _posted_q(zones: dict[int, ZoneInfo], *, now: datetime, days: int, lookup: str, prefix: str) -> Q:
    """posted_at `lookup` the start of the last `days` local days, each location in its own time zone."""
    by_zone: dict[str, list[int]] = {}
    for location_id, zone in zones.items():
        by_zone.setdefault(zone.key, []).append(location_id)
    condition = Q(pk__in=[])
    for key, location_ids in by_zone.items():
        start = local_days_start(now, zone=ZoneInfo(key), days=days)
        condition |= Q(**{f"{prefix}location_id__in": location_ids, f"{prefix}posted_at__{lookup}": start})
    return condition


def posted_in_last_days_q(zones: dict[int, ZoneInfo], *, now: datetime, days: int) -> Q:
    """Reviews posted in the last `days` calendar days at `now` (today and the `days - 1` before it, from local
    midnight), each counted in its own location's time zone. `zones` maps location ids to zones (location_zones)."""
    return _posted_q(zones, now=now, days=days, lookup="gte", prefix="")


def posted_before_last_days_q(zones: dict[int, ZoneInfo], *, now: datetime, days: int, prefix: str = "") -> Q:
    """Reviews (or `prefix`-related reviews) posted before the last `days` calendar days at `now`: the complement
    of posted_in_last_days_q, each counted in its own location's time zone."""
    return _posted_q(zones, now=now, days=days, lookup="lt", prefix=prefix)


def posted_before_target_q(zones: dict[int, ZoneInfo], *, now: datetime, target_days: int, prefix: str = "") -> Q:
    """Reviews (or `prefix`-related reviews) posted too long ago to be answered in time at `now`, each counted in
    its own location's time zone. `zones` maps location ids to zones (location_zones)."""
    # In time means posted today or in the N days before: the last N + 1 local days.
    return posted_before_last_days_q(zones, now=now, days=target_days + 1, prefix=prefix)
