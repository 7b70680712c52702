"""A review in Spanish gets a Spanish draft from the practice's Spanish template blocks (which the manager edits
like the English ones, and the guard knows as approved wording); other languages get an English draft and a note."""
from __future__ import annotations

import pytest
from django.urls import reverse

from responses import workflow
from responses.drafting import draft_for_review, template_block_save, template_blocks_seed
from responses.drafting.blocks import default_library
from responses.drafting.topics import review_language
from responses.guarding import practice_profile
from responses.models import TemplateBlock

pytestmark = pytest.mark.django_db

SPANISH_COMPLAINT = "Pésimo. Esperé una hora y nadie me dijo nada. Muy mal servicio."
SPANISH_PRAISE = "Excelente servicio, el personal muy amable y todo muy limpio. Lo recomiendo."
FRENCH = "Le personnel était très gentil mais l'attente était trop longue."


@pytest.mark.parametrize("text, language", [
    (SPANISH_COMPLAINT, "es"), (SPANISH_PRAISE, "es"), ("Muy caro y nadie me explicó nada. No vuelvo.", "es"),
    (FRENCH, "fr"), ("O atendimento foi muito bom mas demorou demais.", "pt"),
])
def test_it_tells_spanish_from_its_neighbours(text, language):
    assert review_language(text) == language


def test_a_spanish_complaint_gets_a_spanish_draft_offering_the_private_channel(make_review, location):
    draft = draft_for_review(review=make_review(SPANISH_COMPLAINT, rating=1, author_name="Lucía M."))
    assert draft.language == "es" and not draft.blocked
    assert "gracias" in draft.text.lower() and "(303) 555-0186 o frontdesk@willowpine.example" in draft.text
    assert "Thank you" not in draft.text


def test_a_spanish_five_star_review_gets_a_spanish_thank_you(make_review, location):
    draft = draft_for_review(review=make_review(SPANISH_PRAISE, rating=5, author_name="Lucía M."))
    assert draft.language == "es" and not draft.blocked
    assert draft.text.startswith(("¡Muchas gracias", "Gracias por tomarse", "¡Gracias"))


def test_another_language_gets_an_english_draft_and_the_page_says_so(client, alice, make_review, location):
    review = make_review(FRENCH, rating=3, topics=["non_english"])
    assert draft_for_review(review=review).language == "en"
    client.force_login(alice)
    page = client.get(reverse("review_detail", args=[review.pk])).content.decode()
    assert "not in a language the practice drafts in: the draft is in English" in page


def test_the_managers_own_spanish_block_is_used_and_is_approved_wording(bob, practice, make_review, location):
    template_blocks_seed(practice=practice)
    assert practice.template_blocks.filter(language="es").count() == len(default_library("es"))
    TemplateBlock.objects.filter(practice=practice, language="es", kind="thanks").update(active=False)
    block = template_block_save(practice=practice, actor=bob, kind="thanks", topic="", language="es",
                                text="¡Mil gracias por su reseña, {first_name}! Un saludo de todo {practice}.")
    assert block.language == "es"
    draft = draft_for_review(review=make_review(SPANISH_PRAISE, rating=5, author_name="Lucía M."))
    assert draft.text.startswith("¡Mil gracias por su reseña, Lucía!")
    assert block.text in practice_profile(practice).approved


def test_a_spanish_draft_passes_strict_mode(bob, practice, make_review, location):
    template_blocks_seed(practice=practice)
    practice.guard_strict_mode = True
    practice.save(update_fields=["guard_strict_mode"])
    review = make_review(SPANISH_COMPLAINT, rating=1, author_name="Lucía M.")
    reply = workflow.reply_start(review=review, actor=bob)
    assert not reply.current_version.blocked
    assert workflow.reply_submit(reply=reply, actor=bob).state == "awaiting_approval"


def test_the_template_page_lists_spanish_blocks_on_their_own_tab(client, bob, practice):
    template_blocks_seed(practice=practice)
    client.force_login(bob)
    page = client.get(reverse("template_block_list"), {"language": "es", "kind": "resolve"}).content.decode()
    assert "Le invitamos a llamarnos" in page and "Privacy rules keep us" not in page
