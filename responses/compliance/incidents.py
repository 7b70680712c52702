"""Incidents: a posted reply that should not have been posted. Take it down, replace it through the normal approval
flow, assess the breach risk (the four factors of the HIPAA breach rule), decide, close. Every step is audited
(ids, states and choices; the assessment's notes never leave the record)."""
from __future__ import annotations

import logging
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from responses import workflow
from responses.audit import audit_record
from responses.compliance.models import GuardScan, Incident, ReplyPosting
from responses.guarding import safe_rewrite_for
from responses.models import Platform, PlatformConnection, Practice, Reply
from responses.roles import require_permission

logger = logging.getLogger(__name__)

# What a manager does by hand where no connection can delete the reply (and the link to start from).
TAKEDOWN_STEPS = {
    Platform.GOOGLE: ("Open Google Business Profile → Reviews, find the review, choose Delete reply.",
                      "https://business.google.com/reviews"),
    Platform.YELP: ("Log in to Yelp for Business → Reviews, open the review, choose Delete public comment.",
                    "https://biz.yelp.com/"),
    Platform.FACEBOOK: ("On the practice's Facebook page → Reviews, open your comment under the review, "
                        "choose Delete.", "https://www.facebook.com/"),
    Platform.REALSELF: ("Log in to the RealSelf provider dashboard → Reviews, edit the response and remove it "
                        "(or ask RealSelf support).", "https://www.realself.com/"),
    Platform.HEALTHGRADES: ("Log in to Healthgrades for Providers → Reviews, remove the response, or ask "
                            "provider support to remove it.", "https://update.healthgrades.com/"),
    Platform.OTHER: ("Remove the reply on the site where it was posted, then mark it removed here.", ""),
}


class IncidentError(Exception):
    """A refused incident step; the message is for the manager and holds no patient text."""


def _live_posting(reply: Reply) -> ReplyPosting | None:
    return reply.postings.filter(taken_down_at__isnull=True).order_by("-posted_at", "-id").first()


def incident_open(*, posting: ReplyPosting, source: str, actor=None, scan: GuardScan | None = None) -> Incident:
    """Open an incident for a posting, or return the one already open for it (scans run again and again)."""
    existing = Incident.objects.filter(posting=posting, status=Incident.Status.OPEN).first()
    if existing is not None:
        return existing
    practice = posting.reply.review.location.practice
    try:
        with transaction.atomic():
            incident = Incident.objects.create(
                practice=practice, posting=posting, source=source, scan=scan,
                opened_by=actor if getattr(actor, "is_authenticated", False) else None,
                discovered_on=timezone.localdate(),
            )
    except IntegrityError:  # a concurrent scan opened it first
        return Incident.objects.get(posting=posting, status=Incident.Status.OPEN)
    audit_record(action="incident_opened", actor=actor, reply=posting.reply, incident=incident.pk,
                 posting=posting.pk, source=source, scan=scan.pk if scan else None)
    logger.info("incident %s opened for posting %s (%s)", incident.pk, posting.pk, source)
    return incident


def incident_raise(*, reply: Reply, actor) -> Incident:
    """A manager raises an incident about a reply that is public now."""
    require_permission(actor, "manage_compliance")
    posting = _live_posting(reply)
    if posting is None:
        raise IncidentError("This reply is not public (never posted, or already taken down).")
    return incident_open(posting=posting, source=Incident.Source.MANAGER, actor=actor)


def _open_or_refuse(incident: Incident, actor) -> None:
    require_permission(actor, "manage_compliance")
    if incident.status != Incident.Status.OPEN:
        raise IncidentError("This incident is closed.")


def takedown_connection(incident: Incident) -> PlatformConnection | None:
    """The connection that can delete this reply through the platform's API (Google only, today)."""
    review = incident.posting.reply.review
    if review.platform != Platform.GOOGLE:
        return None
    return (
        PlatformConnection.objects.filter(
            location=review.location, platform=Platform.GOOGLE, kind=PlatformConnection.Kind.GOOGLE_BUSINESS
        )
        .exclude(secret_encrypted="")  # a Google grant (refresh token) is stored
        .order_by("-publish_enabled", "pk")
        .first()
    )


def takedown_steps(incident: Incident) -> tuple[str, str]:
    """The manual steps and a link for the posting's platform."""
    return TAKEDOWN_STEPS.get(incident.posting.reply.review.platform, TAKEDOWN_STEPS[Platform.OTHER])


