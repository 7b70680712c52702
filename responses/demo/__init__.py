"""A fictional demo practice for `make run`: locations, staff, two users and a few dozen reviews."""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from responses import workflow
from responses.drafting import detect_topics, template_blocks_seed
from responses.escalation.services import review_escalate_if_needed
from responses.models import Location, Practice, Reply, Review, Role, StaffMember, text_sha256
from responses.practice.models import PublicContact
from responses.roles import membership_grant

DEMO_PRACTICE = {
    "name": "Juniper Lane Aesthetics",
    "phone": "(720) 555-0142",
    "email": "care@juniperlane.example",
    "website": "www.juniperlane.example",
    "address": "1200 Pearl St, Suite 4, Boulder, CO 80302",
    "signature": "— The Juniper Lane team",
}
DEMO_STAFF = [
    ("Hannah Cho", "Client Experience Lead"),
    ("Jordan Miles", "Nurse Practitioner"),
    ("Sofia Ramirez", "Medical Aesthetician"),
    ("Dr. Tomas Lindqvist", "Medical Director"),
]
DEMO_LOCATIONS = [
    ("Boulder", "(720) 555-0142", "care@juniperlane.example", "1200 Pearl St, Suite 4, Boulder, CO 80302"),
    ("Denver Highlands", "(720) 555-0157", "highlands@juniperlane.example", "3300 W 32nd Ave, Denver, CO 80211"),
]
DEMO_PUBLIC_CONTACTS = [("Billing office", "(720) 555-0163", "billing@juniperlane.example")]
DEMO_USERS = [("frontdesk", "Riley", "Front Desk", Role.FRONT_DESK), ("manager", "Morgan", "Manager", Role.MANAGER)]


@dataclass
class DemoResult:
    practice: Practice
    reviews_created: int
    password: str


def demo_password() -> str:
    """DEMO_PASSWORD if set; else a random password kept in var/ so repeated runs keep working logins."""
    from_env = settings.DEMO_PASSWORD
    if from_env:
        return from_env
    path = Path(settings.VAR_DIR) / "demo-password"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(12)
    path.write_text(password + "\n")
    path.chmod(0o600)
    return password


@transaction.atomic
def demo_load(*, password: str) -> DemoResult:
    """Create or refresh the demo practice. Safe to run any number of times: nothing is duplicated."""
    practice, _ = Practice.objects.update_or_create(name=DEMO_PRACTICE["name"], defaults=DEMO_PRACTICE)
    for name, role in DEMO_STAFF:
        StaffMember.objects.update_or_create(practice=practice, name=name, defaults={"role": role})
    locations = []
    for name, phone, email, address in DEMO_LOCATIONS:
        location, _ = Location.objects.update_or_create(
            practice=practice, name=name, defaults={"phone": phone, "email": email, "address": address}
        )
        locations.append(location)
    for label, phone, email in DEMO_PUBLIC_CONTACTS:
        PublicContact.objects.update_or_create(practice=practice, label=label, defaults={"phone": phone, "email": email})

    User = get_user_model()
    users = {}
    for username, first, last, role in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username, defaults={"first_name": first, "last_name": last})
        user.set_password(password)
        user.save()
        membership_grant(user=user, practice=practice, role=role)
        users[username] = user

    template_blocks_seed(practice=practice)

    rows = json.loads((Path(__file__).parent / "reviews.json").read_text(encoding="utf-8"))
    now = timezone.now()
    created = 0
    for index, row in enumerate(rows):
        location = locations[index % len(locations)]
        if Review.objects.filter(location=location, platform=row["platform"], external_id=row["external_id"]).exists():
            continue
        review = Review.objects.create(
            location=location,
            platform=row["platform"],
            external_id=row["external_id"],
            author_name=row["author_name"],
            rating=row["rating"],
            text=row["text"],
            text_sha256=text_sha256(row["text"]),
            posted_at=now - timedelta(days=row["days_ago"], hours=index % 7),
            topics=detect_topics(row["text"], row["rating"]),
        )
        created += 1
        if row.get("reply"):
            _demo_reply(review, row["reply"], frontdesk=users["frontdesk"], manager=users["manager"])
        else:  # as any review arriving at the desk: the ones the rules call for are escalated
            review_escalate_if_needed(review=review, new=True)
    return DemoResult(practice=practice, reviews_created=created, password=password)


def _demo_reply(review: Review, stage: str, *, frontdesk, manager) -> None:
    """Walk a demo review's reply to `stage` through the real workflow (so the guard checks every step)."""
    reply = workflow.reply_start(review=review, actor=frontdesk)
    if stage == "drafting":
        return
    reply = workflow.reply_submit(reply=reply, actor=frontdesk)
    if stage == "awaiting_approval":
        return
    reply = workflow.reply_approve(reply=reply, actor=manager, expected_revision=reply.revision)
    if stage == "posted":
        posted_at = min(timezone.now(), review.posted_at + timedelta(hours=20 + review.pk % 30))
        # The demo's reviews are days old: their replies were approved back then, just before they went out.
        Reply.objects.filter(pk=reply.pk).update(approved_at=posted_at - timedelta(minutes=30))
        reply.refresh_from_db()
        workflow.reply_mark_posted(reply=reply, actor=manager, posted_at=posted_at)
