"""The trigger engine on plain data: each category, its settings, and the order of precedence."""

from dataclasses import replace
from typing import Any

from escalation.engine import (
    Boundary,
    Decision,
    MessageReading,
    Policy,
    compile_phrase,
    default_policy,
    evaluate,
)

POLICY = default_policy()


BASE = MessageReading(
    text="where is my order",
    intent="order_status",
    intent_confidence=0.9,
    known_words=1.0,
    sentiment_score=0.0,
    response_confidence=0.8,
    resolution_type="order_status",
)


def turn(text: str = "where is my order", **fields: Any) -> MessageReading:
    return replace(BASE, text=text, **fields)


def categories(decision: Decision) -> list[str]:
    return [hit.category for hit in decision.triggers]


def test_a_confident_answerable_question_does_not_escalate() -> None:
    decision = evaluate(turn(), [], [], POLICY)
    assert not decision.escalate
    assert decision.primary is None


def test_explicit_request_wins_over_everything_else() -> None:
    decision = evaluate(
        turn(
            "I want a human, I'm going to sue you",
            intent="legal",
            sentiment_score=-0.8,
            asks_for_person=True,
            person_rule="asks_for_person",
            person_matched="human",
        ),
        [turn(sentiment_score=-0.9, answered=True)],
        [0.1],
        POLICY,
    )
    assert categories(decision) == ["explicit_request", "capability", "sentiment"]
    assert decision.primary is not None
    assert decision.primary.category == "explicit_request"


def test_capability_by_intent_or_by_phrase_carries_skill_and_urgency() -> None:
    by_intent = evaluate(
        turn("please remove everything about me", intent="delete_account"), [], [], POLICY
    )
    assert by_intent.primary is not None
    assert (by_intent.primary.rule, by_intent.primary.skill) == (
        "account-authorisation:intent",
        "accounts",
    )
    by_phrase = evaluate(turn("someone hacked my account", intent="password_reset"), [], [], POLICY)
    assert by_phrase.primary is not None
    assert by_phrase.primary.rule == "account-compromised:phrase"
    assert by_phrase.primary.urgency == "critical"
    assert by_phrase.primary.evidence["matched"] == "hacked"


def test_a_low_confidence_intent_match_does_not_cross_a_boundary() -> None:
    decision = evaluate(
        turn("account question", intent="delete_account", intent_confidence=0.3), [], [], POLICY
    )
    assert "capability" not in categories(decision)


def test_sentiment_needs_consecutive_negative_messages() -> None:
    angry, calm = turn(sentiment_score=-0.7), turn(sentiment_score=0.1)
    assert "sentiment" not in categories(evaluate(angry, [], [], POLICY))
    assert "sentiment" not in categories(evaluate(angry, [angry, calm], [0.0, 0.0], POLICY))
    fired = evaluate(angry, [calm, angry], [0.0, 0.0], POLICY)
    assert fired.primary is not None
    assert fired.primary.category == "sentiment"
    assert fired.primary.evidence["scores"] == [-0.7, -0.7]


def test_sentiment_count_and_threshold_are_configurable() -> None:
    annoyed = turn(sentiment_score=-0.2)
    three = replace(POLICY, sentiment_consecutive=3, sentiment_threshold=-0.1)
    assert "sentiment" not in categories(evaluate(annoyed, [annoyed], [0.0], three))
    assert "sentiment" in categories(evaluate(annoyed, [annoyed, annoyed], [0.0, 0.0], three))


def test_loop_escalates_on_the_third_ask_after_two_answers() -> None:
    asked = turn(answered=True)
    assert "loop" not in categories(evaluate(turn(), [asked], [0.9], POLICY))
    decision = evaluate(turn(), [asked, asked], [0.9, 0.9], POLICY)
    assert decision.primary is not None
    assert decision.primary.category == "loop"
    assert decision.primary.evidence["earlier_asks"] == [0, 1]


def test_loop_counts_a_rephrased_question_by_similarity_and_ignores_other_questions() -> None:
    other_type = turn(intent="delivery_options", resolution_type="delivery_options", answered=True)
    similar = evaluate(turn(), [other_type, other_type], [0.7, 0.65], POLICY)
    assert "loop" in categories(similar)
    different = evaluate(turn(), [other_type, other_type], [0.05, 0.1], POLICY)
    assert "loop" not in categories(different)


def test_a_new_question_on_the_same_topic_is_not_asking_again() -> None:
    """ "Do you do express?", "what's the cut-off?", "and on Saturdays?": one article, three
    questions. The same answer counts only with likeness or a re-asking wording."""
    asked = turn(answered=True)
    assert "loop" not in categories(evaluate(turn(), [asked, asked], [0.2, 0.25], POLICY))
    restated = turn("sorry, so where is it?", sounds_restated=True)
    assert "loop" in categories(evaluate(restated, [asked, asked], [0.2, 0.25], POLICY))


def test_a_declined_person_is_not_a_request_even_when_the_intent_model_says_so() -> None:
    declined = turn(
        "I don't need a person, just tell me where my order is",
        intent="human_request",
        intent_confidence=0.95,
        person_declined=True,
    )
    assert "explicit_request" not in categories(evaluate(declined, [], [], POLICY))
    asked = replace(declined, person_declined=False)
    assert categories(evaluate(asked, [], [], POLICY))[0] == "explicit_request"


