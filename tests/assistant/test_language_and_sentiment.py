import pytest

from assistant.intent import IntentModel
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


def test_praise_is_positive_and_shouting_is_noticed() -> None:
    assert analyse_sentiment("Thanks, that worked perfectly!").label == "positive"
    shouted = analyse_sentiment("WHERE IS MY ORDER I PAID WEEKS AGO")
    assert "shouting" in shouted.cues


def test_the_mood_classifier_hears_frustration_without_angry_words(
    intent_model: IntentModel,
) -> None:
    subtle = "nope, still nothing. here we go again..."
    calm = "when will my refund be processed?"
    assert (
        intent_model.predict(subtle).mood
        < 0
        < intent_model.predict("thanks so much, all sorted!").mood
    )
    blended = analyse_sentiment(subtle, learned=intent_model.predict(subtle).mood)
    assert blended.score < analyse_sentiment(subtle).score  # the classifier darkened it
    assert analyse_sentiment(calm, learned=intent_model.predict(calm).mood).label == "neutral"
