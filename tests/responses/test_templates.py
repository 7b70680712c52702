"""Template blocks: the default library, seeding, and saving only what the guard passes, only by a manager."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from phi_guard.service import GuardInput, guard_check_many
from responses.drafting import template_block_save, template_blocks_seed
from responses.drafting.blocks import TemplateRefused, default_library, reply_context_for
from responses.drafting.compose import fill
from responses.drafting.forms import TemplateBlockForm
from responses.guarding import practice_profile
from responses.models import AuditEvent, TemplateBlock, Topic

NEGATIVE = ["wait_time", "billing_pricing", "staff_attitude", "bad_outcome", "complication",
            "booking_scheduling", "cleanliness", "communication", "mixed"]


def test_the_default_library_has_several_variants_for_every_topic():
    library = default_library()
    for topic in NEGATIVE:
        for kind in ("acknowledge", "listen", "resolve"):
            assert len([b for b in library if b.topic == topic and b.kind == kind]) >= 3, (topic, kind)
    for topic in ("positive_general", "positive_staff", "rating_only", ""):
        assert len([b for b in library if b.topic == topic and b.kind == "thanks"]) >= 3, topic
    assert {b.topic for b in library} <= set(Topic.values) | {""}


def test_every_default_block_passes_the_guard_with_the_practices_details(practice, location):
    template_blocks_seed(practice=practice)  # the library is the practice's approved wording
    context = reply_context_for(practice, location)
    texts = [fill(b.text, context, first_name) for b in default_library() for first_name in ("", "Kelsey")]
    verdicts = guard_check_many([GuardInput(text=t, reviewer_name="Kelsey P.") for t in texts],
                                practice=practice_profile(practice))
    blocked = [(t, [f.text for f in v.findings]) for t, v in zip(texts, verdicts) if v.blocked]
    assert blocked == []


def test_seeding_gives_a_practice_the_defaults_once(practice):
    both = len(default_library()) + len(default_library("es"))
    assert template_blocks_seed(practice=practice) == both
    assert template_blocks_seed(practice=practice) == 0
    assert practice.template_blocks.count() == both
    assert practice.template_blocks.filter(language="es").count() == len(default_library("es"))


def test_seeding_leaves_a_practice_with_its_own_blocks_alone(practice):
    TemplateBlock.objects.create(practice=practice, kind="thanks", text="Thank you!")
    # Its English blocks stay as they are; only a language it has no blocks in gets the defaults.
    assert template_blocks_seed(practice=practice) == len(default_library("es"))
    assert practice.template_blocks.filter(language="en").count() == 1


def test_a_manager_saves_a_clean_block_and_it_is_audited(practice, location, bob):
    block = template_block_save(practice=practice, actor=bob, kind="resolve", topic="wait_time",
                                text="Please call {location} at {phone}, {first_name}.")
    assert block.pk and block.updated_by == bob and block.topic == "wait_time"
    event = AuditEvent.objects.get(action="template_saved")
    assert event.actor == bob and event.details == {"template_block": block.pk}

    edited = template_block_save(practice=practice, actor=bob, kind="resolve", topic="", block=block,
                                 text="Please reach us at {channel}.", active=False)
    assert edited.pk == block.pk and not edited.active and edited.topic == ""


def test_front_desk_cannot_save_template_blocks(practice, alice):
    with pytest.raises(PermissionDenied):
        template_block_save(practice=practice, actor=alice, kind="thanks", topic="", text="Thank you!")
    assert not TemplateBlock.objects.exists()


def test_a_manager_of_another_practice_cannot_save_its_blocks(practice, charlie):
    with pytest.raises(PermissionDenied):
        template_block_save(practice=practice, actor=charlie, kind="thanks", topic="", text="Thank you!")


@pytest.mark.parametrize("text, says", [
    ("We look forward to seeing you at your next appointment, {first_name}!", "PHI guard"),
    ("We're sorry the Botox didn't take. Call {channel}.", "PHI guard"),
    ("We'll redo it for free. Call {channel}.", "PHI guard"),
    ("Please call {clinic_phone}.", "Unknown placeholder {clinic_phone}"),
    ("Please call {channel!r}.", "simple placeholder"),
    ("Please call {channel.", "Placeholders are written like"),
    ("Please call us any time.", "must offer the private channel"),
    ("   ", "cannot be empty"),
])
def test_it_refuses_a_block_the_guard_blocks_or_that_it_cannot_fill(practice, location, bob, text, says):
    with pytest.raises(TemplateRefused) as refused:
        template_block_save(practice=practice, actor=bob, kind="resolve", topic="", text=text)
    assert says in str(refused.value)
    assert not TemplateBlock.objects.exists()
    assert not AuditEvent.objects.filter(action="template_saved").exists()


def test_the_admin_form_runs_the_same_checks(practice, location):
    form = TemplateBlockForm(data={"practice": practice.pk, "kind": "acknowledge", "topic": "",
                                   "text": "Thanks for coming to your appointment, {first_name}.", "active": True})
    assert not form.is_valid()
    assert "PHI guard" in " ".join(form.errors["text"])

    form = TemplateBlockForm(data={"practice": practice.pk, "kind": "acknowledge", "topic": "",
                                   "text": "Hi {nickname}, thank you.", "active": True})
    assert not form.is_valid() and "Unknown placeholder" in " ".join(form.errors["text"])

    form = TemplateBlockForm(data={"practice": practice.pk, "kind": "acknowledge", "topic": "",
                                   "text": "Hi {first_name}, thank you for your feedback.", "active": True})
    assert form.is_valid(), form.errors


def test_saving_through_the_admin_goes_through_the_service(client, django_user_model, practice, location):
    admin_user = django_user_model.objects.create_superuser("root", password="not-a-real-password-123")
    client.force_login(admin_user)
    response = client.post("/admin/responses/templateblock/add/", {
        "practice": practice.pk, "kind": "thanks", "topic": "", "text": "Thank you, {first_name}!", "active": "on",
    })
    assert response.status_code == 302, response.content[:500]
    block = TemplateBlock.objects.get()
    assert block.updated_by == admin_user
    assert AuditEvent.objects.filter(action="template_saved", details__template_block=block.pk).exists()
