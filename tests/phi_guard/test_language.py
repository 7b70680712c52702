"""English and Spanish are read; anything else is refused with a reason, never passed."""
import pytest


@pytest.mark.parametrize("reply", [
    "Muito obrigada pela sua avaliação, ficamos muito felizes que tenha gostado do atendimento!",
    "Vielen Dank für Ihre Bewertung, wir freuen uns sehr über Ihr Feedback und bis bald.",
    "Merci beaucoup pour votre avis, toute l'équipe est ravie de vous avoir accueillie.",
    "Спасибо за ваш отзыв, мы очень рады, что вам понравилось у нас в клинике.",
])
def test_it_refuses_a_reply_in_a_language_it_cannot_read(check, reply):
    verdict = check(reply)

    assert verdict.blocked and verdict.findings == () and verdict.error_kind == "unreadable"
    assert "cannot read" in verdict.error and "English or Spanish" in verdict.error


def test_it_reads_spanish_and_passes_a_safe_spanish_reply(check):
    verdict = check("¡Muchas gracias por tus comentarios, Kelsey! Nos alegra mucho leer esto. "
                    "Si quieres platicar, llámanos al (303) 555-0186.")

    assert verdict.ok, [f.to_dict() for f in verdict.findings]


def test_it_blocks_a_spanish_reply_that_discloses_care(check):
    verdict = check("Kelsey, lamentamos que el Botox de tu frente no te haya durado. Te lo retocamos gratis.")

    assert verdict.blocked and not verdict.error


def test_names_and_short_lines_do_not_decide_the_language(check):
    assert check("Thanks, Joaquim!", reviewer_name="Joaquim S.").ok
    assert check("Hi Dr. Lindqvist fans!").ok
