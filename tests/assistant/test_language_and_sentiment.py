import pytest

from assistant.cues import CueModel
from assistant.language import detect_language
from assistant.sentiment import analyse_sentiment


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Where is my order?", "en"),
        ("¿Dónde está mi pedido?", "es"),
        ("Necesito hablar con un humano", "es"),
        ("Où est ma commande ?", "fr"),
        ("Je veux parler à un agent", "fr"),
        ("Wo ist meine Bestellung?", "de"),
        ("Ich will mit einem Menschen sprechen", "de"),
    ],
)
def test_language_of_short_chat_messages(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_no_signal_falls_back_to_the_customers_language() -> None:
    assert detect_language("ok", default="fr") == "fr"
    assert detect_language("lkjhg poiuy", default="de") == "de"


@pytest.mark.parametrize(
    "text",
    [
        "My parcel still hasn't arrived after 3 weeks",
        "I have been waiting 2 hours on hold!!",
        "This is the third time I'm asking",
        "nobody answers my emails, this is useless",
        "I'm fed up with this",
    ],
)
def test_customer_service_cues_make_neutral_sounding_complaints_negative(text: str) -> None:
    result = analyse_sentiment(text)
    assert result.label == "negative", result
    assert result.score < result.vader  # the cues darkened what VADER alone saw
    assert result.cues


@pytest.mark.parametrize(
    "text",
    [
        "Can I cancel my order?",
        "How do I return an item?",
        "I'm asking again: how do I return a product?",
    ],
)
def test_plain_questions_stay_neutral(text: str) -> None:
    assert analyse_sentiment(text).label == "neutral"


def test_praise_is_positive_and_shouting_is_noticed(cues: CueModel) -> None:
    praise = "Thanks, that worked perfectly!"
    assert analyse_sentiment(praise, learned=cues.read([praise]).mood[0]).label == "positive"
    shouted = analyse_sentiment("WHERE IS MY ORDER I PAID WEEKS AGO")
    assert "shouting" in shouted.cues


def test_polite_words_never_make_a_complaint_look_happy() -> None:
    """Customers stay polite while they complain: the lexicon's positive words are no
    evidence of a calm customer ("thanks for the standard reply")."""
    assert analyse_sentiment("great, thanks, love it").score <= 0.0


def test_the_mood_classifier_hears_frustration_without_angry_words(cues: CueModel) -> None:
    subtle = "nope, still nothing. here we go again..."
    calm = "when will my refund be processed?"
    moods = cues.read([subtle, calm, "thanks so much, all sorted!"]).mood
    assert moods[0] < 0 < moods[2]
    blended = analyse_sentiment(subtle, learned=moods[0])
    assert blended.score < analyse_sentiment(subtle).score  # the classifier darkened it
    assert analyse_sentiment(calm, learned=moods[1]).label == "neutral"


@pytest.mark.parametrize(
    "text",
    [
        "love that for me. third week waiting for the refund",
        "I'm literally in tears, the dress still hasn't come",
        "Genial, otra vez el mismo mensaje automático. Qué maravilla de servicio.",
        "Toll, wirklich toll. Und die Sendungsverfolgung zeigt natürlich nichts.",
        "estoy desesperada, el regalo no llega y es mañana",
    ],
)
def test_irony_and_distress_read_as_negative(cues: CueModel, text: str) -> None:
    assert analyse_sentiment(text, learned=cues.read([text]).mood[0]).label == "negative"


@pytest.mark.parametrize(
    "text",
    [
        "oh great, another 'we're sorry'. fantastic service, truly",
        "With the greatest respect, I am deeply unimpressed by this",
        "Super, merci pour le suivi qui ne marche pas. Vraiment bravo.",
    ],
)
def test_after_a_complaint_polite_words_do_not_hide_sarcasm_or_polite_fury(
    cues: CueModel, text: str
) -> None:
    """Alone, "fantastic service, truly" may be praise; after a complaint it is sarcasm: the
    polite words have no say, the classifier's bitter reading stands."""
    learned = cues.read([text]).mood[0]
    assert analyse_sentiment(text, learned=learned, after_complaint=True).label == "negative"
    assert (
        "sarcasm_in_context" in analyse_sentiment(text, learned=learned, after_complaint=True).cues
    )


@pytest.mark.parametrize(
    "text",
    [
        "how can I stop getting your marketing emails?",
        "Bueno, no pasa nada. ¿Cómo dejo una reseña?",
        "D'accord, et je peux payer avec PayPal ?",
        "Na gut, dann tausche ich sie eben um. Wie geht das?",
        "perfect, that's exactly what I needed",
    ],
)
def test_calm_messages_with_negative_looking_words_are_not_negative(
    cues: CueModel, text: str
) -> None:
    assert analyse_sentiment(text, learned=cues.read([text]).mood[0]).label != "negative"