def test_with_the_explicit_trigger_off_a_request_is_declined_not_escalated_otherwise() -> None:
    off = replace(POLICY, explicit_enabled=False)
    wants = turn("human please", intent="human_request", response_confidence=0.0,
                 asks_for_person=True, person_rule="asks_for_person")  # fmt: skip
    decision = evaluate(wants, [], [], off)
    assert decision.declined == ("explicit_request",)
    assert not decision.escalate  # not handed over on confidence instead
    suing = replace(wants, text="human please, I'm going to sue")
    assert categories(evaluate(suing, [], [], off)) == ["capability"]


def test_an_intent_always_handed_over_crosses_a_boundary_of_its_own() -> None:
    fraud = turn("my card was used for fraud", intent="card_fraud", hand_over=True)
    decision = evaluate(fraud, [], [], POLICY)
    assert decision.primary is not None
    assert (decision.primary.category, decision.primary.rule) == ("capability", "intent:card_fraud")


def test_a_boundary_is_crossed_by_meaning_above_its_threshold() -> None:
    safety = Boundary(
        code="product-safety",
        name="Product safety",
        intents=frozenset(),
        patterns=(),
        skill="legal",
        urgency="high",
        examples=("the charger caught fire",),
        similarity_threshold=0.6,
    )
    policy = replace(POLICY, boundaries=(safety,))
    close = turn(
        "the power bank melted",
        example_scores={"product-safety": (0.72, "the charger caught fire")},
    )
    decision = evaluate(close, [], [], policy)
    assert decision.primary is not None
    assert decision.primary.rule == "product-safety:meaning"
    assert decision.primary.evidence["similar_to"] == "the charger caught fire"
    far = replace(close, example_scores={"product-safety": (0.4, "the charger caught fire")})
    assert "capability" not in categories(evaluate(far, [], [], policy))


def test_loop_limit_per_resolution_type() -> None:
    strict = replace(POLICY, loop_limits={"order_status": 1})
    assert "loop" in categories(evaluate(turn(), [turn(answered=True)], [0.9], strict))


def test_thanks_never_count_as_asking_again() -> None:
    thanks = turn("thanks!", intent="thanks", resolution_type="")
    assert not evaluate(thanks, [thanks, thanks], [1.0, 1.0], POLICY).escalate


def test_confidence_rules() -> None:
    cases = {
        "unintelligible": turn("xqzt", known_words=0.0),
        "out_of_scope": turn("weather?", intent="out_of_scope", intent_confidence=0.9),
        "classification": turn(intent_confidence=0.2),
        "response": turn(response_confidence=0.1),
    }
    for rule, case in cases.items():
        decision = evaluate(case, [], [], POLICY)
        assert decision.primary is not None
        assert (decision.primary.category, decision.primary.rule) == ("confidence", rule)


def test_separate_thresholds_for_classification_and_response() -> None:
    lenient = replace(POLICY, classification_threshold=0.1, response_threshold=0.05)
    assert not evaluate(
        turn(intent_confidence=0.2, response_confidence=0.1), [], [], lenient
    ).escalate


def test_every_category_can_be_switched_off() -> None:
    everything = turn("I want a human, my lawyer", intent="out_of_scope", sentiment_score=-0.9)
    off = Policy(
        explicit_enabled=False,
        capability_enabled=False,
        sentiment_enabled=False,
        loop_enabled=False,
        confidence_enabled=False,
    )
    assert not evaluate(everything, [everything, everything], [1.0, 1.0], off).escalate


def test_ask_to_rephrase_once_before_escalating_on_confidence() -> None:
    polite = replace(POLICY, ask_to_rephrase=True)
    unsure = turn(intent_confidence=0.2)
    first = evaluate(unsure, [], [], polite)
    assert first.rephrase
    assert not first.escalate
    asked = replace(unsure, rephrase_requested=True)
    assert evaluate(unsure, [asked], [0.2], polite).escalate


def test_supervisor_phrases_are_whole_words_or_regexes() -> None:
    words = compile_phrase("speak to Your Boss")
    assert words is not None
    assert words.search("can i speak to your boss")
    assert not words.search("speak to your bossy friend")
    regex = compile_phrase(r"/\bchargeback\w*/")
    assert regex is not None
    assert regex.search("i filed a chargebacks claim")
    assert compile_phrase("/[unclosed/") is None
    assert compile_phrase("   ") is None


def test_a_regex_that_could_backtrack_forever_is_never_run() -> None:
    assert compile_phrase(r"/(\w+\s?)+$/") is None


def test_an_angry_message_of_uncertain_intent_is_left_to_the_sentiment_trigger() -> None:
    venting = turn(
        "I've been waiting forever and no one helps",
        intent="complaint",
        intent_confidence=0.26,
        sentiment_score=-0.6,
    )
    assert not evaluate(venting, [], [], POLICY).escalate
    calm_but_unsure = replace(venting, sentiment_score=0.0)
    assert evaluate(calm_but_unsure, [], [], POLICY).escalate
    again = evaluate(venting, [venting], [0.3], POLICY)
    assert again.primary is not None
    assert again.primary.category == "sentiment"
