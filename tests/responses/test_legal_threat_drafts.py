"""A review threatening a lawyer, a lawsuit or a complaint to a board is answered, once a manager has de-escalated
it, from the legal-threat blocks: it acknowledges, says nothing specific, offers the private channel and admits
nothing, and every variant passes the PHI guard. A threat written in Spanish ("mi abogado", "una demanda", "la junta
médica") is escalated the same way and answered from the Spanish legal-threat blocks. Parking, signage and phone
complaints get the logistics blocks."""
from __future__ import annotations

import re
from importlib import import_module

import pytest
from django.apps import apps

from phi_guard.service import guard_check
from responses import workflow
from responses.drafting import detect_topics, draft_for_review, template_blocks_seed
from responses.drafting.blocks import default_library, reply_context_for
from responses.drafting.compose import ReviewInput, compose
from responses.escalation.models import Escalation
from responses.escalation.rules import escalation_reason_for
from responses.escalation.services import review_deescalate
from responses.guarding import practice_profile
from responses.intake import review_paste
from responses.models import TemplateBlock, Topic
from tests.responses.test_serious_drafts import DISMISSIVE

pytestmark = pytest.mark.django_db

LEGAL_THREATS = [
    "I was overcharged and nobody listened. My lawyer will be contacting you.",
    "Rude staff and a botched appointment. I am filing a complaint with the medical board.",
    "You will be hearing from my attorney. I plan to sue.",
    "Reporting you to the licensing board and the BBB after this mess.",
]
SPANISH_LEGAL_THREATS = [
    "Pésimo servicio y nadie me explicó nada. Mi abogado se pondrá en contacto con ustedes.",
    "Me cobraron de más y nadie me ayudó. Voy a poner una demanda contra esta clínica.",
]
# Words that would admit fault, or promise a remedy, in public (English, then Spanish: "error nuestro", "lo sentimos
# que usted" and "negligencia" are caught by "error", "sentimos" and "negligen").
ADMISSION = re.compile(r"\b(fault|mistake|error|apolog\w*|sorry|negligen\w*|should have|regret|refund|"
                       r"compensat\w*|responsib\w*|disappoint\w*|"
                       r"culpa\w*|equivoc\w*|disculp\w*|perd[oó]n\w*|siento|sentimos|lament\w*|"
                       r"deber[ií]amos haber|reembols\w*|devoluci[oó]n|compens\w*|indemniz\w*|responsab\w*|"
                       r"decepci\w*)\b", re.I)
# A Spanish reply must not speak of the reviewer's care or visit, nor call them a patient.
SPEAKS_OF_CARE = re.compile(r"\b(su|sus) (visitas?|citas?|consultas?|tratamientos?|procedimientos?|resultados?|"
                            r"atenci[oó]n|cuidados?|expediente|diagn[oó]stico)\b|\bpacientes?\b", re.I)
LOGISTICS = [
    ("There is nowhere to park and the signs to the entrance are impossible to find.", 2),
    ("The phone tree is a maze, the hold music loops for ever and the line got disconnected twice.", 1),
]


def listen_blocks(topic: str, language: str = "en") -> list[str]:
    """The topic's default "listen" sentences (they have no placeholders, so they appear verbatim in a draft)."""
    return [block.text for block in default_library(language) if block.topic == topic and block.kind == "listen"]


@pytest.mark.parametrize("text", LEGAL_THREATS)
def test_a_legal_threat_is_the_reviews_topic(text):
    assert detect_topics(text, 1)[0] == Topic.LEGAL_THREAT


@pytest.mark.parametrize("text, rating", [
    ("Sue at the front desk was wonderful and the wait was short.", 5),
    ("As a lawyer myself I appreciated how clearly everything was explained.", 5),
    ("The wait was long and nobody told me why.", 2),
])
def test_a_name_a_profession_or_a_plain_complaint_is_not_a_legal_threat(text, rating):
    assert detect_topics(text, rating)[0] != Topic.LEGAL_THREAT


@pytest.mark.parametrize("threat, everyday", [
    ("Me cobraron de más y nadie me ayudó. Voy a poner una demanda contra ustedes.",
     "Je demande un remboursement depuis un mois et personne ne me répond."),
    ("Nadie me explicó nada y los voy a denunciar por cómo me trataron.",
     "A mi juicio me sentí juzgado por la recepcionista y nadie me ayudó."),
    ("Nadie me contestó el teléfono en una semana. Presentaré una queja ante la junta médica.",
     "Tuvimos una junta en la recepción y nadie sabía nada de mi pago."),
    ("Esto es negligencia médica y nadie me responde, así que tomaré acciones legales.",
     "Nadie me reportó nada en dos semanas y nadie me contestó el teléfono."),
])
def test_a_spanish_threat_escalates_and_follows_non_english_as_a_topic_and_its_everyday_neighbour_does_neither(
        threat, everyday):
    assert escalation_reason_for(text=threat, rating=1, topics=[]) in ("legal", "regulator")
    assert detect_topics(threat, 1) == [Topic.NON_ENGLISH, Topic.LEGAL_THREAT]
    assert escalation_reason_for(text=everyday, rating=1, topics=[]) is None
    assert Topic.LEGAL_THREAT not in detect_topics(everyday, 1)