def incident_take_down(*, incident: Incident, actor, manual: bool = False) -> Incident:
    """Delete the posted reply through the platform's API, or (manual=True) record that the manager removed it
    by hand following the platform's steps."""
    _open_or_refuse(incident, actor)
    if incident.takedown != Incident.Takedown.PENDING:
        raise IncidentError("This reply is already down.")
    review = incident.posting.reply.review
    how = Incident.Takedown.MANUAL
    if not manual:
        from responses.platforms.google import google_reply_delete
        from responses.platforms.http import PlatformHTTPError

        connection = takedown_connection(incident)
        if connection is None:
            raise IncidentError("No platform connection can delete this reply: follow the manual steps, "
                                "then mark it removed.")
        try:
            google_reply_delete(connection=connection, review=review)
        except PlatformHTTPError as exc:
            audit_record(action="incident_takedown_failed", actor=actor, review=review, incident=incident.pk)
            raise IncidentError(f"The reply is still public: {exc}") from None
        how = Incident.Takedown.PLATFORM_API
    now = timezone.now()
    with transaction.atomic():
        updated = Incident.objects.filter(pk=incident.pk, takedown=Incident.Takedown.PENDING).update(
            takedown=how, taken_down_at=now, taken_down_by=actor
        )
        if not updated:
            raise IncidentError("Someone else recorded the takedown just now.")
        ReplyPosting.objects.filter(pk=incident.posting_id).update(taken_down_at=now)
        audit_record(action="incident_taken_down", actor=actor, review=review, incident=incident.pk,
                     posting=incident.posting_id, takedown=how)
    incident.refresh_from_db()
    return incident


def incident_replace(*, incident: Incident, actor, text: str | None = None) -> Reply:
    """Start the replacement reply (default: the guard's safe rewrite of the posted text); it then goes through
    submit, approval and post as usual."""
    _open_or_refuse(incident, actor)
    if incident.takedown == Incident.Takedown.PENDING:
        raise IncidentError("Take the posted reply down first; then write its replacement.")
    reply = Reply.objects.select_related("review__location__practice", "current_version").get(
        pk=incident.posting.reply_id
    )
    if reply.state != workflow.S.POSTED:
        raise IncidentError("The replacement is already under way; finish it on the review page.")
    if text is None:
        text = safe_rewrite_for(review=reply.review, text=incident.posting.version.text)
    try:
        return workflow.reply_reopen_for_replacement(reply=reply, actor=actor, text=text)
    except workflow.WorkflowError as exc:
        raise IncidentError(str(exc)) from None


def incident_assess(
    *, incident: Incident, actor, nature_and_extent: str, unauthorized_recipient: str, actually_viewed: str,
    mitigation: str, discovered_on: date | None = None,
) -> Incident:
    """Record the breach risk assessment: the four factors (and a corrected discovery date)."""
    _open_or_refuse(incident, actor)
    if actually_viewed not in Incident.Viewed.values:
        raise IncidentError("Say whether the information was actually viewed (yes, no evidence, unknown).")
    if discovered_on and discovered_on > timezone.localdate():
        raise IncidentError("The discovery date cannot be in the future.")
    incident.nature_and_extent = nature_and_extent.strip()[:5000]
    incident.unauthorized_recipient = unauthorized_recipient.strip()[:5000]
    incident.actually_viewed = actually_viewed
    incident.mitigation = mitigation.strip()[:5000]
    if discovered_on:
        incident.discovered_on = discovered_on
    incident.save(update_fields=["nature_and_extent", "unauthorized_recipient", "actually_viewed", "mitigation",
                                 "discovered_on"])
    audit_record(action="incident_assessed", actor=actor, review=incident.posting.reply.review, incident=incident.pk,
                 status="complete" if incident.assessment_complete else "partial")
    return incident


def incident_decide(*, incident: Incident, actor, decision: str) -> Incident:
    """The breach decision, by whom and when; only on a complete assessment."""
    _open_or_refuse(incident, actor)
    if decision not in (Incident.Decision.LOW_PROBABILITY, Incident.Decision.NOTIFY):
        raise IncidentError("Choose a decision.")
    if not incident.assessment_complete:
        raise IncidentError("Complete the risk assessment (all four factors) before deciding.")
    incident.decision, incident.decided_by, incident.decided_at = decision, actor, timezone.now()
    incident.save(update_fields=["decision", "decided_by", "decided_at"])
    audit_record(action="incident_decided", actor=actor, review=incident.posting.reply.review, incident=incident.pk,
                 decision=decision)
    return incident


def incident_close(*, incident: Incident, actor) -> Incident:
    """Close an incident whose reply is down and whose breach decision is made."""
    _open_or_refuse(incident, actor)
    if incident.takedown == Incident.Takedown.PENDING:
        raise IncidentError("The reply is still public: take it down before closing.")
    if not incident.decision:
        raise IncidentError("Record the breach decision before closing.")
    incident.status, incident.closed_at, incident.closed_by = Incident.Status.CLOSED, timezone.now(), actor
    incident.save(update_fields=["status", "closed_at", "closed_by"])
    audit_record(action="incident_closed", actor=actor, review=incident.posting.reply.review, incident=incident.pk,
                 decision=incident.decision)
    return incident


def incident_list_open(*, practice: Practice):
    return (
        Incident.objects.filter(practice=practice, status=Incident.Status.OPEN)
        .select_related("posting__reply__review__location")
        .order_by("discovered_on", "pk")
    )
