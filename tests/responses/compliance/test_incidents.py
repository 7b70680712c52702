"""An incident from retro-scan to close: takedown through a local fake Google, replacement through the normal
approval flow, the breach risk assessment, the decision; and each refusal on the way."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from responses import workflow
from responses.compliance.incidents import (
    IncidentError,
    incident_assess,
    incident_close,
    incident_decide,
    incident_raise,
    incident_replace,
    incident_take_down,
)
from responses.compliance.models import GuardScan, Incident, ReplyPosting
from responses.compliance.rescan import guard_scan_run
from responses.models import AuditEvent, ReplyState
from tests.responses.compliance.conftest import REPLY
from tests.responses.conftest import TOKEN

pytestmark = pytest.mark.django_db

ASSESSMENT = {
    "nature_and_extent": "Names a treatment the reviewer had.",
    "unauthorized_recipient": "Anyone reading the practice's Google reviews.",
    "actually_viewed": "unknown",
    "mitigation": "Deleted within two hours of discovery.",
}


@pytest.fixture
def incident(make_review, post_reply, practice, glowmax_is_a_treatment):
    review = make_review(platform="google", external_id="AbCdEf-123_x")
    post_reply(review)
    glowmax_is_a_treatment()
    guard_scan_run(scan=GuardScan.objects.create(practice=practice))
    return Incident.objects.get()


def test_the_whole_story_from_retro_scan_to_closed(platform_api, google, incident, alice, bob):
    incident = incident_take_down(incident=incident, actor=bob)

    (request,) = platform_api.received
    assert (request.method, request.path) == ("DELETE", "/v4/accounts/111/locations/222/reviews/AbCdEf-123_x/reply")
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert incident.takedown == "platform_api" and incident.taken_down_by == bob
    assert ReplyPosting.objects.get().taken_down_at is not None

    reply = incident_replace(incident=incident, actor=bob)
    assert reply.state == ReplyState.DRAFTING and "Glowmax" not in reply.text
    reply = workflow.reply_submit(reply=reply, actor=alice)
    reply = workflow.reply_approve(reply=reply, actor=bob, expected_revision=reply.revision)
    platform_api.answer(200, {})
    reply = workflow.reply_publish(reply=reply, actor=bob)
    assert reply.state == ReplyState.POSTED
    assert ReplyPosting.objects.filter(reply=reply).count() == 2  # the first posting stays on record

    incident = incident_assess(incident=incident, actor=bob, **ASSESSMENT)
    incident = incident_decide(incident=incident, actor=bob, decision="low_probability")
    incident = incident_close(incident=incident, actor=bob)

    assert (incident.status, incident.decided_by, incident.closed_by) == ("closed", bob, bob)
    assert incident.notification_deadline == incident.discovered_on + timedelta(days=60)
    actions = list(AuditEvent.objects.filter(action__startswith="incident_").values_list("action", flat=True))
    assert set(actions) == {"incident_opened", "incident_taken_down", "incident_assessed", "incident_decided",
                            "incident_closed"}
    for details in AuditEvent.objects.values_list("details", flat=True):
        assert "two hours" not in str(details) and "Glowmax" not in str(details)


def test_a_platform_refusal_leaves_the_reply_public(platform_api, google, incident, bob):
    platform_api.answer(403, {"error": {"status": "PERMISSION_DENIED"}})

    with pytest.raises(IncidentError, match="still public.*HTTP 403"):
        incident_take_down(incident=incident, actor=bob)

    incident.refresh_from_db()
    assert incident.takedown == "pending"
    assert ReplyPosting.objects.get().taken_down_at is None


def test_without_a_connection_the_manager_follows_the_manual_steps(incident, bob, client):
    with pytest.raises(IncidentError, match="manual steps"):
        incident_take_down(incident=incident, actor=bob)
    client.force_login(bob)
    page = client.get(f"/compliance/incidents/{incident.pk}").content.decode()
    assert "Delete reply" in page and "I removed it by hand" in page

    incident = incident_take_down(incident=incident, actor=bob, manual=True)

    assert incident.takedown == "manual"


def test_it_refuses_to_replace_before_the_takedown(incident, bob):
    with pytest.raises(IncidentError, match="Take the posted reply down first"):
        incident_replace(incident=incident, actor=bob)


def test_it_refuses_a_decision_before_the_assessment_is_complete(incident, bob):
    incident_assess(incident=incident, actor=bob, **{**ASSESSMENT, "mitigation": ""})

    with pytest.raises(IncidentError, match="all four factors"):
        incident_decide(incident=incident, actor=bob, decision="notify")


def test_it_refuses_to_close_while_the_reply_is_public_or_undecided(incident, bob):
    with pytest.raises(IncidentError, match="still public"):
        incident_close(incident=incident, actor=bob)
    incident_take_down(incident=incident, actor=bob, manual=True)
    with pytest.raises(IncidentError, match="breach decision"):
        incident_close(incident=incident, actor=bob)


def test_it_refuses_a_discovery_date_in_the_future(incident, bob):
    with pytest.raises(IncidentError, match="future"):
        incident_assess(incident=incident, actor=bob, discovered_on=timezone.localdate() + timedelta(days=1),
                        **ASSESSMENT)


def test_a_manager_raises_an_incident_about_a_posted_reply(client, make_review, post_reply, bob):
    review = make_review()
    post_reply(review, text=REPLY)
    client.force_login(bob)

    response = client.post(f"/reviews/{review.pk}/incident")

    incident = Incident.objects.get()
    assert response.url == f"/compliance/incidents/{incident.pk}"
    assert (incident.source, incident.opened_by) == ("manager", bob)
    assert f"Incident #{incident.pk}" in client.get("/dashboard").content.decode()


def test_the_front_desk_cannot_handle_incidents(client, incident, alice):
    client.force_login(alice)

    assert client.get(f"/compliance/incidents/{incident.pk}").status_code == 403
    with pytest.raises(Exception, match="does not allow"):
        incident_raise(reply=incident.posting.reply, actor=alice)


def test_another_practice_never_sees_the_incident(client, incident, charlie):
    client.force_login(charlie)

    assert client.get(f"/compliance/incidents/{incident.pk}").status_code == 404
    assert client.post(f"/compliance/incidents/{incident.pk}/take-down", {"manual": "1"}).status_code == 404
