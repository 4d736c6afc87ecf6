"""Text normalisation shared by the assistant's components."""

from __future__ import annotations

import functools
import re
import unicodedata

WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)


COMBINING_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


@functools.lru_cache(maxsize=8192)  # every reader of a message folds it: do it once
def fold(text: str) -> str:
    """Lower-case and strip accents: 'Müller ÉTÉ' -> 'muller ete'."""
    if text.isascii():
        return text.lower()
    return COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text.lower()))


def words(text: str) -> list[str]:
    return WORD.findall(fold(text))


# Words customers use for the same thing, mapped onto the one the assistant was taught.
# General customer-service vocabulary, kept short: the classifier learns the rest from phrases.
SYNONYMS = {
    "purchase": "order",
    "purchases": "orders",
    "puchase": "order",
    "ordr": "order",
    "package": "parcel",
    "packages": "parcels",
    "shipment": "parcel",
    "shipments": "parcels",
    "bill": "invoice",
    "bills": "invoices",
    "reimbursement": "refund",
    "reimburse": "refund",
    "reimbursed": "refunded",
    "rebate": "refund",
    "compensation": "refund",
    "repayment": "refund",
    "moneyback": "refund",
    "eta": "arrival",
    "pwd": "password",
    "passcode": "password",
    "pasword": "password",
    "feedback": "review",
    "testimonial": "review",
    "modalities": "methods",
    "adress": "address",
    "recieve": "receive",
    "recieved": "received",
    "u": "you",
    "ur": "your",
    "pls": "please",
    "plz": "please",
}
NUMBER = re.compile(r"\d[\d,.]*")
SYNONYM_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@functools.lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """Folded text with numbers as '0' and synonyms replaced: what the intent model reads."""
    folded = NUMBER.sub("0", fold(text))
    return SYNONYM_WORD.sub(lambda m: SYNONYMS.get(m.group(0), m.group(0)), folded)


READ_AT_MOST = 1500  # characters: a chat message's meaning is in far fewer
REPEATED_MARKS = re.compile(r"([^\w\s])\1{3,}")


def tidy(text: str) -> str:
    """The message as the assistant reads it: one space between words, a run of the same mark
    ("!!!!!!!!", "........") cut to three, at most READ_AT_MOST characters. Every pattern then
    runs on bounded, well-formed text, however the message was typed."""
    squeezed = REPEATED_MARKS.sub(r"\1\1\1", " ".join(text.split()))
    return squeezed[:READ_AT_MOST]
