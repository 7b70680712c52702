"""The manager runs the practice in the app: profile, locations, staff, settings. alice (front desk) and
charlie (another practice's manager) are refused; every change is audited without the values typed."""
from __future__ import annotations

import pytest
from django.urls import reverse

from responses.drafting import draft_for_review
from responses.guarding import practice_profile, verdict_for_reply_text
from responses.models import AuditEvent, Location, StaffMember
from responses.practice import services
from responses.practice.models import PublicContact
from responses.workflow import WorkflowError

pytestmark = pytest.mark.django_db

MANAGER_GETS = ["practice_admin", "team", "location_new"]
MANAGER_POSTS = ["practice_profile_save", "practice_settings_save", "staff_member_add", "public_contact_add",
                 "member_invite"]


def as_user(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", MANAGER_GETS + MANAGER_POSTS)
def test_it_refuses_the_front_desk_every_administration_page(client, alice, name):
    method = client.get if name in MANAGER_GETS else client.post
    assert method(reverse(name)).status_code == 403 if as_user(client, alice) else False


@pytest.mark.parametrize("name", MANAGER_GETS)
def test_it_shows_the_manager_each_administration_page(client, bob, location, name):
    response = as_user(client, bob).get(reverse(name))
    assert response.status_code == 200
    assert b"<nav" in response.content


def test_it_sends_an_anonymous_visitor_to_the_login_page(client, practice):
    response = client.get(reverse("practice_admin"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_manager_sets_the_practice_phone_and_the_next_draft_offers_it(client, bob, location, make_review):
    # The location keeps no phone of its own, so replies offer the practice's.
    Location.objects.filter(pk=location.pk).update(phone="", email="")
    location.refresh_from_db()
    response = as_user(client, bob).post(reverse("practice_profile_save"), {
        "name": "Willow & Pine Medspa", "signature": "— The Willow & Pine team", "phone": "(720) 555-0142",
        "email": "hello@willowpine.example", "website": "www.willowpine.example", "address": "415 Larimer St",
    })
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="practice_profile_changed")
    assert event.actor == bob and set(event.details["fields"]) == {"phone", "email", "address"}
    assert "555" not in str(event.details)
    location.practice.refresh_from_db()
    assert practice_profile(location.practice).phone == "(720) 555-0142"
    draft = draft_for_review(review=make_review("The wait was so long and nobody explained why.", rating=2))
    assert "(720) 555-0142" in draft.text


def test_it_refuses_a_practice_without_a_name(client, bob, practice):
    response = as_user(client, bob).post(reverse("practice_profile_save"), {"name": "  "})
    assert response.status_code == 400
    practice.refresh_from_db()
    assert practice.name == "Willow & Pine Medspa"
    assert not AuditEvent.objects.filter(action="practice_profile_changed").exists()


def test_the_manager_adds_a_location_with_its_own_contacts_and_time_zone(client, bob, location):
    response = as_user(client, bob).post(reverse("location_new"), {
        "name": "Cherry Creek", "phone": "(303) 555-0199", "email": "creek@willowpine.example",
        "address": "1 Fillmore St", "time_zone": "America/Denver",
    })
    assert response.status_code == 302
    creek = Location.objects.get(name="Cherry Creek")
    assert creek.time_zone == "America/Denver" and creek.practice == bob.membership.practice
    assert "(303) 555-0199" in practice_profile(creek.practice).contacts
    assert AuditEvent.objects.get(action="location_added").details["location"] == creek.pk


def test_it_refuses_an_unknown_time_zone_and_a_duplicate_location_name(bob, practice, location):
    with pytest.raises(WorkflowError, match="time zone"):
        services.location_save(practice=practice, actor=bob, data={"name": "X", "time_zone": "Mars/Olympus"})
    with pytest.raises(WorkflowError, match="already has a location"):
        services.location_save(practice=practice, actor=bob, data={"name": "Larimer Square"})


def test_it_keeps_a_location_that_has_reviews(client, bob, location, review):
    Location.objects.create(practice=location.practice, name="Second")
    as_user(client, bob).post(reverse("location_remove", args=[location.pk]))
    assert Location.objects.filter(pk=location.pk).exists()


def test_charlie_cannot_edit_or_remove_willow_and_pines_location(client, charlie, location):
    as_user(client, charlie)
    assert client.get(reverse("location_edit", args=[location.pk])).status_code == 404
    assert client.post(reverse("location_remove", args=[location.pk])).status_code == 404
    assert Location.objects.filter(pk=location.pk).exists()


def test_the_staff_list_feeds_the_guards_allow_list(client, bob, practice):
    as_user(client, bob).post(reverse("staff_member_add"), {"name": "Mara Quinlan", "role": "Aesthetician"})
    assert any(s.name == "Mara Quinlan" for s in practice_profile(practice).staff)
    member = StaffMember.objects.get(name="Mara Quinlan")
    client.post(reverse("staff_member_remove", args=[member.pk]))
    assert not any(s.name == "Mara Quinlan" for s in practice_profile(practice).staff)
    assert [e.action for e in AuditEvent.objects.exclude(action="login").order_by("id")] == ["staff_member_added", "staff_member_removed"]


# (An e-mail address at the practice's own domain is the practice's already.)
BILLING_REPLY = ("Thank you for letting us know, Kelsey. Our billing office can go over any statement with you at "
                 "(303) 555-0147 or billing@willowpine.example.")


def test_a_billing_line_the_manager_adds_may_be_given_in_a_reply(client, bob, practice, review):
    blocked = verdict_for_reply_text(review=review, text=BILLING_REPLY)
    assert blocked.blocked and "PHONE_NUMBER" in {f.entity_type for f in blocked.findings}

    response = as_user(client, bob).post(reverse("public_contact_add"), {
        "label": "Billing office", "phone": "(303) 555-0147", "email": "billing@willowpine.example"})

    assert response.status_code == 302
    line = PublicContact.objects.get(practice=practice)
    assert "(303) 555-0147" in practice_profile(practice).contacts
    assert "PHONE_NUMBER" not in {f.entity_type for f in verdict_for_reply_text(review=review, text=BILLING_REPLY).findings}
    event = AuditEvent.objects.get(action="public_contact_added")
    assert event.details == {"public_contact": line.pk}  # ids only: not the number or the label
    page = client.get(reverse("practice_admin")).content.decode()
    assert "Billing office" in page and "(303) 555-0147" in page


def test_a_removed_line_is_blocked_again(client, bob, practice, review):
    line = services.public_contact_add(practice=practice, actor=bob, label="Billing office", phone="(303) 555-0147")

    as_user(client, bob).post(reverse("public_contact_remove", args=[line.pk]))

    assert not PublicContact.objects.exists()
    assert "PHONE_NUMBER" in {f.entity_type for f in verdict_for_reply_text(review=review, text=BILLING_REPLY).findings}
    assert AuditEvent.objects.get(action="public_contact_removed").details == {"public_contact": line.pk}


def test_it_refuses_a_line_without_a_phone_or_an_e_mail(client, bob, practice):
    response = as_user(client, bob).post(reverse("public_contact_add"), {"label": "Billing office"})

    assert response.status_code == 400
    assert response.content.decode().count("Give the line&#x27;s phone number or e-mail address.") == 1
    assert not PublicContact.objects.exists()
    with pytest.raises(WorkflowError, match="phone number or e-mail"):
        services.public_contact_add(practice=practice, actor=bob, label="Billing office", phone="  ")


def test_it_refuses_a_second_line_with_the_same_label(bob, practice):
    services.public_contact_add(practice=practice, actor=bob, label="Billing office", phone="(303) 555-0147")
    with pytest.raises(WorkflowError, match="already listed"):
        services.public_contact_add(practice=practice, actor=bob, label="billing OFFICE", email="b@willowpine.example")


def test_charlie_cannot_remove_willow_and_pines_line(client, bob, charlie, practice):
    line = services.public_contact_add(practice=practice, actor=bob, label="Línea en español", phone="(303) 555-0148")

    assert as_user(client, charlie).post(reverse("public_contact_remove", args=[line.pk])).status_code == 404
    assert PublicContact.objects.filter(pk=line.pk).exists()


def test_it_refuses_a_staff_name_already_listed(bob, practice):
    with pytest.raises(WorkflowError, match="already on the staff list"):
        services.staff_member_add(practice=practice, actor=bob, name="renee okafor")


def test_the_manager_sets_the_response_target_and_escalation_keywords(client, bob, practice):
    response = as_user(client, bob).post(reverse("practice_settings_save"), {
        "response_target_days": "5", "escalation_keywords": "lawyer\n\nrefund\nlawyer",
        "draft_languages": ["en", "es"], "default_language": "en",
    })
    assert response.status_code == 302
    desk = services.practice_settings_get(practice=practice)
    assert desk.response_target_days == 5 and desk.keyword_list == ["lawyer", "refund"]
    assert AuditEvent.objects.get(action="practice_settings_changed").details["fields"] == [
        "response_target_days", "escalation_keywords"]


def test_it_refuses_a_response_target_outside_one_to_thirty_days(client, bob, practice):
    response = as_user(client, bob).post(reverse("practice_settings_save"), {"response_target_days": "0"})
    assert response.status_code == 400
    assert services.practice_settings_get(practice=practice).response_target_days == 2


def test_charlie_cannot_change_willow_and_pine_through_the_service(charlie, practice):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.practice_profile_update(practice=practice, actor=charlie, data={"phone": "1"})
