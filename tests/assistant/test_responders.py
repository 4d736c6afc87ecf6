"""The OpenAI-compatible responder against a local fake server (the LLM API is outside us)."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.intent import IntentPrediction
from assistant.responders import LocalResponder, OpenAICompatibleResponder, ReplyRequest
from assistant.retrieval import ArticleDoc, Hit
from tests.support.fakes import FakeLLM  # the `llm` fixture comes from conftest

RETURNS = ArticleDoc(
    7, "Return policy", "Return any unused item within 30 days.", "", ("return_item",)
)


def request(text: str = "how do I send this back?", intent: str = "return_item") -> ReplyRequest:
    return ReplyRequest(
        text=text,
        language="fr",
        intent=IntentPrediction(intent, 0.9, ((intent, 0.9),), 1.0),
        hits=[Hit(RETURNS, 3.0, 0.43)],
        intent_article=RETURNS,
        transcript=[("customer", "bonjour"), ("assistant", "Bonjour !")],
    )


def test_the_llm_writes_the_reply_from_the_articles_it_is_given(llm: tuple[FakeLLM, str]) -> None:
    fake, url = llm
    fake.answer = {
        "reply": "Vous pouvez le renvoyer sous 30 jours.",
        "confidence": 0.82,
        "article_id": 7,
    }
    responder = OpenAICompatibleResponder(base_url=url, api_key="sk-test", model="small-model")
    draft = responder.draft(request())
    assert (draft.text, draft.confidence, draft.source) == (
        "Vous pouvez le renvoyer sous 30 jours.",
        0.82,
        "llm",
    )
    assert draft.article == RETURNS
    assert draft.resolution_type == "return_item"
    sent = fake.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["auth"] == "Bearer sk-test"
    assert sent["body"]["model"] == "small-model"
    system = sent["body"]["messages"][0]["content"]
    assert "[article 7] Return policy" in system
    assert "in French" in system
    assert sent["body"]["messages"][-1] == {"role": "user", "content": "how do I send this back?"}


@pytest.mark.parametrize(
    "answer",
    [
        {"reply": "Sure, 90 days!", "confidence": 0.99, "article_id": None},  # ungrounded
        {"reply": "Sure!", "confidence": 0.99, "article_id": 12345},  # an article it was not given
        # a figure the article does not give: invented policy
        {"reply": "You have 90 days and we refund 500 EUR.", "confidence": 0.99, "article_id": 7},
        {"reply": "x" * 1300, "confidence": 0.99, "article_id": 7},  # not a chat reply
        "this is not json",
        ["a", "list"],
    ],
)
def test_an_ungrounded_or_malformed_answer_gets_zero_confidence(
    llm: tuple[FakeLLM, str], answer: Any
) -> None:
    fake, url = llm
    fake.answer = answer
    draft = OpenAICompatibleResponder(base_url=url, api_key="", model="m").draft(request())
    assert draft.confidence == 0.0
    assert draft.article is None


def test_an_api_error_gets_zero_confidence_so_a_person_takes_over(llm: tuple[FakeLLM, str]) -> None:
    fake, url = llm
    fake.status = 500
    draft = OpenAICompatibleResponder(base_url=url, api_key="", model="m").draft(request())
    assert (draft.confidence, draft.source) == (0.0, "llm_error")


def test_small_talk_never_calls_the_api(llm: tuple[FakeLLM, str]) -> None:
    fake, url = llm
    draft = OpenAICompatibleResponder(base_url=url, api_key="", model="m").draft(
        request("merci !", "thanks")
    )
    assert draft.source == "smalltalk"
    assert draft.text == "Avec plaisir ! Puis-je vous aider pour autre chose ?"
    assert fake.requests == []


def test_the_local_responder_answers_with_the_intents_article() -> None:
    draft = LocalResponder().draft(request())
    assert draft.text == RETURNS.body
    assert draft.article == RETURNS
    assert 0.8 < draft.confidence <= 1.0


@pytest.mark.parametrize("confidence", ["NaN", "Infinity", "true", '"0.9"'])
def test_a_non_numeric_confidence_counts_as_zero(llm: tuple[FakeLLM, str], confidence: str) -> None:
    fake, url = llm
    fake.answer = (
        '{"reply": "Return it within 30 days.", "confidence": ' + confidence + ', "article_id": 7}'
    )
    draft = OpenAICompatibleResponder(base_url=url, api_key="", model="m").draft(request())
    assert draft.confidence == 0.0


def test_the_models_own_confidence_is_capped_by_the_local_evidence(
    llm: tuple[FakeLLM, str],
) -> None:
    fake, url = llm
    fake.answer = {"reply": "Return it within 30 days.", "confidence": 1.0, "article_id": 7}
    unsure = ReplyRequest(
        text="hmm?",
        language="en",
        intent=IntentPrediction("return_item", 0.3, (("return_item", 0.3),), 1.0),
        hits=[],
        intent_article=RETURNS,
    )
    draft = OpenAICompatibleResponder(base_url=url, api_key="", model="m").draft(unsure)
    assert draft.confidence == LocalResponder().draft(unsure).confidence < 0.3
