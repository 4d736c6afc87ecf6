"""Which of the supported languages a message is written in, from function words and letters.

Short chat messages defeat statistical detectors; function words ("the", "el", "le", "der")
and a few letters only one of these languages uses are reliable even in three words.
"""

from __future__ import annotations

from assistant.text import words

SUPPORTED = ("en", "es", "fr", "de")

FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "the a an and or is are was were be been to of in on at for with my your i you we it "
        "this that what where when how why can could would should do does did not no yes please "
        "me have has had will just want need get order still again".split()
    ),
    "es": frozenset(
        "el la los las un una y o es son fue ser estar esta este esto de del en con por para "
        "mi mis tu su que donde cuando como por que puedo quiero necesito hablar no si gracias "
        "hola pedido todavia otra vez muy pero ya me lo le".split()
    ),
    "fr": frozenset(
        "le la les un une et ou est sont etait etre de du des en avec pour par mon ma mes ton "
        "votre vos que qui ou quand comment pourquoi je tu vous nous il elle ne pas oui merci "
        "bonjour commande encore veux voudrais parler suis c'est j'ai au aux".split()
    ),
    "de": frozenset(
        "der die das den dem des ein eine einen und oder ist sind war sein zu von mit fur auf "
        "mein meine dein ihr ihre was wo wann wie warum ich du sie wir es nicht kein ja bitte "
        "danke hallo bestellung noch wieder will mochte sprechen habe bin mit einem einer".split()
    ),
}

# Letters (before accent folding) that point to one language.
MARKERS: dict[str, str] = {
    "ñ": "es",
    "¿": "es",
    "¡": "es",
    "ß": "de",
    "ä": "de",
    "ö": "de",
    "ü": "de",
    "ç": "fr",
    "è": "fr",
    "ê": "fr",
    "à": "fr",
    "œ": "fr",
    "ù": "fr",
    "â": "fr",
}


def detect_language(text: str, *, default: str = "en") -> str:
    """The most likely supported language; `default` (the customer's) when there is no signal."""
    scores = dict.fromkeys(SUPPORTED, 0.0)
    for token in words(text):
        for language, vocabulary in FUNCTION_WORDS.items():
            if token in vocabulary:
                scores[language] += 1.0
    for char in text.lower():
        marked = MARKERS.get(char)
        if marked:
            scores[marked] += 1.5
    best = max(SUPPORTED, key=lambda language: (scores[language], language == default))
    return best if scores[best] > 0 else default
