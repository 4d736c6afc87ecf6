import socket

import numpy as np
import pytest

from assistant import embedding
from assistant.intent import IntentModel


def test_the_embeddings_load_from_the_installed_package_without_the_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the embeddings tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    embedding.embedder.cache_clear()
    vectors = embedding.embed(["where is my parcel", "what is the weather in Lyon"])
    assert vectors.shape == (2, embedding.DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)


def test_words_that_mean_the_same_are_closer_than_words_that_do_not() -> None:
    money_back, reimbursement, weather = embedding.embed(
        ["I want my money back", "I request a reimbursement", "will it rain tomorrow"]
    )
    assert money_back @ reimbursement > money_back @ weather + 0.1


def test_an_empty_text_gets_a_zero_vector_not_nan() -> None:
    (vector,) = embedding.embed([""])
    assert not np.isnan(vector).any()


@pytest.mark.parametrize(
    ("text", "unseen", "intent"),
    [
        ("how do I get my passphrase back", "passphrase", "password_reset"),
        ("take me off your mailers", "mailers", "newsletter"),
    ],
)
def test_the_classifier_reads_a_word_no_phrase_taught_it(
    intent_model: IntentModel, text: str, unseen: str, intent: str
) -> None:
    assert unseen not in intent_model.vocabulary
    assert intent_model.predict(text).intent == intent


def test_a_text_read_again_is_not_embedded_again(monkeypatch: pytest.MonkeyPatch) -> None:
    first = embedding.embed(["has my parcel left the warehouse"])
    monkeypatch.setattr(embedding, "_embed", None)  # any second embedding would now fail
    again = embedding.embed(["has my parcel left the warehouse"])
    assert np.array_equal(first, again)
