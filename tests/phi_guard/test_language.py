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


@pytest.mark.parametrize("reply", [
    # Each short sentence alone is read as Portuguese or Italian; the reply as a whole is Spanish.
    "Isabel, lamentamos la frustración. Escríbanos a frontdesk@willowpine.example y un gerente le responderá.",
    "¡Gracias, Don Isidro! Cinco estrellas de usted valen oro. Aquí seguimos, a la orden de la comunidad.",
])
def test_a_short_spanish_sentence_read_as_a_close_language_is_read_as_spanish(check, reply):
    verdict = check(reply)

    assert verdict.error_kind != "unreadable", verdict.error


@pytest.mark.parametrize("sentence", [
    "A sua pele reagiu muito bem ao peeling, não é?",  # short, but Spanish never writes "ã"
    "Ficamos muito felizes que a sua primeira sessão tenha corrido tão bem e esperamos voltar a vê-la em breve.",
])
def test_a_portuguese_sentence_in_a_spanish_reply_is_still_refused(check, sentence):
    verdict = check(f"Hola Fernanda, muchas gracias por tomarse el tiempo de escribirnos esta reseña tan bonita. "
                    f"{sentence} Un abrazo de todo el equipo.")

    assert verdict.blocked and verdict.error_kind == "unreadable"


def test_accents_sprinkled_over_english_do_not_make_it_spanish(analyze):
    for reply in ["Wé wéré só glád tó séé yóu bàck ìn thé chàìr làst wéék, Kélséy!",
                  "Só glàd yóur résùlts càmé óùt sò wéll, sèé yóù ìn thréé mónths!"]:
        analysis = analyze(reply)

        assert not analysis.unreadable and {view.language for view in analysis.sentences} == {"en"}, reply


def test_a_spanish_reply_of_short_sentences_is_read_as_spanish(analyze):
    reply = "Isabel, lamentamos la frustración. Escríbanos a frontdesk@willowpine.example y un gerente le responderá."
    analysis = analyze(reply, reviewer_name="Isabel M.")

    assert not analysis.unreadable and {view.language for view in analysis.sentences} == {"es"}


@pytest.mark.parametrize("reply", [
    # The long sentences are read as Portuguese without their accents; as written they read as Spanish, and "¡"
    # is a mark only Spanish writes.
    "¡Gracias por avisarnos, Beto! La recepción está en el segundo piso del edificio de la esquina, justo al lado "
    "de la farmacia, con la entrada por la calle de atrás.",
    "¡Hola! La próxima plática gratuita es el sábado en la sala de juntas de la clínica, a las diez de la mañana.",
])
def test_a_long_spanish_sentence_read_as_portuguese_without_its_accents_is_read_as_spanish(check, reply):
    verdict = check(reply)

    assert verdict.error_kind != "unreadable", verdict.error


def test_a_long_portuguese_sentence_with_an_opening_mark_of_its_own_is_still_refused(check):
    verdict = check("¡Hola Fernanda! Ficamos muito felizes que a sua primeira sessão tenha corrido tão bem e "
                    "esperamos voltar a vê-la em breve na clínica.")

    assert verdict.blocked and verdict.error_kind == "unreadable"


@pytest.mark.parametrize("reply", [
    # Read as Dutch or French on their informal words; mostly English dictionary words and chat forms.
    "brynn omg ur gonna make me cry 😭 thank u!!! we try 2 make every1 feel at home here. -kaylee",
    "vibes r immaculate, we don't miss 😌 thx sophie!!",
    "Hi Ashley! We accept Missouri HealthNet and KanCare plans, plus most major commercial insurance.",
])
def test_informal_english_is_read_as_english(analyze, reply):
    analysis = analyze(reply)

    assert not analysis.unreadable and {view.language for view in analysis.sentences} == {"en"}, reply


@pytest.mark.parametrize("reply", [
    # Read as Portuguese, the whole reply too; "y", "lo", "los" and "el" are not Portuguese words.
    "Este comentario parece ser publicidad y ya lo reportamos a la plataforma.",
    "Los precios publicados para todos están en la página y la consulta es gratuita.",
])
def test_a_spanish_reply_read_as_portuguese_is_read_as_spanish_by_its_own_words(analyze, reply):
    analysis = analyze(reply)

    assert not analysis.unreadable and {view.language for view in analysis.sentences} == {"es"}, reply


@pytest.mark.parametrize("reply", [
    "Muito obrigado pela visita, a equipe adorou conhecer a senhora e esperamos vê-la de novo em breve.",
    "Obrigado pela confiança, volte sempre que quiser.",
    "Hartelijk dank voor uw beoordeling, het hele team is er blij mee en we hopen u snel weer te zien.",
    "Merci pour votre confiance, à très bientôt dans notre clinique.",
    "Grazie mille per la recensione, tutto il team è felice di averla accolta.",
])
def test_a_reply_in_a_language_it_cannot_read_is_still_refused_when_it_has_english_or_spanish_looking_words(
        check, reply):
    verdict = check(reply)

    assert verdict.blocked and verdict.error_kind == "unreadable", reply


def test_a_spanish_word_does_not_make_a_portuguese_reply_readable(check):
    verdict = check("Obrigado pela visita e pela confiança, y hasta pronto. Volte sempre que quiser.")

    assert verdict.blocked and verdict.error_kind == "unreadable"


def test_a_spanish_sentence_with_an_english_word_is_still_spanish(analyze):
    analysis = analyze("Pedro, usted nunca ha sido cliente de Marigold & Mesquite.")

    assert {view.language for view in analysis.sentences} == {"es"}
