"""Sentences end where a reader sees them end, in Spanish too (phi_guard.sentences)."""
import pytest


@pytest.fixture(scope="module")
def sentences():
    from phi_guard.service import _engine

    engine = _engine()
    return lambda text: [text[start:end].strip() for start, end in engine.sentences(text)]


def test_an_opening_mark_starts_its_own_sentence_not_the_end_of_the_one_before(sentences):
    assert sentences("Llámenos al (303) 555-0186. ¡Todos son bienvenidos! ¿Tiene dudas? Escríbanos.") == [
        "Llámenos al (303) 555-0186.", "¡Todos son bienvenidos!", "¿Tiene dudas?", "Escríbanos.",
    ]


@pytest.mark.parametrize("title", ["Dra.", "Sra.", "Srta.", "Lic.", "dra."])
def test_a_spanish_title_does_not_end_the_sentence(sentences, title):
    assert sentences(f"Muchas gracias, {title} Pérez, por sus palabras. Saludos.") == [
        f"Muchas gracias, {title} Pérez, por sus palabras.", "Saludos.",
    ]


def test_the_full_check_reads_the_same_sentences(analyze):
    reply = "Gracias, Dra. Ruiz. ¡Nos vemos pronto en la feria de salud!"
    analysis = analyze(reply, reviewer_name="Ana R.")

    assert [reply[view.start:view.end].strip() for view in analysis.sentences] == [
        "Gracias, Dra. Ruiz.", "¡Nos vemos pronto en la feria de salud!",
    ]


def test_a_line_break_ends_a_sentence(sentences):
    assert sentences("Hi Dana,\n\nThank you for writing. We read every review\n— Renee\nPS: call us anytime") == [
        "Hi Dana,", "Thank you for writing.", "We read every review", "— Renee", "PS: call us anytime",
    ]


def test_trailing_white_space_is_not_a_sentence_of_its_own(sentences):
    assert sentences("Thanks, Dana!\n\n") == ["Thanks, Dana!"]