@pytest.mark.parametrize("language, author_name, channel", [
    ("en", "Kelsey P.", "(303) 555-0186 or frontdesk@willowpine.example"),
    ("es", "Lucía M.", "(303) 555-0186 o frontdesk@willowpine.example"),
])
def test_every_legal_threat_variant_acknowledges_offers_the_private_channel_and_admits_nothing(
        language, author_name, channel, practice, location):
    library, context = default_library(language), reply_context_for(practice, location, language)
    texts = set()
    for n in range(12):  # enough identities to land on every variant of every kind, with and without the name
        review = ReviewInput(identity=f"google:legal-{n}", author_name=author_name, rating=1, text="")
        texts.update(compose(review=review, topics=[Topic.LEGAL_THREAT], library=library, context=context,
                             offset=offset, use_name=use_name) for offset in range(3) for use_name in (True, False))
    assert len(texts) >= 9
    # Every variant comes from the legal-threat blocks, and each of their "listen" sentences is used.
    listens = listen_blocks(Topic.LEGAL_THREAT, language)
    assert len(listens) == 3 and all(sum(listen in text for listen in listens) == 1 for text in texts)
    assert all(any(listen in text for text in texts) for listen in listens)
    profile = practice_profile(practice)
    for text in texts:
        assert channel in text, text
        assert not ADMISSION.search(text), text
        assert not DISMISSIVE.search(text), text
        assert not SPEAKS_OF_CARE.search(text), text
        verdict = guard_check(text, practice=profile, reviewer_name=author_name)  # as the desk checks it
        assert not verdict.blocked and not verdict.error, (text, verdict.findings)


@pytest.mark.parametrize("text, language, topics", [
    *((text, "en", [Topic.LEGAL_THREAT]) for text in LEGAL_THREATS),
    *((text, "es", [Topic.NON_ENGLISH, Topic.LEGAL_THREAT]) for text in SPANISH_LEGAL_THREATS),
])
def test_after_de_escalation_a_legal_threat_gets_the_legal_threat_draft_which_the_guard_passes(
        text, language, topics, location, alice, bob):
    review = review_paste(location=location, actor=alice, platform="google", author_name="Kelsey P.", rating=1,
                          posted_at="2026-01-05T10:00:00Z", text=text)
    with pytest.raises(workflow.TransitionNotAllowed, match="escalated"):
        workflow.reply_start(review=review, actor=alice)
    review_deescalate(review=review, actor=bob, reason="counsel_consulted")

    reply = workflow.reply_start(review=review, actor=alice)

    draft = draft_for_review(review=review)
    assert draft.topics[:len(topics)] == topics and draft.language == language
    assert any(listen in reply.text for listen in listen_blocks(Topic.LEGAL_THREAT, language))
    assert reply.current_version.blocked is False
    assert not ADMISSION.search(reply.text) and not DISMISSIVE.search(reply.text)
    assert "(303) 555-0186" in reply.text


def test_the_migration_gives_practices_with_spanish_blocks_the_spanish_legal_threat_blocks_once_and_escalates(
        practice, other_practice, make_review):
    migration = import_module("responses.migrations.0016_spanish_legal_threat")
    TemplateBlock.objects.create(practice=practice, language="es", kind="acknowledge", text="Gracias, {first_name}.")
    TemplateBlock.objects.create(practice=other_practice, language="en", kind="acknowledge", text="Thank you.")
    waiting = make_review(SPANISH_LEGAL_THREATS[1], rating=1)  # "demanda" did not escalate before
    ordinary = make_review("Muy caro y nadie me explicó nada. No vuelvo.", rating=1)

    migration.seed_spanish_legal_threat(apps, None)
    migration.seed_spanish_legal_threat(apps, None)
    migration.escalate_open_reviews(apps, None)

    assert practice.template_blocks.filter(language="es", topic=Topic.LEGAL_THREAT).count() == 9
    assert not other_practice.template_blocks.filter(language="es").exists()  # gets the whole library on first use
    assert Escalation.objects.get(review=waiting).reason == Escalation.Reason.LEGAL
    assert not Escalation.objects.filter(review=ordinary).exists()


@pytest.mark.parametrize("text, rating", LOGISTICS)
def test_parking_signage_and_phone_complaints_get_the_logistics_template(text, rating, make_review, practice):
    template_blocks_seed(practice=practice)
    assert practice.template_blocks.filter(topic=Topic.LOGISTICS).count() == 9

    draft = draft_for_review(review=make_review(text, rating=rating))

    assert draft.topic == Topic.LOGISTICS and not draft.blocked
    assert any(listen in draft.text for listen in listen_blocks(Topic.LOGISTICS))
