"""A fresh process loads what a turn needs before its first customer, not during their turn."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB

from assistant import language, runtime, similarity
from assistant.features import LinearReader
from helpdesk.flows.warmup import WARM_UP, turns_warm_up
from helpdesk.models import Conversation
from tests.support.factories import say

# Committed for real: the warm-up runs on a thread of its own, as the server runs it.
pytestmark = [pytest.mark.usefixtures("knowledge_base"), pytest.mark.django_db(transaction=True)]


def warm_up_as_the_server_does() -> None:
    thread = threading.Thread(target=turns_warm_up, name="warm-up")
    thread.start()
    thread.join()


def refused(*args: Any, **kwargs: Any) -> None:
    raise AssertionError("loaded or learned during the customer's turn")


@pytest.fixture
def fresh_process() -> Iterator[None]:
    """Nothing served and nothing learned yet, as in a process that has just started."""
    runtime.forget()
    runtime._cues.clear()
    language._learned_letters.cache_clear()
    similarity._matcher.cache_clear()
    yield
    runtime.forget()


@pytest.mark.usefixtures("fresh_process")
def test_after_the_warm_up_the_first_turns_load_and_learn_nothing(
    alice_conversation: Conversation,
) -> None:
    """Before the warm-up read a whole sentence, the first customer of each process waited
    3.5 s for the language reader to learn (a one-word "hello" never asked it), and their
    second message for the topic reader."""
    warm_up_as_the_server_does()
    with (
        mock.patch("assistant.storage.read_model", refused),  # a model read from disk
        mock.patch.object(MultinomialNB, "fit", refused),  # the language reader
        mock.patch.object(LogisticRegression, "fit", refused),  # a boundary's example matcher
        mock.patch.object(LinearReader, "__init__", refused),  # the intent, topic, cue readers
    ):
        first = say(alice_conversation, "Hola, ¿dónde está mi pedido? No ha llegado todavía.")
        second = say(alice_conversation, "¿Puedo devolverlo si no me gusta?")
    assert [len(first.replies), len(second.replies)] == [1, 1]
    assert first.replies[0].author_kind == second.replies[0].author_kind == "assistant"


@pytest.mark.usefixtures("fresh_process")
def test_a_warm_up_that_fails_leaves_the_first_turn_to_try_again(
    alice_conversation: Conversation, caplog: pytest.LogCaptureFixture
) -> None:
    with mock.patch("helpdesk.flows.warmup.get_assistant", side_effect=OSError("disk")):
        warm_up_as_the_server_does()  # logged, never raised: the server starts all the same
    assert "Could not load the assistant before the first customer" in caplog.text
    assert say(alice_conversation, "Where is my order?").replies


def test_a_turn_arriving_during_the_warm_up_waits_for_its_learning_instead_of_repeating_it() -> (
    None
):
    """Two threads asking for the language reader at once (the warm-up and a first customer)
    learn it once: the second waits for the first, the CPU is not split between two."""
    language._learned_letters.cache_clear()
    fits = []
    learn = MultinomialNB.fit

    def slow_fit(self: MultinomialNB, *args: Any, **kwargs: Any) -> MultinomialNB:
        fits.append(threading.current_thread().name)
        time.sleep(0.5)  # long enough for the other thread to ask meanwhile
        return learn(self, *args, **kwargs)

    with mock.patch.object(MultinomialNB, "fit", slow_fit):
        readers = [
            threading.Thread(target=language.detect_language, args=(text,), name=name)
            for name, text in [("warm-up", WARM_UP[0]), ("turn", "¿Dónde está mi pedido?")]
        ]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join()
    assert len(fits) == 1
    assert language.detect_language("¿Dónde está mi pedido, por favor?") == "es"
